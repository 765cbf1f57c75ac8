package httpapi

import (
	"encoding/json"
	"net/http"

	"dispatchd/app/router"
)

// Readiness is what /readyz reports on: the consumer's place in its group.
type Readiness interface {
	// Ready reports whether the consumer is in its group, consuming, and not stopping.
	Ready() bool
	// Joined reports whether the consumer has joined its group.
	Joined() bool
	// Stopping reports whether shutdown has begun.
	Stopping() bool
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Health is what /healthz reports on: progress, not mere liveness.
type Health interface {
	// Stalled lists the partitions that hold unfinished records but finished
	// nothing for the stall timeout, with no pause to explain it.
	Stalled() []string
	// Paused lists the partitions waiting on a message that could be
	// neither finished nor dead-lettered.
	Paused() []router.Pause
}

// healthz answers 503 naming the stalled partitions, if any: a stalled
// consumer should be restarted. Otherwise 200: "ok" while every partition
// makes progress or is idle, "paused" naming the paused ones and why, for
// a restart would not cure what they wait on.
func healthz(h Health) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if stalled := h.Stalled(); len(stalled) > 0 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "stalled", "stalled": stalled})
			return
		}
		if paused := h.Paused(); len(paused) > 0 {
			writeJSON(w, http.StatusOK, map[string]any{"status": "paused", "paused": paused})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// readyz answers 200 only while the consumer is in its group and consuming,
// and 503 before that and from the moment shutdown begins.
func readyz(r Readiness) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		body := map[string]any{"ready": r.Ready(), "joined": r.Joined(), "stopping": r.Stopping()}
		code := http.StatusOK
		if !r.Ready() {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, body)
	}
}
