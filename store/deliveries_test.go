package store

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// known is a Delivery.Body already computed.
func known(sha string) func() (string, error) {
	return func() (string, error) { return sha, nil }
}

// A mail is stored without its body hash; a second delivery of it, with
// other trace headers, is still found: the stored one's body hash is then
// computed from its raw bytes, in the row or in a file.
func TestDeliveryMatchesABodyHashComputedWhenNeeded(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	files := Files{Dir: filepath.Join(t.TempDir(), "files")}
	first := []byte("Received: from a\r\nMessage-ID: <m@x>\r\n\r\nBonjour,\r\nma candidature.\r\n")
	again := []byte("Received: from b\r\nReceived: from c\r\nMessage-ID: <m@x>\r\n\r\nBonjour,\r\nma candidature.\r\n")
	edited := []byte("Received: from b\r\nMessage-ID: <m@x>\r\n\r\nBonjour,\r\nma candidature complete.\r\n")
	big := append([]byte("Message-ID: <big@x>\r\n\r\n"), make([]byte, 1000)...)
	var dirs Dirs
	_, bigSHA, err := files.WriteDeferred(bytes.NewReader(big), &dirs)
	if err != nil {
		t.Fatal(err)
	}
	var ids [2]int64
	err = st.InTx(ctx, func(tx *Tx) error {
		m := &Message{MessageID: "<m@x>", SHA256: "s1", Raw: first, Kind: "application"}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		b := &Message{MessageID: "<big@x>", SHA256: bigSHA, Raw: big, RawInFiles: true, Kind: "other"}
		if err := tx.InsertMessage(ctx, b); err != nil {
			return err
		}
		ids = [2]int64{m.ID, b.ID}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	never := func() (string, error) { return "", errors.New("body hash asked for a new Message-ID") }
	// Asked per message, and as the writer asks: for its batch at once.
	for _, batch := range []bool{false, true} {
		_ = st.InTx(ctx, func(tx *Tx) error {
			if batch {
				if err := tx.KnowDeliveries(ctx, []DeliveryKey{{MessageID: "<m@x>"}, {MessageID: "<big@x>"},
					{MessageID: "<new@x>"}}); err != nil {
					t.Fatal(err)
				}
			}
			findAll(ctx, t, tx, files, ids, never, again, edited, big)
			if !batch {
				return nil
			}
			// A mail stored earlier in the batch, without its body hash,
			// is found by its second delivery later in the same batch.
			n := &Message{MessageID: "<new@x>", SHA256: "s6", Raw: first, Kind: "other"}
			if err := tx.InsertMessage(ctx, n); err != nil {
				t.Fatal(err)
			}
			got, err := tx.FindDelivery(ctx, Delivery{MessageID: "<new@x>", SHA256: "s7", Body: known(BodySHA256(again))}, files)
			if err != nil || got == nil || got.ID != n.ID {
				t.Errorf("second delivery in the batch: found %+v, %v; want message %d", got, err, n.ID)
			}
			return nil
		})
	}
}

func findAll(ctx context.Context, t *testing.T, tx *Tx, files Files, ids [2]int64, never func() (string, error),
	again, edited, big []byte) {
	t.Helper()
	{
		for _, c := range []struct {
			name string
			d    Delivery
			want int64
		}{
			{"same body, other headers", Delivery{MessageID: "<m@x>", SHA256: "s2", Body: known(BodySHA256(again))}, ids[0]},
			{"same Message-ID, body edited", Delivery{MessageID: "<m@x>", SHA256: "s3", Body: known(BodySHA256(edited))}, 0},
			{"raw kept as a file", Delivery{MessageID: "<big@x>", SHA256: "s4", Body: known(BodySHA256(big))}, ids[1]},
			{"new Message-ID: no body hash computed", Delivery{MessageID: "<new@x>", SHA256: "s5", Body: never}, 0},
		} {
			got, err := tx.FindDelivery(ctx, c.d, files)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			var id int64
			if got != nil {
				id = got.ID
			}
			if id != c.want {
				t.Errorf("%s: found message %d, want %d", c.name, id, c.want)
			}
		}
	}
}
