package mailparse

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
	"sync"
)

// Bounds on what one message may cost. They are far above what a real
// application mail needs and only exist so that a hostile or broken message
// cannot exhaust memory or time.
const (
	maxMessageSize   = 256 << 20 // bytes read from r; the rest is ignored
	readBufferSize   = 16 << 10  // longest chunk handled as one piece of a line
	maxHeaderBytes   = 512 << 10 // one header block
	maxHeaderFields  = 2000      // one header block
	maxFieldBytes    = 64 << 10  // one (unfolded) header field
	maxDepth         = 20        // nested multiparts
	maxParts         = 1000      // parts in one message
	maxBodyText      = 2 << 20   // text/plain and text/html kept in memory
	maxParamSections = 64        // RFC 2231 continuations of one parameter
	maxLineLength    = 998       // RFC 5322 2.1.1, without CRLF
)

// srcReader bounds the input and remembers a genuine I/O error of the
// caller's reader, so that Parse can tell "the sender broke the message"
// (a defect) from "we could not read it" (an error).
type srcReader struct {
	r         io.Reader
	n         int64
	err       error
	truncated bool
}

func (s *srcReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.n >= maxMessageSize {
		if !s.truncated {
			// Only a message really longer than the bound is a defect.
			var one [1]byte
			if n, _ := s.r.Read(one[:]); n > 0 {
				s.truncated = true
			}
		}
		return 0, io.EOF
	}
	if rem := maxMessageSize - s.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// lineReader hands out the message line by line without ever holding more
// than one buffer: a line longer than the buffer comes out in pieces, and
// only the first piece of a line can be a boundary or a header.
type lineReader struct {
	br       *bufio.Reader // reads src, unless inPlace
	src      srcReader
	inPlace  bool   // the input is raw, whole (ParseBytes), read where it lies
	raw      []byte // when inPlace
	pos      int    // in raw: where the next chunk starts
	pushed   []byte // one line given back by the header reader
	atStart  bool   // the next chunk starts a line
	curLen   int    // length of the current line so far
	longLine bool   // a line over 998 bytes was seen
	off      int64  // offset in the input of the next chunk next returns
}

func newLineReader(r io.Reader) *lineReader {
	l, _ := readerPool.Get().(*lineReader)
	if l == nil {
		l = &lineReader{}
		l.br = bufio.NewReaderSize(&l.src, readBufferSize)
	}
	br := l.br
	*l = lineReader{br: br, src: srcReader{r: r}, atStart: true}
	br.Reset(&l.src)
	return l
}

// newLineReaderBytes reads raw where it lies, its bytes not copied into
// br's buffer first. raw must be no longer than maxMessageSize, the bound
// srcReader puts on a reader.
func newLineReaderBytes(raw []byte) *lineReader {
	l := newLineReader(nil)
	l.inPlace, l.raw = true, raw
	return l
}

// readSlice is br.ReadSlice('\n'), whatever the input is read from.
func (l *lineReader) readSlice() ([]byte, error) {
	if !l.inPlace {
		return l.br.ReadSlice('\n')
	}
	// As br gives them: up to the first "\n" in the next readBufferSize
	// bytes, else those bytes, else what is left at the end. Capped: an
	// append to a chunk must not write into the caller's mail.
	rest := l.raw[l.pos:]
	w := rest[:min(len(rest), readBufferSize)]
	var err error
	if i := bytes.IndexByte(w, '\n'); i >= 0 {
		w = w[:i+1]
	} else if len(w) == readBufferSize {
		err = bufio.ErrBufferFull
	} else {
		err = io.EOF
	}
	l.pos += len(w)
	return w[:len(w):len(w)], err
}

// buffered returns the bytes that follow and are at hand, which the
// caller may take with discard.
func (l *lineReader) buffered() []byte {
	if l.inPlace {
		rest := l.raw[l.pos:]
		return rest[:len(rest):len(rest)]
	}
	b, _ := l.br.Peek(l.br.Buffered())
	return b
}

func (l *lineReader) discard(n int) {
	if l.inPlace {
		l.pos += n
		return
	}
	l.br.Discard(n)
}

// readerPool and textPool recycle the two buffers every Parse needs: on a
// few-KB mail, allocating (and collecting) them cost more than reading it.
var (
	readerPool sync.Pool // *lineReader, its bufio.Reader of readBufferSize
	textPool   sync.Pool // *[]byte for text parts
)

// release returns l and its read buffer to the pool; l must not be used
// after.
func (l *lineReader) release() {
	l.br.Reset(nil)
	l.src.r, l.raw = nil, nil
	readerPool.Put(l)
}

// next returns the next chunk: a whole line with its line ending, or a
// piece of a longer line. start tells whether the chunk begins a line.
// The slice is only valid until the next call. err is io.EOF at the end
// (or the reader's I/O error).
func (l *lineReader) next() (chunk []byte, start bool, err error) {
	if l.pushed != nil {
		chunk, l.pushed = l.pushed, nil
		l.atStart = true
		l.off += int64(len(chunk))
		return chunk, true, nil
	}
	start = l.atStart
	chunk, err = l.readSlice()
	switch err {
	case nil:
		l.atStart = true
	case bufio.ErrBufferFull:
		err = nil
		l.atStart = false
	default:
		if l.src.err != nil {
			err = l.src.err
		}
		if len(chunk) > 0 {
			// Hand out the last bytes now, the error on the next call.
			err = nil
			l.atStart = true
		}
	}
	if start {
		l.curLen = 0
	}
	l.off += int64(len(chunk))
	l.curLen += len(chunk)
	if l.curLen > maxLineLength+2 {
		if c, _ := splitEOL(chunk); l.curLen-(len(chunk)-len(c)) > maxLineLength {
			l.longLine = true
		}
	}
	return chunk, start, err
}

// unread gives a whole line back; it is copied because the buffer
// behind it is about to be reused.
func (l *lineReader) unread(line []byte) {
	l.pushed = append([]byte(nil), line...)
	l.off -= int64(len(line))
}

// peek returns up to n bytes that follow, without consuming them.
func (l *lineReader) peek(n int) []byte {
	if l.pushed != nil {
		if len(l.pushed) < n {
			return l.pushed
		}
		return l.pushed[:n]
	}
	if l.inPlace {
		rest := l.raw[l.pos:]
		n = min(n, len(rest))
		return rest[:n:n]
	}
	b, _ := l.br.Peek(n)
	return b
}

// splitEOL separates a line from its ending ("\r\n", "\n" or nothing).
func splitEOL(line []byte) (content, eol []byte) {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		if n > 1 && line[n-2] == '\r' {
			return line[:n-2], line[n-2:]
		}
		return line[:n-1], line[n-1:]
	}
	return line, nil
}

// termination says what ended the last body read: a boundary of the given
// stack level (final when it carried the closing "--"), or the end of input.
type termination struct {
	eof   bool
	level int
	final bool
}

// bodyReader streams the raw (still transfer-encoded) body of one entity up
// to the next boundary line of any enclosing multipart. The line ending
// before a boundary belongs to the boundary (RFC 2046 5.1.1), so each line
// ending is held back until the next line shows it is not a boundary.
type bodyReader struct {
	p       *parser
	base    int64        // offset in the parser's input of the body's first byte
	geo     lineGeometry // of a base64 attachment's body
	pending []byte
	buf     []byte
	eol     [2]byte
	eolLen  int
	done    bool
	err     error

	longLines bool // a line too long was seen: no more wholeLines
}

// newBody starts reading the next body. A parser reads one at a time:
// the reader, and the buffer of its long lines, is the parser's own,
// the last one's done with.
func (p *parser) newBody() *bodyReader {
	p.body = bodyReader{p: p, base: p.lr.off, buf: p.body.buf[:0]}
	return &p.body
}

// held is the line ending held back at the end of the body, once read:
// it follows the body's last byte in the input.
func (b *bodyReader) held() []byte {
	return b.eol[:b.eolLen]
}

func (b *bodyReader) Read(out []byte) (int, error) {
	n := 0
	for n < len(out) {
		if len(b.pending) > 0 {
			k := copy(out[n:], b.pending)
			b.pending = b.pending[k:]
			n += k
			continue
		}
		if b.done {
			break
		}
		// Whole lines are copied straight into out while they fit: one
		// Read hands the decoder many lines, not one.
		if k := b.lines(out[n:]); k > 0 {
			n += k
			continue
		}
		b.nextLine(out[n:], &n)
	}
	if n > 0 {
		return n, nil
	}
	return 0, b.err
}

// nextLine reads the next line of the body. It goes to dst (counted in
// *n) when it fits, else to b.pending.
func (b *bodyReader) nextLine(dst []byte, n *int) {
	chunk, start, err := b.p.lr.next()
	if err != nil {
		b.done = true
		b.p.term = termination{eof: true}
		b.err = io.EOF
		if err != io.EOF {
			b.err = err
		}
		return
	}
	if start && len(chunk) >= 2 && chunk[0] == '-' && chunk[1] == '-' {
		if lvl, final, ok := b.p.boundaryOf(chunk); ok {
			b.done = true
			b.p.term = termination{level: lvl, final: final}
			b.err = io.EOF
			return
		}
	}
	content, eol := splitEOL(chunk)
	if b.geo.on {
		b.geo.add(len(content), len(eol), b.p.lr.off)
	}
	if k := b.eolLen; k+len(content) <= len(dst) {
		b.putHeld(dst)
		*n += k + copy(dst[k:], content)
	} else {
		b.buf = append(b.buf[:0], b.eol[:b.eolLen]...)
		b.buf = append(b.buf, content...)
		b.pending = b.buf
	}
	b.hold(eol)
}

// The line ending's one or two bytes are set, not copied, by putHeld and
// hold: a call to memmove for each cost more than the line's own copy.

// putHeld writes the held line ending at the start of dst.
func (b *bodyReader) putHeld(dst []byte) {
	switch b.eolLen {
	case 2:
		dst[0], dst[1] = b.eol[0], b.eol[1]
	case 1:
		dst[0] = b.eol[0]
	}
}

// hold holds eol back, the line ending after the body's bytes so far.
func (b *bodyReader) hold(eol []byte) {
	switch b.eolLen = len(eol); b.eolLen {
	case 2:
		b.eol[0], b.eol[1] = eol[0], eol[1]
	case 1:
		b.eol[0] = eol[0]
	}
}

// lines does what nextLine does for each whole line the read buffer
// holds, in one loop over the buffer: a line through lineReader.next and
// nextLine cost more calls than its bytes. It stops before a line that
// may be a boundary ("--"), one longer than a line may be, one not all
// in the buffer, or one that does not fit in dst, which nextLine takes;
// it returns the bytes written to dst. What the lines give, the held
// line ending, each line and the endings between them, is the buffer's
// bytes as they lie but the last ending, held in turn: one copy for all.
func (b *bodyReader) lines(dst []byte) int {
	held := b.eolLen
	buf, used, eolLen := b.takeLines(len(dst) - held)
	if used == 0 {
		return 0
	}
	b.putHeld(dst)
	n := held + copy(dst[held:], buf[:used-eolLen])
	b.hold(buf[used-eolLen : used])
	return n
}

// view is lines for a parser reading its input in place (ParseBytes),
// with no copy: the held line ending and the lines, up to room bytes,
// are the input's bytes as they lie, and view returns them. It returns
// nil where lines would take nothing (or the input is not read in
// place), for Read to go on. A decoder reading a base64 attachment so
// reads it where it lies, not copied into its buffer first.
func (b *bodyReader) view(room int) []byte {
	l := b.p.lr
	if !l.inPlace || len(b.pending) > 0 || b.done {
		return nil
	}
	// The held line ending is the one of the line read last, which lies
	// just before what follows, unless that line was one given back.
	start, held := l.pos, b.eolLen
	if start < held || held > 0 && l.raw[start-1] != b.eol[held-1] || held == 2 && l.raw[start-2] != b.eol[0] {
		return nil
	}
	buf, used, eolLen := b.takeLines(room - held)
	if used == 0 {
		return nil
	}
	b.hold(buf[used-eolLen : used])
	return l.raw[start-held : start+used-eolLen : start+used-eolLen]
}

// takeLines finds the whole lines lines takes, room bytes of dst left
// after the held line ending, and reads past them: it returns the
// buffer they start, their bytes with their endings, and the last
// one's ending's length.
func (b *bodyReader) takeLines(room int) (buf []byte, used, eolLen int) {
	l := b.p.lr
	if l.pushed != nil || !l.atStart {
		return nil, 0, 0
	}
	buf = l.buffered()
	off := l.off
	if !b.geo.on && len(b.p.bounds) == 0 && !b.longLines {
		// No line can be a boundary (a mail's own text, not in a
		// multipart): its lines are found many at once, not one by one.
		// A body with lines too long, which the many would read again
		// for each, is left to the loop.
		k, e, n, long := wholeLines(buf, room)
		if k > 0 {
			used, eolLen, off, l.curLen = k, e, off+int64(k), n
		}
		b.longLines = long
	}
	for {
		rest := buf[used:]
		if g := &b.geo; g.on && g.want > 0 {
			// Amid a base64 text: the lines as long as its first, many
			// at once (each found by IndexByte cost as much as decoding
			// it).
			if k := fullLines(rest, g.want, g.eol, room-used); k > 0 {
				used += k * (g.want + g.eol)
				off += int64(k * (g.want + g.eol))
				eolLen = g.eol
				g.end = off // as add does for each
				l.curLen = g.want + g.eol
				continue
			}
		}
		i := bytes.IndexByte(rest[:min(len(rest), maxLineLength+2)], '\n')
		if i < 0 {
			break
		}
		line := rest[:i+1]
		if len(line) >= 2 && line[0] == '-' && line[1] == '-' {
			break
		}
		content, eol := splitEOL(line)
		if used+len(content) > room {
			break
		}
		used += len(line)
		eolLen = len(eol)
		off += int64(len(line))
		if b.geo.on {
			b.geo.add(len(content), len(eol), off)
		}
		l.curLen = len(line)
	}
	if used > 0 {
		l.discard(used)
		l.off = off
	}
	return buf, used, eolLen
}

// wholeLines returns what the loop of lines takes of b, room bytes of
// dst left, when no line may be a boundary: the bytes of the whole lines,
// each ended by a line feed within maxLineLength+2 bytes of its start,
// up to the last whose content (but its line ending) fits; the line
// ending of the last, and its length. Before a line too long, where that
// loop stops, it may return fewer, for the loop to take the rest, and
// tells it saw one (long).
//
// It goes wholeLinesWindow bytes at a time, bounding what it reads for
// what it takes whatever the lines: in each it finds the last line that
// fits, then tells its lines are not too long by looking at the one
// around every maxLineLength+3rd byte (a line too long, of more bytes
// than that loop looks at, holds one of those).
func wholeLines(b []byte, room int) (used, eolLen, last int, long bool) {
	for {
		w, left := b[used:min(len(b), used+wholeLinesWindow)], room-used
		if left < 0 {
			return used, eolLen, last, false
		}
		end := lastLF(w[:min(len(w), left+2)])
		if end == left+1 && w[end-1] != '\r' {
			end = lastLF(w[:end]) // its content one byte past room
		}
		if end < 0 {
			// None that fits, or a line too long: no line feed in the
			// bytes that loop looks at for one.
			return used, eolLen, last, min(len(w), left+2) > maxLineLength+2
		}
		for at := 0; at <= end; at += maxLineLength + 3 {
			start := lastLF(w[:at]) + 1
			if next := bytes.IndexByte(w[at:end+1], '\n'); at+next+1-start > maxLineLength+2 {
				return used, eolLen, last, true
			}
		}
		eolLen = 1
		if end > 0 && w[end-1] == '\r' {
			eolLen = 2
		}
		used, last = used+end+1, end-lastLF(w[:end])
	}
}

// lastLF is bytes.LastIndexByte(b, '\n') eight bytes at a time, where
// the standard library's goes a byte at a time: wholeLines looks back
// over a line or so a few times a window, a seventh of a text's reading.
func lastLF(b []byte) int {
	i := len(b)
	for ; i >= 8; i -= 8 {
		// A byte's high bit is set in m where it is '\n': (its low seven
		// bits)+0x7f carries into the high bit unless they are all zero,
		// with no carry out of the byte.
		const low7 = 0x7f7f7f7f7f7f7f7f
		x := binary.LittleEndian.Uint64(b[i-8:]) ^ '\n'*ones
		m := ^((x&low7 + low7) | x | low7)
		if m != 0 {
			return i - 1 - bits.LeadingZeros64(m)/8
		}
	}
	for i--; i >= 0; i-- {
		if b[i] == '\n' {
			break
		}
	}
	return i
}

// wholeLinesWindow is how much of a body wholeLines reads at a time: a
// few lines of the longest a line may be.
const wholeLinesWindow = 4 << 10

// fullLines returns how many lines at the start of b the loop of lines
// would take one by one as lines of n bytes and an eol-byte ending, room
// bytes of dst left: none that may be a boundary, ends with something
// else, or holds a line feed before its end. A single line is left to
// that loop.
func fullLines(b []byte, n, eol, room int) int {
	stride := n + eol
	if stride > maxLineLength+2 || stride < 4 || room < n { // lines of base64 have 72 characters or more
		return 0
	}
	k := min(len(b)/stride, (room-n)/stride+1)
	if useAVX2 && stride >= 32 {
		k = fullLinesAVX2(b[:k*stride], stride, eol) // both checks in one pass
	} else {
		k = fullLinesGo(b[:k*stride], stride, eol)
	}
	if k < 2 {
		return 0
	}
	return k
}

// fullLinesGo is the rule of fullLines for len(lines)/stride lines: how
// many lines from the start are not a boundary and end as they must, or
// 0 when one of those holds a line feed before its end.
func fullLinesGo(lines []byte, stride, eol int) int {
	k, crlf := len(lines)/stride, eol == 2
	// Line after line, each cut from the rest: no multiplication, and
	// no bounds check but the loop's.
	for rest := lines; len(rest) >= stride; rest = rest[stride:] {
		if line := rest[:stride]; line[0] == '-' && line[1] == '-' || line[stride-1] != '\n' || line[stride-2] == '\r' != crlf {
			k = (len(lines) - len(rest)) / stride
			break
		}
	}
	// One count of the line feeds, which runs wide, finds any in a
	// line's middle.
	if bytes.Count(lines[:k*stride], []byte{'\n'}) != k {
		return 0
	}
	return k
}

// lineGeometry follows the lines of a base64 body, as the body reader
// sees them anyway, for a canonical text (see Base64Span): lines of one
// length (the last no longer) and one line ending, blank lines only
// around them. What the lines hold is the decoder's to check. Offsets
// are in the parser's input.
type lineGeometry struct {
	on      bool
	bad     bool  // not canonical
	started bool  // a line of text was seen
	last    bool  // the text ended: a short line, or a blank line after it
	cur     int   // bytes of the current line so far (a long one comes in pieces)
	line    int   // characters of a full line: the first's
	want    int   // line while the text goes on in whole full lines (the inlined path takes the next), else -1
	eol     int   // bytes of the text's line endings
	start   int64 // the text's first line
	end     int64 // just after the text's last line ending
	lastLen int   // characters of the text's last line
	blanks  int64 // line ending bytes of the blank lines
}

// add takes a chunk of n bytes ended by an eol-byte line ending (0: a
// piece of a longer line, or the end of the input), next the offset
// after it. A full line of the text costs a few comparisons, inlined.
func (g *lineGeometry) add(n, eol int, next int64) {
	if n == g.want && eol == g.eol {
		g.end = next // lastLen is line already
		return
	}
	g.addLine(n, eol, next)
}

func (g *lineGeometry) addLine(n, eol int, next int64) {
	if eol == 0 {
		g.cur += n
	} else {
		g.take(n+g.cur, eol, next)
		g.cur = 0
	}
	g.want = -1
	if g.started && !g.last && !g.bad && g.cur == 0 {
		g.want = g.line
	}
}

// take takes a whole line of n bytes but its line ending.
func (g *lineGeometry) take(n, eol int, next int64) {
	switch {
	case g.bad:
	case n == 0:
		// Blank: before the text, ignored; after, its end.
		g.last = g.started
		g.blanks += int64(eol)
	case g.last:
		g.bad = true
	case !g.started:
		// As the rebuild's format wants (a multiple of 4) and as mail
		// clients write (76, 72 or more).
		g.started, g.start, g.line, g.eol = true, next-int64(n+eol), n, eol
		g.end, g.lastLen = next, n
		g.bad = n < 72 || n%4 != 0
	case eol != g.eol || n > g.line:
		g.bad = true
	case n < g.line:
		g.last = true
		g.end, g.lastLen = next, n
	default: // a full line in pieces
		g.end = next
	}
}

// span returns the text's place once the body was read, if its lines
// are those of a canonical text, and the line ending bytes of the body:
// the text's and the blank lines'.
func (g *lineGeometry) span() (start, end, eols int64, ok bool) {
	if !g.started || g.bad || g.cur > 0 || g.lastLen%4 != 0 {
		return 0, 0, 0, false // g.cur: a last line not ended
	}
	lines := (g.end-g.start-int64(g.lastLen+g.eol))/int64(g.line+g.eol) + 1
	return g.start, g.end, lines*int64(g.eol) + g.blanks, true
}

// boundaryOf reports whether line is a delimiter of an open multipart,
// innermost first, and whether it is a closing delimiter.
func (p *parser) boundaryOf(line []byte) (level int, final bool, ok bool) {
	if len(line) < 3 || line[0] != '-' || line[1] != '-' {
		return 0, false, false
	}
	rest := bytes.TrimRight(line[2:], " \t\r\n")
	if bytes.IndexByte(rest, ' ') >= 0 || bytes.IndexByte(rest, '\t') >= 0 {
		rest = []byte(boundaryKey(string(rest)))
	}
	for i := len(p.bounds) - 1; i >= 0; i-- {
		b := p.bounds[i]
		if b == "" {
			// A multipart without a usable boundary matches nothing
			// until one is found in its body.
			continue
		}
		if len(rest) < len(b) || string(rest[:len(b)]) != b {
			continue
		}
		switch tail := rest[len(b):]; {
		case len(tail) == 0:
			return i, false, true
		case len(tail) == 2 && tail[0] == '-' && tail[1] == '-':
			return i, true, true
		}
	}
	return 0, false, false
}
