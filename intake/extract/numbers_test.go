package extract

import (
	"testing"
)

func TestParseFrenchNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"12", 12}, {"douze", 12}, {"trois", 3}, {"quinze", 15}, {"dix-sept", 17},
		{"vingt-trois", 23}, {"trente et un", 31}, {"soixante-dix", 70},
		{"quatre-vingts", 80}, {"quatre-vingt-dix", 90}, {"cent vingt", 120},
	}
	for _, tt := range tests {
		if got, ok := parseFrenchNumber(tt.in); !ok || got != tt.want {
			t.Errorf("parseFrenchNumber(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
		}
	}
	if _, ok := parseFrenchNumber("quelques"); ok {
		t.Error("parseFrenchNumber(quelques) ok")
	}
}
