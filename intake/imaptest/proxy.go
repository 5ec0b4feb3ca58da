package imaptest

import (
	"bytes"
	"net"
	"strconv"
	"sync"
	"time"
)

// Cut says where a Proxy cuts one connection. The zero value never cuts.
type Cut struct {
	// AfterServerBytes cuts once this many bytes went from the server to
	// the client (0: not by count).
	AfterServerBytes int64
	// OnClientText is watched in what the client sends: a command such as
	// "UID STORE", or SMTP's end of data "\r\n.\r\n".
	OnClientText string
	// CutOnText cuts at the first OnClientText: ServerBytesAfter < 0 cuts
	// before the text reaches the server; otherwise the text goes through
	// and the server may send that many more bytes (0: none of its answer)
	// before the cut.
	CutOnText        bool
	ServerBytesAfter int64
	// Without CutOnText: OnText is called once OnClientText has gone to
	// the server, and the server's answer is held HoldAnswer before it
	// goes on to the client (a slow command, and something happening
	// meanwhile: the client's poll cancelled).
	OnText     func()
	HoldAnswer time.Duration
}

// CutEvent is one cut a Proxy made.
type CutEvent struct {
	Rule Cut
	// InDoubt: an OnClientText had reached the server and the whole first
	// line of the server's answer had not reached the client: the server
	// may have acted on a command the client saw fail.
	InDoubt bool
}

// Proxy forwards TCP connections to a server and cuts them where its rule
// says: the fault tests put it between rse-intake and a real server.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	rule    func() Cut
	events  []CutEvent
	hangUps int // clients that hung up in doubt
	conns   map[net.Conn]bool
	wg      sync.WaitGroup
}

// NewProxy listens on 127.0.0.1 and forwards to target (host:port).
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Port is the port the proxy listens on, on 127.0.0.1.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Addr is host:port of the proxy.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetRule sets how each new connection is cut (nil: never).
func (p *Proxy) SetRule(rule func() Cut) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule = rule
}

// Cuts returns the cuts made so far.
func (p *Proxy) Cuts() []CutEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]CutEvent(nil), p.events...)
}

// HangUpsInDoubt counts the clients that closed their connection while
// in doubt: after OnClientText reached the server and before the first
// line of its answer reached them.
func (p *Proxy) HangUpsInDoubt() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hangUps
}

// Close stops listening and cuts every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		var rule Cut
		if p.rule != nil {
			rule = p.rule()
		}
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		pc := &proxyConn{p: p, client: c, server: s, rule: rule, budget: rule.AfterServerBytes}
		if rule.AfterServerBytes == 0 {
			pc.budget = -1
		}
		p.wg.Go(pc.up)
		p.wg.Go(pc.down)
	}
}

// proxyConn is one client connection and its server connection.
type proxyConn struct {
	p              *Proxy
	client, server net.Conn
	rule           Cut

	mu      sync.Mutex
	budget  int64         // server bytes still allowed through; < 0: no limit
	inDoubt bool          // OnClientText reached the server, its answer line not the client
	hold    time.Duration // to wait before the server's next bytes go on (Cut.HoldAnswer)
	cut     bool
}

func (c *proxyConn) doCut() {
	c.mu.Lock()
	if c.cut {
		c.mu.Unlock()
		return
	}
	c.cut = true
	ev := CutEvent{Rule: c.rule, InDoubt: c.inDoubt}
	c.mu.Unlock()
	// Recorded before the connection closes: the client, seeing it
	// closed, may ask for the cuts at once.
	c.p.mu.Lock()
	c.p.events = append(c.p.events, ev)
	c.p.mu.Unlock()
	c.close()
}

func (c *proxyConn) close() {
	c.client.Close()
	c.server.Close()
	c.p.mu.Lock()
	delete(c.p.conns, c.client)
	delete(c.p.conns, c.server)
	c.p.mu.Unlock()
}

// up copies client to server, watching for OnClientText.
func (c *proxyConn) up() {
	defer c.close()
	text := []byte(c.rule.OnClientText)
	cutOnText := c.rule.CutOnText
	var tail []byte // the end of what went before, to find text across reads
	buf := make([]byte, 32<<10)
	for {
		n, err := c.client.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if len(text) > 0 {
				joined := append(tail, chunk...)
				if i := bytes.LastIndex(joined, text); i >= 0 {
					end := max(i+len(text)-len(tail), 0) // end of the text within chunk
					if cutOnText && c.rule.ServerBytesAfter < 0 {
						if start := i - len(tail); start > 0 {
							c.server.Write(chunk[:start])
						}
						c.doCut()
						return
					}
					// Set before the text goes, so that no answer slips
					// through ahead of it.
					c.mu.Lock()
					c.inDoubt = true
					if cutOnText {
						c.budget = c.rule.ServerBytesAfter
					}
					c.mu.Unlock()
					if _, err := c.server.Write(chunk[:end]); err != nil {
						return
					}
					if cutOnText && c.rule.ServerBytesAfter == 0 {
						c.doCut()
						return
					}
					if !cutOnText {
						c.mu.Lock()
						c.hold = c.rule.HoldAnswer
						c.mu.Unlock()
						if c.rule.OnText != nil {
							c.rule.OnText()
						}
					}
					cutOnText = false
					chunk = chunk[end:]
					joined = joined[:0]
				}
				if keep := len(text) - 1; len(joined) > keep {
					tail = append(tail[:0], joined[len(joined)-keep:]...)
				} else {
					tail = append(tail[:0], joined...)
				}
			}
			if _, err := c.server.Write(chunk); err != nil {
				return
			}
		}
		if err != nil {
			c.mu.Lock()
			hungUp := c.inDoubt && !c.cut
			c.mu.Unlock()
			if hungUp {
				c.p.mu.Lock()
				c.p.hangUps++
				c.p.mu.Unlock()
			}
			return
		}
	}
}

// down copies server to client within the budget.
func (c *proxyConn) down() {
	defer c.close()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.server.Read(buf)
		if n > 0 {
			c.mu.Lock()
			if hold := c.hold; hold > 0 {
				c.hold = 0
				c.mu.Unlock()
				time.Sleep(hold)
				c.mu.Lock()
			}
			allowed, cut := int64(n), false
			if c.budget >= 0 {
				if allowed >= c.budget {
					allowed, cut = c.budget, true
				}
				c.budget -= allowed
			}
			c.mu.Unlock()
			if allowed > 0 {
				if _, werr := c.client.Write(buf[:allowed]); werr != nil {
					return
				}
				if bytes.IndexByte(buf[:allowed], '\n') >= 0 {
					c.mu.Lock()
					c.inDoubt = false
					c.mu.Unlock()
				}
			}
			if cut {
				c.doCut()
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// String describes a cut for test logs.
func (e CutEvent) String() string {
	switch {
	case e.Rule.CutOnText:
		return "at " + strconv.Quote(e.Rule.OnClientText) + " +" + strconv.FormatInt(e.Rule.ServerBytesAfter, 10) +
			" in doubt=" + strconv.FormatBool(e.InDoubt)
	default:
		return "after " + strconv.FormatInt(e.Rule.AfterServerBytes, 10) + " server bytes, in doubt=" +
			strconv.FormatBool(e.InDoubt)
	}
}
