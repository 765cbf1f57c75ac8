package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/cli"
)

// unreachable is a broker address nothing listens on: a command that tried to
// connect would fail with exit code 1, not the usage code the tests expect.
const unreachable = "127.0.0.1:1"

func TestCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		stdin      string
		wantCode   int
		wantPrefix string   // stdout starts with it
		wantOut    []string // substrings of stdout
		wantNotOut []string // not in stdout
		wantErr    []string // substrings of stderr
		oneLineErr bool     // stderr is exactly one line starting "dispatchd: "
	}{
		{
			name: "config_check_defaults", args: []string{"config", "check"},
			wantCode: cli.ExitOK, wantOut: []string{"config ok"},
		},
		{
			name: "config_check_invalid_heartbeat", args: []string{"config", "check"},
			env:      map[string]string{"DISPATCHD_CONSUMER_HEARTBEAT_INTERVAL": "20s"},
			wantCode: cli.ExitUsage, wantErr: []string{"consumer.heartbeat_interval"}, oneLineErr: true,
		},
		{
			name: "config_check_unknown_env", args: []string{"config", "check"},
			env:      map[string]string{"DISPATCHD_NOPE": "1"},
			wantCode: cli.ExitUsage, wantErr: []string{"DISPATCHD_NOPE"}, oneLineErr: true,
		},
		{
			name: "config_check_unparsable_env", args: []string{"config", "check"},
			env:      map[string]string{"DISPATCHD_CONSUMER_SESSION_TIMEOUT": "soon"},
			wantCode: cli.ExitUsage, wantErr: []string{"DISPATCHD_CONSUMER_SESSION_TIMEOUT"}, oneLineErr: true,
		},
		{
			name: "config_check_test_env_allowed", args: []string{"config", "check"},
			env:      map[string]string{"DISPATCHD_TEST_BROKERS": "127.0.0.1:9092"},
			wantCode: cli.ExitOK, wantOut: []string{"config ok"},
		},
		{
			name: "config_check_launcher_env_allowed", args: []string{"config", "check"},
			env:      map[string]string{"DISPATCHD_KAFKA_STATE": "/tmp/kafka-state", "DISPATCHD_KAFKA_CACHE": "/tmp/kafka-cache"},
			wantCode: cli.ExitOK, wantOut: []string{"config ok"},
		},
		{
			name: "config_check_missing_file", args: []string{"--config", "/nonexistent/dispatchd.yaml", "config", "check"},
			wantCode: cli.ExitUsage, wantErr: []string{"/nonexistent/dispatchd.yaml"},
		},
		{
			name: "config_print_redacts_password", args: []string{"config", "print"},
			env:      map[string]string{"DISPATCHD_KAFKA_SASL_PASSWORD": "hunter2"},
			wantCode: cli.ExitOK, wantOut: []string{"REDACTED"}, wantNotOut: []string{"hunter2"},
		},
		{
			name: "config_print_brokers_flag", args: []string{"--brokers", "a:1,b:2", "config", "print"},
			wantCode: cli.ExitOK, wantOut: []string{"a:1", "b:2"}, wantNotOut: []string{"127.0.0.1:9092"},
		},
		{
			name: "flag_beats_env", args: []string{"--group", "from-flag", "config", "print"},
			env:      map[string]string{"DISPATCHD_CONSUMER_GROUP": "from-env"},
			wantCode: cli.ExitOK, wantOut: []string{"from-flag"}, wantNotOut: []string{"from-env"},
		},
		{
			name: "http_addr_and_log_format_flags", args: []string{"--http-addr", ":9999", "--log-format", "console", "config", "print"},
			wantCode: cli.ExitOK, wantOut: []string{"addr: :9999", "format: console"},
		},
		{
			name: "config_flag_shorthand", args: []string{"-c", "/nonexistent/short.yaml", "config", "check"},
			wantCode: cli.ExitUsage, wantErr: []string{"/nonexistent/short.yaml"},
		},
		{
			name: "ordering_flag", args: []string{"--ordering", "key", "config", "print"},
			wantCode: cli.ExitOK, wantOut: []string{"ordering: key"},
		},
		{
			name: "bad_ordering_flag", args: []string{"--ordering", "keyed", "config", "check"},
			wantCode: cli.ExitUsage, wantErr: []string{"consumer.ordering"}, oneLineErr: true,
		},
		{
			name: "config_print_invalid_flag_value", args: []string{"--log-level", "loud", "config", "print"},
			wantCode: cli.ExitUsage, wantErr: []string{"log.level"}, oneLineErr: true,
		},
		{
			name: "run_invalid_config_before_connecting", args: []string{"--brokers", unreachable, "run"},
			env:      map[string]string{"DISPATCHD_CONSUMER_HEARTBEAT_INTERVAL": "20s"},
			wantCode: cli.ExitUsage, wantErr: []string{"consumer.heartbeat_interval"}, oneLineErr: true,
		},
		{
			name: "version", args: []string{"version"},
			wantCode: cli.ExitOK, wantPrefix: "dispatchd ", wantOut: []string{"dispatchd " + cli.Version + " (commit "},
		},
		{
			name: "send_without_key", args: []string{"--brokers", unreachable, "send", "--type", "order.placed", "--data", "{}"},
			wantCode: cli.ExitUsage, wantErr: []string{"--key and --type are required"}, oneLineErr: true,
		},
		{
			name: "send_without_type", args: []string{"--brokers", unreachable, "send", "--key", "k", "--data", "{}"},
			wantCode: cli.ExitUsage, wantErr: []string{"--key and --type are required"}, oneLineErr: true,
		},
		{
			name: "send_invalid_json_data", args: []string{"--brokers", unreachable, "send", "--key", "k", "--type", "t", "--data", "nope"},
			wantCode: cli.ExitUsage, wantErr: []string{"value 1 is not valid JSON"}, oneLineErr: true,
		},
		{
			name: "send_invalid_json_stdin", args: []string{"--brokers", unreachable, "send", "--key", "k", "--type", "t"},
			stdin:    "{}\n\nnope\n",
			wantCode: cli.ExitUsage, wantErr: []string{"value 2 is not valid JSON"}, oneLineErr: true,
		},
		{
			name: "send_empty_stdin", args: []string{"--brokers", unreachable, "send", "--key", "k", "--type", "t"},
			wantCode: cli.ExitUsage, wantErr: []string{"nothing to send"}, oneLineErr: true,
		},
		{
			name: "send_invalid_config", args: []string{"--brokers", unreachable, "send", "--key", "k", "--type", "t", "--data", "{}"},
			env:      map[string]string{"DISPATCHD_CONSUMER_HEARTBEAT_INTERVAL": "20s"},
			wantCode: cli.ExitUsage, wantErr: []string{"consumer.heartbeat_interval"}, oneLineErr: true,
		},
		{
			name: "tail_invalid_config", args: []string{"--brokers", unreachable, "tail"},
			env:      map[string]string{"DISPATCHD_CONSUMER_HEARTBEAT_INTERVAL": "20s"},
			wantCode: cli.ExitUsage, wantErr: []string{"consumer.heartbeat_interval"}, oneLineErr: true,
		},
		{
			name: "help_lists_commands", args: []string{"--help"},
			wantCode: cli.ExitOK, wantOut: []string{"run", "dev", "send", "tail", "topics", "config", "version"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer

			code := cli.Main(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)

			require.Equal(t, tt.wantCode, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
			require.True(t, strings.HasPrefix(stdout.String(), tt.wantPrefix), stdout.String())
			for _, s := range tt.wantOut {
				require.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.wantNotOut {
				require.NotContains(t, stdout.String(), s)
			}
			for _, s := range tt.wantErr {
				require.Contains(t, stderr.String(), s)
			}
			if tt.wantCode == cli.ExitOK {
				require.Empty(t, stderr.String())
			}
			if tt.oneLineErr {
				require.True(t, strings.HasPrefix(stderr.String(), "dispatchd: "), stderr.String())
				require.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
				require.True(t, strings.HasSuffix(stderr.String(), "\n"))
			}
		})
	}
}

func TestHelp_lists_every_command(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, cli.ExitOK, cli.Main([]string{"--help"}, strings.NewReader(""), &stdout, &stderr))
	listed := map[string]bool{}
	inCommands := false
	for _, line := range strings.Split(stdout.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "Available Commands:"):
			inCommands = true
		case inCommands && strings.TrimSpace(line) == "":
			inCommands = false
		case inCommands:
			listed[strings.Fields(line)[0]] = true
		}
	}
	for _, c := range []string{"run", "dev", "send", "tail", "topics", "config", "doctor", "version"} {
		require.True(t, listed[c], "command %q listed in:\n%s", c, stdout.String())
	}
}
