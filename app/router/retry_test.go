package router_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"dispatchd/app/router"
	"dispatchd/handlers"
)

func TestRetry(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name          string
		maxRetries    int
		interval      time.Duration
		fail          func(call int) error // the error of the call-th run (1-based), nil for success
		cancelBefore  bool                 // cancel the message context before handling
		cancelOnRetry bool                 // cancel the message context in OnRetry
		wantCalls     int
		wantRetries   []int
		wantAttempts  int // 0: success
		wantErr       error
	}{
		{
			name: "transient_error_exhausts_retries", maxRetries: 3,
			fail:      func(int) error { return errBoom },
			wantCalls: 4, wantRetries: []int{1, 2, 3}, wantAttempts: 4, wantErr: errBoom,
		},
		{
			name: "permanent_error_not_retried", maxRetries: 3,
			fail:      func(int) error { return handlers.Permanent(errBoom) },
			wantCalls: 1, wantAttempts: 1, wantErr: errBoom,
		},
		{
			name: "success_after_two_failures", maxRetries: 3,
			fail: func(call int) error {
				if call <= 2 {
					return errBoom
				}
				return nil
			},
			wantCalls: 3, wantRetries: []int{1, 2},
		},
		{
			name: "success_at_once", maxRetries: 3,
			fail:      func(int) error { return nil },
			wantCalls: 1,
		},
		{
			name: "zero_max_retries_runs_once", maxRetries: 0,
			fail:      func(int) error { return errBoom },
			wantCalls: 1, wantAttempts: 1, wantErr: errBoom,
		},
		{
			name: "cancelled_context_not_retried", maxRetries: 3, cancelBefore: true,
			fail:      func(int) error { return errBoom },
			wantCalls: 1, wantAttempts: 1, wantErr: errBoom,
		},
		{
			// The backoff is an hour: the test only ends because the
			// cancellation interrupts the wait.
			name: "cancelled_during_backoff_stops_waiting", maxRetries: 3, interval: time.Hour, cancelOnRetry: true,
			fail:      func(int) error { return errBoom },
			wantCalls: 1, wantRetries: []int{1}, wantAttempts: 1, wantErr: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			msg := newMsg("in-1", "order.placed", orderPlaced)
			msg.SetContext(ctx)
			if tt.cancelBefore {
				cancel()
			}
			interval := tt.interval
			if interval == 0 {
				interval = time.Millisecond
			}
			var retries []int
			calls := 0
			want := []*message.Message{message.NewMessage("out-1", nil)}
			h := router.Retry{
				MaxRetries:      tt.maxRetries,
				InitialInterval: interval,
				MaxInterval:     interval,
				OnRetry: func(got *message.Message, attempt int, err error) {
					require.Same(t, msg, got)
					require.Error(t, err)
					retries = append(retries, attempt)
					if tt.cancelOnRetry {
						cancel()
					}
				},
			}.Middleware(func(*message.Message) ([]*message.Message, error) {
				calls++
				if err := tt.fail(calls); err != nil {
					return nil, err
				}
				return want, nil
			})

			out, err := h(msg)

			require.Equal(t, tt.wantCalls, calls, "handler runs")
			require.Equal(t, tt.wantRetries, retries, "OnRetry attempts")
			if tt.wantAttempts == 0 {
				require.NoError(t, err)
				require.Equal(t, want, out)
				return
			}
			require.Nil(t, out)
			var ae *router.AttemptsError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tt.wantAttempts, ae.Attempts)
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestAttemptsError(t *testing.T) {
	inner := handlers.Permanent(errors.New("bad payload"))
	err := &router.AttemptsError{Attempts: 4, Err: inner}
	require.EqualError(t, err, "after 4 attempt(s): bad payload")
	require.ErrorIs(t, err, inner)
	require.True(t, handlers.IsPermanent(err), "permanence must be visible through AttemptsError")
}
