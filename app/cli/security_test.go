package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/cli"
	"dispatchd/app/kafkatest"
)

func TestConfig_check_and_print_guard_the_credentials(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(secret, []byte("hunter2\n"), 0o600))
	scram := map[string]string{"DISPATCHD_KAFKA_SASL_ENABLED": "true", "DISPATCHD_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
		"DISPATCHD_KAFKA_SASL_USERNAME": "dispatchd", "DISPATCHD_KAFKA_SASL_PASSWORD_FILE": secret}
	with := func(extra map[string]string) map[string]string {
		env := map[string]string{}
		for _, m := range []map[string]string{scram, extra} {
			for k, v := range m {
				env[k] = v
			}
		}
		return env
	}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantOut  []string
		wantErr  []string
	}{
		{name: "scram_without_tls_is_refused", args: []string{"config", "check"}, env: scram,
			wantCode: cli.ExitUsage, wantErr: []string{"kafka.sasl.mechanism SCRAM-SHA-512 without kafka.tls.enabled", "kafka.sasl.allow_plaintext=true"}},
		{name: "scram_without_tls_allowed", args: []string{"config", "check"}, env: with(map[string]string{"DISPATCHD_KAFKA_SASL_ALLOW_PLAINTEXT": "true"}),
			wantCode: cli.ExitOK, wantOut: []string{"config ok"}},
		{name: "scram_over_tls", args: []string{"config", "check"}, env: with(map[string]string{"DISPATCHD_KAFKA_TLS_ENABLED": "true"}),
			wantCode: cli.ExitOK, wantOut: []string{"config ok"}},
		{name: "missing_password_file_names_the_key", args: []string{"config", "check"},
			env:      with(map[string]string{"DISPATCHD_KAFKA_TLS_ENABLED": "true", "DISPATCHD_KAFKA_SASL_PASSWORD_FILE": secret + ".absent"}),
			wantCode: cli.ExitUsage, wantErr: []string{"kafka.sasl.password_file: open " + secret + ".absent"}},
		{name: "run_with_a_missing_ca_file_exits_2_before_connecting", args: []string{"--brokers", "127.0.0.1:1", "run"},
			env:      map[string]string{"DISPATCHD_KAFKA_TLS_ENABLED": "true", "DISPATCHD_KAFKA_TLS_CA_FILE": "/nonexistent/ca.pem"},
			wantCode: cli.ExitUsage, wantErr: []string{"kafka.tls.ca_file: open /nonexistent/ca.pem"}},
		{name: "print_redacts_the_oauth_secret", args: []string{"config", "print"},
			env: map[string]string{"DISPATCHD_KAFKA_SASL_ENABLED": "true", "DISPATCHD_KAFKA_SASL_MECHANISM": "OAUTHBEARER",
				"DISPATCHD_KAFKA_TLS_ENABLED": "true", "DISPATCHD_KAFKA_SASL_OAUTH_TOKEN_URL": "https://idp.example.com/token",
				"DISPATCHD_KAFKA_SASL_OAUTH_CLIENT_ID": "dispatchd", "DISPATCHD_KAFKA_SASL_OAUTH_CLIENT_SECRET": "oauth-s3cret"},
			wantCode: cli.ExitOK, wantOut: []string{"client_secret: '[REDACTED]'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := cli.Main(tt.args, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, tt.wantCode, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
			for _, s := range tt.wantOut {
				require.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.wantErr {
				require.Contains(t, stderr.String(), s)
			}
			if code != cli.ExitOK {
				require.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			}
			for _, out := range []string{stdout.String(), stderr.String()} {
				require.NotContains(t, out, "hunter2")
				require.NotContains(t, out, "oauth-s3cret")
			}
		})
	}
}

func TestDoctor_reports_a_refused_login_and_a_failed_handshake_as_such(t *testing.T) {
	sec := kafkatest.StartSecured(t)
	otherCA := kafkatest.NewCA(t).WriteCA(t)
	c := sec.SCRAM
	cfg := c.Config(t, 1)
	tests := []struct {
		name     string
		env      map[string]string
		wantCode int
		wantRow  string
		wantText string
	}{
		{name: "scram_over_tls", wantCode: cli.ExitOK, wantRow: "authentication ok", wantText: "TLS, SASL/SCRAM-SHA-512 as dispatchd"},
		{name: "wrong_password", env: map[string]string{"DISPATCHD_KAFKA_SASL_PASSWORD": "wrong"},
			wantCode: cli.ExitFailure, wantRow: "authentication FAIL", wantText: "authentication failed at broker"},
		{name: "wrong_ca", env: map[string]string{"DISPATCHD_KAFKA_TLS_CA_FILE": otherCA},
			wantCode: cli.ExitFailure, wantRow: "tls FAIL", wantText: "check kafka.tls.ca_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DISPATCHD_TOPICS_INPUT": cfg.Topics.Input, "DISPATCHD_TOPICS_OUTPUT": cfg.Topics.Output,
				"DISPATCHD_TOPICS_DEAD_LETTER": cfg.Topics.DeadLetter, "DISPATCHD_CONSUMER_GROUP": cfg.Consumer.Group,
				"DISPATCHD_KAFKA_BROKERS": strings.Join(c.Brokers, ","), "DISPATCHD_KAFKA_TLS_ENABLED": "true",
				"DISPATCHD_KAFKA_TLS_CA_FILE": c.TLS.CAFile, "DISPATCHD_KAFKA_SASL_ENABLED": "true",
				"DISPATCHD_KAFKA_SASL_MECHANISM": c.SASL.Mechanism, "DISPATCHD_KAFKA_SASL_USERNAME": c.SASL.Username,
				"DISPATCHD_KAFKA_SASL_PASSWORD": c.SASL.Password}
			for k, v := range tt.env {
				env[k] = v
			}
			for k, v := range env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := cli.Main([]string{"doctor"}, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, tt.wantCode, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			rows := map[string]bool{}
			for _, line := range strings.Split(stdout.String(), "\n") {
				if f := strings.Fields(line); len(f) >= 2 {
					rows[f[0]+" "+f[1]] = true
				}
			}
			require.True(t, rows[tt.wantRow], "row %q missing from:\n%s", tt.wantRow, stdout.String())
			require.Contains(t, stdout.String(), tt.wantText)
			require.NotContains(t, stdout.String()+stderr.String(), kafkatest.SCRAMPassword)
		})
	}
}
