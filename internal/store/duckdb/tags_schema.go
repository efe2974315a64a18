package duckdb

// tagSchema holds the tables of cost allocation tag management beyond
// tag_keys and tag_status (which ingest maintains).
func tagSchema() []string { return nil }
