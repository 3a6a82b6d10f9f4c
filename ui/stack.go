package ui

import (
	"reflect"

	tea "github.com/charmbracelet/bubbletea"
)

// screen is one page of the TUI. A new screen is one file: a type with these methods
// and a constructor, pushed from the screen that opens it (return s, push(newScreen(…))).
type screen interface {
	// update takes a key, a result addressed to this screen, or a broadcast
	// (docChangedMsg, checkedMsg). It returns the screen to keep in its place and a
	// command: its own I/O, and what it asks the root for (do: push, pop, a change…).
	update(msg tea.Msg) (screen, tea.Cmd)
	// view draws the screen in the size setSize gave; it changes nothing.
	view() string
	// setSize is the room the screen has; pages, offsets and widths follow from it here.
	setSize(w, h int)
	// enableKeys enables exactly the bindings that work now (see KeyMap.only).
	enableKeys(k *KeyMap)
	// crumbs are the header's path to this screen.
	crumbs() []string
}

// aboutOrg is a screen about one organization: status messages about others stay off it.
type aboutOrg interface{ about() string }

// entry is a screen on the stack, with its id for tickets and the size it last got.
type entry struct {
	id   int
	gen  int // requests sent by this screen so far
	s    screen
	w, h int
}

// top is the screen on top of the stack, under the overlay if one is up.
func (a *App) top() screen { return a.stack[len(a.stack)-1].s }

// focused is the entry that takes keys: the overlay, else the top of the stack.
func (a *App) focused() *entry {
	if a.over != nil {
		return a.over
	}
	return &a.stack[len(a.stack)-1]
}

func (a *App) find(id int) *entry {
	for i := range a.stack {
		if a.stack[i].id == id {
			return &a.stack[i]
		}
	}
	return nil
}

func (a *App) newEntry(s screen) entry {
	a.nextID++
	return entry{id: a.nextID, s: s}
}

// push opens s over the current screen.
func (a *App) push(s screen) {
	a.stack = append(a.stack, a.newEntry(s))
	a.shown()
}

// replace puts s in the place of the screen on top.
func (a *App) replace(s screen) {
	a.stack[len(a.stack)-1] = a.newEntry(s)
	a.shown()
}

// reset makes s the only screen.
func (a *App) reset(s screen) {
	a.stack = []entry{a.newEntry(s)}
	a.shown()
}

// pop closes the overlay, else the screen on top (never the last one); the screen
// revealed takes the change the closed one saved.
func (a *App) pop(msg popMsg) tea.Cmd {
	if a.over != nil {
		a.over = nil
		return nil
	}
	if len(a.stack) < 2 {
		return nil
	}
	a.stack = a.stack[:len(a.stack)-1]
	a.shown()
	if msg.saved != nil {
		return a.deliver(&a.stack[len(a.stack)-1], *msg.saved)
	}
	return nil
}

// cover shows an overlay over the top screen; it speaks for that screen.
func (a *App) cover(s screen) {
	e := a.newEntry(s)
	a.over = &e
}

// shown follows a change of screen: the message of the screen left goes with it.
func (a *App) shown() {
	a.c.status.text = ""
	a.rebuild()
}

// rebuild lets every screen rebuild from the document on screen. It never reads the
// store: saves bring the new document back in their messages.
func (a *App) rebuild() {
	if a.c.doc != nil {
		a.broadcast(docChangedMsg{})
	}
}

func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i := range a.stack {
		cmds = append(cmds, a.deliver(&a.stack[i], msg))
	}
	return tea.Batch(cmds...)
}

// route hands a result to the screen that asked, if it is still on the stack.
func (a *App) route(to ticket, msg tea.Msg) tea.Cmd {
	if e := a.find(to.screen); e != nil {
		return a.deliver(e, msg)
	}
	return nil
}

// deliver runs a screen's update, and keeps the screen it returns in its place. What its
// command brings back is routed to it: results, and intents the root carries out on its behalf.
func (a *App) deliver(e *entry, msg tea.Msg) tea.Cmd {
	s, cmd := e.s.update(msg)
	e.s = s
	return a.tag(e, cmd)
}

// tag wraps the messages of a screen's command so they come back to that screen only.
// An overlay speaks for the screen it covers: its command carries that screen's ticket.
// The intents in the command (do) are taken out and carried out right after this Update,
// before the next key: what a key asked for is done when the next one arrives.
func (a *App) tag(e *entry, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	if e == a.over {
		e = &a.stack[len(a.stack)-1]
	}
	e.gen++
	t := ticket{screen: e.id, gen: e.gen}
	in, rest := split(cmd)
	if len(in) > 0 {
		a.pending = append(a.pending, pendingIntents{from: t, msgs: in})
	}
	if len(rest) == 0 {
		return nil
	}
	return wrap(t, tea.Batch(rest...))
}

// pendingIntents are intents a screen returned, with the ticket their results go back to.
type pendingIntents struct {
	from ticket
	msgs intentsMsg
}

// Commands split can look into without running anything: do's, and both's (which only
// returns its commands).
var (
	doCode   = reflect.ValueOf(do()).Pointer()
	bothCode = reflect.ValueOf(both()).Pointer()
)

// split takes the intents out of a screen's command, in order; rest is its I/O, for the program.
func split(cmd tea.Cmd) (in intentsMsg, rest []tea.Cmd) {
	if cmd == nil {
		return nil, nil
	}
	switch reflect.ValueOf(cmd).Pointer() {
	case doCode:
		return cmd().(intentsMsg), nil
	case bothCode:
		msg := cmd()
		batch, ok := msg.(tea.BatchMsg)
		if !ok {
			return nil, []tea.Cmd{func() tea.Msg { return msg }}
		}
		for _, c := range batch {
			i, r := split(c)
			in, rest = append(in, i...), append(rest, r...)
		}
		return in, rest
	}
	return nil, []tea.Cmd{cmd}
}

func wrap(t ticket, cmd tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case nil:
			return nil
		case tea.QuitMsg:
			return msg
		case tea.BatchMsg:
			out := make(tea.BatchMsg, 0, len(msg))
			for _, c := range msg {
				if c != nil {
					out = append(out, wrap(t, c))
				}
			}
			return out
		default:
			return routedMsg{to: t, msg: msg}
		}
	}
}

// layout gives the focused screens the body's room; it runs after every Update, so
// view draws what update computed.
func (a *App) layout() {
	w, h := a.width, a.bodyHeight()
	for _, e := range []*entry{&a.stack[len(a.stack)-1], a.over} {
		if e != nil && (e.w != w || e.h != h) {
			e.w, e.h = w, h
			e.s.setSize(w, h)
		}
	}
}
