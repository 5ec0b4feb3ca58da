//go:build !race

package main

// buildFlags: see build_race_test.go.
var buildFlags []string
