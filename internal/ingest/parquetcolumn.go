package ingest

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// valueKind is how ingest reads a Parquet column.
type valueKind int

const (
	kString valueKind = iota
	kFloat
	kInt
	kDecimal // held as a billing.Amount in i64
	kTime    // held as Unix nanoseconds in i64
	kBool
	kMap
)

func (k valueKind) String() string {
	return [...]string{"string", "floating-point", "integer", "decimal", "timestamp", "boolean", "map"}[k]
}

// pqColumn decodes one top-level column into per-batch vectors.
type pqColumn struct {
	name string
	kind valueKind
	conv leafConv
	cur  *leafCursor // flat columns and map keys
	val  *leafCursor // map values

	null []bool
	str  []string
	num  []float64
	i64  []int64
	// Map rows: entries moff[i]..moff[i+1] of mkeys/mvals.
	moff         []int32
	mkeys, mvals []string
}

// leafConv describes how a leaf's physical values become a valueKind.
type leafConv struct {
	kind      valueKind
	unitNanos int64 // kTime from INT64/INT32 timestamps and dates
	scale     int   // kDecimal
}

func convOf(c *parquet.Column) (leafConv, error) {
	t := c.Type()
	lt := t.LogicalType()
	var lv format.LogicalTypeValue
	if lt != nil {
		lv = lt.Value
	}
	if d, ok := lv.(*format.DecimalType); ok {
		return leafConv{kind: kDecimal, scale: int(d.Scale)}, nil
	}
	switch t.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return leafConv{kind: kString}, nil
	case parquet.Double, parquet.Float:
		return leafConv{kind: kFloat}, nil
	case parquet.Boolean:
		return leafConv{kind: kBool}, nil
	case parquet.Int96:
		return leafConv{kind: kTime}, nil
	case parquet.Int64, parquet.Int32:
		if ts, ok := lv.(*format.TimestampType); ok {
			return leafConv{kind: kTime, unitNanos: int64(ts.Unit.Value.Duration())}, nil
		}
		if _, ok := lv.(*format.DateType); ok {
			return leafConv{kind: kTime, unitNanos: int64(24 * time.Hour)}, nil
		}
		if ct := t.ConvertedType(); ct != nil {
			switch *ct {
			case deprecated.TimestampMillis:
				return leafConv{kind: kTime, unitNanos: int64(time.Millisecond)}, nil
			case deprecated.TimestampMicros:
				return leafConv{kind: kTime, unitNanos: int64(time.Microsecond)}, nil
			case deprecated.Date:
				return leafConv{kind: kTime, unitNanos: int64(24 * time.Hour)}, nil
			case deprecated.Decimal:
				return leafConv{}, fmt.Errorf("column %s: decimal without a scale", c.Name())
			}
		}
		return leafConv{kind: kInt}, nil
	}
	return leafConv{}, fmt.Errorf("column %s has the unsupported type %s", c.Name(), t)
}

func newPQColumn(c *parquet.Column, rgs []parquet.RowGroup, in *interner) (*pqColumn, error) {
	pc := &pqColumn{name: c.Name(), null: make([]bool, batchRows)}
	if c.Leaf() {
		if c.MaxRepetitionLevel() > 0 {
			return nil, fmt.Errorf("column %s is a list, not a value", c.Name())
		}
		conv, err := convOf(c)
		if err != nil {
			return nil, err
		}
		pc.kind, pc.conv = conv.kind, conv
		pc.cur = newLeafCursor(c, rgs, conv, in)
		switch conv.kind {
		case kString:
			pc.str = make([]string, batchRows)
		case kFloat:
			pc.num = make([]float64, batchRows)
		default:
			pc.i64 = make([]int64, batchRows)
		}
		return pc, nil
	}
	// A map: <name> (MAP) { repeated group key_value { key; value } }.
	kv := c.Columns()
	if len(kv) != 1 || kv[0].Leaf() || len(kv[0].Columns()) != 2 {
		return nil, fmt.Errorf("column %s is a nested type other than a map", c.Name())
	}
	key, val := kv[0].Columns()[0], kv[0].Columns()[1]
	if !key.Leaf() || !val.Leaf() {
		return nil, fmt.Errorf("column %s is a map of nested values", c.Name())
	}
	kc, err := convOf(key)
	if err != nil {
		return nil, err
	}
	vc, err := convOf(val)
	if err != nil {
		return nil, err
	}
	pc.kind = kMap
	pc.cur = newLeafCursor(key, rgs, kc, in)
	pc.val = newLeafCursor(val, rgs, vc, in)
	pc.moff = make([]int32, batchRows+1)
	return pc, nil
}

func (pc *pqColumn) close() {
	pc.cur.close()
	if pc.val != nil {
		pc.val.close()
	}
}

// fill decodes the next n rows. On error it returns the batch index of the
// row that failed.
func (pc *pqColumn) fill(n int) (int, error) {
	if pc.kind == kMap {
		return pc.fillMap(n)
	}
	c := pc.cur
	for k := 0; k < n; {
		if err := c.ensure(); err != nil {
			return k, pc.wrap(err)
		}
		m := min(n-k, c.nLevels-c.li)
		if c.defs == nil && c.dictStr != nil && pc.kind == kString {
			// Fast path: a required dictionary-encoded string column.
			idx := c.idx[c.vi : c.vi+m]
			dst := pc.str[k : k+m]
			for j, x := range idx {
				dst[j] = c.dictStr[x]
			}
			clear(pc.null[k : k+m])
			c.vi += m
			c.li += m
			k += m
			continue
		}
		for j := 0; j < m; j++ {
			present := c.defs == nil || c.defs[c.li] == c.maxDef
			c.li++
			pc.null[k] = !present
			if !present && pc.kind == kString {
				pc.str[k] = ""
			}
			if present {
				if err := pc.readValue(k); err != nil {
					return k, pc.wrap(err)
				}
			}
			k++
		}
	}
	return n, nil
}

func (pc *pqColumn) readValue(k int) error {
	c := pc.cur
	switch pc.kind {
	case kString:
		pc.str[k] = c.readString()
	case kFloat:
		pc.num[k] = c.readFloat()
	case kInt, kBool:
		pc.i64[k] = c.readInt()
	case kTime:
		pc.i64[k] = c.readTime()
	case kDecimal:
		a, err := c.readDecimal()
		if err != nil {
			return err
		}
		pc.i64[k] = int64(a)
	}
	return nil
}

func (pc *pqColumn) wrap(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = errors.New("fewer values than rows")
	}
	return &fieldError{pc.name, err}
}

// fillMap decodes n rows of a map column, walking the key and value leaves
// in step: a repetition level of 0 starts a new row.
func (pc *pqColumn) fillMap(n int) (int, error) {
	pc.mkeys, pc.mvals = pc.mkeys[:0], pc.mvals[:0]
	kc, vc := pc.cur, pc.val
	for k := 0; k < n; k++ {
		pc.moff[k] = int32(len(pc.mkeys))
		pc.null[k] = false
		for first := true; ; first = false {
			if err := kc.ensure(); err != nil {
				if err == io.EOF && !first {
					break
				}
				return k, pc.wrap(err)
			}
			if !first && kc.reps[kc.li] == 0 {
				break
			}
			if err := vc.ensure(); err != nil {
				return k, pc.wrap(err)
			}
			kdef, vdef := kc.defs[kc.li], vc.defs[vc.li]
			kc.li++
			vc.li++
			if kdef < kc.maxDef {
				continue // a null or empty map
			}
			key := kc.readString()
			var v string
			if vdef == vc.maxDef {
				switch vc.conv.kind {
				case kString:
					v = vc.readString()
				case kFloat:
					v = strconv.FormatFloat(vc.readFloat(), 'f', -1, 64)
				default:
					v = strconv.FormatInt(vc.readInt(), 10)
				}
			}
			if v != "" {
				pc.mkeys = append(pc.mkeys, key)
				pc.mvals = append(pc.mvals, v)
			}
		}
	}
	pc.moff[n] = int32(len(pc.mkeys))
	return n, nil
}
