package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// targetRuns is how many times each Go benchmark below runs; the median is printed.
const targetRuns = 5

// targets prints the store's and the TUI's performance targets next to their medians: the
// Go benchmarks of one save and one decode at 10,000 keys, and the organization view at
// 10,000 keys against a screen-filling small one. The benchmarks check what they time,
// so a run that fails aborts. Each round runs every benchmark once, so the two sides of the
// ratio share the machine's moments.
func targets() error {
	tmp, err := os.MkdirTemp("", "benchcheck-targets-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	store, err := targetBench(tmp, "./keystore", "Save10k|Decode10k", "20x")
	if err != nil {
		return err
	}
	view, err := targetBench(tmp, "./ui", "OrgView", "1s")
	if err != nil {
		return err
	}
	times := map[string][]time.Duration{}
	for range targetRuns {
		for _, b := range []benchRun{store, view} {
			if err := b.once(times); err != nil {
				return err
			}
		}
	}
	median := func(name string) (time.Duration, error) {
		d := times[name]
		if len(d) != targetRuns {
			return 0, fmt.Errorf("go benchmark %s ran %d times, want %d", name, len(d), targetRuns)
		}
		slices.Sort(d)
		return d[len(d)/2], nil
	}
	var m [4]time.Duration
	for i, name := range []string{"BenchmarkSave10kKeys", "BenchmarkDecode10kKeys", "BenchmarkOrgView20", "BenchmarkOrgView10000"} {
		if m[i], err = median(name); err != nil {
			return err
		}
	}
	fmt.Printf("store and TUI targets: medians of %d runs of the Go benchmarks, one of each per round\n", targetRuns)
	fmt.Printf("  saving one change at 10,000 keys        %8v   target ≤ 25ms\n", m[0].Round(100*time.Microsecond))
	fmt.Printf("  decoding 10,000 keys                    %8v   target ≤ 30ms\n", m[1].Round(100*time.Microsecond))
	fmt.Printf("  organization view, 10,000 keys          %8v   %.2f× of 20 keys (%v, a full screen too); target ≤ 1.2×\n",
		m[3].Round(time.Microsecond), ratio(m[3], m[2]), m[2].Round(time.Microsecond))
	return nil
}

// benchRun is a package's compiled tests and the benchmarks to run from them.
type benchRun struct{ bin, dir, pattern, benchtime string }

func targetBench(tmp, pkg, pattern, benchtime string) (benchRun, error) {
	bin := filepath.Join(tmp, filepath.Base(pkg)+".test")
	if out, err := exec.Command("go", "test", "-c", "-o", bin, pkg).CombinedOutput(); err != nil {
		return benchRun{}, fmt.Errorf("go test -c %s: %v\n%s", pkg, err, out)
	}
	return benchRun{bin: bin, dir: pkg, pattern: pattern, benchtime: benchtime}, nil
}

// once runs the benchmarks one time each and adds their ns/op to times.
func (b benchRun) once(times map[string][]time.Duration) error {
	cmd := exec.Command(b.bin, "-test.run", "^$", "-test.bench", b.pattern, "-test.benchtime", b.benchtime)
	cmd.Dir = b.dir // as go test runs them, in the package's directory
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go benchmarks %s in %s: %v\n%s", b.pattern, b.dir, err, lastLines(string(out)+stderr.String()))
	}
	for _, line := range strings.Split(string(out), "\n") {
		// BenchmarkSave10kKeys-2   20   14210000 ns/op
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		ns, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return fmt.Errorf("go benchmarks %s: %q: %v", b.pattern, line, err)
		}
		name, _, _ := strings.Cut(f[0], "-")
		times[name] = append(times[name], time.Duration(ns))
	}
	return nil
}
