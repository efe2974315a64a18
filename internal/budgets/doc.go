// Package budgets implements the AWS Budgets API (budgets 2016-10-20) over
// Tally's billing data.
//
// api.gen.go holds the wire types, their validation and the operation
// bindings, generated from the botocore model in shared/aws-models.
package budgets

//go:generate go run ../apigen -model ../../../shared/aws-models/budgets-2016-10-20.service-2.json -smithy ../../../shared/aws-models/budgets-2016-10-20.smithy.json -pkg budgets -out api.gen.go
