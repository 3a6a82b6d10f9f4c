package ui

import tea "github.com/charmbracelet/bubbletea"

// screen is one page of the TUI. A new screen is one file: a type with these methods
// and a constructor, pushed from the screen that opens it (return s, push(newScreen(…))).
type screen interface {
	// update takes a key, a result addressed to this screen, or a broadcast
	// (docChangedMsg, checkedMsg). It returns the screen to keep in its place and its
	// effect (nil for none): its own I/O (run), and what it asks the root for (do: push,
	// pop, a change…).
	update(msg tea.Msg) (screen, *effect)
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

// stack is the screens open, the last on top, and the overlay over it, if one is up.
type stack struct {
	entries []entry
	over    *entry // help or a confirmation, over the top screen
	nextID  int
}

// top is the screen on top of the stack, under the overlay if one is up.
func (st *stack) top() screen { return st.last().s }

func (st *stack) last() *entry { return &st.entries[len(st.entries)-1] }

// focused is the entry that takes keys: the overlay, else the top of the stack.
func (st *stack) focused() *entry {
	if st.over != nil {
		return st.over
	}
	return st.last()
}

func (st *stack) find(id int) *entry {
	for i := range st.entries {
		if st.entries[i].id == id {
			return &st.entries[i]
		}
	}
	return nil
}

func (st *stack) newEntry(s screen) entry {
	st.nextID++
	return entry{id: st.nextID, s: s}
}

// cover shows an overlay over the top screen; it speaks for that screen.
func (st *stack) cover(s screen) {
	e := st.newEntry(s)
	st.over = &e
}

// push opens s over the current screen.
func (a *App) push(s screen) {
	a.stack.entries = append(a.stack.entries, a.stack.newEntry(s))
	a.shown()
}

// replace puts s in the place of the screen on top.
func (a *App) replace(s screen) {
	*a.stack.last() = a.stack.newEntry(s)
	a.shown()
}

// reset makes s the only screen.
func (a *App) reset(s screen) {
	a.stack.entries = []entry{a.stack.newEntry(s)}
	a.shown()
}

// pop closes the overlay, else the screen on top (never the last one); the screen
// revealed takes the change the closed one saved.
func (a *App) pop(msg popMsg) tea.Cmd {
	st := &a.stack
	if st.over != nil {
		st.over = nil
		return nil
	}
	if len(st.entries) < 2 {
		return nil
	}
	st.entries = st.entries[:len(st.entries)-1]
	a.shown()
	if msg.saved != nil {
		return a.deliver(st.last(), *msg.saved)
	}
	return nil
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
	for i := range a.stack.entries {
		cmds = append(cmds, a.deliver(&a.stack.entries[i], msg))
	}
	return tea.Batch(cmds...)
}

// route hands a result to the screen that asked, if it is still on the stack.
func (a *App) route(to ticket, msg tea.Msg) tea.Cmd {
	if e := a.stack.find(to.screen); e != nil {
		return a.deliver(e, msg)
	}
	return nil
}

// deliver runs a screen's update, and keeps the screen it returns in its place. What its
// effect asks for is done on its behalf, and what its I/O brings back is routed to it.
func (a *App) deliver(e *entry, msg tea.Msg) tea.Cmd {
	s, eff := e.s.update(msg)
	e.s = s
	return a.tag(e, eff)
}

// tag stamps a screen's effect with the screen's ticket: its intents wait in a.pending,
// and its I/O is wrapped so the messages come back to that screen only. An overlay
// speaks for the screen it covers: its effect carries that screen's ticket.
//
// The intents are carried out within this Update (App.step), not sent through the
// program: a key's intents are done when the next key arrives, so a quick second key
// never reaches a screen the first one closed.
func (a *App) tag(e *entry, eff *effect) tea.Cmd {
	if eff == nil {
		return nil
	}
	if e == a.stack.over {
		e = a.stack.last()
	}
	e.gen++
	t := ticket{screen: e.id, gen: e.gen}
	if len(eff.intents) > 0 {
		a.pending = append(a.pending, pendingIntents{from: t, msgs: eff.intents})
	}
	if eff.io == nil {
		return nil
	}
	return wrap(t, eff.io)
}

// pendingIntents are intents a screen returned, with the ticket their results go back to.
type pendingIntents struct {
	from ticket
	msgs []tea.Msg
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
	for _, e := range []*entry{a.stack.last(), a.stack.over} {
		if e != nil && (e.w != w || e.h != h) {
			e.w, e.h = w, h
			e.s.setSize(w, h)
		}
	}
}
