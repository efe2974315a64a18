package synth

import "encoding/json"

// dataExportsManifest is the Manifest.json AWS Data Exports writes per
// billing period.
type dataExportsManifest struct {
	ExportARN     string           `json:"exportArn"`
	ExportName    string           `json:"exportName"`
	ExecutionID   string           `json:"executionId"`
	BillingPeriod manifestPeriod   `json:"billingPeriod"`
	DataFiles     []string         `json:"dataFiles"`
	Columns       []manifestColumn `json:"columns"`
}

type manifestPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type manifestColumn struct {
	Category string `json:"category,omitempty"`
	Name     string `json:"name"`
	Type     string `json:"type"`
}

func (s *cur2Sink) manifest() ([]byte, error) {
	man := dataExportsManifest{
		ExportARN:   s.o.exportARN(),
		ExportName:  s.o.cfg.ExportName,
		ExecutionID: s.o.executionID(s.m),
		BillingPeriod: manifestPeriod{
			Start: unixUTC(s.m.start).Format("2006-01-02T15:04:05.000Z"),
			End:   unixUTC(s.m.end).Format("2006-01-02T15:04:05.000Z"),
		},
	}
	for _, rel := range s.data {
		man.DataFiles = append(man.DataFiles, "s3://"+s.o.cfg.Bucket+"/"+rel)
	}
	for _, c := range s.cols {
		man.Columns = append(man.Columns, manifestColumn{Name: c.name, Type: cur2Type(c.kind)})
	}
	return json.MarshalIndent(man, "", "  ")
}

func cur2Type(k colKind) string {
	switch k {
	case kTime:
		return "timestamp"
	case kDbl:
		return "double"
	case kProduct, kTags, kCostCat, kTagsAll:
		return "map<string,string>"
	case kDiscount:
		return "map<string,double>"
	}
	return "string"
}

func (o *org) exportARN() string {
	return "arn:aws:bcm-data-exports:us-east-1:" + o.payer.idStr + ":export/" + o.cfg.ExportName + "-" + uuidOf(hash2(uint64(o.cfg.Seed), 11))
}

func (o *org) executionID(m *monthPlan) string {
	return uuidOf(hash2(m.seed, uint64(len(o.resources))))
}

// uuidOf renders a deterministic version-4-shaped UUID.
func uuidOf(h uint64) string {
	a := hexDigits(h, 16) + hexDigits(mix(h), 16)
	return a[:8] + "-" + a[8:12] + "-4" + a[13:16] + "-a" + a[17:20] + "-" + a[20:32]
}
