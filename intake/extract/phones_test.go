package extract

import (
	"strings"
	"testing"
)

func TestFindPhones(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Vous pouvez me joindre au 06 12 48 73 05.", "+33612487305"},
		{"Tél. : 04 66 32 18 90", "+33466321890"},
		{"SIRET : 812 345 676 00017", ""},
		{"SIRET 84523176000016", ""},
		{"Nous roulons 1 400 000 km par an", ""},
		{"Portable : +33 (0)6 27 58 14 93", "+33627581493"},
	}
	checkFirstPhones(t, tests)
}

// checkFirstPhones checks the first phone findPhones sees in each input
// ("" when none).
func checkFirstPhones(t *testing.T, tests []struct{ in, want string }) {
	t.Helper()
	for _, tt := range tests {
		got := ""
		if ps := findPhones(tt.in); len(ps) > 0 {
			got = ps[0].e164
		}
		if got != tt.want {
			t.Errorf("findPhones(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A number with another country code keeps it.
func TestFindForeignPhones(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mobile : +44 20 7946 0958", "+442079460958"},
		{"joignable au +49 151 23456789 en semaine", "+4915123456789"},
		{"Tel 0041 76 512 34 56", "+41765123456"},
		{"Portable belge : +32 (0)486 12 34 56", "+32486123456"},
		{"Tél. +352 621 123 456 (Luxembourg)", "+352621123456"},
		{"+33 (0)4 66 65 00 00", "+33466650000"},
		{"Budget + 1 290 000 €", ""},
	}
	checkFirstPhones(t, tests)
}

// TestPickPhone pins which of the numbers in a text is the author's.
func TestPickPhone(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"another person's number in a sentence", "Pour toute urgence, merci de contacter Sylvie au 04 66 47 12 30.\nMon portable : 06 11 22 33 44", "+33611223344"},
		{"a partner's number, then the signature's", "Mon associé Paul est joignable au 06 99 88 77 66.\n\nJean Martin\n07 12 34 56 78", "+33712345678"},
		{"slashes between the pairs", "Mobile : 07/12/58/36/94\n", "+33712583694"},
		{"a switchboard when it is the only number", "Nathalie Roche\nDirectrice\nLes Ateliers du Lot SAS – capital 20 000 €\nRCS Mende 812345676 – APE 3109B\nStandard : +33 (0)4 66 32 10 87\n", "+33466321087"},
		{"the author's own beats the switchboard", "Standard : 04 66 32 10 87\nPortable : 06 44 55 66 77\n", "+33644556677"},
		{"a fax is never the phone", "Fax : 04 66 32 10 88\n", ""},
	}
	for _, tt := range tests {
		if got := pickPhone(tt.text, ""); got != tt.want {
			t.Errorf("%s: pickPhone = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestPhoneWrappedOverTwoLines: a mail client that wraps a sentence may
// break the line inside a number; it is still read, and its evidence is
// the line it starts on.
func TestPhoneWrappedOverTwoLines(t *testing.T) {
	sentences := []string{
		"Pour toute question, appelez-moi sur mon portable au 07 81 42 66 19 en fin de journée de préférence.",
		"Mon numéro direct est le 04.66.49.20.37, je suis joignable le matin au bureau de la scierie.",
		"Vous pouvez aussi me laisser un message au +33 6 45 12 78 90 si je suis sur un chantier ce jour-là.",
	}
	want := []string{"+33781426619", "+33466492037", "+33645127890"}
	for k, s := range sentences {
		for _, width := range []int{52, 55, 58, 61, 64, 67, 70, 73, 76} {
			text := "Bonjour,\nJe souhaite candidater au programme pour la Scierie du Born, 7 salariés à Grandrieu.\n" +
				wrap(s, width) + "\n\nMarc Boissier"
			r := applicantOf(t, "Marc Boissier", "marc@scierie-born.fr", text)
			if r.Applicant.Phone != want[k] {
				t.Errorf("sentence %d wrapped at %d: phone %q, want %q\n%s", k, width, r.Applicant.Phone, want[k], text)
				continue
			}
			ev := r.Applicant.Evidence["phone"]
			lines := strings.Split(text, "\n")
			if ev.Line < 1 || ev.Line > len(lines) || !strings.Contains(digitsOnly(lines[ev.Line-1]+lines[min(ev.Line, len(lines)-1)]), digitsOnly(want[k])[3:]) {
				t.Errorf("sentence %d wrapped at %d: evidence line %d %q does not start the number", k, width, ev.Line, ev.Text)
			}
		}
	}
}

// A number after a line that ends in digits is not joined to them.
func TestPhoneNotJoinedAcrossUnrelatedLines(t *testing.T) {
	checkFirstPhones(t, []struct{ in, want string }{
		{"Code postal : 48000\n12 salariés", ""},
		{"Chiffre d'affaires 2025 : 0\n45 000 € visés en 2026", ""},
		{"Tél. : 06 21 43\n65 87 09", "+33621436587"},
	})
}
