package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app"
	"dispatchd/app/kafkatest"
	"dispatchd/app/telemetry"
)

func TestDaemon_start_fails_with_one_line_naming_a_missing_topic(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 2)
	cfg.Topics.AutoCreate = false
	c.CreateTopics(t, 2, cfg.Topics.Input, cfg.Topics.DeadLetter)

	a := fx.New(app.Options(cfg, telemetry.BuildInfo{}), fx.NopLogger)
	require.NoError(t, a.Err())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := a.Start(ctx)
	require.Error(t, err, "the daemon must not start without its results topic")
	require.ErrorContains(t, err, `topic "`+cfg.Topics.Output+`" (topics.output) does not exist`)
	require.NotContains(t, err.Error(), cfg.Topics.Input, "only the missing topic is named")
	require.NoError(t, a.Stop(ctx))
}
