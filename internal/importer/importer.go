// Package importer reads key pairs in bulk (CSV or JSON) and adds them all, or none.
package importer

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// MaxInput bounds what is read from stdin.
const MaxInput = 16 << 20

// ErrTooLarge refuses input beyond MaxInput: cutting it instead could store the last row
// with the end of its secret missing.
var ErrTooLarge = fmt.Errorf("input is larger than %d MiB", MaxInput>>20)

// Input errors: facts only; each front end says what to do about them.
var (
	ErrUnknownColumn = errors.New("not a known column")
	ErrMissingColumn = errors.New("missing column")
	ErrFieldTwice    = errors.New("appears twice")
)

// Header is the header line ParseCSV needs at the least.
var Header = strings.Join(columns[:required], ",")

// Columns are the column names ParseCSV and ParseJSON know, comma-separated.
var Columns = strings.Join(columns, ",")

// capped reads at most MaxInput bytes and fails, rather than stopping quietly, beyond that.
type capped struct {
	r    io.Reader
	left int64
}

func newCapped(r io.Reader) *capped { return &capped{r: r, left: MaxInput} }

func (c *capped) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	if c.left -= int64(n); c.left < 0 {
		return 0, ErrTooLarge
	}
	return n, err
}

// Columns, in the documented order; the first four are required.
var columns = []string{"org_id", "service_user", "access_key_id", "api_secret", "org_name", "api_url", "status", "created_at", "deployed_to"}

const required = 4

// Row is one key pair to import, checked field by field.
type Row struct {
	Where       string // "line 3" or "entry 2", for messages
	OrgID       string
	ServiceUser string
	AccessKeyID string
	Secret      keystore.Secret
	OrgName     string
	APIURL      string // "" when not given: the stored one, or the default for a new organization
	Status      keystore.Status
	CreatedAt   time.Time
	DeployedTo  string // where the integration reads the key; optional
}

// RowError names where the problem is; it never quotes a value, which could be a secret.
type RowError struct {
	Where string
	Err   error
}

func (e *RowError) Error() string { return e.Where + ": " + e.Err.Error() }
func (e *RowError) Unwrap() error { return e.Err }

// ParseCSV reads a header line and rows.
func ParseCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(newCapped(r))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("no input: expected a CSV header org_id,service_user,access_key_id,api_secret")
	}
	if err != nil {
		return nil, csvError(err)
	}
	index, err := headerIndex(header)
	if err != nil {
		return nil, &RowError{Where: "line 1", Err: err}
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, &RowError{Where: fmt.Sprintf("line %d", line), Err: fmt.Errorf("has %d fields, the header has %d", len(rec), len(header))}
		}
		fields := map[string]string{}
		for name, i := range index {
			fields[name] = rec[i]
		}
		row, err := newRow(fmt.Sprintf("line %d", line), fields)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, errors.New("no rows after the header")
	}
	return rows, nil
}

// csvError keeps the position of a CSV syntax error but not the text around it.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{Where: fmt.Sprintf("line %d", pe.Line), Err: fmt.Errorf("CSV syntax: %v", pe.Err)}
	}
	return err
}

func headerIndex(header []string) (map[string]int, error) {
	index := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !knownColumn(name) {
			// Named by position, not quoted: without a header line, this "name" is a value, perhaps a secret.
			return nil, fmt.Errorf("column %d of the header is %w", i+1, ErrUnknownColumn)
		}
		if _, dup := index[name]; dup {
			return nil, fmt.Errorf("column %s appears twice", name)
		}
		index[name] = i
	}
	for _, c := range columns[:required] {
		if _, ok := index[c]; !ok {
			return nil, fmt.Errorf("%w %s", ErrMissingColumn, c)
		}
	}
	return index, nil
}

func knownColumn(name string) bool {
	for _, c := range columns {
		if c == name {
			return true
		}
	}
	return false
}

// ParseJSON reads an array of objects with the CSV column names as keys.
func ParseJSON(r io.Reader) ([]Row, error) {
	entries, err := readEntries(json.NewDecoder(newCapped(r)))
	if errors.Is(err, ErrTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, errors.New("input is not one JSON array of objects (with fields org_id, service_user, access_key_id, api_secret, …)")
	}
	if len(entries) == 0 {
		return nil, errors.New("no entries in the JSON array")
	}
	rows := make([]Row, 0, len(entries))
	for i, e := range entries {
		where := fmt.Sprintf("entry %d", i+1)
		fields := map[string]string{}
		for _, f := range e {
			// Neither a name nor a value is quoted back: either could be a misplaced secret.
			if !knownColumn(f.name) {
				return nil, &RowError{Where: where, Err: fmt.Errorf("has a field that is not one of %s", strings.Join(columns, ","))}
			}
			// Keeping the last of two values silently could store the wrong secret.
			if _, dup := fields[f.name]; dup {
				return nil, &RowError{Where: where, Err: fmt.Errorf("%s %w", f.name, ErrFieldTwice)}
			}
			var v string
			if err := json.Unmarshal(f.raw, &v); err != nil {
				return nil, &RowError{Where: where, Err: fmt.Errorf("%s must be a string", f.name)}
			}
			fields[f.name] = v
		}
		row, err := newRow(where, fields)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// jsonField is one name and value of an entry, in input order, repeats included.
type jsonField struct {
	name string
	raw  json.RawMessage
}

// readEntries reads exactly one array of objects, keeping every field as written:
// decoding into a map would keep only the last of a repeated field.
func readEntries(dec *json.Decoder) ([][]jsonField, error) {
	errShape := errors.New("not an array of objects")
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('[') {
		return nil, errShape
	}
	var entries [][]jsonField
	for dec.More() {
		if tok, err := dec.Token(); err != nil {
			return nil, err
		} else if tok != json.Delim('{') {
			return nil, errShape
		}
		entry := []jsonField{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name, _ := tok.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, err
			}
			entry = append(entry, jsonField{name, raw})
		}
		if _, err := dec.Token(); err != nil { // '}'
			return nil, err
		}
		entries = append(entries, entry)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, err
	}
	// One array and nothing after it: a second value would otherwise be dropped unseen.
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the array")
		}
		return nil, err
	}
	return entries, nil
}

func newRow(where string, f map[string]string) (Row, error) {
	fail := func(err error) (Row, error) { return Row{}, &RowError{Where: where, Err: err} }
	row := Row{Where: where, OrgID: strings.TrimSpace(f["org_id"]), ServiceUser: strings.TrimSpace(f["service_user"]),
		AccessKeyID: strings.TrimSpace(f["access_key_id"]), OrgName: strings.TrimSpace(f["org_name"]),
		APIURL: strings.TrimSpace(f["api_url"]), DeployedTo: strings.TrimSpace(f["deployed_to"]), Status: keystore.Status(strings.ToUpper(strings.TrimSpace(f["status"])))}
	checks := []error{validate.OrgID(row.OrgID), validate.Name("service_user", row.ServiceUser), validate.KeyID(row.AccessKeyID)}
	if row.OrgName != "" {
		checks = append(checks, validate.Name("org_name", row.OrgName))
	}
	if row.APIURL != "" {
		checks = append(checks, validate.APIURL(row.APIURL))
	}
	if row.DeployedTo != "" {
		checks = append(checks, keystore.ValidateDeployedTo(row.DeployedTo))
	}
	for _, err := range checks {
		if err != nil {
			return fail(err)
		}
	}
	secret, err := keystore.NewSecret(f["api_secret"])
	if err != nil {
		return fail(err)
	}
	row.Secret = secret
	switch row.Status {
	case "":
		row.Status = keystore.Active
	case keystore.Active, keystore.Inactive:
	default:
		return fail(errors.New("status: must be ACTIVE or INACTIVE"))
	}
	if v := strings.TrimSpace(f["created_at"]); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return fail(errors.New("created_at: must be a date like 2026-11-26 or 2026-11-26T10:00:00Z"))
		}
		row.CreatedAt = t
	}
	return row, nil
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

// Apply adds every row in one change: the caller's Update discards all of it when one row fails.
func Apply(tx *keystore.Tx, rows []Row, defaultAPIURL string) error {
	for _, r := range rows {
		if err := Add(tx, r, defaultAPIURL); err != nil {
			return &RowError{Where: r.Where, Err: err}
		}
	}
	return nil
}

// Add stores one key pair, creating its organization (at defaultAPIURL unless the row names
// one) and its service user when they are new.
func Add(tx *keystore.Tx, r Row, defaultAPIURL string) error {
	org := keystore.NewOrg{ID: r.OrgID, Name: r.OrgName, APIURL: r.APIURL}
	// The keystore compares IDs canonical (AAAA… and aaaa… are one organization) and by index,
	// so an import of n rows costs O(n).
	if _, exists := tx.Org(r.OrgID); !exists && org.APIURL == "" {
		org.APIURL = defaultAPIURL
	}
	if err := tx.EnsureOrg(org); err != nil {
		return err
	}
	if err := tx.EnsureUser(r.OrgID, r.ServiceUser); err != nil {
		return err
	}
	return tx.AddKey(r.OrgID, r.ServiceUser, keystore.NewKey{AccessKeyID: r.AccessKeyID, Secret: r.Secret, Status: r.Status, CreatedAt: r.CreatedAt, DeployedTo: r.DeployedTo})
}
