module github.com/tallyhq/tally

go 1.26.8

require (
	github.com/aws/aws-sdk-go-v2 v1.47.7
	github.com/google/go-cmp v0.7.0
)

require github.com/aws/smithy-go v1.28.8 // indirect
