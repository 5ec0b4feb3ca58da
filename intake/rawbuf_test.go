package intake

import "testing"

func TestRawBufferClasses(t *testing.T) {
	for _, c := range []struct{ n, class int }{
		{0, -1}, {1 << 10, -1}, {1<<16 - 1, -1},
		{1 << 16, 0}, {1<<16 + 1, 1}, {700 << 10, 4}, {1 << 20, 4},
		{1 << 25, 9}, {1<<25 + 1, -1},
	} {
		if got := rawClass(c.n); got != c.class {
			t.Errorf("rawClass(%d) = %d, want %d", c.n, got, c.class)
		}
	}
}

func TestRawBuffersHaveTheSizeAsked(t *testing.T) {
	for _, n := range []int{10, 1 << 16, 700 << 10, 1 << 20, 40 << 20} {
		b := getRaw(n)
		if len(b) != n {
			t.Fatalf("getRaw(%d): len %d", n, len(b))
		}
		if c := rawClass(n); c >= 0 && cap(b) != 1<<(rawPoolMinShift+c) {
			t.Errorf("getRaw(%d): cap %d, not its class's", n, cap(b))
		}
		putRaw(b)
	}
	// A buffer given back serves the next mail of its class, cut to its
	// length.
	b := getRaw(600 << 10)
	b[0] = 1
	putRaw(b)
	if c := getRaw(900 << 10); len(c) != 900<<10 || cap(c) != 1<<20 {
		t.Errorf("reused buffer: len %d cap %d", len(c), cap(c))
	}
	// Slices of another capacity are left to the collector.
	putRaw(make([]byte, 100<<10))
	if c := getRaw(100 << 10); cap(c) != 128<<10 {
		t.Errorf("cap %d after a foreign slice was given back", cap(c))
	}
}
