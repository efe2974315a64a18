package synth

import (
	"errors"
	"fmt"
	"time"
)

// Format selects the export Generate writes.
type Format string

// The supported export formats.
const (
	FormatCUR2  Format = "cur2"  // CUR 2.0 (AWS Data Exports), Snappy Parquet
	FormatCUR   Format = "cur"   // legacy Cost and Usage Report, CSV.gz
	FormatFOCUS Format = "focus" // FOCUS 1.2 with AWS columns (Data Exports), CSV.gz
	// FormatFOCUS13 is FormatFOCUS with the columns FOCUS 1.3 makes
	// mandatory, HostProviderName and ServiceProviderName.
	FormatFOCUS13 Format = "focus13"
)

// Defaults applied by Generate to zero Config fields.
const (
	DefaultAccounts     = 8
	DefaultMonths       = 13
	DefaultRowsPerFile  = 2_000_000
	DefaultExportName   = "tally-synth"
	DefaultBucket       = "tally-synth-billing"
	maxAccounts         = 1000
	maxRowsPerFileLimit = 1 << 31
)

// Config describes one generated export. Every field maps to one flag of
// `tally generate`; zero values take the defaults above.
type Config struct {
	// Out is the folder the export is written under (--out), standing for
	// the S3 bucket root: manifests name files relative to it.
	Out string
	// Format is the export format (--format), FormatCUR2 by default.
	Format Format
	// Seed makes the organisation and every number reproducible (--seed).
	Seed int64
	// Rows is the approximate number of line items to write (--rows). When
	// zero, size follows Accounts and Months instead (about 20 hourly
	// resources per account).
	Rows int64
	// Accounts is the number of linked accounts besides the payer
	// (--accounts).
	Accounts int
	// Months is how many whole months before Now's month to cover when
	// Start is zero (--months).
	Months int
	// Start and End bound the usage, half-open and UTC (--start, --end).
	// They are truncated to the hour. Zero Start means the first day of the
	// month Months before Now's; zero End means Now, so the current month is
	// generated "to date".
	Start, End time.Time
	// Now is the clock: months that end before Now's month starts are
	// closed (final, with an invoice id); the month containing Now is open.
	Now time.Time
	// ExportName names the export (--name): the CUR 2.0 / FOCUS export name
	// or the legacy report name.
	ExportName string
	// Bucket is the S3 bucket the manifests claim the files were delivered
	// to (--bucket).
	Bucket string
	// RowsPerFile caps the line items in one data file; bigger months are
	// split (--rows-per-file).
	RowsPerFile int64
	// Workers is how many months are generated in parallel (--workers);
	// zero means one per CPU. Output does not depend on it.
	Workers int
	// Anomalies injects labelled cost anomalies and writes them to
	// anomalies.csv beside the bill (--anomalies; see anomalies.go). Off,
	// the bill is the same as without the field.
	Anomalies bool
}

// Validate reports the first invalid field as a one-line error.
func (c Config) Validate() error {
	switch {
	case c.Out == "":
		return errors.New("output folder must be set")
	case c.Format != "" && c.Format != FormatCUR2 && c.Format != FormatCUR && c.Format != FormatFOCUS && c.Format != FormatFOCUS13:
		return fmt.Errorf("unknown format %q (want cur2, cur, focus or focus13)", c.Format)
	case c.Rows < 0:
		return fmt.Errorf("rows must not be negative, got %d", c.Rows)
	case c.Accounts < 0:
		return fmt.Errorf("accounts must not be negative, got %d", c.Accounts)
	case c.Accounts > maxAccounts:
		return fmt.Errorf("accounts must be at most %d, got %d", maxAccounts, c.Accounts)
	case c.Months < 0:
		return fmt.Errorf("months must not be negative, got %d", c.Months)
	case c.RowsPerFile < 0 || c.RowsPerFile > maxRowsPerFileLimit:
		return fmt.Errorf("rows per file must be between 1 and %d, got %d", int64(maxRowsPerFileLimit), c.RowsPerFile)
	case c.Workers < 0:
		return fmt.Errorf("workers must not be negative, got %d", c.Workers)
	case c.Now.IsZero():
		return errors.New("now must be set")
	}
	if c.ExportName != "" && !validName(c.ExportName) {
		return fmt.Errorf("export name %q must be 1-128 letters, digits, '-' or '_'", c.ExportName)
	}
	d := c.withDefaults()
	switch {
	case !d.End.After(d.Start):
		return fmt.Errorf("end %s must be after start %s", d.End.Format(time.RFC3339), d.Start.Format(time.RFC3339))
	case d.Start.Year() < 2000 || d.End.Year() > 2200:
		return fmt.Errorf("period %s to %s is out of range", d.Start.Format(time.RFC3339), d.End.Format(time.RFC3339))
	}
	return nil
}

func validName(s string) bool {
	if len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// withDefaults fills zero fields and normalises times to UTC hours.
func (c Config) withDefaults() Config {
	if c.Format == "" {
		c.Format = FormatCUR2
	}
	if c.Accounts == 0 {
		c.Accounts = DefaultAccounts
	}
	if c.Months == 0 {
		c.Months = DefaultMonths
	}
	if c.ExportName == "" {
		c.ExportName = DefaultExportName
	}
	if c.Bucket == "" {
		c.Bucket = DefaultBucket
	}
	if c.RowsPerFile == 0 {
		c.RowsPerFile = DefaultRowsPerFile
	}
	c.Now = c.Now.UTC()
	if c.Start.IsZero() {
		c.Start = monthStart(c.Now).AddDate(0, -c.Months, 0)
	}
	if c.End.IsZero() {
		c.End = c.Now
	}
	c.Start = c.Start.UTC().Truncate(time.Hour)
	c.End = c.End.UTC().Truncate(time.Hour)
	return c
}

func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
