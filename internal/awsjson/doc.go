// Package awsjson is the AWS JSON 1.1 protocol layer shared by the Cost
// Explorer and Budgets services: it routes an X-Amz-Target to an operation,
// decodes request bodies strictly against the model, renders results and
// errors the way the AWS SDKs and the AWS CLI expect, and enforces the size and
// nesting limits of a request.
//
// The package never imports net/http: the HTTP server hands Router.Dispatch the
// target header and the body, and writes back the Response it gets.
//
// Decisions that differ from, or go beyond, what AWS documents:
//
//   - Members the model does not define are rejected with a
//     SerializationException naming them. AWS services tend to ignore them,
//     but a client that sends a member Tally does not know expects an effect
//     (a filter, a limit) that would silently not happen.
//   - A member given twice in one JSON object is a SerializationException
//     rather than last-wins, for the same reason.
//   - Bodies over the size limit and bodies nested deeper than the depth limit
//     are SerializationExceptions, checked before anything is decoded. Both
//     limits are Router options (default 1 MiB and 32 levels).
//   - An empty body (or only white space) is read as {}.
//   - Operations not implemented yet answer NotImplementedException with HTTP
//     501, a status the SDKs do not retry.
//   - An exception that the operation's model does not list is logged; under
//     WithStrictErrors, which every test harness sets, it becomes an internal
//     error and fails the test. A service marks the few exceptions AWS sends
//     outside its model (Error.Unmodelled) in its ErrorTable.
//   - Validation messages follow AWS's wording and member paths
//     (timePeriod.start, groupBy.2.member.type); map entries are written
//     <map>.<key>, a form AWS does not document. A message spells out at most
//     100 violations and counts the rest.
//   - Model patterns are matched against the whole value (as AWS's Java
//     validators do), and string lengths count Unicode code points, as Smithy
//     defines the length trait.
package awsjson
