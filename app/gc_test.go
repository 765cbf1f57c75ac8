package app_test

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app"
	"dispatchd/config"
)

func TestApplyGCPercent_sets_gogc_unless_the_environment_does(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want int // GOGC afterwards; the test starts from 100
	}{
		{name: "unset_gogc_takes_the_config", env: map[string]string{}, want: 175},
		{name: "set_gogc_wins", env: map[string]string{"GOGC": "100"}, want: 100},
		{name: "empty_gogc_is_still_the_operators", env: map[string]string{"GOGC": ""}, want: 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prev := debug.SetGCPercent(100)
			t.Cleanup(func() { debug.SetGCPercent(prev) })
			cfg := config.Default()
			cfg.Runtime.GCPercent = 175
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			applied := app.ApplyGCPercent(cfg, lookup)
			require.Equal(t, tc.want != 100, applied)
			require.Equal(t, tc.want, debug.SetGCPercent(100))
		})
	}
}
