package store

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// A large mail is mostly the base64 of its attachments, which the folder
// keeps decoded already: written as it came, a mail with a 500 KB PDF
// would take 1.2 MB on disk (and as long to write). When an attachment's
// base64 in the mail is exactly what encoding the kept file gives back
// (lines of one length and one line ending, as mail clients write it),
// the raw file holds a reference to the attachment in its place: a
// skeleton. ReadRaw puts the mail back together and checks it against
// the size and CRC-32C of the mail the skeleton records. Base64 written
// any other way (lines of mixed lengths, stray spaces, a missing padding)
// stays as it came.
//
// A skeleton is named by its own sha256, like every other file of the
// folder, not by the mail's: it names each attachment by its sha256, so
// its hash is as unique to the mail as the mail's would be, and it is the
// hash of a few kilobytes where the mail's was of the whole base64 again
// (sha256 of the mails with a PDF was a twentieth of a poll's CPU). The
// CRC, a hundred times cheaper, is there to catch a rebuild that does not
// give the mail back (a parser that vouched for base64 it should not
// have, an attachment file damaged on disk).
//
// Which base64 is written so is the parser's to tell (it reads every
// character of it while decoding, see mailparse.Base64Span): WriteRaw
// neither reads nor encodes the files to find out.

// skeletonMagic starts a skeleton. Mail never starts with a NUL byte; one
// that does is kept as a skeleton too (of one text record), so that every
// file starting so is one WriteRaw made.
const skeletonMagic = "\x00rse-intake raw skeleton 2\n"

// skeletonMagicV1 started the skeletons of earlier versions, named by the
// sha256 of the mail they rebuild, which ReadRaw checks: a file starting
// so that does not rebuild to its name is a mail kept as it came.
const skeletonMagicV1 = "\x00rse-intake raw skeleton 1\n"

// castagnoli is the CRC-32C table: checksummed by the CPU's own
// instruction, the whole mail costs next to nothing.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Records of a skeleton, each on one line:
//
//	C <size> <crc>\n, first: the mail's size and CRC-32C, 8 hex digits
//	T <n>\n then n bytes of the mail, as they came
//	A <sha256> <size> <line length> <crlf|lf>\n: the attachment file
//	  sha256 of size bytes, in base64 lines of that length, each line
//	  (the last too) ended so.
const (
	checkRecord      = 'C'
	textRecord       = 'T'
	attachmentRecord = 'A'
)

// checkBytes is how much of a file's first and last lines WriteRaw
// encodes to check a reference: a few lines' worth.
const checkBytes = 768

// minReferenced is the smallest attachment worth a reference: below it,
// the record and the check cost more than the bytes saved.
const minReferenced = 4 << 10

// Base64Ref is an attachment file whose base64 a raw mail holds exactly as
// encoding the file gives it back (mailparse.Base64Span tells so):
// raw[Start:End], lines of Line characters (the last one no longer), each
// (the last too) ended by CRLF or LF.
type Base64Ref struct {
	SHA256     string // the file, in the folder
	Size       int64  // its size
	Start, End int64
	Line       int
	CRLF       bool
}

// WriteRaw keeps the raw bytes of a message as a file of the folder (see
// Message.RawInFiles), durably but for the folder entries left to dirs,
// and returns the file's name: its sha256, the raw bytes' own unless it
// is a skeleton. refs are where the base64 of
// attachment files already in the folder lies in raw: each is kept as a
// reference to its file. The caller vouches that each ref's text is what
// encoding the file gives; WriteRaw only checks what costs nothing to
// check (see refers), and keeps the text as it came where that fails.
func (f Files) WriteRaw(raw []byte, refs []Base64Ref, dirs *Dirs) (sha string, err error) {
	content, err := f.skeleton(raw, refs)
	if err != nil {
		return "", err
	}
	if content == nil {
		content = raw
	}
	sum := sha256.Sum256(content)
	sha = hex.EncodeToString(sum[:])
	dst := f.Path(sha)
	if _, err := os.Stat(dst); err == nil {
		dirs.add(filepath.Dir(dst))
		return sha, nil
	}
	if err := mkdirPrivate(f.Dir); err != nil {
		return "", fmt.Errorf("attachments folder %s: %w", f.Dir, err)
	}
	tmp, err := os.CreateTemp(f.Dir, tempPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", fmt.Errorf("attachments folder %s: %w", f.Dir, err)
	}
	if _, err = tmp.Write(content); err == nil {
		err = f.place(tmp, sha, dirs)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write raw mail %s: %w", sha, err)
	}
	return sha, nil
}

// skeleton returns raw with the base64 of the attachments it can refer to
// replaced by references, or nil when it refers to none (and raw does not
// start with a NUL byte, as a skeleton does).
func (f Files) skeleton(raw []byte, refs []Base64Ref) ([]byte, error) {
	refs = slices.Clone(refs)
	slices.SortStableFunc(refs, func(a, b Base64Ref) int { return cmp.Compare(a.Start, b.Start) })
	var out []byte
	pos := int64(0) // raw is written out up to here
	for _, ref := range refs {
		if ref.Start < pos {
			continue // overlapping another: a caller's mistake
		}
		ok, err := f.refers(raw, ref)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if out == nil {
			out = startSkeleton(raw)
		}
		out = appendText(out, raw[pos:ref.Start])
		out = fmt.Appendf(out, "%c %s %d %d %s\n", attachmentRecord, ref.SHA256, ref.Size, ref.Line, eolName(ref.CRLF))
		pos = ref.End
	}
	if out == nil {
		if len(raw) == 0 || raw[0] != 0 {
			return nil, nil
		}
		out = startSkeleton(raw)
	}
	return appendText(out, raw[pos:]), nil
}

// startSkeleton returns the start of raw's skeleton: the magic and the
// check record.
func startSkeleton(raw []byte) []byte {
	out := make([]byte, 0, 4<<10)
	out = append(out, skeletonMagic...)
	return fmt.Appendf(out, "%c %d %08x\n", checkRecord, len(raw), crc32.Checksum(raw, castagnoli))
}

func appendText(out, text []byte) []byte {
	if len(text) == 0 {
		return out
	}
	out = fmt.Appendf(out, "%c %d\n", textRecord, len(text))
	return append(out, text...)
}

func eolName(crlf bool) string {
	if crlf {
		return "crlf"
	}
	return "lf"
}

// refers tells whether ref may stand for its text in raw. What the
// rebuild would put back must have the text's very shape: starting a
// line, as many bytes, every line ending where it is. The file must be
// there with its size, and its first and last lines must encode to the
// text's: the few bytes read make sure the ref names the right file at
// the right place (a caller's mix-up), where a full check would read and
// encode it all. A file missing or too small, or a shape or line that
// differs, keeps the text as it came.
func (f Files) refers(raw []byte, ref Base64Ref) (bool, error) {
	eol := "\n"
	if ref.CRLF {
		eol = "\r\n"
	}
	if ref.Size < minReferenced || !isSHA256(ref.SHA256) || ref.Line <= 0 || ref.Line%4 != 0 ||
		ref.Start < 0 || ref.Start >= ref.End || ref.End > int64(len(raw)) || ref.Start > 0 && raw[ref.Start-1] != '\n' {
		return false, nil
	}
	enc := int64(base64.StdEncoding.EncodedLen(int(ref.Size)))
	line := int64(ref.Line)
	lines := (enc + line - 1) / line
	if ref.End-ref.Start != enc+lines*int64(len(eol)) {
		return false, nil
	}
	text := raw[ref.Start:ref.End]
	// Every line ends where the rebuild puts a line ending: a byte or
	// two a line, compared in place (a string compare each cost more; a
	// CRLF as one 16-bit word, a third fewer instructions than two bytes).
	step, lastEnd := line+int64(len(eol)), int64(len(text))-int64(len(eol))
	if string(text[lastEnd:]) != eol {
		return false, nil
	}
	if ref.CRLF {
		for at := line; at < lastEnd; at += step {
			if binary.LittleEndian.Uint16(text[at:]) != '\r'|'\n'<<8 {
				return false, nil
			}
		}
	} else {
		for at := line; at < lastEnd; at += step {
			if text[at] != '\n' {
				return false, nil
			}
		}
	}

	file, err := os.Open(f.Path(ref.SHA256))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read attachment %s: %w", ref.SHA256, err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return false, fmt.Errorf("read attachment %s: %w", ref.SHA256, err)
	}
	if info.Size() != ref.Size {
		return false, nil
	}
	// At most checkBytes of each line (a line may be the whole file).
	perLine := line / 4 * 3
	lastLine := (lines - 1) * perLine
	skip := max(0, (ref.Size-lastLine-checkBytes+2)/3*3)
	for _, at := range [2]int64{0, lastLine + skip} {
		var data [checkBytes]byte
		var want [checkBytes / 3 * 4]byte
		n := min(checkBytes, perLine-at%perLine, ref.Size-at)
		if _, err := file.ReadAt(data[:n], at); err != nil {
			return false, fmt.Errorf("read attachment %s: %w", ref.SHA256, err)
		}
		e := want[:base64.StdEncoding.EncodedLen(int(n))]
		encodeBase64(e, data[:n])
		textAt := at/perLine*(line+int64(len(eol))) + at%perLine/3*4
		if !bytes.Equal(text[textAt:textAt+int64(len(e))], e) {
			return false, nil
		}
	}
	return true, nil
}

// skeletonRecord is one record of a skeleton: text, or an attachment's
// base64 lines.
type skeletonRecord struct {
	text []byte
	sha  string
	size int64
	line int
	eol  string
}

// skeletonCheck is a skeleton's check record: the mail's size and CRC-32C.
type skeletonCheck struct {
	size int
	crc  uint32
}

// parseSkeleton reads the records of a skeleton, the size of the mail
// they make, and its check record (nil when it has none, as a version 1
// skeleton).
func parseSkeleton(skel []byte) ([]skeletonRecord, int, *skeletonCheck, error) {
	var recs []skeletonRecord
	var check *skeletonCheck
	total := 0
	if bytes.HasPrefix(skel, []byte{checkRecord, ' '}) {
		nl := bytes.IndexByte(skel, '\n')
		fields := bytes.Fields(skel[2:max(nl, 2)])
		if nl < 0 || len(fields) != 2 || len(fields[1]) != 8 {
			return nil, 0, nil, errors.New("skeleton: bad check record")
		}
		size, err1 := strconv.Atoi(string(fields[0]))
		crc, err2 := strconv.ParseUint(string(fields[1]), 16, 32)
		if err1 != nil || err2 != nil || size < 0 {
			return nil, 0, nil, errors.New("skeleton: bad check record")
		}
		check = &skeletonCheck{size: size, crc: uint32(crc)}
		skel = skel[nl+1:]
	}
	for len(skel) > 0 {
		nl := bytes.IndexByte(skel, '\n')
		if nl < 2 || skel[1] != ' ' {
			return nil, 0, nil, errors.New("skeleton: bad record")
		}
		fields := bytes.Fields(skel[2:nl])
		kind := skel[0]
		skel = skel[nl+1:]
		switch {
		case kind == textRecord && len(fields) == 1:
			n, err := strconv.Atoi(string(fields[0]))
			if err != nil || n < 0 || n > len(skel) {
				return nil, 0, nil, errors.New("skeleton: bad text record")
			}
			recs = append(recs, skeletonRecord{text: skel[:n]})
			total += n
			skel = skel[n:]
		case kind == attachmentRecord && len(fields) == 4:
			r := skeletonRecord{sha: string(fields[0]), eol: "\n"}
			if !isSHA256(r.sha) {
				// Only a file of the folder, by its name: a mail that
				// starts as a skeleton does must not open other paths.
				return nil, 0, nil, errors.New("skeleton: bad attachment name")
			}
			var err1, err2 error
			r.size, err1 = strconv.ParseInt(string(fields[1]), 10, 64)
			r.line, err2 = strconv.Atoi(string(fields[2]))
			if err1 != nil || err2 != nil || r.size < 0 || r.size > 1<<40 || r.line <= 0 || r.line%4 != 0 {
				return nil, 0, nil, errors.New("skeleton: bad attachment record")
			}
			if string(fields[3]) == "crlf" {
				r.eol = "\r\n"
			}
			enc := base64.StdEncoding.EncodedLen(int(r.size))
			total += enc + (enc+r.line-1)/r.line*len(r.eol)
			recs = append(recs, r)
		default:
			return nil, 0, nil, errors.New("skeleton: bad record")
		}
	}
	return recs, total, check, nil
}

// isSHA256 tells a file name of the folder: 64 lowercase hex digits.
func isSHA256(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// rebuild puts a raw mail kept as a skeleton back together, and returns
// the skeleton's check record (nil when it has none).
func (f Files) rebuild(skel []byte) ([]byte, *skeletonCheck, error) {
	recs, total, check, err := parseSkeleton(skel)
	if err != nil {
		return nil, nil, err
	}
	out := make([]byte, 0, total)
	for _, r := range recs {
		if r.sha == "" {
			out = append(out, r.text...)
			continue
		}
		data, err := os.ReadFile(f.Path(r.sha))
		if err != nil {
			return nil, nil, fmt.Errorf("attachment the mail refers to: %w", err)
		}
		if int64(len(data)) != r.size {
			return nil, nil, fmt.Errorf("attachment %s the mail refers to holds %d bytes, not %d", r.sha, len(data), r.size)
		}
		perLine := r.line / 4 * 3
		for len(data) > 0 {
			chunk := data[:min(len(data), perLine)]
			n := len(out)
			out = out[:n+base64.StdEncoding.EncodedLen(len(chunk))]
			encodeBase64(out[n:], chunk)
			out = append(out, r.eol...)
			data = data[len(chunk):]
		}
	}
	return out, check, nil
}

// pairs holds the two base64 characters of every 12 bits.
var pairs = func() (t [4096]uint16) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range t {
		t[i] = uint16(alphabet[i>>6]) | uint16(alphabet[i&63])<<8
	}
	return t
}()

// encodeBase64 is base64.StdEncoding.Encode(dst, src) at about twice its
// speed (BenchmarkEncodeBase64: 2.1 GB/s against 0.9 to 1.3): six bytes become eight
// characters in four lookups and one store. Encoding the attachments is
// most of what reading a skeleton costs.
func encodeBase64(dst, src []byte) {
	for len(src) >= 6 && len(dst) >= 8 {
		v := uint64(src[0])<<40 | uint64(src[1])<<32 | uint64(src[2])<<24 | uint64(src[3])<<16 | uint64(src[4])<<8 | uint64(src[5])
		binary.LittleEndian.PutUint64(dst, uint64(pairs[v>>36&0xFFF])|uint64(pairs[v>>24&0xFFF])<<16|
			uint64(pairs[v>>12&0xFFF])<<32|uint64(pairs[v&0xFFF])<<48)
		src, dst = src[6:], dst[8:]
	}
	base64.StdEncoding.Encode(dst, src) // the last bytes, padded
}

// readRaw is ReadRaw of the file sha's bytes b: a skeleton is rebuilt and
// checked.
func (f Files) readRaw(sha string, b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte(skeletonMagic)):
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != sha {
			return nil, fmt.Errorf("raw mail %s: the file does not match its sha256", sha)
		}
		raw, check, err := f.rebuild(b[len(skeletonMagic):])
		switch {
		case err != nil:
		case check == nil:
			err = errors.New("skeleton: no check record")
		case len(raw) != check.size || crc32.Checksum(raw, castagnoli) != check.crc:
			err = errors.New("rebuilt mail does not match its size and CRC")
		default:
			return raw, nil
		}
		return nil, fmt.Errorf("raw mail %s: %w", sha, err)
	case bytes.HasPrefix(b, []byte(skeletonMagicV1)):
		raw, _, err := f.rebuild(b[len(skeletonMagicV1):])
		if err == nil {
			sum := sha256.Sum256(raw)
			if hex.EncodeToString(sum[:]) == sha {
				return raw, nil
			}
			err = errors.New("rebuilt mail does not match its sha256")
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) == sha {
			return b, nil // a mail that only looks like a skeleton
		}
		return nil, fmt.Errorf("raw mail %s: %w", sha, err)
	}
	return b, nil
}
