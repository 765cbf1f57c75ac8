package app

import (
	"slices"

	"dispatchd/app/kafka"
	"dispatchd/app/router"
)

// health is what /healthz and the systemd watchdog report on. A partition
// holding records it finishes none of is stalled, and a restart may cure it;
// one paused on a message that could be neither finished nor dead-lettered
// waits on something outside the process (a missing topic, refused
// writes), which a restart cannot fix, so it is reported, not stalled.
type health struct {
	progress *kafka.Progress
	pauses   *router.Pauses
}

// Stalled lists the stalled partitions that no pause explains.
func (h health) Stalled() []string {
	stalled := h.progress.Stalled()
	paused := h.pauses.List()
	return slices.DeleteFunc(stalled, func(p string) bool {
		return slices.ContainsFunc(paused, func(ps router.Pause) bool { return ps.Partition == p })
	})
}

// Healthy reports whether no partition is stalled.
func (h health) Healthy() bool { return len(h.Stalled()) == 0 }

// Paused lists the paused partitions.
func (h health) Paused() []router.Pause { return h.pauses.List() }
