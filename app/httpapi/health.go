package httpapi

import (
	"encoding/json"
	"net/http"
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
	// Stalled lists the partitions that have lag but finished nothing for
	// the stall timeout.
	Stalled() []string
}

// healthz answers 200 while every owned partition makes progress or is idle,
// and 503 naming the stalled ones otherwise: a stalled consumer should be
// restarted, an idle one should not.
func healthz(h Health) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if stalled := h.Stalled(); len(stalled) > 0 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "stalled", "stalled": stalled})
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
