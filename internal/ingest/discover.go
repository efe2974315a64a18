package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// job is one data file to read.
type job struct {
	path     string
	manifest string // the manifest that lists it, "" when taken as given
	final    bool   // the manifest says the period is finalized
}

// skippedDirs are folders of export deliveries that hold no line items
// (the Athena integration's report status table).
var skippedDirs = map[string]bool{"cost_and_usage_data_status": true}

// skippedFiles are files walked folders may hold beside billing data that
// are not billing data: the labelled anomalies `tally generate --anomalies`
// writes beside a synthetic bill.
var skippedFiles = map[string]bool{"anomalies.csv": true}

// isDataFile reports whether a walked file may hold billing data; its format
// is decided later from its content.
func isDataFile(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".csv", ".gz", ".zip", ".parquet"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

func isManifest(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), "manifest.json")
}

// tree is the data files found under one folder, indexed by base name.
type tree struct {
	files  []string
	byBase map[string][]string
}

func walkTree(root string) (*tree, []string, error) {
	t := &tree{byBase: map[string][]string{}}
	var manifests []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != root && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if skippedDirs[name] {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case skippedFiles[name]:
		case isManifest(name):
			manifests = append(manifests, p)
		case isDataFile(name):
			t.files = append(t.files, p)
			t.byBase[name] = append(t.byBase[name], p)
		}
		return nil
	})
	return t, manifests, err
}

// manifestFile is the part of a CUR manifest (reportKeys) or Data Exports
// manifest (dataFiles) that ingest uses.
type manifestFile struct {
	ReportKeys *[]string `json:"reportKeys"`
	DataFiles  *[]string `json:"dataFiles"`
	Finalized  bool      `json:"finalized"`
	IsFinal    bool      `json:"isFinal"`
}

// acceptedManifest is a manifest whose files are loaded.
type acceptedManifest struct {
	path  string
	scope []string // folders whose unlisted files are stale
}

// discover turns the given paths into the files to load and the stale files
// to skip. Folders are walked; in them, a manifest decides which files of
// its billing period are current. Files not covered by any manifest are
// taken as given.
func discover(paths []string) ([]job, []string, error) {
	var (
		jobs      []job
		stale     []string
		seen      = map[string]bool{}
		claimed   = map[string]job{}
		accepted  []acceptedManifest
		manifests []struct {
			path string
			t    *tree
		}
		walked []*tree
	)
	for _, p := range paths {
		p = filepath.Clean(p)
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case st.IsDir():
			t, ms, err := walkTree(p)
			if err != nil {
				return nil, nil, err
			}
			walked = append(walked, t)
			for _, m := range ms {
				manifests = append(manifests, struct {
					path string
					t    *tree
				}{m, t})
			}
		case isManifest(p):
			t, _, err := walkTree(manifestRoot(p))
			if err != nil {
				return nil, nil, err
			}
			manifests = append(manifests, struct {
				path string
				t    *tree
			}{p, t})
		default:
			if !seen[p] {
				seen[p] = true
				jobs = append(jobs, job{path: p})
			}
		}
	}
	// Shallow manifests first: a CUR period folder's manifest wins over the
	// per-assembly copies below it.
	sort.SliceStable(manifests, func(i, j int) bool {
		return strings.Count(manifests[i].path, string(filepath.Separator)) < strings.Count(manifests[j].path, string(filepath.Separator))
	})
	for _, m := range manifests {
		if inScope(accepted, m.path) {
			continue
		}
		am, files, final, err := readManifest(m.path, m.t)
		if err != nil {
			return nil, nil, err
		}
		accepted = append(accepted, am)
		for _, f := range files {
			claimed[f] = job{path: f, manifest: m.path, final: final}
		}
	}
	for _, t := range walked {
		for _, f := range t.files {
			if seen[f] {
				continue
			}
			seen[f] = true
			if j, ok := claimed[f]; ok {
				jobs = append(jobs, j)
				continue
			}
			if inScope(accepted, f) {
				stale = append(stale, f)
				continue
			}
			jobs = append(jobs, job{path: f})
		}
	}
	// Files listed by an explicitly named manifest.
	for f, j := range claimed {
		if !seen[f] {
			seen[f] = true
			jobs = append(jobs, j)
		}
	}
	sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].path < jobs[j].path })
	return jobs, stale, nil
}

// manifestRoot is the folder searched for the files an explicitly named
// manifest lists: <export> for <export>/metadata/<partition>/x-Manifest.json,
// <report> for <report>/<period>/x-Manifest.json; never the file system root.
func manifestRoot(manifest string) string {
	dir := filepath.Dir(manifest)
	root := filepath.Dir(dir)
	if filepath.Base(root) == "metadata" {
		root = filepath.Dir(root)
	}
	if filepath.Dir(root) == root {
		return dir
	}
	return root
}

// inScope reports whether p lies in a folder an accepted manifest governs.
func inScope(accepted []acceptedManifest, p string) bool {
	for _, a := range accepted {
		for _, s := range a.scope {
			if strings.HasPrefix(p, s+string(filepath.Separator)) {
				return true
			}
		}
	}
	return false
}

// readManifest parses a manifest and maps the files it lists to local paths.
func readManifest(path string, t *tree) (acceptedManifest, []string, bool, error) {
	fail := func(err error) (acceptedManifest, []string, bool, error) {
		return acceptedManifest{}, nil, false, &FileError{File: path, Err: err}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fail(err)
	}
	var mf manifestFile
	if err := json.Unmarshal(data, &mf); err != nil {
		return fail(fmt.Errorf("manifest is not valid JSON: %w", err))
	}
	var keys []string
	switch {
	case mf.ReportKeys != nil:
		keys = *mf.ReportKeys
	case mf.DataFiles != nil:
		keys = *mf.DataFiles
	default:
		return fail(errors.New("not a CUR or Data Exports manifest: it has neither reportKeys nor dataFiles"))
	}
	dir := filepath.Dir(path)
	am := acceptedManifest{path: path, scope: []string{dir}}
	// Data Exports keep data beside metadata: <export>/data/<partition>.
	if parent, partition := filepath.Split(dir); filepath.Base(parent) == "metadata" {
		am.scope = append(am.scope, filepath.Join(filepath.Dir(filepath.Clean(parent)), "data", partition))
	}
	var files []string
	for _, k := range keys {
		f, err := resolveKey(k, t)
		if err != nil {
			return fail(err)
		}
		files = append(files, f)
		am.scope = append(am.scope, filepath.Dir(f))
	}
	return am, files, mf.Finalized || mf.IsFinal, nil
}

// resolveKey maps an S3 key or URI listed in a manifest to the local file
// whose path shares the longest suffix with it.
func resolveKey(key string, t *tree) (string, error) {
	k := key
	if rest, ok := strings.CutPrefix(k, "s3://"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			k = rest[i+1:]
		}
	}
	parts := strings.Split(strings.Trim(k, "/"), "/")
	base := parts[len(parts)-1]
	best, bestScore, tie := "", -1, false
	for _, cand := range t.byBase[base] {
		cp := strings.Split(filepath.ToSlash(cand), "/")
		score := 0
		for score < len(parts) && score < len(cp) && parts[len(parts)-1-score] == cp[len(cp)-1-score] {
			score++
		}
		switch {
		case score > bestScore:
			best, bestScore, tie = cand, score, false
		case score == bestScore:
			tie = true
		}
	}
	if best == "" {
		return "", fmt.Errorf("manifest lists %s, which is not in the local tree", key)
	}
	if tie {
		return "", fmt.Errorf("manifest lists %s, which matches more than one local file", key)
	}
	return best, nil
}
