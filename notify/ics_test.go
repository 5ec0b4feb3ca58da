package notify

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// icsProp is one content line read back: name, parameters, value.
type icsProp struct {
	name   string
	params map[string]string
	value  string
}

// icsComponent is a BEGIN/END block with its properties and children.
type icsComponent struct {
	name     string
	props    []icsProp
	children []*icsComponent
}

func (c *icsComponent) get(name string) []icsProp {
	var out []icsProp
	for _, p := range c.props {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

func (c *icsComponent) one(t *testing.T, name string) icsProp {
	t.Helper()
	ps := c.get(name)
	if len(ps) != 1 {
		t.Fatalf("%s has %d %s properties, want 1", c.name, len(ps), name)
	}
	return ps[0]
}

func (c *icsComponent) kids(name string) []*icsComponent {
	var out []*icsComponent
	for _, k := range c.children {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// parseICS reads an RFC 5545 stream strictly: CRLF line ends, folded
// lines of at most 75 octets that never split a UTF-8 sequence, balanced
// BEGIN/END, TEXT values unescaped.
func parseICS(t *testing.T, s string) *icsComponent {
	t.Helper()
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("calendar does not end with CRLF")
	}
	raw := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var lines []string
	for i, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets long: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			if len(lines) == 0 {
				t.Fatal("continuation line first")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	root := &icsComponent{}
	stack := []*icsComponent{root}
	for _, l := range lines {
		head, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("no colon in %q", l)
		}
		// A quoted parameter value may hold ':' : find the real separator.
		if strings.Count(head, `"`)%2 == 1 {
			q := strings.Index(l, `"`)
			end := strings.Index(l[q+1:], `"`) + q + 1
			i := strings.Index(l[end:], ":") + end
			head, value = l[:i], l[i+1:]
		}
		fields := strings.Split(head, ";")
		p := icsProp{name: fields[0], params: map[string]string{}, value: value}
		for _, f := range fields[1:] {
			k, v, _ := strings.Cut(f, "=")
			p.params[k] = strings.Trim(v, `"`)
		}
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			c := &icsComponent{name: value}
			top.children = append(top.children, c)
			stack = append(stack, c)
		case "END":
			if top.name != value {
				t.Fatalf("END:%s closes %s", value, top.name)
			}
			stack = stack[:len(stack)-1]
		default:
			top.props = append(top.props, p)
		}
	}
	if len(stack) != 1 || len(root.children) != 1 || root.children[0].name != "VCALENDAR" {
		t.Fatalf("not one balanced VCALENDAR")
	}
	return root.children[0]
}

// unescapeText reverses RFC 5545 TEXT escaping.
func unescapeText(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			if s[i] == ';' || s[i] == ',' {
				t.Errorf("unescaped %q in TEXT value %q", s[i], s)
			}
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(s[i])
		default:
			t.Errorf("bad escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

// wallClock reads DTSTART;TZID=Europe/Paris:20261203T183000 with the
// VTIMEZONE's own rules (offsets and last-Sunday transitions), without
// Go's zone database, to check the two agree.
func wallClock(t *testing.T, cal *icsComponent, p icsProp) time.Time {
	t.Helper()
	if p.params["TZID"] != "Europe/Paris" {
		t.Fatalf("%s TZID = %q", p.name, p.params["TZID"])
	}
	local, err := time.Parse("20060102T150405", p.value)
	if err != nil {
		t.Fatal(err)
	}
	tzs := cal.kids("VTIMEZONE")
	if len(tzs) != 1 || tzs[0].one(t, "TZID").value != "Europe/Paris" {
		t.Fatal("no VTIMEZONE for Europe/Paris")
	}
	offset := func(c *icsComponent) time.Duration {
		v := c.one(t, "TZOFFSETTO").value
		h, m := int(v[1]-'0')*10+int(v[2]-'0'), int(v[3]-'0')*10+int(v[4]-'0')
		d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
		if v[0] == '-' {
			d = -d
		}
		return d
	}
	lastSunday := func(year int, month time.Month) time.Time {
		d := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC)
		return d.AddDate(0, 0, -int(d.Weekday()))
	}
	std, dst := tzs[0].kids("STANDARD")[0], tzs[0].kids("DAYLIGHT")[0]
	if !strings.Contains(dst.one(t, "RRULE").value, "BYMONTH=3;BYDAY=-1SU") || !strings.Contains(std.one(t, "RRULE").value, "BYMONTH=10;BYDAY=-1SU") {
		t.Fatal("VTIMEZONE rules are not the last Sundays of March and October")
	}
	y := local.Year()
	summer := !local.Before(lastSunday(y, time.March).Add(2*time.Hour)) && local.Before(lastSunday(y, time.October).Add(3*time.Hour))
	off := offset(std)
	if summer {
		off = offset(dst)
	}
	return local.Add(-off)
}

func TestICSReadsBackFieldByField(t *testing.T) {
	paris := paris(t)
	long := strings.Repeat("Présentation des engagements RSE, échanges; questions\\réponses. ", 4)
	ev := Event{
		UID: "lancement-2026@example.org", Sequence: 2,
		Start:       time.Date(2026, 12, 3, 18, 30, 0, 0, paris),
		End:         time.Date(2026, 12, 3, 20, 30, 0, 0, paris),
		Summary:     "Soirée de lancement, promotion 2026; Lozère",
		Location:    "Maison de l'entreprise, 2 rue de l'Ange\nMende",
		Description: long + "\nAccueil à 18 h.",
		Organizer:   "rse@example.org", OrganizerCN: "J'initie, je m'engage RSE: Lozère",
		Attendee: "elodie@example.net",
		Stamp:    time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC),
	}
	cal := parseICS(t, WriteICS(ev, MethodPublish))
	for name, want := range map[string]string{"VERSION": "2.0", "METHOD": "PUBLISH", "CALSCALE": "GREGORIAN"} {
		if got := cal.one(t, name).value; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	cal.one(t, "PRODID")
	events := cal.kids("VEVENT")
	if len(events) != 1 {
		t.Fatalf("%d VEVENT, want 1", len(events))
	}
	e := events[0]
	checks := map[string]string{
		"UID":         "lancement-2026@example.org",
		"SEQUENCE":    "2",
		"DTSTAMP":     "20261130T080000Z",
		"DTSTART":     "20261203T183000",
		"DTEND":       "20261203T203000",
		"SUMMARY":     ev.Summary,
		"LOCATION":    ev.Location,
		"DESCRIPTION": ev.Description,
		"STATUS":      "CONFIRMED",
		"ORGANIZER":   "mailto:rse@example.org",
	}
	for name, want := range checks {
		got := e.one(t, name).value
		switch name {
		case "SUMMARY", "LOCATION", "DESCRIPTION":
			got = unescapeText(t, got)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if cn := e.one(t, "ORGANIZER").params["CN"]; cn != ev.OrganizerCN {
		t.Errorf("ORGANIZER CN = %q", cn)
	}
	if len(e.get("ATTENDEE")) != 0 {
		t.Error("a PUBLISH names an attendee")
	}
	// The VTIMEZONE's rules put the event at the same instant as Go's
	// zone database: 18:30 in Paris in December is 17:30 UTC.
	if got := wallClock(t, cal, e.one(t, "DTSTART")); !got.Equal(ev.Start) {
		t.Errorf("DTSTART read with the VTIMEZONE = %s, want %s", got, ev.Start.UTC())
	}
	if got := wallClock(t, cal, e.one(t, "DTEND")); !got.Equal(ev.End) {
		t.Errorf("DTEND read with the VTIMEZONE = %s, want %s", got, ev.End.UTC())
	}
	// A summer date falls under DAYLIGHT.
	ev.Start, ev.End = time.Date(2027, 6, 10, 9, 0, 0, 0, paris), time.Date(2027, 6, 10, 12, 0, 0, 0, paris)
	cal = parseICS(t, WriteICS(ev, MethodPublish))
	if got := wallClock(t, cal, cal.kids("VEVENT")[0].one(t, "DTSTART")); !got.Equal(ev.Start) {
		t.Errorf("summer DTSTART = %s, want %s", got, ev.Start.UTC())
	}
}

func TestICSCancelNamesTheAttendee(t *testing.T) {
	ev := Event{UID: "s1@example.org", Sequence: 3, Start: time.Date(2026, 12, 3, 18, 30, 0, 0, paris(t)),
		End: time.Date(2026, 12, 3, 20, 30, 0, 0, paris(t)), Summary: "Séance", Organizer: "rse@example.org",
		Attendee: "a@example.net", Stamp: time.Now(), Cancelled: true}
	cal := parseICS(t, WriteICS(ev, MethodCancel))
	e := cal.kids("VEVENT")[0]
	if cal.one(t, "METHOD").value != "CANCEL" || e.one(t, "STATUS").value != "CANCELLED" ||
		e.one(t, "ATTENDEE").value != "mailto:a@example.net" || e.one(t, "SEQUENCE").value != "3" {
		t.Errorf("cancellation: %+v", e.props)
	}
}

func TestICSOtherZonesAreWrittenInUTC(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	ev := Event{UID: "u@x", Start: time.Date(2026, 12, 3, 18, 30, 0, 0, ny), End: time.Date(2026, 12, 3, 19, 30, 0, 0, ny),
		Summary: "s", Stamp: time.Now()}
	cal := parseICS(t, WriteICS(ev, MethodPublish))
	if len(cal.kids("VTIMEZONE")) != 0 {
		t.Error("VTIMEZONE written for a zone the calendar does not describe")
	}
	if got := cal.kids("VEVENT")[0].one(t, "DTSTART").value; got != "20261203T233000Z" {
		t.Errorf("DTSTART = %q, want 20261203T233000Z", got)
	}
}

func TestFoldICSNeverSplitsACharacter(t *testing.T) {
	for n := 60; n < 90; n++ {
		line := "DESCRIPTION:" + strings.Repeat("é", n) + strings.Repeat("x", n%3)
		folded := foldICS(line)
		var joined strings.Builder
		for i, l := range strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n") {
			if len(l) > 75 || !utf8.ValidString(l) {
				t.Fatalf("n=%d: line %d %q", n, i, l)
			}
			if i > 0 {
				l = strings.TrimPrefix(l, " ")
			}
			joined.WriteString(l)
		}
		if joined.String() != line {
			t.Fatalf("n=%d: unfolding does not give the line back", n)
		}
	}
}

// FuzzICSText: whatever the text of a session, the calendar reads back
// with the same summary, place and description (control characters other
// than line breaks dropped), lines within 75 octets.
func FuzzICSText(f *testing.F) {
	f.Add("Soirée de lancement", "Mende, Lozère; salle 2", "Ligne 1\nLigne 2\\fin")
	f.Add(strings.Repeat("é", 80), "\r\n", ",;:\"")
	f.Fuzz(func(t *testing.T, summary, location, description string) {
		if !utf8.ValidString(summary + location + description) {
			t.Skip()
		}
		ev := Event{UID: "u@x", Start: time.Date(2026, 12, 3, 18, 30, 0, 0, time.UTC), End: time.Date(2026, 12, 3, 19, 0, 0, 0, time.UTC),
			Summary: summary, Location: location, Description: description, Organizer: "o@x", OrganizerCN: summary, Stamp: time.Unix(0, 0)}
		cal := parseICS(t, WriteICS(ev, MethodPublish))
		e := cal.kids("VEVENT")[0]
		clean := func(s string) string {
			s = strings.ReplaceAll(s, "\r\n", "\n")
			return strings.Map(func(r rune) rune {
				if r == '\r' {
					return '\n'
				}
				if r != '\n' && (r < 0x20 || r == 0x7f) {
					return -1
				}
				return r
			}, s)
		}
		for name, want := range map[string]string{"SUMMARY": summary, "LOCATION": location, "DESCRIPTION": description} {
			ps := e.get(name)
			if clean(want) == "" && len(ps) == 0 {
				continue
			}
			if len(ps) != 1 {
				if want == "" {
					continue
				}
				t.Fatalf("%s: %d properties", name, len(ps))
			}
			if got := unescapeText(t, ps[0].value); got != clean(want) {
				t.Fatalf("%s = %q, want %q", name, got, clean(want))
			}
		}
	})
}
