package mailparse

import "io"

// Per-message limits: what one mail may cost, whatever it carries. A
// sender can pack thousands of files in one mail (999 winmail.dat parts of
// 100 files each fit in 9 MB); past these limits the rest is counted,
// listed in Message.Errors for coordinators, and not kept.
const (
	DefaultMaxAttachments     = 50        // attachments recorded, containers' files included
	DefaultMaxFiles           = 50        // files handed to the Sink
	DefaultMaxAttachmentBytes = 100 << 20 // decoded bytes handed to the Sink
)

// Limits are the per-message limits of Options; zero fields take the
// defaults above, negative ones mean no limit.
type Limits struct {
	MaxAttachments     int   // attachments recorded; the others are counted only
	MaxFiles           int   // files written through the Sink; the others are recorded as OverLimit
	MaxAttachmentBytes int64 // bytes written through the Sink in all; past it, OverLimit
}

func (l Limits) withDefaults() Limits {
	if l.MaxAttachments == 0 {
		l.MaxAttachments = DefaultMaxAttachments
	}
	if l.MaxFiles == 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxAttachmentBytes == 0 {
		l.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	return l
}

// usage counts what one message has cost so far.
type usage struct {
	recorded, dropped int   // attachments recorded, and not recorded past MaxAttachments
	files, overLimit  int   // files written, and recorded but not written past a limit
	bytes             int64 // bytes written
}

// full reports that no more attachment may be recorded.
func (p *parser) full() bool {
	max := p.opts.Limits.MaxAttachments
	return max > 0 && p.use.recorded >= max
}

// drop counts n attachments that are not recorded, consuming r.
func (p *parser) drop(r io.Reader, n int) {
	if r != nil {
		io.Copy(io.Discard, r)
	}
	p.use.dropped += n
}

// writeBudget is how many bytes the next file may send to the Sink, or
// -1 when it may not be written at all (MaxFiles reached, or the total).
func (p *parser) writeBudget() int64 {
	l := p.opts.Limits
	if l.MaxFiles > 0 && p.use.files >= l.MaxFiles {
		return -1
	}
	budget := p.opts.MaxAttachmentSize
	if l.MaxAttachmentBytes > 0 {
		left := l.MaxAttachmentBytes - p.use.bytes
		if left <= 0 {
			return -1
		}
		budget = min(budget, left)
	}
	return budget
}

// reportLimits lists the limits a message reached in its errors.
func (p *parser) reportLimits() {
	l := p.opts.Limits
	if p.use.dropped > 0 {
		p.defect("attachment limit reached: %d attachments recorded, %d more not kept (at most %d per message)",
			p.use.recorded, p.use.dropped, l.MaxAttachments)
	}
	if p.use.overLimit > 0 {
		p.defect("file limit reached: %d files written (%d MB), %d more recorded but not kept (at most %d files and %d MB per message)",
			p.use.files, p.use.bytes>>20, p.use.overLimit, l.MaxFiles, l.MaxAttachmentBytes>>20)
	}
}
