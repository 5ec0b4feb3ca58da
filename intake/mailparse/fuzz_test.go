package mailparse

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, dir := range []string{corpusDir, "testdata"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, path := range files {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(bytes.NewReader(data), Options{})
		if err != nil {
			t.Fatalf("Parse returned an error on in-memory input: %v", err)
		}
		if m == nil {
			t.Fatal("nil Message")
		}
		for _, s := range []string{m.Text, m.HTML, m.Subject, m.FromName} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 in output: %q", s)
			}
		}
		for _, a := range m.Attachments {
			if a.Filename == "" || len(a.Filename) > 200 || bytes.ContainsAny([]byte(a.Filename), "/\\\x00") {
				t.Errorf("bad filename %q", a.Filename)
			}
		}
		_ = HTMLToText(string(data))
	})
}
