package router

// An internal test: attemptCtx must behave as context.WithTimeout does,
// armed or not.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAttemptCtx_behaves_as_WithTimeout(t *testing.T) {
	cases := []struct {
		name    string
		run     func(t *testing.T, parentCancel context.CancelFunc, ctx *attemptCtx, cancel context.CancelFunc)
		wantErr error
	}{
		{"unarmed_deadline_passes", func(t *testing.T, _ context.CancelFunc, ctx *attemptCtx, _ context.CancelFunc) {
			require.NoError(t, ctx.Err())
			time.Sleep(30 * time.Millisecond)
		}, context.DeadlineExceeded},
		{"armed_deadline_closes_done", func(t *testing.T, _ context.CancelFunc, ctx *attemptCtx, _ context.CancelFunc) {
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("Done never closed after the deadline")
			}
		}, context.DeadlineExceeded},
		{"armed_parent_cancel_closes_done", func(t *testing.T, parentCancel context.CancelFunc, ctx *attemptCtx, _ context.CancelFunc) {
			done := ctx.Done()
			parentCancel()
			<-done
		}, context.Canceled},
		{"unarmed_parent_cancel", func(t *testing.T, parentCancel context.CancelFunc, _ *attemptCtx, _ context.CancelFunc) {
			parentCancel()
		}, context.Canceled},
		{"cancel_then_done_is_closed", func(t *testing.T, _ context.CancelFunc, ctx *attemptCtx, cancel context.CancelFunc) {
			cancel()
			<-ctx.Done()
		}, context.Canceled},
		{"a_derived_context_ends_with_it", func(t *testing.T, _ context.CancelFunc, ctx *attemptCtx, cancel context.CancelFunc) {
			child, stop := context.WithCancel(ctx)
			defer stop()
			cancel()
			<-child.Done()
			require.ErrorIs(t, child.Err(), context.Canceled)
		}, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent, parentCancel := context.WithCancel(context.Background())
			defer parentCancel()
			ctx := withAttemptTimeout(parent, 20*time.Millisecond)
			cancel := ctx.cancel
			defer cancel()
			c.run(t, parentCancel, ctx, cancel)
			require.True(t, errors.Is(ctx.Err(), c.wantErr), "Err() = %v, want %v", ctx.Err(), c.wantErr)
			select {
			case <-ctx.Done():
			default:
				t.Fatal("Done is open although Err is set")
			}
		})
	}
}

func TestAttemptCtx_deadline_is_the_earlier_of_its_own_and_its_parents(t *testing.T) {
	parent, stop := context.WithTimeout(context.Background(), time.Millisecond)
	defer stop()
	ctx := withAttemptTimeout(parent, time.Hour)
	defer ctx.cancel()
	pd, _ := parent.Deadline()
	got, ok := ctx.Deadline()
	require.True(t, ok)
	require.Equal(t, pd, got)
	require.Equal(t, "value", context.WithValue(parent, ctxKey{}, "value").Value(ctxKey{}))
}

type ctxKey struct{}
