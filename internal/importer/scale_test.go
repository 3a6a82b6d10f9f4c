package importer

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

const scalePass = "correct horse battery staple"

// layout spreads rows over organizations: perOrg rows each, two keys per service user
// (MaxKeysPerUser), so one organization of 100k rows holds 50k service users.
type layout struct {
	name   string
	perOrg int
}

var layouts = []layout{{"one-org", 0}, {"spread", 20}}

func (l layout) orgOf(i int) int {
	if l.perOrg == 0 {
		return 0
	}
	return i / l.perOrg
}

// csvRows is an import of n rows; organization IDs alternate letter case, as m3ter's tools do.
func (l layout) csvRows(n int) []byte {
	var b bytes.Buffer
	b.WriteString("org_id,service_user,access_key_id,api_secret,org_name\n")
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("0000000a-0000-4000-8000-%012x", l.orgOf(i))
		if i%2 == 1 {
			id = fmt.Sprintf("0000000A-0000-4000-8000-%012X", l.orgOf(i))
		}
		fmt.Fprintf(&b, "%s,svc-%d,AK-%07d-abcdefghij,%s-%d,Org %d\n", id, i/2, i, secret, i, l.orgOf(i))
	}
	return b.Bytes()
}

// checkStored fails unless every one of the n rows is stored once, in its organization and
// under its service user, and the store holds nothing else.
func (l layout) checkStored(tb testing.TB, doc *keystore.Document, n int) {
	tb.Helper()
	where := map[string]string{}
	for _, o := range doc.Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				where[k.AccessKeyID] = o.ID + "/" + u.Name
			}
		}
	}
	if len(where) != n {
		tb.Fatalf("%d keys stored for %d rows", len(where), n)
	}
	for i := 0; i < n; i++ {
		want := fmt.Sprintf("0000000a-0000-4000-8000-%012x/svc-%d", l.orgOf(i), i/2)
		if got := where[fmt.Sprintf("AK-%07d-abcdefghij", i)]; got != want {
			tb.Fatalf("row %d stored under %q, want %q", i+2, got, want)
		}
	}
}

// importRows is what m3keys import does: parse, then apply every row in one saved change.
func importRows(tb testing.TB, s *keystore.Store, in []byte) {
	tb.Helper()
	rows, err := ParseCSV(bytes.NewReader(in))
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Update(func(tx *keystore.Tx) error { return Apply(tx, rows, validate.DefaultAPIURL) }); err != nil {
		tb.Fatal(err)
	}
}

func newScaleStore(tb testing.TB) (*keystore.Store, string) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), fmt.Sprintf("store-%d", time.Now().UnixNano()))
	s, err := keystore.Create(dir, scalePass)
	if err != nil {
		tb.Fatal(err)
	}
	return s, dir
}

// BenchmarkImport times import (parse, apply, save), load (Open) and one later save
// (a recorded check) at 1k, 10k and 100k rows; ns/row should stay about flat.
//
//	go test -run '^$' -bench . -benchtime 2x ./internal/importer
func BenchmarkImport(b *testing.B) {
	for _, l := range layouts {
		for _, n := range []int{1000, 10000, 100000} {
			in := l.csvRows(n)
			b.Run(fmt.Sprintf("%s/import/rows=%d", l.name, n), func(b *testing.B) {
				runs := 0
				for b.Loop() {
					b.StopTimer()
					s, _ := newScaleStore(b)
					b.StartTimer()
					importRows(b, s, in)
					b.StopTimer()
					l.checkStored(b, s.Document(), n)
					b.StartTimer()
					runs++
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/row")
			})
			b.Run(fmt.Sprintf("%s/load/rows=%d", l.name, n), func(b *testing.B) {
				s, dir := newScaleStore(b)
				importRows(b, s, in)
				runs := 0
				var opened *keystore.Store
				for b.Loop() {
					var err error
					if opened, err = keystore.Open(dir, scalePass); err != nil {
						b.Fatal(err)
					}
					runs++
				}
				l.checkStored(b, opened.Document(), n)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/row")
			})
			b.Run(fmt.Sprintf("%s/save/rows=%d", l.name, n), func(b *testing.B) {
				s, _ := newScaleStore(b)
				importRows(b, s, in)
				runs := 0
				for b.Loop() {
					runs++
					err := s.Update(func(tx *keystore.Tx) error {
						return tx.RecordCheck("AK-0000000-abcdefghij", keystore.Check{At: time.Now(), Result: "valid", LatencyMs: int64(runs)})
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				if ref, ok := s.Document().Key("AK-0000000-abcdefghij"); !ok || ref.Key.LastCheck == nil || ref.Key.LastCheck.LatencyMs != int64(runs) {
					b.Fatal("the last check was not saved")
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/row")
			})
		}
	}
}

// workPerRow applies n rows to an empty document in memory and returns the allocations and
// bytes allocated per row. Unlike time, these counts do not depend on what else the
// machine runs: the same rows cost the same to within a few allocations.
func (l layout) workPerRow(tb testing.TB, n int) (allocs, size float64) {
	tb.Helper()
	rows, err := ParseCSV(bytes.NewReader(l.csvRows(n)))
	if err != nil {
		tb.Fatal(err)
	}
	d := &keystore.Document{Version: keystore.CurrentVersion}
	tx := d.Edit(time.Now())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err = Apply(tx, rows, validate.DefaultAPIURL)
	runtime.ReadMemStats(&after)
	if err != nil {
		tb.Fatal(err)
	}
	l.checkStored(tb, d, n)
	return float64(after.Mallocs-before.Mallocs) / float64(n), float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// An import's work per row must not grow with its size: before lookups were indexed, every
// row scanned every stored key, service user and organization, and copied the history.
// The work is counted, not timed (timing failed on busy machines; BenchmarkApply times it):
// allocations and bytes allocated per row, at fewer rows than the history keeps, then at
// 5,000 and 50,000 (the middle size fails quadratic work in seconds rather than minutes).
// Copying the history on every event, or rebuilding a lookup index on every row,
// multiplies the bytes per row many times over; the 1.5× allowed is for slices and maps
// that grow by doubling and so carry more or less slack at a given size.
func TestApplyWorkPerRowStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 50,000 rows")
	}
	small := keystore.MaxHistory / 2
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			sa, sb := l.workPerRow(t, small)
			for _, n := range []int{5000, 50000} {
				a, b := l.workPerRow(t, n)
				msg := fmt.Sprintf("%.1f allocations and %.0f bytes per row at %d rows, %.1f and %.0f at %d", sa, sb, small, a, b, n)
				if a > 1.5*sa || b > 1.5*sb {
					t.Fatalf("%s — an import's work grows faster than its rows", msg)
				}
				t.Log(msg)
			}
		})
	}
}

// BenchmarkApply times Apply in memory (no parse, no disk) at 2,000 and 50,000 rows and
// reports ns/row for each; the figures should be about equal. Each run's document is
// checked to hold every row.
//
//	go test -run '^$' -bench Apply -benchtime 3x ./internal/importer
func BenchmarkApply(b *testing.B) {
	for _, l := range layouts {
		for _, n := range []int{2000, 50000} {
			rows, err := ParseCSV(bytes.NewReader(l.csvRows(n)))
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/rows=%d", l.name, n), func(b *testing.B) {
				runs := 0
				for b.Loop() {
					d := &keystore.Document{Version: keystore.CurrentVersion}
					if err := Apply(d.Edit(time.Now()), rows, validate.DefaultAPIURL); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					l.checkStored(b, d, n)
					b.StartTimer()
					runs++
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(runs*n), "ns/row")
			})
		}
	}
}

// Apply and Add find organizations, service users and keys only through the Tx, whose
// lookups are indexed: the document's own Org, User and Key scan it, so reaching them per row makes an import quadratic without allocating more (which
// TestApplyWorkPerRowStaysFlat counts). Read from the source, so no clock is involved.
func TestApplyLooksUpThroughTheTxOnly(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "importer.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || (fn.Name.Name != "Apply" && fn.Name.Name != "Add") {
			continue
		}
		checked++
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				name = fun.Name
			case *ast.SelectorExpr:
				name = fun.Sel.Name
			}
			if name == "Doc" {
				t.Errorf("%s: %s calls %s: a per-row lookup must go through the Tx's index", fset.Position(call.Pos()), fn.Name.Name, name)
			}
			return true
		})
	}
	if checked != 2 {
		t.Fatalf("found %d of Apply and Add in importer.go", checked)
	}
}
