package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// parseMapText reads a map serialized as text, as CSV exports write map
// columns (CUR 2.0 product, resource_tags, cost_category; FOCUS Tags). It
// accepts a JSON object whose values may be strings, numbers, booleans
// (true -> "true") or nested values (kept as JSON text), and the Hive/Athena
// form {key=value, key2=value2}. Empty text, "{}" and JSON null are an empty
// map; keys with empty or null values are skipped.
func parseMapText(s string, fn func(k, v string)) error {
	s = strings.TrimSpace(s)
	if s == "" || s == "{}" || s == "null" || s == "NULL" {
		return nil
	}
	if strings.HasPrefix(s, "{") {
		if err := parseJSONObject(s, fn); err == nil {
			return nil
		}
		if strings.HasSuffix(s, "}") && !strings.HasPrefix(s, "{\"") {
			parseHiveMap(s[1:len(s)-1], fn)
			return nil
		}
	}
	return fmt.Errorf("%q is not a JSON object", truncate(s, 60))
}

func parseJSONObject(s string, fn func(k, v string)) error {
	var m map[string]json.RawMessage
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data")
	}
	for k, raw := range m {
		v, err := jsonScalar(raw)
		if err != nil {
			return err
		}
		if v != "" {
			fn(k, v)
		}
	}
	return nil
}

// jsonScalar renders a JSON value as a tag value: strings unquoted, null as
// empty, anything else as its JSON text.
func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	return string(raw), nil
}

func parseHiveMap(s string, fn func(k, v string)) {
	for _, kv := range strings.Split(s, ", ") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if ok && k != "" && v != "" && v != "null" {
			fn(k, v)
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
