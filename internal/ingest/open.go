package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// rowMapper maps the current row of a source to a line item.
type rowMapper interface {
	// projection lists the columns mapRow reads.
	projection() []int
	// mapRow returns the row's billing period, its line item (reused for
	// the next row) and its invoice id.
	mapRow() (billing.BillingPeriod, *billing.LineItem, string, error)
}

var (
	magicParquet = []byte("PAR1")
	magicGzip    = []byte{0x1f, 0x8b}
	magicZip     = []byte("PK\x03\x04")
)

// openBilling opens a billing file, detects its format from its content and
// returns a source with a mapper for it. Errors are not yet FileErrors.
func openBilling(name string) (source, store.Format, rowMapper, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, "", nil, err
	}
	src, err := openSource(f)
	if err != nil {
		f.Close()
		return nil, "", nil, err
	}
	format, mapper, err := detect(src)
	if err != nil {
		src.close()
		return nil, "", nil, err
	}
	if err := src.project(mapper.projection()); err != nil {
		src.close()
		return nil, "", nil, err
	}
	return src, format, mapper, nil
}

// openSource picks the reader for a file from its first bytes: Parquet,
// gzip- or zip-compressed CSV, or plain CSV.
func openSource(f *os.File) (source, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() == 0 {
		return nil, ErrEmptyFile
	}
	head := make([]byte, 4)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, magicParquet):
		return newParquetSource(f, st.Size())
	case bytes.HasPrefix(head, magicGzip):
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return newCSVSource(gzipErrors{zr}, f)
	case bytes.HasPrefix(head, magicZip):
		return openZipCSV(f, st.Size())
	}
	// A file named as compressed that is not is corrupt (or misnamed): say
	// so, rather than report its bytes as a malformed CSV.
	name := strings.ToLower(f.Name())
	for _, c := range []struct{ ext, what string }{{".gz", "gzip"}, {".zip", "zip"}, {".parquet", "Parquet"}} {
		if strings.HasSuffix(name, c.ext) {
			return nil, fmt.Errorf("%s: not a %s file: it does not start with the %s signature (corrupt or misnamed)", c.what, c.what, c.what)
		}
	}
	return newCSVSource(bufio.NewReaderSize(f, 1<<16), f)
}

// gzipErrors names gzip as the cause of a read error in a compressed stream
// (a corrupt block, a bad checksum), which the CSV reader passes on.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

// openZipCSV opens the one CSV file inside a zip archive.
func openZipCSV(f *os.File, size int64) (source, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	var files, csvs []*zip.File
	for _, e := range zr.File {
		if e.FileInfo().IsDir() || strings.HasPrefix(e.Name, "__MACOSX/") || strings.HasPrefix(path.Base(e.Name), ".") {
			continue
		}
		files = append(files, e)
		if strings.HasSuffix(strings.ToLower(e.Name), ".csv") {
			csvs = append(csvs, e)
		}
	}
	pick := files
	if len(files) != 1 {
		pick = csvs
	}
	if len(pick) != 1 {
		return nil, fmt.Errorf("zip archive holds %d files, %d of them CSV; expected exactly one CSV", len(files), len(csvs))
	}
	rc, err := pick[0].Open()
	if err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	return newCSVSource(bufio.NewReaderSize(rc, 1<<16), multiCloser{rc, f})
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var first error
	for _, c := range m {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// detect tells the format from the column names: legacy CUR CSV has
// "lineItem/…" columns; Athena Parquet and CUR 2.0 share "line_item_…"
// columns and CUR 2.0 alone has the product and resource_tags maps (or
// account name columns); FOCUS has BilledCost, ChargePeriodStart and the
// like. A file of a known family that lacks required columns is rejected by
// its mapper, which names them.
func detect(src source) (store.Format, rowMapper, error) {
	cols := map[string]bool{}
	var legacy, snake bool
	for _, c := range src.columns() {
		cols[c] = true
		legacy = legacy || strings.HasPrefix(c, "lineItem/")
		snake = snake || strings.HasPrefix(c, "line_item_")
	}
	focus := cols["BilledCost"] || cols["ChargePeriodStart"] || cols["EffectiveCost"] || cols["ChargeCategory"]
	p, isParquet := src.(*parquetSource)
	if isParquet && (p.hasGroup("product") || p.hasGroup("resource_tags")) {
		cols["product"] = true
	}
	switch {
	case legacy:
		m, err := newCURMapper(src, true)
		return FormatCURCSV, m, err
	case snake:
		cur2 := cols["product"] || cols["resource_tags"] || cols["bill_payer_account_name"] || cols["line_item_usage_account_name"]
		m, err := newCURMapper(src, false)
		switch {
		case isParquet && cur2:
			return FormatCUR2Parquet, m, err
		case isParquet:
			return FormatCURParquet, m, err
		}
		return FormatCUR2CSV, m, err
	case focus:
		m, err := newFOCUSMapper(src)
		if cs, ok := src.(*csvSource); ok {
			cs.nullLiteral = true
		}
		if isParquet {
			return FormatFOCUSParquet, m, err
		}
		return FormatFOCUSCSV, m, err
	}
	return "", nil, ErrUnknownFormat
}
