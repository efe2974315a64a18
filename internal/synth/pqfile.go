package synth

import (
	"encoding/binary"
	"fmt"

	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// flushRowGroup writes the buffered pages of every leaf as one row group,
// then drops the dictionaries and templates.
func (w *pqWriter) flushRowGroup() error {
	if err := w.flushPages(); err != nil {
		return err
	}
	if w.rgRowCount == 0 {
		return nil
	}
	rg := format.RowGroup{NumRows: w.rgRowCount, FileOffset: w.out.n}
	for _, l := range w.leaves {
		cc, err := w.writeChunk(l)
		if err != nil {
			return err
		}
		rg.Columns = append(rg.Columns, cc)
		rg.TotalByteSize += cc.MetaData.TotalUncompressedSize
		rg.TotalCompressedSize += cc.MetaData.TotalCompressedSize
	}
	rg.Ordinal = int16(len(w.rowGroups))
	w.rowGroups = append(w.rowGroups, rg)
	w.rgRowCount = 0
	w.tplBase, w.tplData = w.tplBase[:0], w.tplData[:0]
	w.gen++
	return w.out.err
}

// writeChunk writes a leaf's dictionary page and data pages.
func (w *pqWriter) writeChunk(l *pqLeaf) (format.ColumnChunk, error) {
	start := w.out.n
	md := format.ColumnMetaData{
		Type:         l.phys,
		PathInSchema: l.path,
		Codec:        format.Snappy,
		NumValues:    l.numValues,
		Statistics:   format.Statistics{NullCount: l.nullCount},
	}
	encs := []format.Encoding{format.RLE}
	if l.usedPlain {
		encs = append(encs, format.Plain)
	}
	uncompressed := l.uncompressedSize
	if len(l.keys) > 0 {
		md.DictionaryPageOffset = w.out.n
		b := w.body[:0]
		for _, k := range l.keys {
			b = l.render(b, k)
		}
		w.body = b
		w.comp = s2.EncodeSnappy(w.comp[:cap(w.comp)], b)
		hdr := format.PageHeader{
			Type:                 format.DictionaryPage,
			UncompressedPageSize: int32(len(b)),
			CompressedPageSize:   int32(len(w.comp)),
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: int32(len(l.keys)), Encoding: format.Plain}),
		}
		h, err := thrift.Marshal(&w.proto, &hdr)
		if err != nil {
			return format.ColumnChunk{}, fmt.Errorf("parquet dictionary header: %w", err)
		}
		w.out.Write(h)
		w.out.Write(w.comp)
		uncompressed += int64(len(h) + len(b))
		if !l.usedPlain {
			encs = append(encs, format.Plain)
		}
		encs = append(encs, format.RLEDictionary)
	}
	md.DataPageOffset = w.out.n
	w.out.Write(l.pages)
	md.Encoding = encs
	md.TotalUncompressedSize = uncompressed
	md.TotalCompressedSize = w.out.n - start
	l.reset()
	return format.ColumnChunk{FileOffset: start, MetaData: md}, nil
}

func (l *pqLeaf) reset() {
	for _, k := range l.keys {
		if l.small && k < directKeyLimit {
			l.direct[k] = 0
		}
	}
	clear(l.big)
	l.keys = l.keys[:0]
	l.lastKey, l.lastIdx = 0, 0
	l.pages = l.pages[:0]
	l.numValues, l.nullCount, l.uncompressedSize = 0, 0, 0
	l.usedPlain = false
}

// close flushes the last row group and writes the footer.
func (w *pqWriter) close() error {
	if err := w.flushRowGroup(); err != nil {
		return err
	}
	md := format.FileMetaData{
		Version:   1,
		Schema:    w.schema(),
		NumRows:   w.rows,
		RowGroups: w.rowGroups,
		CreatedBy: "tally synth",
	}
	footer, err := thrift.Marshal(&w.proto, &md)
	if err != nil {
		return fmt.Errorf("parquet footer: %w", err)
	}
	w.out.Write(footer)
	w.out.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(footer))))
	w.out.Write([]byte("PAR1"))
	return w.out.err
}

func (w *pqWriter) schema() []format.SchemaElement {
	opt := thrift.New(format.Optional)
	str := func(name string, rep format.FieldRepetitionType) format.SchemaElement {
		return format.SchemaElement{Type: thrift.New(format.ByteArray), RepetitionType: thrift.New(rep), Name: name,
			ConvertedType: thrift.New(deprecated.UTF8), LogicalType: format.LogicalType{Value: &format.StringType{}}}
	}
	s := []format.SchemaElement{{Name: "schema", NumChildren: thrift.New(int32(len(w.fields)))}}
	for _, f := range w.fields {
		switch f.typ {
		case pqString, pqPlainString:
			s = append(s, str(f.name, format.Optional))
		case pqTimestamp:
			s = append(s, format.SchemaElement{Type: thrift.New(format.Int64), RepetitionType: opt, Name: f.name,
				ConvertedType: thrift.New(deprecated.TimestampMillis),
				LogicalType: format.LogicalType{Value: &format.TimestampType{IsAdjustedToUTC: true,
					Unit: format.TimeUnit{Value: &format.MilliSeconds{}}}}})
		case pqDouble:
			s = append(s, format.SchemaElement{Type: thrift.New(format.Double), RepetitionType: opt, Name: f.name})
		case pqMapString, pqMapDouble:
			s = append(s,
				format.SchemaElement{RepetitionType: opt, Name: f.name, NumChildren: thrift.New(int32(1)),
					ConvertedType: thrift.New(deprecated.Map), LogicalType: format.LogicalType{Value: &format.MapType{}}},
				format.SchemaElement{RepetitionType: thrift.New(format.Repeated), Name: "key_value", NumChildren: thrift.New(int32(2))},
				str("key", format.Required))
			if f.typ == pqMapString {
				s = append(s, str("value", format.Optional))
			} else {
				s = append(s, format.SchemaElement{Type: thrift.New(format.Double), RepetitionType: opt, Name: "value"})
			}
		}
	}
	return s
}
