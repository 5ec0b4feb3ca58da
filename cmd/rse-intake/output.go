package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<id@host>" as written, not "\u003cid@host\u003e"
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
