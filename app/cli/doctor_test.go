package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/cli"
	"dispatchd/app/kafkatest"
)

func TestDoctor_exits_0_only_when_the_daemon_could_run(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 3)
	c.CreateTopics(t, 3, cfg.Topics.Input, cfg.Topics.Output)
	tests := []struct {
		name     string
		brokers  string
		create   string // "true" or "false": topics.auto_create
		wantCode int
		wantRows []string // "check result" pairs
	}{
		{name: "a_missing_topic_fails_without_auto_create", brokers: strings.Join(c.Brokers, ","), create: "false",
			wantCode: cli.ExitFailure, wantRows: []string{"connect ok", "topics.input ok", "topics.output ok",
				"topics.dead_letter FAIL", "consumer.group ok"}},
		{name: "a_missing_topic_auto_create_will_make_is_ok", brokers: strings.Join(c.Brokers, ","), create: "true",
			wantCode: cli.ExitOK, wantRows: []string{"connect ok", "topics.dead_letter ok", "consumer.group ok"}},
		{name: "unreachable_brokers_fail_at_connect", brokers: unreachable, create: "true",
			wantCode: cli.ExitFailure, wantRows: []string{"connect FAIL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range map[string]string{"DISPATCHD_TOPICS_INPUT": cfg.Topics.Input, "DISPATCHD_TOPICS_OUTPUT": cfg.Topics.Output,
				"DISPATCHD_TOPICS_DEAD_LETTER": cfg.Topics.DeadLetter, "DISPATCHD_CONSUMER_GROUP": cfg.Consumer.Group,
				"DISPATCHD_KAFKA_VERSION": cfg.Kafka.Version, "DISPATCHD_TOPICS_AUTO_CREATE": tt.create} {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := cli.Main([]string{"doctor", "--brokers", tt.brokers}, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, tt.wantCode, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			rows := map[string]bool{}
			for _, line := range strings.Split(stdout.String(), "\n") {
				if f := strings.Fields(line); len(f) >= 2 {
					rows[f[0]+" "+f[1]] = true
				}
			}
			for _, r := range tt.wantRows {
				require.True(t, rows[r], "row %q missing from:\n%s", r, stdout.String())
			}
		})
	}
}
