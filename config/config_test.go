package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/config"
)

func TestDefault_validates(t *testing.T) {
	require.NoError(t, config.Default().Validate())
}

func TestString_redacts_password(t *testing.T) {
	tests := []struct {
		name     string
		password string
		want     string
	}{
		{name: "set_password_is_redacted", password: "hunter2", want: "password: '[REDACTED]'"},
		{name: "empty_password_stays_empty", password: "", want: `password: ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			c.Kafka.SASL.Password = tt.password
			out := c.String()
			require.Contains(t, out, tt.want)
			if tt.password != "" {
				require.NotContains(t, out, tt.password)
			}
			require.Equal(t, tt.password, c.Kafka.SASL.Password, "String must not change the receiver")
		})
	}
}

func TestString_prints_durations_as_text(t *testing.T) {
	out := config.Default().String()
	for _, want := range []string{"session_timeout: 10s", "delivery_timeout: 2m\n", "retry_backoff: 100ms", "flush_frequency: 2ms"} {
		require.Contains(t, out, want)
	}
}

func TestString_round_trips(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*config.Config)
	}{
		{name: "defaults", mutate: func(*config.Config) {}},
		{name: "every_section_changed", mutate: func(c *config.Config) {
			c.Kafka.Brokers = []string{"k1:9092", "k2:9093"}
			c.Kafka.ClientID = "123"
			c.Kafka.Version = "2.8.0"
			c.Kafka.SASL = config.SASL{Enabled: true, Username: "yes", Password: "secret"}
			c.Kafka.TLS.Enabled = true
			c.Consumer.SessionTimeout = 90 * time.Minute
			c.Consumer.InstanceID = "worker-1"
			c.Producer.Idempotent = false
			c.Producer.Acks = "leader"
			c.Producer.FlushFrequency = 1500 * time.Microsecond
			c.Producer.FlushBytes = 1 << 20
			c.Topics.Partitions = 32
			c.Topics.ReplicationFactor = 3
			c.Topics.AutoCreate = false
			c.Router.RetryAttempts = 0
			c.HTTP.Addr = ":9090"
			c.HTTP.AdminAddr = "127.0.0.1:9091"
			c.HTTP.Send = config.Send{Enabled: true, TokenFile: "/run/secrets/token", MaxConcurrent: 3, Timeout: 1500 * time.Millisecond}
			c.Log.Format = "console"
			c.Shutdown.Timeout = time.Hour
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.mutate(&c)
			path := filepath.Join(t.TempDir(), "dispatchd.yaml")
			require.NoError(t, os.WriteFile(path, []byte(c.String()), 0o600))

			got, err := config.Load(path, nil, nil)
			require.NoError(t, err)
			require.Equal(t, c.Redacted(), got)
		})
	}
}

func TestEnvVars_are_unique_and_documented(t *testing.T) {
	vars := config.EnvVars()
	require.Len(t, vars, leaves(reflect.TypeOf(config.Config{})), "one entry per leaf of Config")
	names, paths := map[string]string{}, map[string]bool{}
	for _, v := range vars {
		require.NotContains(t, names, v.Name, "%s collides with %s", v.Path, names[v.Name])
		require.False(t, paths[v.Path], "duplicate path %s", v.Path)
		names[v.Name], paths[v.Path] = v.Path, true
		require.NotEmpty(t, v.Doc, "%s has no doc tag", v.Path)
		require.NotContains(t, v.Doc, "\n", "%s: a doc is one line", v.Path)
		require.Equal(t, "DISPATCHD_"+strings.ToUpper(strings.ReplaceAll(v.Path, ".", "_")), v.Name)
		require.False(t, strings.HasPrefix(v.Name, "DISPATCHD_TEST_"), "%s is shadowed by the test allow-list", v.Name)
		require.NotContains(t, []string{"DISPATCHD_KAFKA_STATE", "DISPATCHD_KAFKA_CACHE"}, v.Name, "%s is the launcher's", v.Name)
	}
	require.Equal(t, "kafka.brokers", vars[0].Path, "struct order")
	require.Equal(t, "runtime.gc_percent", vars[len(vars)-1].Path, "struct order")
}

func TestLookup(t *testing.T) {
	v, ok := config.Lookup("consumer.session_timeout")
	require.True(t, ok)
	require.Equal(t, config.EnvVar{
		Name: "DISPATCHD_CONSUMER_SESSION_TIMEOUT", Path: "consumer.session_timeout", Default: "10s",
		Doc: "How long the coordinator waits for a heartbeat before it evicts the member.",
	}, v)
	for _, path := range []string{"consumer", "consumer.session", ""} {
		_, ok := config.Lookup(path)
		require.False(t, ok, path)
	}
}

func TestEnvVars_defaults_load_back(t *testing.T) {
	for _, v := range config.EnvVars() {
		t.Run(v.Path, func(t *testing.T) {
			got, err := config.Load("", []string{v.Name + "=" + v.Default}, nil)
			require.NoError(t, err)
			require.Equal(t, config.Default(), got)
		})
	}
}

func TestReferenceMarkdown(t *testing.T) {
	md := config.ReferenceMarkdown()
	lines := strings.Split(strings.TrimSuffix(md, "\n"), "\n")
	require.Equal(t, "| YAML path | Environment variable | Default | Description |", lines[0])
	require.Len(t, lines, 2+len(config.EnvVars()))
	for _, want := range []string{
		"| `kafka.brokers` | `DISPATCHD_KAFKA_BROKERS` | `127.0.0.1:9092` |",
		"| `consumer.session_timeout` | `DISPATCHD_CONSUMER_SESSION_TIMEOUT` | `10s` |",
		"| `consumer.instance_id` | `DISPATCHD_CONSUMER_INSTANCE_ID` | `\"\"` |",
	} {
		require.Contains(t, md, want)
	}
}

// leaves counts the non-struct fields of t, recursively: the settings.
func leaves(t reflect.Type) int {
	n := 0
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i).Type; f.Kind() == reflect.Struct {
			n += leaves(f)
		} else {
			n++
		}
	}
	return n
}
