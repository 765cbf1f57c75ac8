package sdnotify

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// WatchdogInterval returns how often to send WATCHDOG=1: half of
// $WATCHDOG_USEC, as sd_watchdog_enabled(3) advises. It returns 0 when the
// watchdog is off: WATCHDOG_USEC unset, or WATCHDOG_PID set to another
// process (the variables were inherited, not meant for us). A malformed
// value is an error.
func WatchdogInterval() (time.Duration, error) {
	usec, ok := os.LookupEnv("WATCHDOG_USEC")
	if !ok || usec == "" {
		return 0, nil
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" {
		p, err := strconv.Atoi(pid)
		if err != nil || p <= 0 {
			return 0, fmt.Errorf("WATCHDOG_PID %q: not a process id", pid)
		}
		if p != os.Getpid() {
			return 0, nil
		}
	}
	us, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || us == 0 {
		return 0, fmt.Errorf("WATCHDOG_USEC %q: not a positive number of microseconds", usec)
	}
	return time.Duration(us) * time.Microsecond / 2, nil
}
