package synth

import "errors"

// errFormatPending is returned for formats whose writer is not built yet.
var errFormatPending = errors.New("format not implemented yet")

func (o *org) newCURSink(m *monthPlan) (sink, error)   { return nil, errFormatPending }
func (o *org) newFOCUSSink(m *monthPlan) (sink, error) { return nil, errFormatPending }
