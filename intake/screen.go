package intake

import (
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store"
)

// screen applies, between reading a mail and storing it, the rules that
// protect others from what a sender wrote: header values cleaned like
// every stored field (store.CleanLine), and no automatic answer where the
// provider says the sender is forged (guardAnswer).
func screen(an *Analysis, authservID string) {
	if m := an.Mail; m != nil {
		m.Subject = store.CleanLine(m.Subject, store.MaxSubjectLen)
		m.FromName = store.CleanLine(m.FromName, store.MaxSubjectLen)
		for _, list := range [][]mailparse.Address{m.To, m.Cc, m.ReplyTo} {
			for i := range list {
				list[i].Name = store.CleanLine(list[i].Name, store.MaxSubjectLen)
			}
		}
	}
	guardAnswer(an, authservID)
}
