package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/bits"
	"mime"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxAttachmentSize applies when Options.MaxAttachmentSize is zero.
const DefaultMaxAttachmentSize = 20 << 20

// ErrAttachmentTooLarge is what the reader handed to Sink.Put returns once
// the attachment goes past Options.MaxAttachmentSize. The size of a
// streamed part is only known at its end, so the Sink may have started
// storing it: it must then fail and discard what it wrote. Parse records
// the attachment as TooLarge and does not treat that failure as an error.
var ErrAttachmentTooLarge = errors.New("mailparse: attachment above the size limit")

// parser holds the state of one Parse call.
type parser struct {
	lr     *lineReader
	opts   Options
	msg    *Message
	wd     mime.WordDecoder
	bounds []string    // boundaries of the open multiparts, outermost first
	term   termination // what ended the last body or header read
	parts  int
	leaves int

	textSet, htmlSet bool
	textParts        []string // in textPartsIn, unless a mail has more
	textPartsIn      [2]string
	lowerHTML        string  // p.msg.HTML lowercased, made on first need
	textBuf          *[]byte // reused for each text part, from textPool
	notedCase        bool
	notedParts       bool
	ioErr            error // the Sink's failure, which aborts Parse
	use              usage // what the message cost so far (Options.Limits)

	depth    int      // of an attached message read as a forward (see attached.go); 0 for the mail
	rawBase  int64    // offset in the mail of the input's first byte; -1 when the input is not the mail's bytes as they came
	forwards []string // the attached messages read, rendered as forwards

	body     bodyReader // the body being read (newBody)
	*scratch            // buffers kept from one Parse to the next
}

// Parse reads one message from r. Defects of the message are listed in
// Message.Errors and never make Parse fail; the returned error is only set
// when r or opts.Sink fails, and then the Message holds what was read so
// far.
func Parse(r io.Reader, opts Options) (*Message, error) {
	return parse(newLineReader(r), opts)
}

// ParseBytes is Parse(bytes.NewReader(raw), opts), which it reads where
// it lies instead of copying it into a read buffer. raw must not change
// until it returns; the Message holds no part of it.
func ParseBytes(raw []byte, opts Options) (*Message, error) {
	if len(raw) > maxMessageSize {
		return Parse(bytes.NewReader(raw), opts) // cut by srcReader, which says so
	}
	return parse(newLineReaderBytes(raw), opts)
}

// parse is Parse and ParseBytes, once the input has its line reader.
func parse(lr *lineReader, opts Options) (*Message, error) {
	if opts.MaxAttachmentSize <= 0 {
		opts.MaxAttachmentSize = DefaultMaxAttachmentSize
	}
	opts.Limits = opts.Limits.withDefaults()
	p := newParser(lr, opts)
	p.run()
	srcErr := p.lr.src.err
	p.release()
	if srcErr != nil {
		return p.msg, fmt.Errorf("mailparse: reading message: %w", srcErr)
	}
	if p.ioErr != nil {
		return p.msg, p.ioErr
	}
	return p.msg, nil
}

// newParser reads one message from lr: the mail, or a message attached
// to it (see attached.go).
func newParser(lr *lineReader, opts Options) *parser {
	p := &parser{lr: lr, opts: opts, msg: &Message{}} // Header made by topHeader, which run always calls
	p.wd.CharsetReader = wordCharsetReader
	p.scratch, _ = scratchPool.Get().(*scratch)
	if p.scratch == nil {
		p.scratch = &scratch{}
	}
	return p
}

// scratch holds the buffers a parser reuses from one header field or
// block to the next. They are kept from one Parse to the next too:
// grown anew for each mail, they were a fifth of what parsing one
// allocated.
type scratch struct {
	fieldRaw     []byte // the header field being read
	fieldValue   []byte // and unfolded
	headerValues []byte // the ASCII values of the header block being read
	valueEnds    []int  // where each field's value ends in headerValues
	topFields    header // the top-level header's fields, cleared by release
}

var scratchPool sync.Pool // *scratch

// release gives back the parser's buffers; p must not be used after but
// for its msg.
func (p *parser) release() {
	p.lr.release()
	s := p.scratch
	clear(s.topFields[:cap(s.topFields)]) // its strings are the mail's, not the pool's to keep alive
	if max(cap(s.fieldRaw), cap(s.fieldValue), cap(s.headerValues)) <= 64<<10 && cap(s.topFields) <= 256 {
		scratchPool.Put(s) // a rare huge header is left to the collector
	}
	p.scratch = nil
	if p.textBuf != nil && cap(*p.textBuf) <= 256<<10 {
		textPool.Put(p.textBuf) // a rare huge body is left to the collector
	}
}

func (p *parser) defect(format string, args ...any) {
	if len(p.msg.Errors) >= 100 {
		return // enough to judge the message; the rest would only cost memory
	}
	p.msg.Errors = append(p.msg.Errors, fmt.Sprintf(format, args...))
}

func (p *parser) run() {
	h, ended := p.readHeader(topLevelHeader)
	p.topHeader(h)
	if !ended {
		p.entity(h, entityCtx{})
	}
	p.finish()
}

// topHeader fills the Message fields that come from the top-level header.
func (p *parser) topHeader(h header) {
	m := p.msg
	// As m.Header.Add would, with one allocation for the fields' values
	// rather than one per field.
	m.Header = make(textproto.MIMEHeader, len(h))
	values := make([]string, len(h))
	for i, f := range h {
		key, v := f.Key, decodeWords(f.Value) // canonical already (makeField)
		if vs, ok := m.Header[key]; ok {
			m.Header[key] = append(vs, v)
			continue
		}
		values[i] = v
		m.Header[key] = values[i : i+1 : i+1] // an append copies, never overwrites the next
	}
	if len(h) > 0 && !h.has("Mime-Version") {
		p.defect("missing MIME-Version header")
	}
	m.MessageID = firstMsgID(h.get("Message-Id"))
	m.InReplyTo = firstMsgID(h.get("In-Reply-To"))
	m.References = msgIDs(h.get("References"))
	m.Subject = headerText(m.Header.Get("Subject")) // decoded above
	if h.has("Date") {
		if t, err := parseDate(h.get("Date")); err == nil {
			m.Date, m.HasDate = t, true
		} else {
			p.defect("Date header: %v", err)
		}
	}
	from := p.addresses("From", h.get("From"))
	if len(from) == 0 && h.has("Sender") {
		// RFC 5322 3.6.2: the Sender is who sent the mail; without a
		// usable From it is the best sender there is.
		if from = p.addresses("Sender", h.get("Sender")); len(from) > 0 {
			p.defect("no usable From header: sender taken from Sender")
		}
	}
	if len(from) > 0 {
		m.FromEmail = from[0].Email
		m.FromName = headerText(from[0].Name)
	}
	m.To = p.addresses("To", h.get("To"))
	m.Cc = p.addresses("Cc", h.get("Cc"))
	m.ReplyTo = p.addresses("Reply-To", h.get("Reply-To"))
	ct, params := p.parseParams(h.get("Content-Type"))
	if ct == "" || !strings.Contains(ct, "/") {
		ct = "text/plain"
	}
	m.ContentType = ct
	if ct == "multipart/report" {
		m.ReportType = strings.ToLower(params.get("report-type"))
	}
}

// finish derives what can only be known once every part has been seen.
func (p *parser) finish() {
	m := p.msg
	if p.lr.longLine {
		p.defect("line longer than 998 bytes (RFC 5322 2.1.1)")
	}
	if p.lr.src.truncated {
		p.defect("message longer than %d MB: the rest was not read", maxMessageSize>>20)
	}
	if p.depth == 0 {
		p.reportLimits() // an attached message's count with the mail's
	}
	m.Text = strings.Join(p.textParts, "\n")
	if strings.TrimSpace(m.Text) == "" {
		m.Text = ""
		if t := HTMLToText(m.HTML); t != "" {
			m.Text = t
			m.TextFromHTML = true
		}
	}
	for _, f := range p.forwards {
		if m.Text != "" {
			m.Text = strings.TrimRight(m.Text, "\n") + "\n\n"
		}
		m.Text += f
	}
	// Inline is only certain once the HTML is known: it may come after
	// the images it shows.
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if a.ContentID != "" && p.htmlCites(a.ContentID) {
			a.Inline = true
		}
	}
}

// htmlCites reports whether the HTML body shows the part of Content-ID
// id. The lowercased HTML is made once, and only for messages whose
// parts carry a Content-ID: lowering every HTML body cost a quarter of
// the parse time of a plain text mail.
func (p *parser) htmlCites(id string) bool {
	if p.msg.HTML == "" {
		return false
	}
	if len(p.lowerHTML) != len(p.msg.HTML) {
		p.lowerHTML = strings.ToLower(p.msg.HTML)
	}
	return strings.Contains(p.lowerHTML, "cid:"+strings.ToLower(id))
}

// entityCtx is what a part needs to know about where it sits.
type entityCtx struct {
	depth    int
	parent   string // media type of the enclosing multipart
	inReport bool   // inside a multipart/report
}

// entity reads the body of an entity whose header has been read, up to
// the boundary that ends it (recorded in p.term).
func (p *parser) entity(h header, ctx entityCtx) {
	ctRaw := h.get("Content-Type")
	ct, params := p.parseParams(ctRaw)
	if ct == "" {
		ct = "text/plain"
		if ctx.parent == "multipart/digest" {
			ct = "message/rfc822"
		}
	} else if !strings.Contains(ct, "/") || strings.ContainsAny(ct, " \t") {
		p.defect("invalid Content-Type %q: read as text/plain", truncate(ctRaw, 100))
		ct = "text/plain"
	}
	if strings.HasPrefix(ct, "multipart/") {
		if ctx.depth >= maxDepth {
			p.defect("multipart nested deeper than %d levels: content skipped", maxDepth)
			p.discard(p.newBody())
			return
		}
		p.multipart(ct, params.get("boundary"), ctx)
		return
	}
	p.leaf(h, ct, &params, ctx)
}

// multipart walks the parts of a multipart body.
func (p *parser) multipart(ct, boundary string, ctx entityCtx) {
	level := len(p.bounds)
	p.bounds = append(p.bounds, boundaryKey(boundary))
	defer func() { p.bounds = p.bounds[:level] }()
	if boundary == "" {
		p.defect("%s without boundary parameter", ct)
	}

	// The preamble: skipped, unless no part ever starts, in which case it
	// is the only content there is.
	var pre []byte
	started := false
	for !started {
		chunk, start, err := p.lr.next()
		if err != nil {
			p.term = termination{eof: true}
			break
		}
		if start && len(chunk) > 2 && chunk[0] == '-' && chunk[1] == '-' {
			if lvl, final, ok := p.boundaryOf(chunk); ok {
				p.term = termination{level: lvl, final: final}
				if lvl == level && !final {
					started = true
					break
				}
				if lvl == level {
					p.defect("%s has no parts", ct)
					p.bounds = p.bounds[:level]
					p.skipToBoundary()
					return
				}
				break // an enclosing boundary: this multipart is empty
			}
			if cand := candidateBoundary(chunk); cand != "" {
				// partHeaderFollows peeks, which may refill the read
				// buffer chunk lies in: the line is kept first (read a
				// byte at a time, "--00" was kept as "0-00").
				if len(pre) < maxBodyText {
					pre = append(pre, chunk...)
				}
				if p.partHeaderFollows() {
					if boundary != "" {
						p.defect("%s: declared boundary %q not found, using %q found in the body", ct, boundary, cand)
					}
					p.bounds[level] = boundaryKey(cand)
					started = true
				}
				continue
			}
		}
		if len(pre) < maxBodyText {
			pre = append(pre, chunk...)
		}
	}
	if !started {
		p.defect("%s: no part delimited by its boundary; body read as text", ct)
		p.textFromBytes(pre, "", "multipart body")
		return
	}

	child := entityCtx{depth: ctx.depth + 1, parent: ct, inReport: ctx.inReport || ct == "multipart/report"}
	for {
		p.parts++
		if p.parts > maxParts {
			if !p.notedParts {
				p.notedParts = true
				p.defect("more than %d parts: the rest skipped", maxParts)
			}
			p.bounds = p.bounds[:level]
			p.skipToBoundary()
			return
		}
		h, ended := p.readHeader("part header")
		if !ended {
			p.entity(h, child)
		}
		if p.ioErr != nil {
			return
		}
		switch t := p.term; {
		case t.eof:
			p.defect("%s: closing boundary missing", ct)
			return
		case t.level == level && !t.final:
			continue
		case t.level == level:
			p.bounds = p.bounds[:level]
			p.skipToBoundary() // the epilogue
			return
		default:
			p.defect("%s: closed by an enclosing boundary", ct)
			return
		}
	}
}

// boundaryKey is the boundary as compared with delimiter lines: without
// its white space. RFC 2046 allows spaces inside a boundary (not at its
// end, which senders ignore) and folding may turn them into a line
// break; the delimiter lines then rarely match them byte for byte.
func boundaryKey(b string) string {
	if strings.IndexByte(b, ' ') < 0 && strings.IndexByte(b, '\t') < 0 {
		return b
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, b)
}

// maxBoundary bounds a boundary found in a body. RFC 2046 says 70
// characters; generators exist that write several hundred.
const maxBoundary = 1000

// candidateBoundary returns the boundary a "--something" line would
// declare, or "" if it cannot be one.
func candidateBoundary(line []byte) string {
	c := strings.TrimRight(string(line[2:]), " \t\r\n")
	if len(c) == 0 || len(c) > maxBoundary || strings.HasSuffix(c, "--") {
		return ""
	}
	for i := 0; i < len(c); i++ {
		if c[i] < 33 || c[i] > 126 {
			if c[i] != ' ' {
				return ""
			}
		}
	}
	return c
}

// partHeaderFollows peeks at the next line: a "--x" line is taken as a
// boundary only when a MIME header starts right after it.
func (p *parser) partHeaderFollows() bool {
	b := p.lr.peek(64)
	if len(b) < 8 {
		return false
	}
	return strings.HasPrefix(strings.ToLower(string(b)), "content-")
}

// skipToBoundary discards lines up to a boundary of an open multipart.
func (p *parser) skipToBoundary() {
	for {
		chunk, start, err := p.lr.next()
		if err != nil {
			p.term = termination{eof: true}
			return
		}
		if start {
			if lvl, final, ok := p.boundaryOf(chunk); ok {
				p.term = termination{level: lvl, final: final}
				return
			}
		}
	}
}

func (p *parser) discard(r io.Reader) {
	io.Copy(io.Discard, r)
}

// transferDecoder undoes the Content-Transfer-Encoding.
func (p *parser) transferDecoder(h header, body io.Reader, ct string) (io.Reader, decoding) {
	cte := strings.ToLower(strings.TrimSpace(h.get("Content-Transfer-Encoding")))
	switch cte {
	case "base64":
		d := newBase64Reader(body)
		return d, decoding{p: p, ct: ct, b64: d}
	case "quoted-printable":
		q := newQPReader(body)
		return q, decoding{qp: q}
	case "", "7bit", "8bit", "binary":
		return body, decoding{}
	case "x-uuencode", "uuencode", "x-uue":
		p.defect("%s part: uuencoded content kept encoded", ct)
		return body, decoding{}
	default:
		// Some senders misspell base64/QP: guess before giving up.
		switch {
		case strings.Contains(cte, "base64"):
			p.defect("%s part: Content-Transfer-Encoding %q read as base64", ct, cte)
			return p.transferDecoder(header{{Key: "Content-Transfer-Encoding", Value: "base64"}}, body, ct)
		case strings.Contains(cte, "quoted"):
			p.defect("%s part: Content-Transfer-Encoding %q read as quoted-printable", ct, cte)
			q := newQPReader(body)
			return q, decoding{qp: q}
		}
		p.defect("%s part: unknown Content-Transfer-Encoding %q, content kept as is", ct, truncate(cte, 50))
		return body, decoding{}
	}
}

// decoding is the decoder transferDecoder made, to be done with once the
// body is read: a value, where a closure cost an allocation a part.
type decoding struct {
	p   *parser
	ct  string
	b64 *base64Reader
	qp  *qpReader
}

// done notes what the decoder found wrong, and gives it back.
func (dc decoding) done() {
	if d := dc.b64; d != nil {
		p, ct := dc.p, dc.ct
		if d.plain {
			p.defect("%s part: declared base64 but not encoded: read as is", ct)
		}
		if d.partial && !d.plain {
			p.defect("%s part: truncated base64", ct)
		}
		if d.skipped && !d.plain {
			p.defect("%s part: invalid characters in base64 skipped", ct)
		}
		d.release()
	}
	if dc.qp != nil {
		dc.qp.release()
	}
}

// machineReportPart tells the parts of a multipart/report that are for
// programs (RFC 6522), not for the reader.
func machineReportPart(ct string) bool {
	switch ct {
	case "message/delivery-status", "message/global-delivery-status",
		"message/disposition-notification", "message/global-disposition-notification",
		"text/rfc822-headers", "message/rfc822", "message/global", "message/global-headers",
		"message/feedback-report":
		return true
	}
	return false
}

// leaf handles a non-multipart entity: text body, attachment or skipped.
func (p *parser) leaf(h header, ct string, params *mimeParams, ctx entityCtx) {
	p.leaves++
	body := p.newBody()
	defer p.discard(body) // always consume up to the boundary

	disp, dparams := p.parseParams(h.get("Content-Disposition"))
	name := dparams.get("filename")
	if name == "" {
		name = params.get("name")
	}
	if name != "" {
		name = p.decodeParamName(name)
	}
	isText := ct == "text/plain" || ct == "text/html"

	if ctx.inReport && machineReportPart(ct) {
		return
	}
	if name == "" && disp != "attachment" {
		if isText {
			dec, decoder := p.transferDecoder(h, body, ct)
			if d, ok := dec.(*base64Reader); ok {
				d.sniff = true // only for text: a file's bytes are never prose
			}
			p.textPart(dec, ct, params, ctx)
			decoder.done()
			return
		}
		if strings.HasPrefix(ct, "text/") {
			return // calendar invitations, vCards...: neither body nor file
		}
	}
	dec, decoder := p.transferDecoder(h, body, ct)
	b64, _ := dec.(*base64Reader)
	body.geo.on = b64 != nil && p.rawBase >= 0
	attachedBase := int64(-1) // an attached message's bytes are the mail's when not transfer-encoded
	if dec == io.Reader(body) && p.rawBase >= 0 {
		attachedBase = p.rawBase + body.base
	}
	var tnef, attached *captureBuffer
	switch {
	case isTNEF(ct, name):
		// The container is stored as any attachment; a bounded copy is
		// kept on the way to unpack the files inside it afterwards.
		tnef = &captureBuffer{limit: p.opts.MaxAttachmentSize}
		dec = io.TeeReader(dec, tnef)
	case attachedMessage(ct, ctx):
		attached = &captureBuffer{limit: p.opts.MaxAttachmentSize} // read afterwards, the same way
		dec = io.TeeReader(dec, attached)
	}
	n := len(p.msg.Attachments)
	p.attachment(h, dec, ct, name)
	if body.geo.on && len(p.msg.Attachments) > n {
		// The decoder saw the body but its last line ending, held back
		// as the boundary's (among the lines' eols, and in the input
		// after the text).
		g, a := &body.geo, &p.msg.Attachments[n]
		start, end, eols, ok := g.span()
		if ok && b64.canonical(a.Size, eols-int64(len(body.held())), end-int64(g.eol)-body.base) {
			a.Base64 = &Base64Span{Start: p.rawBase + start, End: p.rawBase + end, Line: g.line, CRLF: g.eol == 2}
		}
	}
	decoder.done()
	switch {
	case tnef != nil:
		p.unpackTNEF(tnef)
	case attached != nil && len(p.msg.Attachments) > n: // past MaxAttachments it is not recorded, nor read
		p.readAttached(attached, attachedBase)
	}
}

// textPart reads one text/plain or text/html part into memory (bounded).
func (p *parser) textPart(r io.Reader, ct string, params *mimeParams, ctx entityCtx) {
	if ct == "text/html" && p.htmlSet {
		return
	}
	// Apple Mail cuts the body in several text/plain parts around inline
	// images in a multipart/mixed: these belong together.
	if ct == "text/plain" && p.textSet && ctx.parent != "multipart/mixed" {
		return
	}
	b, err := p.readText(r)
	if err != nil && p.lr.src.err == nil {
		p.defect("%s part: %v", ct, err)
	}
	if len(b) > maxBodyText {
		b = b[:maxBodyText]
		p.defect("%s part larger than %d MB: truncated", ct, maxBodyText>>20)
	}
	label := params.get("charset")
	if ct == "text/html" {
		if meta := htmlMetaCharset(b); meta != "" && (label == "" || isASCIILabel(label) && !isASCII(b)) {
			// The MIME header says nothing (or ASCII, wrongly): the
			// page's own <meta> knows what its author's editor wrote.
			p.defect("text/html part: charset %q taken from its <meta>", truncate(meta, 40))
			label = meta
		}
		p.htmlSet = true
		kept := false
		s := p.charsetText(b, label, ct, func(b []byte, _ bool) string {
			// Line ends made "\n" in b, in place: the page is copied
			// once, into its string, not twice.
			kept = true
			return string(replaceCRLF(b))
		})
		if !kept {
			s = strings.ReplaceAll(s, "\r\n", "\n")
		}
		p.msg.HTML = s
		return
	}
	p.textFromBytes(b, label, ct)
	if strings.EqualFold(params.get("format"), "flowed") {
		last := len(p.textParts) - 1
		p.textParts[last] = unflow(p.textParts[last], strings.EqualFold(params.get("delsp"), "yes"))
	}
}

// readText reads a text part, at most maxBodyText+1 bytes, into the
// parser's reusable buffer: the caller copies what it keeps.
func (p *parser) readText(r io.Reader) ([]byte, error) {
	if p.textBuf == nil {
		p.textBuf, _ = textPool.Get().(*[]byte)
		if p.textBuf == nil {
			b := make([]byte, 0, 32<<10)
			p.textBuf = &b
		}
	}
	b := (*p.textBuf)[:0]
	for len(b) <= maxBodyText {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):min(cap(b), maxBodyText+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*p.textBuf = b
			return b, err
		}
	}
	*p.textBuf = b
	return b, nil
}

// textFromBytes adds decoded text to the plain text body.
func (p *parser) textFromBytes(b []byte, label, what string) {
	clean := false
	s := p.charsetText(b, label, what, func(b []byte, crlfOnly bool) (s string) {
		s, clean = cleanTextString(b, crlfOnly)
		return s
	})
	if !clean {
		s = cleanText(s)
	}
	if strings.TrimSpace(s) == "" && p.textSet {
		return
	}
	p.textSet = true
	if p.textParts == nil {
		p.textParts = p.textPartsIn[:0] // in the parser, not an allocation of its own
	}
	p.textParts = append(p.textParts, s)
}

// charsetText is convertCharset noting its guesses as defects; keep makes
// the string of a text kept as it is (see convertCharsetKeep).
func (p *parser) charsetText(b []byte, label, what string, keep func(b []byte, crlfOnly bool) string) string {
	s, res, used := convertCharsetKeep(b, label, keep)
	switch res {
	case charsetUnknown:
		p.defect("unknown charset %q in %s part: decoded as %s", truncate(label, 40), what, used)
	case charsetGuessed:
		if label == "" {
			p.defect("undeclared 8-bit text in %s part: decoded as %s", what, used)
		} else {
			p.defect("%s part labelled %q is not valid: decoded as %s", what, truncate(label, 40), used)
		}
	case charsetMixedUTF8:
		p.defect("invalid UTF-8 in %s part: stray bytes read as windows-1252", what)
	case charsetUndeclared8bit:
		p.defect("undeclared 8-bit text in %s part: decoded as UTF-8", what)
	case charsetUndeclared7bit:
		p.defect("%s part labelled %q is ISO-2022-JP: decoded as such", what, truncate(label, 40))
	}
	return s
}

// headerText makes a decoded header value safe to show on one line: an
// encoded word can carry any byte, including a terminal's escape
// sequences, which must never reach a coordinator's screen.
func headerText(s string) string {
	if headerClean(s) {
		return s // as strings.Map gives it back, not gone through rune by rune
	}
	return strings.Map(headerRune, s)
}

// headerRune is what headerText makes of a rune: a space of a tab or a
// line end, nothing of another control character.
func headerRune(r rune) rune {
	switch {
	case r == '\t' || r == '\r' || r == '\n':
		return ' '
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return -1
	}
	return r
}

// headerClean tells a value headerText leaves as it is, as nearly all
// are: valid UTF-8 (strings.Map replaces the bytes of what is not) with
// no control character, C1's (0xc2 0x80 to 0xc2 0x9f) included.
func headerClean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == 0xc2 && i+1 < len(s) && s[i+1] < 0xa0 {
			return false
		}
	}
	return utf8.ValidString(s)
}

// cleanText normalises line ends to "\n" and drops control characters
// that only garbage or broken encodings put in a text.
func cleanText(s string) string {
	// Nearly every text is clean but for its CRLF line ends: those are
	// made "\n" in one pass that copies each line once. Any other byte
	// to change or drop sends the text the general way.
	var b strings.Builder
	start := 0
	for i := nextControl(s, 0); i < len(s); i = nextControl(s, i+2) {
		if s[i] != '\r' || i+1 == len(s) || s[i+1] != '\n' {
			return cleanControls(s)
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[start:i])
		start = i + 1 // the '\n' starts the next line
	}
	if start == 0 {
		return s
	}
	b.WriteString(s[start:])
	return b.String()
}

// cleanTextString is string(b) where b is a text kept as it is (valid
// UTF-8 or ASCII) on its way to cleanText: when CRLF line ends are all
// there is to clean (crlfOnly, as shapeOf tells), they are made "\n" in
// b, in place, and the text is copied once instead of twice. clean tells
// that the string is as cleanText would make it; b must not be used
// afterwards.
func cleanTextString(b []byte, crlfOnly bool) (s string, clean bool) {
	if !crlfOnly {
		return string(b), false
	}
	n := bytes.IndexByte(b, '\r') // every '\r' is one of a CRLF: all go
	if n < 0 {
		return string(b), true
	}
	n, r := dropCRs(b, n, n+1) // where there is one, the most of it
	for rest := b[r:]; ; {
		i := bytes.IndexByte(rest, '\r')
		if i < 0 {
			n += copy(b[n:], rest)
			break
		}
		n += copy(b[n:], rest[:i])
		rest = rest[i+1:]
	}
	return string(b[:n]), true
}

// replaceCRLF is strings.ReplaceAll(string(b), "\r\n", "\n") done in b,
// which it returns shortened; b must not be used afterwards.
func replaceCRLF(b []byte) []byte {
	n := bytes.Index(b, []byte("\r\n"))
	if n < 0 {
		return b
	}
	for rest := b[n+1:]; ; { // rest starts at the '\n' of a CRLF
		i := bytes.Index(rest[1:], []byte("\r\n"))
		if i < 0 {
			n += copy(b[n:], rest)
			break
		}
		n += copy(b[n:], rest[:i+1])
		rest = rest[i+2:]
	}
	return b[:n]
}

// nextControl returns the index of the first byte from i on that
// cleanText changes or drops, or len(s). Every such byte is ASCII, which
// never occurs inside a UTF-8 multibyte sequence: a byte scan is exact.
func nextControl[T string | []byte](s T, i int) int {
	for i < len(s) {
		if i+8 <= len(s) {
			// Eight bytes at once (a line end every few dozen bytes,
			// nothing else): any below 0x20, or equal to 0x7f? Resliced,
			// the eight bytes are known to be there: one load, no bounds
			// check per byte.
			w := s[i : i+8]
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			del := x ^ 0x7f*ones
			found := ((x-0x20*ones)&^x | (del-ones)&^del) & highs
			if found == 0 {
				i += 8
				continue
			}
			// A borrow only marks bytes above the one that made it: the
			// lowest byte marked is one of them (a tab or a line feed
			// are, and are kept).
			i += bits.TrailingZeros64(found) / 8
		}
		if textControl[s[i]] {
			return i
		}
		i++
	}
	return len(s)
}

// textShape is what shapeOf finds in a text.
type textShape struct {
	ascii bool // no byte above 0x7f
	utf8  bool // valid UTF-8, as utf8.Valid tells
	// Where utf8: the bytes cleanText would change or drop (textControl)
	// are all the CR of a CRLF line end.
	crlfOnly bool
}

// shapeOf reads b once for what convertCharsetKeep and cleanTextString
// need of it: two scans of every text, for its UTF-8 and for its control
// characters, were 2.3% of a poll's CPU. It goes eight bytes at a time
// up to a byte above 0x7f or a control character, as French has them
// scattered among ASCII: utf8.Valid reads eight bytes at a time only
// until the first of them, this one again after each.
func shapeOf(b []byte) textShape {
	sh := textShape{ascii: true, utf8: true, crlfOnly: true}
	for i := 0; i < len(b); {
		if plainOK && i+16 <= len(b) { // a constant: no call where there is no plainRun
			n, accents := plainRun(b[i:])
			sh.ascii = sh.ascii && !accents
			if i += n; i == len(b) {
				break
			}
		}
		if i+8 <= len(b) {
			// Any byte above 0x7f, below 0x20 or equal to 0x7f? Its high
			// bit is set in x, in x-0x20 or in (x^0x7f)-1; the bytes
			// below it set none, nor borrow: the lowest byte marked is
			// the first such byte (a borrow only marks bytes above it).
			x := binary.LittleEndian.Uint64(b[i:])
			found := (x | (x - 0x20*ones) | (x ^ 0x7f*ones - ones)) & highs
			if found == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(found) / 8
		}
		c := b[i]
		switch {
		case c < utf8.RuneSelf:
			if textControl[c] {
				if c == '\r' && i+1 < len(b) && b[i+1] == '\n' {
					i += 2
					continue
				}
				sh.crlfOnly = false
			}
			i++ // a tab or a line feed, or a control character
		case c >= 0xc2 && c <= 0xdf && i+1 < len(b) && b[i+1]&0xc0 == 0x80:
			sh.ascii = false
			i += 2 // two bytes: a Latin letter with an accent
		default:
			sh.ascii = false
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				sh.utf8 = false
				return sh
			}
			i += n
		}
	}
	return sh
}

// textControl marks the bytes cleanText changes or drops: control
// characters but tab and line feed.
var textControl = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = c != '\n' && c != '\t'
	}
	t[0x7f] = true
	return t
}()

// ones and highs have one bit set in each byte of a word: the lowest,
// and the highest.
const ones, highs = 0x0101010101010101, 0x8080808080808080

// cleanControls is cleanText for a text with more than CRLF line ends to
// clean.
func cleanControls(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	clean := true
	for i := 0; i < len(s); i++ {
		if textControl[s[i]] {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// attachment streams one part to the Sink while hashing and counting it.
func (p *parser) attachment(h header, r io.Reader, ct, name string) {
	a := Attachment{ContentType: ct}
	if name == "" {
		name = generatedName(p.leaves, ct)
	}
	a.Filename = SanitizeFilename(name)
	if cid := strings.TrimSpace(h.get("Content-Id")); cid != "" {
		a.ContentID = strings.Trim(cid, "<> \t")
		if p.htmlSet && p.htmlCites(a.ContentID) {
			a.Inline = true
		}
	}
	p.store(&a, r)
}

// store streams one attachment to the Sink while hashing and counting it,
// then records it, within the per-message limits.
func (p *parser) store(a *Attachment, r io.Reader) {
	if p.full() {
		p.drop(r, 1)
		return
	}
	p.use.recorded++
	budget := p.writeBudget()
	cr := &countingReader{r: r, h: sha256.New(), limit: budget}
	if p.opts.Sink != nil && budget >= 0 {
		_, sha, err := p.opts.Sink.Put(cr, a)
		if err != nil && !cr.over && p.lr.src.err == nil {
			p.ioErr = fmt.Errorf("mailparse: storing attachment %q: %w", a.Filename, err)
		}
		if err == nil && sha != "" {
			p.use.files++
			p.use.bytes += cr.n
		}
	}
	// Hash and count whatever the Sink did not read.
	cr.limit = -1
	io.Copy(io.Discard, cr)
	a.Size = cr.n
	a.SHA256 = hex.EncodeToString(cr.h.Sum(nil))
	a.TooLarge = cr.n > p.opts.MaxAttachmentSize
	if !a.TooLarge && (budget < 0 || cr.over) && p.opts.Sink != nil {
		a.OverLimit = true
		p.use.overLimit++
	}
	p.msg.Attachments = append(p.msg.Attachments, *a)
}

// countingReader hashes and counts what passes through it and, while limit
// is non-negative, refuses to go past limit bytes. It is the reader a Sink
// gets, and its ReadSHA256 spares a Sink that names files by their hash
// (store.Files) hashing them a second time.
type countingReader struct {
	r     io.Reader
	h     hash.Hash
	n     int64
	limit int64
	over  bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.limit >= 0 && c.n >= c.limit {
		// Look one byte further to tell "exactly at the limit" from "above".
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n == 0 {
			return 0, err
		}
		c.h.Write(one[:n])
		c.n += int64(n)
		c.over = true
		return 0, ErrAttachmentTooLarge
	}
	if c.limit >= 0 && int64(len(p)) > c.limit-c.n {
		p = p[:c.limit-c.n]
	}
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// ReadSHA256 returns how many bytes were read and their sha256.
func (c *countingReader) ReadSHA256() (int64, []byte) {
	return c.n, c.h.Sum(nil)
}

// generatedName names a part that has no filename, from its position.
func generatedName(n int, ct string) string {
	ext := ".bin"
	switch ct {
	case "application/ms-tnef", "application/vnd.ms-tnef":
		return "winmail.dat"
	case "application/pdf":
		ext = ".pdf"
	case "image/jpeg", "image/jpg", "image/pjpeg":
		ext = ".jpg"
	case "image/png":
		ext = ".png"
	case "image/gif":
		ext = ".gif"
	case "message/rfc822":
		ext = ".eml"
	case "text/plain":
		ext = ".txt"
	case "text/html":
		ext = ".html"
	}
	return "part-" + strconv.Itoa(n) + ext
}

// SanitizeFilename makes a sender-chosen name safe to show and to use as
// the last element of a path: no directories, no control or bidi
// characters, no leading dots, at most 200 bytes, never empty.
func SanitizeFilename(name string) string {
	if !utf8.ValidString(name) {
		name, _ = salvage8bit([]byte(name))
	}
	// Keep the last path element: "C:\Users\x\CV.pdf" and
	// "../../etc/passwd" both name a file, not a place.
	name = strings.TrimRight(name, `/\ `)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
			return -1 // bidi overrides disguise "exe.pdf"
		case r == utf8.RuneError:
			return '_'
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	if len(name) > 200 {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 16 {
			ext = name[i:]
		}
		keep := 200 - len(ext)
		for keep > 0 && !utf8.RuneStart(name[keep]) {
			keep--
		}
		name = strings.TrimSpace(name[:keep]) + ext
	}
	if name == "" {
		return "attachment"
	}
	return name
}
