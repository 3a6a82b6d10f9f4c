package outcome

import "testing"

func TestOutcomeReadsInactiveChecksTheOtherWayRound(t *testing.T) {
	for _, c := range []struct {
		o                               Outcome
		retired, stillAccepted, failing bool
	}{
		{Outcome{Valid, false}, false, false, false},
		{Outcome{Rejected, false}, false, false, true},
		{Outcome{Forbidden, false}, false, false, true},
		{Outcome{Undetermined, false}, false, false, false},
		{Outcome{Valid, true}, false, true, true},
		{Outcome{Rejected, true}, true, false, false},
		{Outcome{Forbidden, true}, false, false, true},
		{Outcome{"", false}, false, false, false},
	} {
		if c.o.Retired() != c.retired || c.o.StillAccepted() != c.stillAccepted || c.o.Failing() != c.failing {
			t.Errorf("%+v: retired %v still accepted %v failing %v, want %v %v %v", c.o,
				c.o.Retired(), c.o.StillAccepted(), c.o.Failing(), c.retired, c.stillAccepted, c.failing)
		}
	}
}
