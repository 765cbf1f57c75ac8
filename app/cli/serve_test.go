package cli_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app/cli"
	"dispatchd/app/kafka"
	"dispatchd/config"
)

func TestServe_a_failed_constructor_is_its_own_error_not_the_dig_chain(t *testing.T) {
	cfg := config.Default()
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Log.Level = "error"
	// Deep in the graph: the lifecycle needs the producer, which fails.
	failing := fx.Decorate(func(*kafka.Producer) (*kafka.Producer, error) { return nil, errors.New("boom") })
	err := cli.Serve(cfg, failing)
	require.EqualError(t, err, "build daemon: boom")
}
