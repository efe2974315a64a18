// Package web serves Tally's browser UI on the server's port.
//
// The UI is a single-page application of plain JavaScript modules, CSS and
// hand-drawn SVG charts, embedded in the binary: there is no build step, no
// framework and nothing loaded from elsewhere. The pages call the same AWS
// JSON API as the SDKs (POST / with X-Amz-Target), signing every request with
// SigV4 in the browser using the access key the user signed in with, so an
// account sees in the browser exactly what its credentials see through the
// API. Without a credentials file (the loopback-only test mode) the pages
// sign with the built-in test key and need no sign-in.
//
// What the AWS APIs do not describe, the billing periods held by the store
// and the outcome of recent ingests, comes from one read-only endpoint,
// GET /ui/api/data, which takes the same SigV4 signatures (service name
// "tally", verified by the server before the request reaches this package)
// and shows each caller only what it may see: the sources it pays for, and
// the months and states of those that hold its own lines. A second one,
// GET /ui/api/split-charges, shows a cost category's split charges in a
// month, which AWS applies on the category's own page only and never in the
// Cost Explorer API (Config.SplitCharges); with a rules parameter it
// previews split charge rules not saved yet (Config.SplitPreview), for the
// Cost categories page's editor.
package web
