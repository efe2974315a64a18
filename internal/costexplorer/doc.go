// Package costexplorer implements the AWS Cost Explorer API (ce 2017-10-25)
// over Tally's billing data.
//
// api.gen.go holds the wire types, their validation and the operation
// bindings, generated from the botocore model in shared/aws-models.
package costexplorer

//go:generate go run ../../cmd/apigen -model ../../../shared/aws-models/ce-2017-10-25.service-2.json -smithy ../../../shared/aws-models/ce-2017-10-25.smithy.json -paginators ../../../shared/aws-models/ce-2017-10-25.paginators-1.json -pkg costexplorer -out api.gen.go
