package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/cli"
	"dispatchd/config"
)

// TestDevDefaults_differ_from_run_only_in_the_send_endpoint_and_the_log_format:
// dev is for trying dispatchd with curl; run keeps POST /v1/messages off
// unless it is set.
func TestDevDefaults_differ_from_run_only_in_the_send_endpoint_and_the_log_format(t *testing.T) {
	dev := cli.DevDefaults()
	require.NoError(t, dev.Validate())
	require.True(t, dev.HTTP.Send.Enabled)
	require.Equal(t, "console", dev.Log.Format)
	require.False(t, config.Default().HTTP.Send.Enabled)

	dev.HTTP.Send.Enabled, dev.Log.Format = config.Default().HTTP.Send.Enabled, config.Default().Log.Format
	require.Equal(t, config.Default(), dev)
}
