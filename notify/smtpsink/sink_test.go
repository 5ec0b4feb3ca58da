package smtpsink_test

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
)

func TestSinkKeepsAndRefuses(t *testing.T) {
	s := smtpsink.Start(t)
	body := "Subject: hi\r\n\r\nhello\r\n"
	if err := smtp.SendMail(s.Addr(), nil, "a@example.org", []string{"b@example.net"}, []byte(body)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msgs, err := s.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].From != "a@example.org" || msgs[0].To[0] != "b@example.net" || string(msgs[0].Data) != body {
		t.Errorf("got %+v", msgs[0])
	}
	s.RejectRcpt("B@example.net", &gosmtp.SMTPError{Code: 550, Message: "no"})
	err = smtp.SendMail(s.Addr(), nil, "a@example.org", []string{"b@example.net"}, []byte(body))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("rejected rcpt: %v", err)
	}
	s.Clear()
	if s.Len() != 0 || s.Sessions() != 2 {
		t.Errorf("len %d sessions %d", s.Len(), s.Sessions())
	}
}
