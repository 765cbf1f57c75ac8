package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app"
	"dispatchd/app/telemetry"
	"dispatchd/config"
)

func TestOptions_invalid_config_fails_while_the_graph_is_built(t *testing.T) {
	cfg := config.Default()
	cfg.Kafka.Brokers = []string{"127.0.0.1:1"} // nothing listens: a connection attempt would fail differently
	cfg.Consumer.HeartbeatInterval = time.Minute
	a := fx.New(app.Options(cfg, telemetry.BuildInfo{}), fx.NopLogger)
	require.ErrorContains(t, a.Err(), "consumer.heartbeat_interval")
}
