// Package billing is Tally's domain vocabulary: the canonical line item that
// every billing export is mapped to, Cost Explorer dimensions and metrics,
// exact decimal amounts and half-open time periods.
//
// It imports only the standard library so that every other package can share
// it without dragging in a database driver or the HTTP stack.
package billing
