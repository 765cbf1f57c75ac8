package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/cli"
	"dispatchd/config"
)

func TestFlags_help_is_the_config_doc(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, cli.ExitOK, cli.Main([]string{"run", "--help"}, strings.NewReader(""), &stdout, &stderr))
	help := map[string]string{} // flag -> its help text
	for _, line := range strings.Split(stdout.String(), "\n") {
		if _, flag, ok := strings.Cut(line, "--"); ok {
			name, text, _ := strings.Cut(flag, " string")
			help[name] = strings.TrimSpace(text)
		}
	}
	require.Equal(t, "YAML config file", help["config"])
	require.Contains(t, stdout.String(), "-c, --config string")
	for flag, path := range map[string]string{
		"brokers": "kafka.brokers", "http-addr": "http.addr", "group": "consumer.group",
		"ordering": "consumer.ordering", "log-level": "log.level", "log-format": "log.format",
	} {
		v, ok := config.Lookup(path)
		require.True(t, ok, path)
		require.Equal(t, strings.TrimSuffix(v.Doc, ".")+" ("+path+")", help[flag], flag)
	}
}
