package sdnotify_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/sdnotify"
)

func TestWatchdogInterval(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	cases := []struct {
		name    string
		usec    string // "-" leaves WATCHDOG_USEC unset
		pid     string // "" leaves WATCHDOG_PID unset
		want    time.Duration
		wantErr string
	}{
		{name: "unset_is_off", usec: "-"},
		{name: "empty_is_off", usec: ""},
		{name: "half_the_interval", usec: "30000000", want: 15 * time.Second},
		{name: "for_this_pid", usec: "200000", pid: self, want: 100 * time.Millisecond},
		{name: "for_another_pid_is_off", usec: "200000", pid: strconv.Itoa(os.Getpid() + 1)},
		{name: "bad_usec", usec: "30s", wantErr: "WATCHDOG_USEC"},
		{name: "zero_usec", usec: "0", wantErr: "WATCHDOG_USEC"},
		{name: "bad_pid", usec: "200000", pid: "me", wantErr: "WATCHDOG_PID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("WATCHDOG_USEC", tc.usec)
			if tc.usec == "-" {
				require.NoError(t, os.Unsetenv("WATCHDOG_USEC"))
			}
			t.Setenv("WATCHDOG_PID", tc.pid)
			got, err := sdnotify.WatchdogInterval()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
