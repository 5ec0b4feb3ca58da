package mailparse

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"strings"
	"sync"
)

// base64Reader decodes base64 leniently: characters outside the alphabet
// (line breaks, spaces, garbage) are skipped, padding in the middle
// (concatenated encodings) restarts decoding, and a truncated tail is
// decoded as far as it goes.
type base64Reader struct {
	r       io.Reader
	in      []byte
	acc     uint32 // bits of the current 4-character group
	nq      int
	out     []byte
	outPos  int
	eof     bool
	err     error
	skipped bool // non-alphabet, non-whitespace bytes were seen
	partial bool // input ended in the middle of a 4-character group
	sniff   bool // look at the first bytes: a text part may not be base64 at all
	plain   bool // it was not: bytes are passed through as they are

	// What tells canonical text (see Base64Span), with the body reader's
	// lineGeometry, which sees the lines: nothing is counted per byte.
	off     int64 // offset in the input of the next byte to decode
	urlSafe bool  // characters of the URL alphabet were decoded
	pads    int   // padding characters seen
	need    int   // padding characters the group they end needs; -1 when wrong
	padEnd  int64 // offset just after the last one
}

func newBase64Reader(r io.Reader) *base64Reader {
	b64pairsOnce.Do(buildB64Pairs)
	d, _ := decoderPool.b64.Get().(*base64Reader)
	if d == nil {
		return &base64Reader{r: r, in: make([]byte, 8<<10)}
	}
	*d = base64Reader{r: r, in: d.in, out: d.out[:0]}
	return d
}

// decoderPool recycles the transfer decoders and their buffers, which
// otherwise are most of what parsing a short mail allocates.
var decoderPool struct{ b64, qp sync.Pool }

// release gives d back to the pool; d must not be used after.
func (d *base64Reader) release() {
	d.r = nil
	decoderPool.b64.Put(d)
}

func (d *base64Reader) Read(p []byte) (int, error) {
	if d.outPos >= len(d.out) && len(p) >= len(d.in)+8 {
		return d.readInto(p)
	}
	for d.outPos >= len(d.out) {
		if d.eof {
			return 0, d.err
		}
		d.out = d.out[:0]
		d.outPos = 0
		d.fill()
	}
	n := copy(p, d.out[d.outPos:])
	d.outPos += n
	return n, nil
}

// readInto decodes into p itself, which holds what one read of the input
// gives (at most len(d.in), three quarters of it decoded, and a flushed
// group): a file's bytes were otherwise copied once more, from d.out.
func (d *base64Reader) readInto(p []byte) (int, error) {
	own := d.out
	d.out = p[:0:len(p)]
	for len(d.out) == 0 && !d.eof {
		d.fill()
	}
	n := len(d.out)
	d.out, d.outPos = own[:0], 0
	if n == 0 {
		return 0, d.err
	}
	return n, nil
}

// fill reads the next piece of input and appends what it decodes to d.out.
func (d *base64Reader) fill() {
	var in []byte
	var err error
	if b, ok := d.r.(*bodyReader); ok && !d.sniff {
		in = b.view(len(d.in)) // the input's own bytes, where they lie: not copied into d.in first
	}
	if in == nil {
		var n int
		n, err = d.r.Read(d.in)
		in = d.in[:n]
	}
	if d.sniff && len(in) > 0 {
		d.sniff = false
		d.plain = looksPlain(in)
	}
	if d.plain {
		d.out = append(d.out, in...)
	} else {
		d.decode(in)
	}
	d.off += int64(len(in))
	if err != nil {
		d.eof = true
		d.err = err
		if !d.plain {
			d.flush()
		}
	}
}

// looksPlain tells text that a sender labelled base64 without encoding
// it: base64 lines hold no spaces and no punctuation, prose is full of
// both. One in twenty is far beyond what damaged base64 carries.
func looksPlain(b []byte) bool {
	valid, odd := 0, 0
	for i, c := range b {
		switch v := b64table[c]; {
		case v < 128:
			valid++
		case c == ' ' || c == '\t':
			if i+1 < len(b) && b64table[b[i+1]] != b64Space {
				odd++ // a space inside a line
			}
		case v == b64Bad:
			odd++
		}
	}
	return valid+odd >= 16 && odd*20 > valid
}

func (d *base64Reader) decode(in []byte) {
	// The output is never longer than 3/4 of the input and the group
	// carried over: room for it is made once and written by index.
	n := len(d.out)
	out := slices.Grow(d.out, len(in)/4*3+3+2)
	out = out[:cap(out)]
	acc, nq := d.acc, d.nq
	for i := 0; i < len(in); {
		if nq == 0 {
			// Runs of alphabet characters, all of a line but its end, are
			// decoded eight (then four) at a time: the values are all
			// below 64 only when none is padding, space or garbage.
			k, j := decodeRun(out[n:], in[i:])
			n, i = n+k, i+j
			for ; i+4 <= len(in); i += 4 {
				a, b, c, e := b64table[in[i]], b64table[in[i+1]], b64table[in[i+2]], b64table[in[i+3]]
				if a|b|c|e >= 64 {
					break
				}
				w := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(e)
				out[n], out[n+1], out[n+2] = byte(w>>16), byte(w>>8), byte(w)
				n += 3
			}
			if i == len(in) {
				break
			}
		}
		v := b64table[in[i]]
		i++
		if v&^63 == 64 {
			// The URL alphabet's two characters: decoded as the standard
			// one's, noted as never what encoding writes back.
			v &= 63
			d.urlSafe = true
		}
		if v < 64 {
			acc = acc<<6 | uint32(v)
			nq++
			if nq == 4 {
				out[n], out[n+1], out[n+2] = byte(acc>>16), byte(acc>>8), byte(acc)
				n += 3
				acc, nq = 0, 0
			}
			continue
		}
		switch v {
		case b64Pad:
			d.pad(d.off+int64(i-1), acc, nq)
			d.out, d.acc, d.nq = out[:n], acc, nq
			d.flush()
			n, out, acc, nq = len(d.out), d.out[:cap(d.out)], 0, 0
		case b64Space:
		case b64Bad:
			d.skipped = true
		}
	}
	d.out, d.acc, d.nq = out[:n], acc, nq
}

// decodeRun decodes the standard alphabet's characters that start in,
// and the line breaks between them, while out has room for eight bytes;
// it returns the bytes written and the input bytes read, which end
// between two groups of four characters. Apart from decode, whose state
// kept the values in memory, the loop keeps them in registers.
func decodeRun(out, in []byte) (n, i int) {
	rest, dst := in, out
	// Lines of 72 characters or more, as mail clients write base64 (76,
	// 72), start with 72 decoded in one go: one check of them all and no
	// loop to go round nine times. Tried where a line starts, until a
	// line is shorter or holds something else.
	atLine, long := false, true
	// Where decodeBlocks is, it takes lines of 4k characters whole, and
	// any line from its start (the first from anywhere): decode72 is not
	// needed, and this loop takes what it leaves, up to a line break.
	blocks := useAVX2
	for len(rest) >= 8 && len(dst) >= 8 {
		if blocks {
			blocks = false
			k, j := decodeBlocks(dst, rest)
			rest, dst = rest[j:], dst[k:]
			continue
		}
		if atLine && long && !useAVX2 && len(rest) >= 72 && len(dst) >= 56 {
			atLine = false
			if decode72(dst[:56], rest[:72]) {
				// A line of 76, the most usual: its last four characters
				// and its line break, which the loop below would find
				// only after two failed rounds. Read where they lie, the
				// line cut off once: two cuts a line cost a sixth of
				// this loop's instructions.
				if len(rest) >= 78 && len(dst) >= 58 {
					x := binary.LittleEndian.Uint32(rest[72:])
					a, b := b64pairs[uint16(x)], b64pairs[x>>16]
					eol := 0
					switch {
					case (a|b)&b64PairBad != 0:
					case rest[76] == '\r' && rest[77] == '\n':
						eol = 2
					case rest[76] == '\n':
						eol = 1
					}
					if eol > 0 {
						binary.BigEndian.PutUint32(dst[54:], uint32(a)<<20|uint32(b)<<8)
						rest, dst, atLine = rest[76+eol:], dst[57:], true
						continue
					}
				}
				rest, dst = rest[72:], dst[54:]
				continue
			}
			long = false
		}
		// Four lookups of two characters each, from one load: the values
		// are all below 1<<12 only when none is padding, space or garbage.
		x := binary.LittleEndian.Uint64(rest)
		a, b := b64pairs[uint16(x)], b64pairs[uint16(x>>16)]
		c, e := b64pairs[uint16(x>>32)], b64pairs[x>>48]
		if (a|b|c|e)&b64PairBad == 0 {
			w := uint64(a)<<52 | uint64(b)<<40 | uint64(c)<<28 | uint64(e)<<16
			binary.BigEndian.PutUint64(dst, w) // 6 bytes decoded, 2 overwritten next
			rest, dst = rest[8:], dst[6:]
			continue
		}
		// A line's end: the four characters a line of 4k+4 has past its
		// last eight, then its line break, which decoding skips.
		switch {
		case (a|b)&b64PairBad == 0:
			binary.BigEndian.PutUint32(dst, uint32(a)<<20|uint32(b)<<8)
			rest, dst = rest[4:], dst[3:]
		case uint16(x) == '\r'|'\n'<<8:
			rest, atLine, blocks = rest[2:], true, useAVX2
		case byte(x) == '\n':
			rest, atLine, blocks = rest[1:], true, useAVX2
		default:
			return len(out) - len(dst), len(in) - len(rest)
		}
	}
	return len(out) - len(dst), len(in) - len(rest)
}

// decode72 decodes 72 characters into out's first 54 bytes (out holds
// 56: each store writes eight) and tells whether all were of the
// standard alphabet; when not, out holds garbage. Written out nine
// times: the compiler does not unroll loops.
func decode72(out []byte, in []byte) bool {
	out, in = out[:56], in[:72]
	var w uint64
	var b, bad uint16
	w, b = group8(in[0:8])
	bad |= b
	binary.BigEndian.PutUint64(out[0:8], w)
	w, b = group8(in[8:16])
	bad |= b
	binary.BigEndian.PutUint64(out[6:14], w)
	w, b = group8(in[16:24])
	bad |= b
	binary.BigEndian.PutUint64(out[12:20], w)
	w, b = group8(in[24:32])
	bad |= b
	binary.BigEndian.PutUint64(out[18:26], w)
	w, b = group8(in[32:40])
	bad |= b
	binary.BigEndian.PutUint64(out[24:32], w)
	w, b = group8(in[40:48])
	bad |= b
	binary.BigEndian.PutUint64(out[30:38], w)
	w, b = group8(in[48:56])
	bad |= b
	binary.BigEndian.PutUint64(out[36:44], w)
	w, b = group8(in[56:64])
	bad |= b
	binary.BigEndian.PutUint64(out[42:50], w)
	w, b = group8(in[64:72])
	bad |= b
	binary.BigEndian.PutUint64(out[48:56], w)
	return bad&b64PairBad == 0
}

// group8 decodes eight characters into the top six bytes of w; bad has
// b64PairBad set when one was not of the standard alphabet.
func group8(s []byte) (w uint64, bad uint16) {
	x := binary.LittleEndian.Uint64(s)
	a, b := b64pairs[uint16(x)], b64pairs[uint16(x>>16)]
	c, e := b64pairs[uint16(x>>32)], b64pairs[x>>48]
	return uint64(a)<<52 | uint64(b)<<40 | uint64(c)<<28 | uint64(e)<<16, a | b | c | e
}

// pad notes a padding character at off, acc and nq being the group it
// ends. Padding is canonical only where encoding puts it: in one run,
// ending a group of two or three characters whose unused low bits are
// zero.
func (d *base64Reader) pad(off int64, acc uint32, nq int) {
	switch {
	case d.pads > 0:
		if off != d.padEnd {
			d.need = -1
		}
	case nq == 2 && acc&0xf == 0:
		d.need = 2
	case nq == 3 && acc&0x3 == 0:
		d.need = 1
	default:
		d.need = -1
	}
	d.pads++
	d.padEnd = off + 1
}

// canonical tells whether the input, read to its end and decoded to
// size bytes, is canonical base64 text as far as the decoder sees (the
// body reader's lineGeometry sees the lines): every byte of the alphabet
// but the eols bytes of line endings the lines have, and the padding
// encoding puts, whose run must end the text's last line at textEnd.
// What is neither alphabet nor padding nor garbage is white space: the
// bytes the characters of size bytes leave, with no count per byte.
func (d *base64Reader) canonical(size, eols, textEnd int64) bool {
	pads := [3]int{0, 2, 1}[size%3]
	chars := size/3*4 + [3]int64{0, 2, 3}[size%3]
	return d.eof && d.err == io.EOF && !d.plain && !d.skipped && !d.partial && !d.urlSafe &&
		d.pads == pads && (pads == 0 || d.need == pads && d.padEnd == textEnd) &&
		d.off-chars-int64(pads) == eols
}

// flush decodes an incomplete group at padding or at the end of input.
func (d *base64Reader) flush() {
	switch d.nq {
	case 0:
		return
	case 1:
		d.partial = true
	case 2:
		d.out = append(d.out, byte(d.acc>>4))
	case 3:
		d.out = append(d.out, byte(d.acc>>10), byte(d.acc>>2))
	}
	if d.nq > 1 && d.eof {
		d.partial = true
	}
	d.acc, d.nq = 0, 0
}

const (
	b64Pad   = 0xfe
	b64Space = 0xfd
	b64Bad   = 0xff
)

// b64table maps a byte to its 6-bit value (both the standard and the URL
// alphabet, which some senders use: v&63 for those), or to b64Pad,
// b64Space or b64Bad.
var b64table = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Bad
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	// Marked apart (bit 6) from the standard alphabet, which alone the
	// fast loops take: the slow one decodes them and notes the text is
	// not canonical.
	t['-'], t['_'] = 64|62, 64|63
	t['='] = b64Pad
	for _, c := range " \t\r\n" {
		t[c] = b64Space
	}
	return t
}()

// b64pairs maps two characters of the standard alphabet, the first in
// the low byte, to their 12 bits; any other pair to b64PairBad. Built by
// the first base64 reader, not at start: 128 KB to fault in and 65,536
// entries to fill would slow every process, an empty poll's included.
var (
	b64pairs     [1 << 16]uint16
	b64pairsOnce sync.Once
)

func buildB64Pairs() {
	for i := range b64pairs {
		hi, lo := b64table[byte(i)], b64table[byte(i>>8)]
		if hi >= 64 || lo >= 64 {
			b64pairs[i] = b64PairBad
		} else {
			b64pairs[i] = uint16(hi)<<6 | uint16(lo)
		}
	}
}

const b64PairBad = 0x8000

// qpReader decodes quoted-printable leniently: "=" not followed by two hex
// digits is kept as is, soft breaks with trailing spaces are honoured,
// control characters pass through (mime/quotedprintable fails on them and
// would lose the rest of the part).
type qpReader struct {
	r    io.Reader
	line []byte // undecoded bytes carried over (an incomplete line)
	in   []byte
	out  []byte
	pos  int
	eof  bool
	err  error
}

func newQPReader(r io.Reader) *qpReader {
	q, _ := decoderPool.qp.Get().(*qpReader)
	if q == nil {
		return &qpReader{r: r, in: make([]byte, 4<<10)}
	}
	*q = qpReader{r: r, in: q.in, line: q.line[:0], out: q.out[:0]}
	return q
}

// release gives q back to the pool; q must not be used after.
func (q *qpReader) release() {
	q.r = nil
	decoderPool.qp.Put(q)
}

func (q *qpReader) Read(p []byte) (int, error) {
	for q.pos >= len(q.out) {
		if q.eof {
			return 0, q.err
		}
		q.out = q.out[:0]
		q.pos = 0
		n, err := q.r.Read(q.in)
		q.line = append(q.line, q.in[:n]...)
		if err != nil {
			q.eof = true
			q.err = err
		}
		q.decodeLines(q.eof)
	}
	n := copy(p, q.out[q.pos:])
	q.pos += n
	return n, nil
}

// decodeLines decodes every complete line in q.line (all of it at EOF).
// An incomplete line longer than 4 KB is decoded up to a safe point so
// that one endless line cannot grow the buffer.
func (q *qpReader) decodeLines(atEOF bool) {
	buf := q.line
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			break
		}
		q.decodeLine(buf[:i], qpFull)
		buf = buf[i+1:]
	}
	switch {
	case atEOF:
		if len(buf) > 0 {
			q.decodeLine(buf, qpLast)
		}
		buf = buf[:0]
	case len(buf) > 4096:
		// Cut before any "=" among the last bytes: an escape may be
		// split between this read and the next.
		cut := len(buf) - 3
		if k := bytes.LastIndexByte(buf[cut:], '='); k >= 0 {
			cut += k
		}
		q.decodeLine(buf[:cut], qpPiece)
		buf = buf[cut:]
	}
	q.line = append(q.line[:0], buf...)
}

type qpMode int

const (
	qpFull  qpMode = iota // a line that had a line break
	qpLast                // the last line, whose break belonged to the boundary
	qpPiece               // the middle of a very long line
)

func (q *qpReader) decodeLine(l []byte, mode qpMode) {
	soft := mode != qpFull
	if mode != qpPiece {
		l = bytes.TrimRight(l, "\r")
		// Trailing white space is transport padding (RFC 2045 6.7 (3)).
		l = trimRightWSP(l)
		if n := len(l); n > 0 && l[n-1] == '=' {
			soft = true
			l = l[:n-1]
		}
	}
	// Decoded output is never longer than its input: grow once, then
	// write by index (French text has an escape every few bytes, too
	// often for a search-and-copy loop to pay).
	n := len(q.out)
	out := slices.Grow(q.out, len(l)+2)[:n+len(l)+2]
	for i := 0; i < len(l); i++ {
		c := l[i]
		if c == '=' && i+2 < len(l) && isHex(l[i+1]) && isHex(l[i+2]) {
			c = unhex(l[i+1])<<4 | unhex(l[i+2])
			i += 2
		}
		out[n] = c
		n++
	}
	if !soft {
		out[n], out[n+1] = '\r', '\n'
		n += 2
	}
	q.out = out[:n]
}

// unflow undoes format=flowed (RFC 3676 4.2): a line ending in a space
// continues on the next line of the same quote depth; with DelSp=yes that
// space was added by the sender and is removed. s uses "\n" line ends.
func unflow(s string, delsp bool) string {
	var out strings.Builder
	out.Grow(len(s))
	var para strings.Builder
	depth, open := 0, false
	emit := func() {
		if depth > 0 {
			out.WriteString(strings.Repeat(">", depth))
			out.WriteByte(' ')
		}
		out.WriteString(para.String())
		out.WriteByte('\n')
		para.Reset()
		open = false
	}
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for _, line := range lines {
		d := 0
		for d < len(line) && line[d] == '>' {
			d++
		}
		content := line[d:]
		if strings.HasPrefix(content, " ") {
			content = content[1:] // space-stuffing
		}
		if open && d != depth {
			emit()
		}
		depth = d
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		para.WriteString(content)
		open = true
		if !flowed {
			emit()
		}
	}
	if open {
		emit()
	}
	return out.String()
}
