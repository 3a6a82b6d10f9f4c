package merge

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/m3keys/m3keys/keystore"
)

var (
	secretType = reflect.TypeFor[keystore.Secret]()
	timeType   = reflect.TypeFor[time.Time]()
)

// fields merges by the general rule every field of *out (a copy of *o) not named in skip:
// the same on both sides, or changed on one side only, is settled; anything else is a conflict.
// It goes by reflection so that a field added to the model merges without a change here.
func (m *merger) fields(w where, b, o, t, out any, skip ...string) {
	m.eachField(w, b, o, t, out, func(name string) bool { return !slices.Contains(skip, name) })
}

// fieldsNamed is fields for the named fields only.
func (m *merger) fieldsNamed(w where, b, o, t, out any, names ...string) {
	m.eachField(w, b, o, t, out, func(name string) bool { return slices.Contains(names, name) })
}

func (m *merger) eachField(w where, b, o, t, out any, want func(string) bool) {
	ov, tv, outv := reflect.ValueOf(o).Elem(), reflect.ValueOf(t).Elem(), reflect.ValueOf(out).Elem()
	bp := reflect.ValueOf(b)
	hasBase := !bp.IsNil()
	typ := ov.Type()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() || !want(f.Name) {
			continue
		}
		of, tf := ov.Field(i), tv.Field(i)
		switch {
		case same(of, tf):
			continue
		case hasBase && same(bp.Elem().Field(i), of) && !asksOfTheirs(typ, f.Name):
			outv.Field(i).Set(tf)
			continue
		case hasBase && same(bp.Elem().Field(i), tf):
			continue
		}
		c := w.conflict(fieldName(f), show(of), show(tf))
		side, settled := m.decide(c)
		if side == Theirs {
			outv.Field(i).Set(tf)
		}
		if settled {
			m.record(w, resolvedDetail(c, side))
		}
	}
}

// asksOfTheirs names the fields whose change by the other side alone is still a conflict to
// settle: an organization's API URL, where check sends its keys' secrets. Anyone who can push
// can push a document (age does not tell who encrypted it), and a removed member knows the
// organization IDs: taken silently, a changed URL would send the next check's secrets, new
// keys included, to a server of theirs. The member sees both URLs and chooses.
func asksOfTheirs(t reflect.Type, field string) bool {
	return t == reflect.TypeFor[keystore.Organization]() && field == "APIURL"
}

// MovesAPIURL says whether theirs gives an organization of ours another API URL: a sync that
// could take theirs as it is merges instead, so that the change is asked (asksOfTheirs).
func MovesAPIURL(ours, theirs *keystore.Document) bool {
	for i := range theirs.Organizations {
		t := &theirs.Organizations[i]
		if o, ok := ours.Org(t.ID); ok && o.APIURL != t.APIURL {
			return true
		}
	}
	return false
}

func resolvedDetail(c Conflict, side Side) string {
	if c.Field == FieldSecret {
		return "conflict on the secret resolved: one side's secret kept, the other differed"
	}
	kept, other := c.Ours, c.Theirs
	if side == Theirs {
		kept, other = other, kept
	}
	return fmt.Sprintf("conflict on %s resolved: kept %s over %s", c.Field, kept, other)
}

// fieldName is the field as the document names it.
func fieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		r, n := utf8.DecodeRuneInString(f.Name)
		name = string(unicode.ToLower(r)) + f.Name[n:]
	}
	return name
}

// changedFields names the fields of *x that differ from *b.
func changedFields(b, x any) []string {
	bv, xv := reflect.ValueOf(b).Elem(), reflect.ValueOf(x).Elem()
	var names []string
	for i := range bv.NumField() {
		if f := bv.Type().Field(i); f.IsExported() && !same(bv.Field(i), xv.Field(i)) {
			names = append(names, fieldName(f))
		}
	}
	return names
}

func equal(a, b any) bool { return same(reflect.ValueOf(a), reflect.ValueOf(b)) }

// same compares two model values: secrets by value (in constant time, never printed), times as
// instants. Unexported fields are skipped: the model keeps everything it stores exported.
func same(a, b reflect.Value) bool {
	switch a.Type() {
	case secretType:
		return a.Interface().(keystore.Secret).Equal(b.Interface().(keystore.Secret))
	case timeType:
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() && !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if y := b.MapIndex(k); !y.IsValid() || !same(a.MapIndex(k), y) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// show is a value as a conflict shows it: never a secret.
func show(v reflect.Value) string {
	switch v.Type() {
	case secretType:
		return "secret differs"
	case timeType:
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return "(none)"
		}
		return t.UTC().Format(time.RFC3339)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "(none)"
		}
		return show(v.Elem())
	case reflect.String:
		if v.Len() == 0 {
			return "(none)"
		}
		return strconv.Quote(clip(v.String(), 80))
	case reflect.Struct:
		var parts []string
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				parts = append(parts, fieldName(f)+" "+show(v.Field(i)))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Slice, reflect.Array:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = show(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		return fmt.Sprintf("(%d entries)", v.Len())
	}
	return fmt.Sprint(v.Interface())
}
