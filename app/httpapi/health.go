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

// healthz answers 200 while the process serves HTTP at all.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
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
