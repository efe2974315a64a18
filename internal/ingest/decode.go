package ingest

import (
	"context"
	"errors"

	"github.com/tallyhq/tally/internal/billing"
)

// Rows travel from the decoding goroutine to the writer in batches of
// decodeBatch rows, at most decodeBatches of them at a time, so memory stays
// bounded whatever the file size.
const (
	decodeBatch   = 512
	decodeBatches = 4
)

// mappedRow is one row as its mapper returned it.
type mappedRow struct {
	p       billing.BillingPeriod
	li      billing.LineItem
	invoice string
}

// rowBatch is consecutive rows of a file; err, when set, is the error of the
// row after them, which ends the file.
type rowBatch struct {
	rows []mappedRow
	err  error
}

// decoder reads and maps a file's rows on its own goroutine. Batches come
// out of full in file order and go back through recycle; full is closed
// after the last one.
type decoder struct {
	full chan *rowBatch
	free chan *rowBatch
	quit chan struct{}
	done chan struct{}
}

func newDecoder(ctx context.Context, path string, src source, m rowMapper) *decoder {
	d := &decoder{full: make(chan *rowBatch, decodeBatches), free: make(chan *rowBatch, decodeBatches),
		quit: make(chan struct{}), done: make(chan struct{})}
	for range decodeBatches {
		d.free <- &rowBatch{rows: make([]mappedRow, 0, decodeBatch)}
	}
	go d.run(ctx, path, src, m)
	return d
}

// recycle hands a batch the writer is done with back to the decoder.
func (d *decoder) recycle(b *rowBatch) {
	b.rows = b.rows[:0]
	d.free <- b // never blocks: there are only decodeBatches batches
}

// stop ends the decoding goroutine and waits for it, so that the source can
// be closed.
func (d *decoder) stop() {
	close(d.quit)
	<-d.done
}

func (d *decoder) run(ctx context.Context, path string, src source, m rowMapper) {
	defer close(d.done)
	defer close(d.full)
	var row int64
	for {
		var b *rowBatch
		select {
		case b = <-d.free:
		case <-d.quit:
			return
		}
		b.err = d.fill(ctx, path, src, m, b, &row)
		if len(b.rows) == 0 && b.err == nil {
			return // end of file
		}
		last := b.err != nil || len(b.rows) < cap(b.rows)
		select {
		case d.full <- b: // b belongs to the writer now
		case <-d.quit:
			return
		}
		if last {
			return
		}
	}
}

// fill maps rows into b until it is full, the file ends or a row fails.
func (d *decoder) fill(ctx context.Context, path string, src source, m rowMapper, b *rowBatch, row *int64) error {
	for len(b.rows) < cap(b.rows) {
		ok, err := src.next()
		if err != nil {
			return &FileError{File: path, Row: *row + 1, Err: err}
		}
		if !ok {
			return nil
		}
		*row++
		if *row&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		p, li, invoice, err := m.mapRow()
		if err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				return &FileError{File: path, Row: *row, Column: fe.column, Err: fe.err}
			}
			return &FileError{File: path, Row: *row, Err: err}
		}
		// The row takes the mapper's tag maps and gives the mapper the maps
		// of the row that last used this slot, which the writer is done with:
		// no map is copied or allocated per row.
		b.rows = b.rows[:len(b.rows)+1]
		r := &b.rows[len(b.rows)-1]
		tags, ccs := r.li.Tags, r.li.CostCategories
		r.p, r.li, r.invoice = p, *li, invoice
		li.Tags, li.CostCategories = tags, ccs
	}
	return nil
}
