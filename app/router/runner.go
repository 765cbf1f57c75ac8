package router

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.uber.org/zap"
)

// Runner runs a router for the life of the app: Start returns once the
// router runs, Stop closes it, draining in-flight messages.
type Runner struct {
	r      *message.Router
	failed func() // the router ended on its own
	log    *zap.Logger
}

// NewRunner runs r; failed is called if the router ends without Stop, so the
// app shuts down (exit code 1) rather than staying half-alive.
func NewRunner(r *message.Router, failed func(), log *zap.Logger) *Runner {
	return &Runner{r: r, failed: failed, log: log}
}

// Start runs the router in the background and returns once it is running.
func (rn *Runner) Start(ctx context.Context) error {
	ended := make(chan error, 1)
	go func() {
		err := rn.r.Run(context.Background())
		if err != nil {
			ended <- err
		}
		if !rn.r.IsClosed() {
			rn.log.Error("router stopped on its own; shutting down", zap.Error(err))
			rn.failed()
		}
	}()
	select {
	case <-rn.r.Running():
		rn.log.Info("router running")
		return nil
	case err := <-ended:
		return fmt.Errorf("start router: %w", err)
	case <-ctx.Done():
		return fmt.Errorf("start router: %w", ctx.Err())
	}
}

// Stop closes the router: it drains in-flight messages, then the subscriber
// commits and leaves the group.
func (rn *Runner) Stop(context.Context) error {
	rn.log.Info("closing router: draining in-flight messages, then leaving the group")
	if err := rn.r.Close(); err != nil {
		return fmt.Errorf("close router: %w", err)
	}
	rn.log.Info("router closed")
	return nil
}
