//go:build race

package main

// buildFlags make the binary that the run tests start race-checked when
// the tests are: the daemon's loops and SIGHUP reloads run in that
// process, out of the test binary's sight.
var buildFlags = []string{"-race"}
