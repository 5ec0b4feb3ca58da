package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rse-lozere/rse-intake/notify"
)

// Disk space under which the store's disk counts as nearly full: SQLite
// and the attachment files need room to write, and a full disk stops
// intake (mail is then only read again once space is freed).
const (
	diskMinFreeBytes = 256 << 20
	diskMinFreeShare = 0.05
)

const (
	alertTick = 2 * time.Second // problems that last without new failures
	diskTick  = time.Minute
)

// watchLoop re-evaluates the operators' alerts and the disk until ctx ends.
func (d *Daemon) watchLoop(ctx context.Context) {
	alerts := time.NewTicker(alertTick)
	defer alerts.Stop()
	disk := time.NewTicker(diskTick)
	defer disk.Stop()
	d.checkDisk(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-alerts.C:
			if d.cfg.Alerts != nil {
				if err := d.cfg.Alerts.Tick(ctx); err != nil && ctx.Err() == nil {
					d.log.Error("alert_failed", slog.Any("error", err))
				}
			}
		case <-disk.C:
			d.checkDisk(ctx)
		}
	}
}

func (d *Daemon) checkDisk(ctx context.Context) {
	if d.cfg.StorePath == "" {
		return
	}
	free, total, err := diskSpace(filepath.Dir(d.cfg.StorePath))
	if err != nil {
		d.log.Warn("disk_check_failed", slog.Any("error", err))
		return
	}
	if nearlyFull(free, total) {
		d.log.Warn("disk_nearly_full", slog.Uint64("free_bytes", free), slog.Uint64("total_bytes", total))
		d.alert(ctx, notify.ProblemDisk, fmt.Errorf("%s: %d MiB free of %d MiB",
			filepath.Dir(d.cfg.StorePath), free>>20, total>>20))
		return
	}
	d.recovered(ctx, notify.ProblemDisk)
}

func nearlyFull(free, total uint64) bool {
	return free < diskMinFreeBytes || float64(free) < diskMinFreeShare*float64(total)
}

// diskSpace returns the bytes available to us and the size of the file
// system holding dir.
func diskSpace(dir string) (free, total uint64, err error) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return 0, 0, fmt.Errorf("disk space of %s: %w", dir, err)
	}
	return fs.Bavail * uint64(fs.Bsize), fs.Blocks * uint64(fs.Bsize), nil
}
