package kafkatest

import (
	"os"
	"os/exec"
	"testing"
)

// EnvCI is set to "true" by CI, where no test may skip for a missing tool.
const EnvCI = "CI"

// Tool returns the path of the program name that a test runs. Without it the
// test skips on a workstation, but fails in CI (CI=true) and wherever the real
// Kafka suite is required (REQUIRE_REAL_KAFKA=1), so what it proves is never
// silently left unproved; install says how to get it.
func Tool(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv(EnvCI) == "true" || os.Getenv(EnvRequireReal) == "1" {
		t.Fatalf("%s is not on PATH, and %s=true or %s=1 forbids skipping (%s)", name, EnvCI, EnvRequireReal, install)
	}
	t.Skipf("SKIPPED: %s is not on PATH (%s); with %s=true or %s=1 this fails", name, install, EnvCI, EnvRequireReal)
	return ""
}
