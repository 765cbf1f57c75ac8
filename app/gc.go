package app

import (
	"os"
	"runtime/debug"

	"dispatchd/config"
)

// ApplyGCPercent sets the garbage collector's GOGC to cfg's runtime.gc_percent
// unless the GOGC environment variable is set: the Go runtime has applied
// that already, and an operator's explicit GOGC wins. It reports whether it
// set it. The setting is process-wide, so it is made once, as the daemon's
// graph is built.
func ApplyGCPercent(cfg config.Config, lookupEnv func(string) (string, bool)) bool {
	if _, set := lookupEnv("GOGC"); set {
		return false
	}
	debug.SetGCPercent(cfg.Runtime.GCPercent)
	return true
}

// applyGCPercent is ApplyGCPercent with this process's environment.
func applyGCPercent(cfg config.Config) { ApplyGCPercent(cfg, os.LookupEnv) }
