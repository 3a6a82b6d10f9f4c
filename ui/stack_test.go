package ui

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// probeScreen is written as a new screen is: one type in one file, and one line that
// pushes it (here the test sends the pushMsg that line would). t asks the root for a
// live check, enter runs a command of its own; it keeps what answers its latest request.
type probeScreen struct {
	c     *common
	asks  int
	asked int
	got   []string
	w, h  int
}

type probeMsg string

func newProbeScreen(c *common) *probeScreen { return &probeScreen{c: c} }

func (s *probeScreen) update(msg tea.Msg) (screen, *effect) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case keyIs(msg, s.c.keys.Back):
			return s, pop()
		case keyIs(msg, s.c.keys.Test):
			s.asked++
			eff := do(testKeysMsg{keyIDs: []string{probeKey(s.asks)}, req: s.asked})
			s.asks++
			return s, eff
		case keyIs(msg, s.c.keys.Open):
			return s, run(func() tea.Msg { return probeMsg("own") })
		}
	case checkDoneMsg:
		if msg.req == s.asked {
			s.got = append(s.got, msg.keyID)
		}
	case probeMsg:
		s.got = append(s.got, string(msg))
	}
	return s, nil
}

// probeKey is the key the probe tests next: a new one each time, so a run takes it.
func probeKey(n int) string { return []string{"AK-REPORTS", "AK-BILLING-OLD", "AK-BILLING-NEW"}[n%3] }

func (s *probeScreen) view() string         { return fmt.Sprintf("probe %v", s.got) }
func (s *probeScreen) setSize(w, h int)     { s.w, s.h = w, h }
func (s *probeScreen) crumbs() []string     { return []string{"Probe"} }
func (s *probeScreen) enableKeys(k *KeyMap) { k.only(&k.Back, &k.Test, &k.Open, &k.Help, &k.Quit) }

// intent hands the root an intent as the screen on top would, and lets it act.
func (h *harness) intent(msg tea.Msg) {
	h.run(h.app.tag(h.app.stack.last(), do(msg)))
	h.send(struct{}{})
}

func TestStackNewScreenIsOneFileAndOneLine(t *testing.T) {
	h, _ := openAcme(t)
	probe := newProbeScreen(h.app.c)
	h.intent(pushMsg{s: probe})
	if h.app.stack.top() != probe {
		t.Fatal("not pushed")
	}
	h.wantView("m3keys › Probe", "probe []", "esc back")

	// Its requests come back to it, through the root: a live check, and its own command.
	h.press("t")
	h.press("enter")
	if want := []string{"AK-REPORTS", "own"}; !slices.Equal(probe.got, want) {
		t.Fatalf("got %v, want %v", probe.got, want)
	}

	// An older request's result is dropped: only the latest one's reaches it.
	_, first := h.app.Update(keyMsg("t")) // AK-BILLING-OLD, not run yet
	_, second := h.app.Update(keyMsg("t"))
	h.run(second)
	h.run(first)
	if want := []string{"AK-REPORTS", "own", "AK-BILLING-NEW"}; !slices.Equal(probe.got, want) {
		t.Fatalf("got %v, want %v (the first request's result is stale)", probe.got, want)
	}

	// esc pops it, back to the organization.
	h.press("esc")
	if !on[*orgScreen](h) {
		t.Fatalf("esc did not pop the probe:\n%s", h.view())
	}

	// Results of a screen already left are dropped: they reach neither it nor the screen below.
	again := newProbeScreen(h.app.c)
	h.intent(pushMsg{s: again})
	_, check := h.app.Update(keyMsg("t"))
	_, own := h.app.Update(keyMsg("enter"))
	h.press("esc")
	h.run(check)
	h.run(own)
	if len(again.got) != 0 {
		t.Fatalf("a screen already left got %v", again.got)
	}
	if !on[*orgScreen](h) {
		t.Fatal("a stale result moved the screen")
	}
	h.wantView("AK-REPORTS: ✓ valid") // the root still took the result in
}

// View changes nothing: paging, offsets and input widths are set in update, so what a
// key does never depends on the last frame drawn.
func TestViewIsPure(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) *harness
	}{
		{"unlock", func(t *testing.T) *harness {
			vault, store := newTestStore(t)
			sample(t, store)
			h := newHarness(t, Deps{Vault: vault})
			h.typeText("typed")
			return h
		}},
		{"create", func(t *testing.T) *harness { return newHarness(t, Deps{Vault: NewVault(t.TempDir() + "/s")}) }},
		{"orgs", func(t *testing.T) *harness { h, _ := unlocked(t); return h }},
		{"orgs_filter", func(t *testing.T) *harness { h, _ := unlocked(t); h.press("/"); h.typeText("acme"); return h }},
		{"org", func(t *testing.T) *harness { h, _ := openAcme(t); h.press("down", "down"); return h }},
		{"org_large", func(t *testing.T) *harness {
			h := &harness{t: t, app: orgWithKeys(t, 300)}
			h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
			h.press("pgdown", "pgdown", "up")
			return h
		}},
		{"addkey", func(t *testing.T) *harness {
			h, _ := openAcme(t)
			h.selectRow("new-integration")
			h.press("a")
			h.typeText("AK-A-LONG-KEY-ID-THAT-SCROLLS-IN-ITS-FIELD-0123456789-0123456789")
			return h
		}},
		{"orgform", func(t *testing.T) *harness { h, _ := unlocked(t); h.press("e"); return h }},
		{"userform", func(t *testing.T) *harness { h, _ := openAcme(t); h.press("n"); return h }},
		{"history", func(t *testing.T) *harness { h, _ := openAcme(t); h.press("h"); return h }},
		{"help", func(t *testing.T) *harness { h, _ := openAcme(t); h.press("?"); return h }},
		{"confirm", func(t *testing.T) *harness { h, _ := openAcme(t); h.press("s"); return h }},
		{"probe", func(t *testing.T) *harness {
			h, _ := openAcme(t)
			h.intent(pushMsg{s: newProbeScreen(h.app.c)})
			return h
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.setup(t)
			for _, size := range [][2]int{{60, 15}, {80, 24}, {200, 60}} {
				h.app.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]}) // not h.send: it draws
				before := snapshot(h.app)
				first := h.app.View()
				if second := h.app.View(); second != first {
					t.Fatalf("%dx%d: two views differ", size[0], size[1])
				}
				if after := snapshot(h.app); after != before {
					t.Fatalf("%dx%d: View changed the model:\nbefore %s\nafter  %s", size[0], size[1], before, after)
				}
			}
		})
	}
}

// snapshot prints the root and every screen it holds, values and all.
func snapshot(a *App) string {
	var b strings.Builder
	dump(&b, reflect.ValueOf(a), map[uintptr]bool{})
	return b.String()
}

// dump writes v deeply: through pointers (each once), interfaces, maps (in key order),
// unexported fields included, so a change anywhere the App reaches (common, the document,
// the screens) shows. Functions and channels are written as set or not.
func dump(b *strings.Builder, v reflect.Value, seen map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("<nil>")
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if seen[v.Pointer()] {
			b.WriteString("<seen>")
			return
		}
		seen[v.Pointer()] = true
		b.WriteString("&")
		dump(b, v.Elem(), seen)
	case reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		fmt.Fprintf(b, "(%s)", v.Elem().Type())
		dump(b, v.Elem(), seen)
	case reflect.Struct:
		b.WriteString("{")
		for i := range v.NumField() {
			fmt.Fprintf(b, "%s:", v.Type().Field(i).Name)
			dump(b, v.Field(i), seen)
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString("[")
		for i := range v.Len() {
			dump(b, v.Index(i), seen)
			b.WriteString(" ")
		}
		b.WriteString("]")
	case reflect.Map:
		var entries []string
		iter := v.MapRange()
		for iter.Next() {
			var e strings.Builder
			dump(&e, iter.Key(), seen)
			e.WriteString(":")
			dump(&e, iter.Value(), seen)
			entries = append(entries, e.String())
		}
		slices.Sort(entries)
		fmt.Fprintf(b, "map%v", entries)
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		fmt.Fprintf(b, "%s set %v", v.Kind(), !v.IsNil())
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	case reflect.Bool:
		fmt.Fprint(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		fmt.Fprint(b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		fmt.Fprint(b, v.Uint())
	case reflect.Float32, reflect.Float64:
		fmt.Fprint(b, v.Float())
	default:
		fmt.Fprintf(b, "<%s>", v.Kind())
	}
}

// The purity test sees what the root's pointers reach: a change to the shared state, to
// the document on screen, or to a screen under the top one shows in the snapshot.
func TestSnapshotSeesSharedState(t *testing.T) {
	h, _ := openAcme(t)
	for name, change := range map[string]func(){
		"common":   func() { h.app.c.frame++ },
		"document": func() { h.app.c.doc.Organizations[0].Name += "!" },
		"screen":   func() { h.orgs().table.cursor++ },
	} {
		before := snapshot(h.app)
		change()
		if snapshot(h.app) == before {
			t.Errorf("%s: a change the snapshot does not see", name)
		}
	}
}

// What a screen asks for is carried out in the Update that asked: tag takes the intents
// out of its effect, also out of nested boths, in order, without running the screen's I/O.
func TestTagTakesIntentsWithoutRunningIO(t *testing.T) {
	h, _ := openAcme(t)
	ran := false
	io := run(func() tea.Msg { ran = true; return probeMsg("io") })
	top := h.app.stack.last()
	cmd := h.app.tag(top, both(io, do(statusMsg{text: "a"}), both(do(popMsg{}))))
	if ran {
		t.Fatal("tag ran the screen's I/O")
	}
	p := h.app.pending
	if len(p) != 1 || p[0].from.screen != top.id {
		t.Fatalf("pending %#v, want one set of intents from the top screen", p)
	}
	if in := p[0].msgs; len(in) != 2 || in[0] != (statusMsg{text: "a"}) || !reflect.DeepEqual(in[1], popMsg{}) {
		t.Fatalf("intents %#v, want the status then the pop", in)
	}
	if got, want := cmd(), (routedMsg{to: p[0].from, msg: probeMsg("io")}); got != want {
		t.Fatalf("I/O brought %#v, want %#v", got, want)
	}
}
