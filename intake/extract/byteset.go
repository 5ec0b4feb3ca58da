package extract

// byteSet marks a few bytes that a loop over a whole text stops at (1 in
// the set, 0 out). Most bytes of a mail are none of them, so they are
// looked up eight at a time, the answers joined and tested once: a test
// and a branch per byte cost half as much again, and a test of eight
// bytes at once by masks, for each byte of the set, more. It is the one
// home of that loop (TestByteSetAsBytes).
type byteSet [256]uint8

// next returns the offset of the first byte of s at or after i that is in
// the set, or len(s).
func (set *byteSet) next(s string, i int) int {
	if i+8 <= len(s) {
		// Over t, whose length bounds the loop, the compiler checks no
		// index of the eight.
		t := s[i:]
		j := 0
		for ; j < len(t)-7; j += 8 {
			if !set.noneOf8(t[j : j+8]) {
				break
			}
		}
		// The last bytes, fewer than eight (the end of most lines), are
		// told with the eight that end t, those before them known to be
		// none of the set, not byte by byte.
		if j > len(t)-8 && j < len(t) {
			if set.noneOf8(t[len(t)-8:]) {
				return len(s)
			}
		}
		i += j
	}
	for i < len(s) && set[s[i]] == 0 {
		i++
	}
	return i
}

// noneOf8 reports whether none of the eight bytes of b is in the set.
func (set *byteSet) noneOf8(b string) bool {
	_ = b[7]
	return set[b[0]]|set[b[1]]|set[b[2]]|set[b[3]]|set[b[4]]|set[b[5]]|set[b[6]]|set[b[7]] == 0
}
