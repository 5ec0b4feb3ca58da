package notify

import (
	"context"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

func TestTmpTiming(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	sink := smtpsink.Start(t)
	s := newSender(t, st, sink, clk, nil)
	sink.RejectMail(&smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Out of storage"})
	for i := 0; i < 4; i++ {
		t0 := time.Now()
		seedApplication(t, st, c, store.Applicant{Email: "a@example.net"}, nil, nil)
		t1 := time.Now()
		res, err := s.SendDue(ctx)
		t.Logf("seed %s send %s %+v %v", t1.Sub(t0), time.Since(t1), res, err)
	}
	t0 := time.Now()
	addr := sink.Addr()
	sink.Close()
	t.Logf("close %s", time.Since(t0))
	sink2, err := smtpsink.New(addr)
	t.Logf("reopen %s %v", time.Since(t0), err)
	sink2.Close()
}
