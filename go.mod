module github.com/tallyhq/tally

go 1.26.8

require (
	github.com/klauspost/compress v1.17.9
	github.com/parquet-go/parquet-go v0.32.0
)

require github.com/parquet-go/bitpack v1.0.0 // indirect
