package mailparse

// Outlook sends the attachments of a "rich text" message inside a TNEF
// container (application/ms-tnef, nearly always named winmail.dat) that
// other mail clients show as one opaque file. An applicant who sends a CV
// and a Kbis that way has sent two files, so the files inside are reported
// too. The format is MS-OXTNEF: a signature, a legacy key, then a flat list
// of attributes. Only what names and carries an attached file is read;
// everything is bounded by the container, which is itself bounded by
// Options.MaxAttachmentSize.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"path"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	tnefSignature = 0x223E9F78

	// tnefMaxFiles caps the files reported from one container: a CV and a
	// few certificates, not a mailbox export. It also caps the memory the
	// item list can take.
	tnefMaxFiles = 100
	// tnefMaxName caps the bytes of a name or MIME tag that are decoded:
	// SanitizeFilename keeps 200 bytes, so more is only a way to make the
	// decoder allocate.
	tnefMaxName = 1024

	// Attribute levels (MS-OXTNEF 2.1.3.1).
	tnefLevelMessage    = 0x01
	tnefLevelAttachment = 0x02

	// Attribute identifiers, low 16 bits of the attribute ID. The high
	// bits repeat the attribute type, which some encoders get wrong, so
	// only the identifier is compared.
	attAttachData     = 0x800F // the file's bytes
	attAttachTitle    = 0x8010 // the 8.3 name, in the OEM code page
	attAttachRendData = 0x9002 // first attribute of every attachment
	attAttachment     = 0x9005 // the attachment's MAPI properties
	attOemCodepage    = 0x9007 // code page of the 8-bit strings

	// MAPI property identifiers and types read from attAttachment.
	prDisplayName        = 0x3001
	prAttachFilename     = 0x3704
	prAttachLongFilename = 0x3707
	prAttachMimeTag      = 0x370E

	ptString8   = 0x001E
	ptUnicode   = 0x001F
	ptBinary    = 0x0102
	ptObject    = 0x000D
	ptMultiFlag = 0x1000
)

// tnefFile is one file found in a TNEF container. Data is a sub-slice of
// the container: unpacking copies nothing.
type tnefFile struct {
	Name        string // long name when known, else the 8.3 title; "" when the container gives none
	ContentType string // the MIME tag as written; "" when absent
	Data        []byte
}

// tnefString is a string property kept undecoded until the code page,
// which is a message attribute and may come late, is known.
type tnefString struct {
	b       []byte
	unicode bool // UTF-16LE (PT_UNICODE) rather than 8-bit (PT_STRING8, attAttachTitle)
}

func (s tnefString) decode(codepage uint32) string {
	b := s.b
	if len(b) > tnefMaxName {
		b = b[:tnefMaxName]
	}
	if s.unicode {
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			c := binary.LittleEndian.Uint16(b[i:])
			if c == 0 {
				break // strings are stored with their terminator
			}
			u = append(u, c)
		}
		return strings.TrimSpace(string(utf16.Decode(u)))
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	// Outlook writes 8-bit strings in the sender's ANSI code page; in
	// practice windows-1252 here, and UTF-8 when the sender chose 65001.
	if codepage == 65001 && utf8.Valid(b) {
		return strings.TrimSpace(string(b))
	}
	return strings.TrimSpace(decodeWindows1252(b))
}

// tnefItem gathers the attributes of one attachment until the next one
// starts.
type tnefItem struct {
	title, longName, fileName, displayName, mimeTag tnefString
	data                                            []byte
	hasData                                         bool
}

// tnefBuf reads little-endian fields from a byte slice without ever going
// past its end.
type tnefBuf struct {
	b   []byte
	off int
}

func (r *tnefBuf) left() int { return len(r.b) - r.off }

func (r *tnefBuf) u8() (byte, bool) {
	if r.left() < 1 {
		return 0, false
	}
	r.off++
	return r.b[r.off-1], true
}

func (r *tnefBuf) u16() (uint16, bool) {
	if r.left() < 2 {
		return 0, false
	}
	r.off += 2
	return binary.LittleEndian.Uint16(r.b[r.off-2:]), true
}

func (r *tnefBuf) u32() (uint32, bool) {
	if r.left() < 4 {
		return 0, false
	}
	r.off += 4
	return binary.LittleEndian.Uint32(r.b[r.off-4:]), true
}

// bytes returns the next n bytes, or false when fewer are left: a length
// read from the stream is never trusted further than the data it covers.
func (r *tnefBuf) bytes(n uint32) ([]byte, bool) {
	if uint64(n) > uint64(r.left()) {
		return nil, false
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s, true
}

// pad skips the padding that aligns a value of n bytes on 4 bytes. A
// missing pad at the very end is tolerated: nothing is read from it.
func (r *tnefBuf) pad(n uint32) {
	p := int((4 - n%4) % 4)
	r.off += min(p, r.left())
}

var errTNEFTruncated = errors.New("truncated")

// readTNEF returns the attached files of a TNEF stream in order. On
// damage it returns the files read so far with an error saying what is
// wrong: the caller reports them and the defect. The caller bounds b; no
// allocation here is larger than b (file data are sub-slices of it).
func readTNEF(b []byte) ([]tnefFile, error) {
	r := &tnefBuf{b: b}
	if sig, ok := r.u32(); !ok || sig != tnefSignature {
		return nil, errors.New("not a TNEF stream (no signature)")
	}
	if _, ok := r.u16(); !ok { // the legacy key: meaningless today
		return nil, errors.New("truncated after the signature")
	}
	var (
		items    []*tnefItem
		codepage uint32 = 1252
		firstErr error
	)
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	// current is the attachment an attachment attribute belongs to; one
	// is opened when a damaged stream lost its attAttachRendData.
	current := func(start bool) *tnefItem {
		if start || len(items) == 0 {
			if len(items) >= tnefMaxFiles {
				return nil
			}
			items = append(items, &tnefItem{})
		}
		return items[len(items)-1]
	}

	for r.left() > 0 {
		at := r.off
		level, _ := r.u8()
		id, ok1 := r.u32()
		n, ok2 := r.u32()
		if !ok1 || !ok2 {
			fail(fmt.Errorf("truncated attribute header at byte %d", at))
			break
		}
		if level != tnefLevelMessage && level != tnefLevelAttachment {
			fail(fmt.Errorf("invalid attribute level %d at byte %d", level, at))
			break
		}
		data, ok := r.bytes(n)
		if !ok {
			fail(fmt.Errorf("attribute 0x%08X at byte %d declares %d bytes, only %d left", id, at, n, r.left()))
			break
		}
		sum, ok := r.u16()
		if !ok {
			fail(fmt.Errorf("attribute 0x%08X at byte %d: checksum missing", id, at))
			break
		}
		if sum != tnefChecksum(data) {
			// The framing still holds, so the next attributes can be
			// read; this one's content cannot be trusted. A damaged
			// attAttachRendData still starts an attachment, so that
			// the next attributes are not given to the previous file.
			fail(fmt.Errorf("attribute 0x%08X at byte %d: bad checksum", id, at))
			if level == tnefLevelAttachment && id&0xFFFF == attAttachRendData {
				if current(true) == nil {
					fail(fmt.Errorf("more than %d files", tnefMaxFiles))
					break
				}
			}
			continue
		}
		if level == tnefLevelMessage {
			if id&0xFFFF == attOemCodepage && len(data) >= 4 {
				codepage = binary.LittleEndian.Uint32(data)
			}
			continue
		}
		var it *tnefItem
		switch id & 0xFFFF {
		case attAttachRendData, attAttachTitle, attAttachData, attAttachment:
			if it = current(id&0xFFFF == attAttachRendData); it == nil {
				fail(fmt.Errorf("more than %d files: the rest skipped", tnefMaxFiles))
				return tnefFiles(items, codepage), firstErr
			}
		}
		switch id & 0xFFFF {
		case attAttachTitle:
			it.title = tnefString{b: data}
		case attAttachData:
			it.data, it.hasData = data, true
		case attAttachment:
			if err := readAttachProps(data, it); err != nil {
				fail(fmt.Errorf("attachment properties at byte %d: %w", at, err))
			}
		}
	}
	return tnefFiles(items, codepage), firstErr
}

// tnefChecksum is the attribute checksum of MS-OXTNEF: the sum of the
// data bytes modulo 65536.
func tnefChecksum(b []byte) uint16 {
	var s uint16
	for _, c := range b {
		s += uint16(c)
	}
	return s
}

// tnefFiles turns the items that carry data into files. Items without
// attAttachData are embedded messages or OLE objects, which are not files
// an applicant could have picked: they are left out.
func tnefFiles(items []*tnefItem, codepage uint32) []tnefFile {
	var files []tnefFile
	for _, it := range items {
		if !it.hasData {
			continue
		}
		f := tnefFile{Data: it.data, ContentType: it.mimeTag.decode(codepage)}
		for _, s := range []tnefString{it.longName, it.title, it.fileName, it.displayName} {
			if f.Name = s.decode(codepage); f.Name != "" {
				break
			}
		}
		files = append(files, f)
	}
	return files
}

// readAttachProps reads the MAPI property list of attAttachment
// (MS-OXTNEF 2.1.3.4) and keeps the names and MIME tag of the file. A
// damaged list keeps what was read before the damage.
func readAttachProps(b []byte, it *tnefItem) error {
	r := &tnefBuf{b: b}
	count, ok := r.u32()
	if !ok {
		return errTNEFTruncated
	}
	// Every property takes at least 4 bytes, so a forged count ends at
	// the end of the data, not after 4 billion turns.
	for i := uint32(0); i < count; i++ {
		tag, ok := r.u32()
		if !ok {
			return errTNEFTruncated
		}
		typ, id := tag&0xFFFF, tag>>16
		if id >= 0x8000 { // a named property: GUID, kind, then a number or a name
			if _, ok := r.bytes(16); !ok {
				return errTNEFTruncated
			}
			kind, ok := r.u32()
			if !ok {
				return errTNEFTruncated
			}
			switch kind {
			case 0:
				if _, ok := r.u32(); !ok {
					return errTNEFTruncated
				}
			case 1:
				n, ok := r.u32()
				if !ok {
					return errTNEFTruncated
				}
				if _, ok := r.bytes(n); !ok {
					return errTNEFTruncated
				}
				r.pad(n)
			default:
				return fmt.Errorf("named property of unknown kind %d", kind)
			}
		}
		first, err := readPropValues(r, typ)
		if err != nil {
			return err
		}
		if typ != ptString8 && typ != ptUnicode {
			continue
		}
		s := tnefString{b: first, unicode: typ == ptUnicode}
		switch id {
		case prAttachLongFilename:
			it.longName = s
		case prAttachFilename:
			it.fileName = s
		case prDisplayName:
			it.displayName = s
		case prAttachMimeTag:
			it.mimeTag = s
		}
	}
	return nil
}

// readPropValues skips the value(s) of a property of type typ and returns
// the first value of a variable-length one. Variable-length and
// multi-valued properties carry a value count; each variable value is a
// size, the bytes, and padding to 4 bytes.
func readPropValues(r *tnefBuf, typ uint32) ([]byte, error) {
	base := typ &^ ptMultiFlag
	variable := base == ptString8 || base == ptUnicode || base == ptBinary || base == ptObject
	fixed := 0
	if !variable {
		if fixed = tnefFixedSize(base); fixed == 0 {
			return nil, fmt.Errorf("property of unknown type 0x%04X", base)
		}
	}
	n := uint32(1)
	if variable || typ&ptMultiFlag != 0 {
		var ok bool
		if n, ok = r.u32(); !ok {
			return nil, errTNEFTruncated
		}
	}
	var first []byte
	for j := uint32(0); j < n; j++ { // each value takes at least 4 bytes
		if !variable {
			if _, ok := r.bytes(uint32(fixed)); !ok {
				return nil, errTNEFTruncated
			}
			continue
		}
		size, ok := r.u32()
		if !ok {
			return nil, errTNEFTruncated
		}
		v, ok := r.bytes(size)
		if !ok {
			return nil, errTNEFTruncated
		}
		r.pad(size)
		if j == 0 {
			first = v
		}
	}
	return first, nil
}

// tnefFixedSize is the encoded size of a fixed-length property value,
// 16-bit values padded to 4 bytes; 0 for a type this reader does not know.
func tnefFixedSize(base uint32) int {
	switch base {
	case 0x0002, 0x0003, 0x0004, 0x000A, 0x000B: // I2, I4, R4, ERROR, BOOLEAN
		return 4
	case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040: // R8, CURRENCY, APPTIME, I8, SYSTIME
		return 8
	case 0x0048: // CLSID
		return 16
	}
	return 0
}

// isTNEF tells a TNEF container from its media type or its conventional
// name (some clients relabel it application/octet-stream).
func isTNEF(ct, name string) bool {
	return ct == "application/ms-tnef" || ct == "application/vnd.ms-tnef" ||
		strings.EqualFold(SanitizeFilename(name), "winmail.dat")
}

// tnefContentType is the media type of an unpacked file: the MIME tag
// Outlook recorded, else a guess from the extension.
func tnefContentType(tag, name string) string {
	if ct, _, err := mime.ParseMediaType(tag); err == nil && strings.Count(ct, "/") == 1 {
		return ct // ParseMediaType lowercases it
	}
	if ext := path.Ext(name); ext != "" {
		if ct, _, err := mime.ParseMediaType(mime.TypeByExtension(strings.ToLower(ext))); err == nil {
			return ct
		}
	}
	return "application/octet-stream"
}

// captureBuffer keeps a copy of a container as it streams to the Sink,
// since unpacking needs all of it. Past limit it drops the copy: a
// container too large to store is not unpacked either.
type captureBuffer struct {
	b     []byte
	limit int64
	over  bool
}

func (c *captureBuffer) Write(p []byte) (int, error) {
	if c.over {
		return len(p), nil
	}
	if int64(len(c.b))+int64(len(p)) > c.limit {
		c.over, c.b = true, nil
		return len(p), nil
	}
	c.b = append(c.b, p...)
	return len(p), nil
}

// unpackTNEF reports the files of the TNEF container that is the last
// attachment recorded, right after it, each streamed to the Sink.
func (p *parser) unpackTNEF(c *captureBuffer) {
	if p.ioErr != nil || len(p.msg.Attachments) == 0 {
		return
	}
	container := p.msg.Attachments[len(p.msg.Attachments)-1].Filename
	if c.over {
		p.defect("%s: cannot unpack: larger than %d bytes", container, p.opts.MaxAttachmentSize)
		return
	}
	files, err := readTNEF(c.b)
	for i, f := range files {
		if p.full() {
			p.drop(nil, len(files)-i)
			break
		}
		name := f.Name
		if name == "" {
			name = "winmail-" + strconv.Itoa(i+1) + ".bin"
		}
		name = SanitizeFilename(name)
		a := Attachment{Filename: name, ContentType: tnefContentType(f.ContentType, name), Container: container}
		p.store(&a, bytes.NewReader(f.Data))
		if p.ioErr != nil {
			return
		}
	}
	if err != nil {
		p.defect("%s: cannot unpack: %v", container, err)
	}
}
