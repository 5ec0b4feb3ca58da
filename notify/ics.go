package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// iCalendar methods (RFC 5546) of the invitations.
const (
	MethodPublish = "PUBLISH"
	MethodCancel  = "CANCEL"
)

// Event is one calendar event as an invitation describes it.
type Event struct {
	UID         string // stable per session: the same event is updated, never duplicated
	Sequence    int    // raised by every change of time or place
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	Organizer   string // the program's address
	OrganizerCN string // the program's name
	Attendee    string // the recipient (a CANCEL must name who it cancels for)
	Stamp       time.Time
	Cancelled   bool
}

// parisTZID is the zone whose definition the invitations carry; other
// zones are written in UTC, which every calendar reads right.
const parisTZID = "Europe/Paris"

// parisVTimezone is Europe/Paris since 1996 (the EU rules: last Sunday of
// March 02:00 to summer time, last Sunday of October 03:00 back).
var parisVTimezone = []string{
	"BEGIN:VTIMEZONE",
	"TZID:Europe/Paris",
	"X-LIC-LOCATION:Europe/Paris",
	"BEGIN:DAYLIGHT",
	"TZOFFSETFROM:+0100",
	"TZOFFSETTO:+0200",
	"TZNAME:CEST",
	"DTSTART:19700329T020000",
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
	"END:DAYLIGHT",
	"BEGIN:STANDARD",
	"TZOFFSETFROM:+0200",
	"TZOFFSETTO:+0100",
	"TZNAME:CET",
	"DTSTART:19701025T030000",
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	"END:STANDARD",
	"END:VTIMEZONE",
}

// WriteICS renders an RFC 5545 calendar holding one event, for method
// PUBLISH or CANCEL: CRLF line ends, lines folded at 75 octets, text
// escaped. Times are written in the event's zone when it is Europe/Paris
// (with its VTIMEZONE), else in UTC.
func WriteICS(ev Event, method string) string {
	var lines []string
	add := func(l ...string) { lines = append(lines, l...) }
	add("BEGIN:VCALENDAR",
		"PRODID:-//rse-intake//sessions//FR",
		"VERSION:2.0",
		"CALSCALE:GREGORIAN",
		"METHOD:"+method)
	paris := ev.Start.Location().String() == parisTZID
	if paris {
		add(parisVTimezone...)
	}
	add("BEGIN:VEVENT",
		"UID:"+icsText(ev.UID),
		fmt.Sprintf("SEQUENCE:%d", ev.Sequence),
		"DTSTAMP:"+ev.Stamp.UTC().Format("20060102T150405Z"),
		"DTSTART"+icsTime(ev.Start, paris),
		"DTEND"+icsTime(ev.End, paris),
		"SUMMARY:"+icsText(ev.Summary))
	if ev.Location != "" {
		add("LOCATION:" + icsText(ev.Location))
	}
	if ev.Description != "" {
		add("DESCRIPTION:" + icsText(ev.Description))
	}
	if ev.Organizer != "" {
		org := "ORGANIZER"
		if ev.OrganizerCN != "" {
			org += ";CN=" + icsParam(ev.OrganizerCN)
		}
		add(org + ":mailto:" + ev.Organizer)
	}
	if ev.Attendee != "" && method == MethodCancel {
		add("ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:" + ev.Attendee)
	}
	if ev.Cancelled {
		add("STATUS:CANCELLED")
	} else {
		add("STATUS:CONFIRMED")
	}
	add("TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR")
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(foldICS(l))
	}
	return b.String()
}

func icsTime(t time.Time, paris bool) string {
	if paris {
		return ";TZID=" + parisTZID + ":" + t.Format("20060102T150405")
	}
	return ":" + t.UTC().Format("20060102T150405Z")
}

// icsText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and line breaks; other control characters are dropped.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsParam makes a parameter value: quoted when it holds ':', ';' or ',',
// double quotes and control characters dropped (they cannot be escaped).
func icsParam(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// foldICS folds one content line into lines of at most 75 octets, each
// continuation starting with a space, never inside a UTF-8 sequence, and
// ends it with CRLF.
func foldICS(line string) string {
	const limit = 75
	var b strings.Builder
	room := limit
	for len(line) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		room = limit - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}
