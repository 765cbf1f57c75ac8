package config_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name      string
		file      string // YAML content; "" loads no file
		env       []string
		overrides map[string]string
		want      func(*config.Config)
	}{
		{name: "no_sources_gives_defaults", want: func(*config.Config) {}},
		{name: "env_brokers_comma_list_trimmed",
			env:  []string{"DISPATCHD_KAFKA_BROKERS= a:1 , b:2 ,"},
			want: func(c *config.Config) { c.Kafka.Brokers = []string{"a:1", "b:2"} }},
		{name: "env_nested_duration",
			env: []string{"DISPATCHD_CONSUMER_SESSION_TIMEOUT=30s", "DISPATCHD_ROUTER_RETRY_MAX_BACKOFF=250ms"},
			want: func(c *config.Config) {
				c.Consumer.SessionTimeout = 30 * time.Second
				c.Router.RetryMaxBackoff = 250 * time.Millisecond
			}},
		{name: "env_names_with_underscores",
			env: []string{"DISPATCHD_KAFKA_CLIENT_ID=w1", "DISPATCHD_TOPICS_DEAD_LETTER=dlq", "DISPATCHD_KAFKA_SASL_PASSWORD=p=w"},
			want: func(c *config.Config) {
				c.Kafka.ClientID, c.Topics.DeadLetter, c.Kafka.SASL.Password = "w1", "dlq", "p=w"
			}},
		{name: "env_bools_and_ints",
			env: []string{"DISPATCHD_PRODUCER_IDEMPOTENT=false", "DISPATCHD_TOPICS_PARTITIONS=3", "DISPATCHD_TOPICS_REPLICATION_FACTOR=2"},
			want: func(c *config.Config) {
				c.Producer.Idempotent, c.Topics.Partitions, c.Topics.ReplicationFactor = false, 3, 2
			}},
		{name: "env_test_prefix_and_foreign_names_ignored",
			env:  []string{"DISPATCHD_TEST_BROKERS=x:1", "DISPATCHD_TEST_ANYTHING=1", "KAFKA_BROKERS=y:2", "PATH=/bin"},
			want: func(*config.Config) {}},
		{name: "env_launcher_legacy_names_ignored",
			env:  []string{"DISPATCHD_KAFKA_STATE=/tmp/k", "DISPATCHD_KAFKA_CACHE=/tmp/c"},
			want: func(*config.Config) {}},
		{name: "file_sets_values",
			file: "kafka:\n  brokers: [f1:9092, f2:9092]\nconsumer:\n  group: from-file\n  heartbeat_interval: 2s\nproducer:\n  flush_frequency: 0\n",
			want: func(c *config.Config) {
				c.Kafka.Brokers, c.Consumer.Group, c.Consumer.HeartbeatInterval = []string{"f1:9092", "f2:9092"}, "from-file", 2*time.Second
				c.Producer.FlushFrequency = 0 // a bare 0 is a duration, and overrides the default
			}},
		{name: "file_null_and_empty_sections_keep_defaults",
			file: "kafka:\nconsumer: {}\nhttp:\n  addr:\n", want: func(*config.Config) {}},
		{name: "file_comment_only", file: "# nothing set\n", want: func(*config.Config) {}},
		{name: "overrides_by_path",
			overrides: map[string]string{"kafka.brokers": "a:1,b:2", "http.addr": ":9090", "producer.retries": "7"},
			want: func(c *config.Config) {
				c.Kafka.Brokers, c.HTTP.Addr, c.Producer.Retries = []string{"a:1", "b:2"}, ":9090", 7
			}},
		{name: "precedence_file_then_env_then_overrides",
			file:      "consumer:\n  group: file\nhttp:\n  addr: file:1\nlog:\n  level: debug\n",
			env:       []string{"DISPATCHD_CONSUMER_GROUP=env", "DISPATCHD_HTTP_ADDR=env:2"},
			overrides: map[string]string{"http.addr": "flag:3"},
			want:      func(c *config.Config) { c.Consumer.Group, c.HTTP.Addr, c.Log.Level = "env", "flag:3", "debug" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Load(writeFile(t, tt.file), tt.env, tt.overrides)
			require.NoError(t, err)
			want := config.Default()
			tt.want(&want)
			require.Equal(t, want, got)
		})
	}
}

func TestLoad_rejects(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		env       []string
		overrides map[string]string
		want      []string
	}{
		{name: "unknown_env_var", env: []string{"DISPATCHD_KAFKA_BROKER=a:1"}, want: []string{"config:", "DISPATCHD_KAFKA_BROKER"}},
		{name: "env_launcher_name_near_miss", env: []string{"DISPATCHD_KAFKA_STATE_DIR=/tmp/k"},
			want: []string{"unknown environment variable DISPATCHD_KAFKA_STATE_DIR"}},
		{name: "unknown_yaml_key", file: "kafka:\n  broker: a:1\n", want: []string{"unknown key kafka.broker"}},
		{name: "unknown_yaml_section", file: "kafak:\n  brokers: [a:1]\n", want: []string{"unknown key kafak.brokers"}},
		{name: "yaml_section_given_a_value", file: "kafka: 5\n", want: []string{"kafka must be a mapping"}},
		{name: "malformed_yaml", file: "kafka: [\n", want: []string{"config: file"}},
		{name: "env_bad_duration", env: []string{"DISPATCHD_CONSUMER_SESSION_TIMEOUT=abc"},
			want: []string{"consumer.session_timeout", "DISPATCHD_CONSUMER_SESSION_TIMEOUT", `"abc"`}},
		{name: "env_bad_int", env: []string{"DISPATCHD_TOPICS_PARTITIONS=x"}, want: []string{"topics.partitions", "DISPATCHD_TOPICS_PARTITIONS"}},
		{name: "env_int_out_of_range", env: []string{"DISPATCHD_TOPICS_REPLICATION_FACTOR=70000"},
			want: []string{"topics.replication_factor", "out of range"}},
		{name: "env_bad_bool", env: []string{"DISPATCHD_KAFKA_TLS_ENABLED=maybe"}, want: []string{"kafka.tls.enabled", "DISPATCHD_KAFKA_TLS_ENABLED"}},
		{name: "yaml_duration_without_unit", file: "consumer:\n  session_timeout: 10\n",
			want: []string{"consumer.session_timeout", "DISPATCHD_CONSUMER_SESSION_TIMEOUT", "10s"}},
		{name: "yaml_unquoted_version_is_a_number", file: "kafka:\n  version: 2.8\n", want: []string{"kafka.version", "quote it"}},
		{name: "yaml_int_out_of_range", file: "topics:\n  partitions: 3000000000\n", want: []string{"topics.partitions", "out of range"}},
		{name: "yaml_list_of_non_strings", file: "kafka:\n  brokers: [{a: 1}]\n", want: []string{"kafka.brokers"}},
		{name: "unknown_override_key", overrides: map[string]string{"http.address": ":1"}, want: []string{`"http.address"`}},
		{name: "override_bad_duration", overrides: map[string]string{"shutdown.timeout": "soon"},
			want: []string{"override", "shutdown.timeout", "DISPATCHD_SHUTDOWN_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeFile(t, tt.file), tt.env, tt.overrides)
			require.Error(t, err)
			require.ErrorContains(t, err, "config: ")
			for _, want := range tt.want {
				require.ErrorContains(t, err, want)
			}
		})
	}
}

// TestLoadOver_base_is_only_the_bottom_layer: dispatchd dev's defaults give
// way to whatever the file, the environment or the flags set.
func TestLoadOver_base_is_only_the_bottom_layer(t *testing.T) {
	base := config.Default()
	base.HTTP.Send.Enabled, base.Log.Format = true, "console"
	tests := []struct {
		name        string
		file        string
		env         []string
		overrides   map[string]string
		wantEnabled bool
		wantFormat  string
	}{
		{name: "base_alone", wantEnabled: true, wantFormat: "console"},
		{name: "file_turns_it_off", file: "http:\n  send:\n    enabled: false\n", wantFormat: "console"},
		{name: "env_turns_it_off", env: []string{"DISPATCHD_HTTP_SEND_ENABLED=false"}, wantFormat: "console"},
		{name: "flag_sets_the_format", overrides: map[string]string{"log.format": "json"}, wantEnabled: true, wantFormat: "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.LoadOver(base, writeFile(t, tt.file), tt.env, tt.overrides)
			require.NoError(t, err)
			require.Equal(t, tt.wantEnabled, got.HTTP.Send.Enabled)
			require.Equal(t, tt.wantFormat, got.Log.Format)
		})
	}
	require.False(t, config.Default().HTTP.Send.Enabled, "run keeps the endpoint off unless it is set")
}

func TestLoad_missing_file(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	_, err := config.Load(path, nil, nil)
	require.ErrorContains(t, err, path)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// writeFile writes content to a temporary YAML file and returns its path, or
// "" when content is empty.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	if content == "" {
		return ""
	}
	path := filepath.Join(t.TempDir(), "dispatchd.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}
