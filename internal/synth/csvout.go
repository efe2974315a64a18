package synth

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"

	"github.com/klauspost/compress/gzip"
)

// csvCol is one column of a CSV export. A static column's text depends only
// on the line's shape (see shapeOf) and is rendered once per shape; a
// dynamic column is rendered per row, where present (a function of the
// shape as well; nil means always) says it has a value.
type csvCol struct {
	name    string
	text    func(dst []byte, l *line) []byte // static
	value   func(dst []byte, l *line) []byte // dynamic
	present func(l *line) bool
}

// csvRows renders the rows of one export format. A template is a shape's
// row text with the cut points where dynamic values go.
type csvRows struct {
	cols   []csvCol
	shapes *shapeCache
	tpls   []csvTemplate
	gen    uint32
	cell   []byte
}

type csvTemplate struct {
	text []byte
	cuts []int32 // offsets into text
	cols []int32 // the dynamic column at each cut
}

// maxCSVTemplates bounds the memory templates take; past it they are
// dropped and rebuilt on demand.
const maxCSVTemplates = 1 << 15

func newCSVRows(cols []csvCol) *csvRows { return &csvRows{cols: cols, shapes: newShapeCache()} }

// header appends the header line.
func (r *csvRows) header(dst []byte) []byte {
	for i, c := range r.cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, []byte(c.name))
	}
	return append(dst, '\n')
}

// appendRow appends the CSV line of l.
func (r *csvRows) appendRow(dst []byte, l *line) []byte {
	t := r.template(l)
	prev := int32(0)
	for k, cut := range t.cuts {
		dst = append(dst, t.text[prev:cut]...)
		dst = r.cols[t.cols[k]].value(dst, l)
		prev = cut
	}
	dst = append(dst, t.text[prev:]...)
	return append(dst, '\n')
}

func (r *csvRows) template(l *line) *csvTemplate {
	sh := shapeOf(l)
	if id, ok := r.shapes.lookup(sh, r.gen); ok {
		return &r.tpls[id]
	}
	if len(r.tpls) >= maxCSVTemplates {
		r.tpls = r.tpls[:0]
		r.gen++
		r.shapes.lookup(sh, r.gen) // empties the cache
	}
	var t csvTemplate
	for i, c := range r.cols {
		if i > 0 {
			t.text = append(t.text, ',')
		}
		if c.text != nil {
			r.cell = c.text(r.cell[:0], l)
			t.text = appendCSVField(t.text, r.cell)
			continue
		}
		if c.present == nil || c.present(l) {
			t.cuts = append(t.cuts, int32(len(t.text)))
			t.cols = append(t.cols, int32(i))
		}
	}
	r.tpls = append(r.tpls, t)
	r.shapes.add(sh, int32(len(r.tpls)-1))
	return &r.tpls[len(r.tpls)-1]
}

// appendCSVField appends a field, quoted when it must be (as encoding/csv
// decides).
func appendCSVField(dst, f []byte) []byte {
	if len(f) == 0 || (!bytes.ContainsAny(f, ",\"\r\n") && f[0] != ' ' && f[0] != '\t') {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for _, b := range f {
		if b == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, b)
	}
	return append(dst, '"')
}

// appendFloat appends a decimal without exponent, as billing exports write
// numbers.
func appendFloat(dst []byte, v float64) []byte { return strconv.AppendFloat(dst, v, 'f', -1, 64) }

// hourTexts caches the text of the hours of one billing period in one
// layout.
type hourTexts struct {
	base   int64
	layout string
	texts  [][]byte
}

func (h *hourTexts) appendTime(dst []byte, t int64) []byte {
	i := int((t - h.base) / 3600)
	if i < 0 || (t-h.base)%3600 != 0 {
		return unixUTC(t).AppendFormat(dst, h.layout)
	}
	for len(h.texts) <= i {
		h.texts = append(h.texts, nil)
	}
	if h.texts[i] == nil {
		h.texts[i] = unixUTC(t).AppendFormat(nil, h.layout)
	}
	return append(dst, h.texts[i]...)
}

// csvFiles writes the gzip-compressed CSV data files of one billing period,
// starting a new file every rowsPerFile rows.
type csvFiles struct {
	out         *outFiles
	name        func(n int) string // relative path of the n-th file, from 1
	header      []byte
	rowsPerFile int64

	f      *os.File
	bw     *bufio.Writer
	gz     *gzip.Writer
	inFile int64
	data   []string
}

// write writes one row (a complete line of text).
func (c *csvFiles) write(row []byte) error {
	if c.gz == nil || c.inFile >= c.rowsPerFile {
		if err := c.closeFile(); err != nil {
			return err
		}
		if err := c.open(); err != nil {
			return err
		}
	}
	c.inFile++
	_, err := c.gz.Write(row)
	return err
}

func (c *csvFiles) open() error {
	rel := c.name(len(c.data) + 1)
	f, err := c.out.create(rel)
	if err != nil {
		return err
	}
	c.f, c.bw, c.inFile = f, bufio.NewWriterSize(f, 1<<20), 0
	if c.gz == nil {
		c.gz, err = gzip.NewWriterLevel(c.bw, gzip.BestSpeed)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
	} else {
		c.gz.Reset(c.bw)
	}
	c.data = append(c.data, rel)
	_, err = c.gz.Write(c.header)
	return err
}

func (c *csvFiles) closeFile() error {
	if c.f == nil {
		return nil
	}
	err := c.gz.Close()
	if err == nil {
		err = c.bw.Flush()
	}
	if err == nil {
		var st os.FileInfo
		if st, err = c.f.Stat(); err == nil {
			c.out.bytes += st.Size()
		}
	}
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	c.f = nil
	return err
}

// finish closes the last file; a period without rows still gets one file
// with the header.
func (c *csvFiles) finish() error {
	if c.f == nil && len(c.data) == 0 {
		if err := c.open(); err != nil {
			return err
		}
	}
	return c.closeFile()
}

// abort closes the open file; the caller removes the files.
func (c *csvFiles) abort() {
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
}
