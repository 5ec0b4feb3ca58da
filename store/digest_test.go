package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDigestPeriodsFollowEachOther(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	t1 := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	if last, err := st.LastDigestEnd(ctx); err != nil || !last.IsZero() {
		t.Fatalf("no digest yet: %s %v", last, err)
	}
	if err := st.QueueDigest(ctx, time.Time{}, t1, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.QueueDigest(ctx, time.Time{}, t1.Add(time.Hour), nil); !errors.Is(err, ErrDigestMoved) {
		t.Errorf("digest from a stale start: %v, want ErrDigestMoved", err)
	}
	if err := st.QueueDigest(ctx, t1, t1.Add(24*time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if last, _ := st.LastDigestEnd(ctx); !last.Equal(t1.Add(24 * time.Hour)) {
		t.Errorf("last end %s", last)
	}
}
