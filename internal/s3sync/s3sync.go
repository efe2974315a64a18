// Package s3sync brings AWS billing export deliveries from an S3 bucket into
// a local mirror that `tally ingest` reads: legacy CUR
// (<report>/<yyyymmdd-yyyymmdd>/…), CUR 2.0 and FOCUS Data Exports
// (<export>/metadata/BILLING_PERIOD=…/ beside <export>/data/…).
//
// A delivery is a manifest and the files it lists. It is taken only once
// the manifest is there and every file it lists is too, so a half-written
// export is never ingested; and only when its fingerprint (the ETags of the
// manifest and its files) differs from the one recorded when it was last
// ingested, so an unchanged delivery is not read twice, across restarts too.
package s3sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// API is the part of the S3 API a sync uses; *s3.Client implements it.
type API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ API = (*s3.Client)(nil)

// ParseURL splits s3://BUCKET/PREFIX.
func ParseURL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return "", "", fmt.Errorf("%q is not an s3://BUCKET/PREFIX URL", u)
	}
	return bucket, prefix, nil
}

// Source is one bucket prefix mirrored under Dir (objects land at
// Dir/BUCKET/KEY), with the fingerprints of ingested deliveries in
// Dir/BUCKET/.tally-sync.json. For a Folder, Bucket names the folder's
// entry under Dir, which then holds only that record.
type Source struct {
	Client API
	Bucket string
	Prefix string
	Dir    string
}

// String names the source as the user gave it: s3://BUCKET/PREFIX, or the
// folder.
func (s *Source) String() string {
	if f, ok := s.Client.(Folder); ok {
		return f.Root
	}
	return "s3://" + s.Bucket + "/" + s.Prefix
}

// Delivery is a complete delivery found in the bucket.
type Delivery struct {
	// Manifest is the manifest's key; Files the keys it lists.
	Manifest string
	Files    []string
	// Fingerprint changes whenever the manifest or one of its files does.
	Fingerprint string
	// Modified is the manifest's last modification.
	Modified time.Time
}

type object struct {
	etag     string
	modified time.Time
}

// Pending lists the complete deliveries under the prefix that were not
// ingested in their current state, oldest manifest first, and the
// manifests that are waiting for files they list.
func (s *Source) Pending(ctx context.Context) (pending []Delivery, waiting []string, err error) {
	objects, err := s.list(ctx)
	if err != nil {
		return nil, nil, err
	}
	done, err := s.loadState()
	if err != nil {
		return nil, nil, err
	}
	for _, m := range s.current(objects) {
		d, missing, err := s.delivery(ctx, m, objects)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case missing != "":
			waiting = append(waiting, m+" (waiting for "+missing+")")
		case done[m] != d.Fingerprint:
			pending = append(pending, d)
		}
	}
	slices.SortStableFunc(pending, func(a, b Delivery) int { return a.Modified.Compare(b.Modified) })
	return pending, waiting, nil
}

// list returns every object under the prefix.
func (s *Source) list(ctx context.Context) (map[string]object, error) {
	out := map[string]object{}
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &s.Bucket, Prefix: aws.String(s.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3: list s3://%s/%s: %w", s.Bucket, s.Prefix, err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = object{etag: aws.ToString(o.ETag), modified: aws.ToTime(o.LastModified)}
		}
	}
	return out, nil
}

// periodFolder matches the folder that names a billing period: a legacy
// CUR period (20240101-20240201) or a Data Exports partition
// (BILLING_PERIOD=2024-01).
var periodFolder = regexp.MustCompile(`^(\d{8}-\d{8}|BILLING_PERIOD=.+)$`)

// current picks, for each billing period, the manifest that describes its
// latest delivery: the shallowest one (a legacy CUR period manifest wins
// over the per-assembly copies below it), then the most recently written.
func (s *Source) current(objects map[string]object) []string {
	best := map[string]string{}
	for k := range objects {
		if !strings.HasSuffix(strings.ToLower(k), "-manifest.json") {
			continue
		}
		period := periodOf(k)
		cur, ok := best[period]
		if !ok || depth(k) < depth(cur) || depth(k) == depth(cur) && objects[k].modified.After(objects[cur].modified) {
			best[period] = k
		}
	}
	out := make([]string, 0, len(best))
	for _, k := range best {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// periodOf is the key up to its billing period folder, or the manifest's
// folder when there is none.
func periodOf(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts[:len(parts)-1] {
		if periodFolder.MatchString(p) {
			return strings.Join(parts[:i+1], "/")
		}
	}
	return path.Dir(key)
}

func depth(key string) int { return strings.Count(key, "/") }

// delivery reads a manifest. missing names a listed file that is not in
// the bucket yet.
func (s *Source) delivery(ctx context.Context, manifest string, objects map[string]object) (d Delivery, missing string, err error) {
	b, err := s.get(ctx, manifest)
	if err != nil {
		return d, "", err
	}
	var mf struct {
		ReportKeys *[]string `json:"reportKeys"`
		DataFiles  *[]string `json:"dataFiles"`
	}
	if err := json.Unmarshal(b, &mf); err != nil {
		return d, "", fmt.Errorf("s3: manifest s3://%s/%s is not valid JSON: %w", s.Bucket, manifest, err)
	}
	var keys []string
	switch {
	case mf.ReportKeys != nil:
		keys = *mf.ReportKeys
	case mf.DataFiles != nil:
		keys = *mf.DataFiles
	default:
		return d, "", fmt.Errorf("s3: s3://%s/%s has neither reportKeys nor dataFiles", s.Bucket, manifest)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", manifest, objects[manifest].etag)
	d = Delivery{Manifest: manifest, Modified: objects[manifest].modified}
	for _, entry := range keys {
		k, ok := resolve(keyOf(entry), objects)
		if !ok {
			return d, keyOf(entry), nil
		}
		o := objects[k]
		fmt.Fprintf(h, "%s %s\n", k, o.etag)
		d.Files = append(d.Files, k)
	}
	d.Fingerprint = hex.EncodeToString(h.Sum(nil))
	return d, "", nil
}

// keyOf turns a manifest entry (a key, or an s3:// URI naming the bucket
// the export was delivered to) into a key of this bucket.
func keyOf(entry string) string {
	if rest, ok := strings.CutPrefix(entry, "s3://"); ok {
		_, entry, _ = strings.Cut(rest, "/")
	}
	return strings.TrimPrefix(entry, "/")
}

// resolve finds the object a manifest entry names: the key itself, or else
// the one key that ends with it, for exports copied under another prefix
// (as local ingest matches manifest entries by their longest suffix).
func resolve(key string, objects map[string]object) (string, bool) {
	if _, ok := objects[key]; ok {
		return key, true
	}
	found := ""
	for k := range objects {
		if strings.HasSuffix(k, "/"+key) {
			if found != "" {
				return "", false // ambiguous
			}
			found = k
		}
	}
	return found, found != ""
}

func (s *Source) get(ctx context.Context, key string) ([]byte, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key})
	if err != nil {
		return nil, fmt.Errorf("s3: get s3://%s/%s: %w", s.Bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("s3: read s3://%s/%s: %w", s.Bucket, key, err)
	}
	return b, nil
}

// Fetch downloads a delivery into the mirror and returns the local path of
// its manifest, which `tally ingest` takes like a local export.
func (s *Source) Fetch(ctx context.Context, d Delivery) (string, error) {
	if f, ok := s.Client.(Folder); ok {
		return f.path(d.Manifest), nil
	}
	for _, k := range append(slices.Clone(d.Files), d.Manifest) {
		if err := s.download(ctx, k); err != nil {
			return "", err
		}
	}
	return s.local(d.Manifest), nil
}

func (s *Source) local(key string) string {
	return filepath.Join(s.Dir, s.Bucket, filepath.FromSlash(key))
}

// download writes one object to the mirror through a temporary file, so
// that a crash never leaves a truncated file in place.
func (s *Source) download(ctx context.Context, key string) error {
	dst := s.local(key)
	if !strings.HasPrefix(dst, filepath.Join(s.Dir, s.Bucket)+string(filepath.Separator)) {
		return fmt.Errorf("s3: key %q leaves the mirror", key)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key})
	if err != nil {
		return fmt.Errorf("s3: get s3://%s/%s: %w", s.Bucket, key, err)
	}
	defer out.Body.Close()
	f, err := os.CreateTemp(filepath.Dir(dst), ".download-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(f, out.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), dst)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("s3: download s3://%s/%s: %w", s.Bucket, key, err)
	}
	return nil
}

func (s *Source) statePath() string { return filepath.Join(s.Dir, s.Bucket, ".tally-sync.json") }

func (s *Source) loadState() (map[string]string, error) {
	done := map[string]string{}
	b, err := os.ReadFile(s.statePath())
	if errors.Is(err, os.ErrNotExist) {
		return done, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &done); err != nil {
		return nil, fmt.Errorf("s3: %s: %w", s.statePath(), err)
	}
	return done, nil
}

// Done records that a delivery was ingested in its current state.
func (s *Source) Done(d Delivery) error {
	done, err := s.loadState()
	if err != nil {
		return err
	}
	done[d.Manifest] = d.Fingerprint
	b, _ := json.MarshalIndent(done, "", "  ")
	if err := os.MkdirAll(filepath.Dir(s.statePath()), 0o755); err != nil {
		return err
	}
	tmp := s.statePath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, s.statePath())
}
