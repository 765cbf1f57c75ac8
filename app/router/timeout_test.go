package router_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/router"
)

func TestTimeout(t *testing.T) {
	waitForCtx := func(msg *message.Message) ([]*message.Message, error) {
		<-msg.Context().Done()
		return nil, msg.Context().Err()
	}
	quick := func(*message.Message) ([]*message.Message, error) { return nil, nil }
	cases := []struct {
		name    string
		limit   time.Duration
		h       message.HandlerFunc
		wantErr error
	}{
		{name: "an_attempt_past_the_limit_fails_as_a_timeout", limit: 20 * time.Millisecond, h: waitForCtx, wantErr: router.ErrHandlerTimeout},
		{name: "an_attempt_within_the_limit_is_untouched", limit: time.Second, h: quick},
		{name: "zero_means_no_bound", limit: 0, h: quick},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := newMsg("in-1", "order.placed", "{}")
			before := msg.Context()
			_, err := router.Timeout(tc.limit)(tc.h)(msg)
			if tc.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.wantErr)
				require.ErrorIs(t, err, context.DeadlineExceeded)
			}
			require.Equal(t, before, msg.Context(), "the message's own context is restored")
			require.NoError(t, msg.Context().Err(), "a timed-out attempt is not a shutdown")
		})
	}
}

func TestTimeout_is_retried_then_dead_lettered_as_exhausted(t *testing.T) {
	attempts := 0
	h := func(msg *message.Message) ([]*message.Message, error) {
		attempts++
		<-msg.Context().Done()
		return nil, msg.Context().Err()
	}
	retry := router.Retry{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}
	_, err := retry.Middleware(router.Timeout(5 * time.Millisecond)(h))(newMsg("in-1", "order.placed", "{}"))
	var ae *router.AttemptsError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 3, ae.Attempts, "a timeout is transient: retried like any other failure")
	require.Equal(t, 3, attempts)
}

func TestGuard_turns_a_middleware_panic_into_an_error(t *testing.T) {
	panicking := func(*message.Message) ([]*message.Message, error) { panic(errors.New("label values are not valid")) }
	_, err := router.Guard(zap.NewNop())(panicking)(newMsg("in-1", "\xb7", "{}"))
	require.ErrorContains(t, err, "middleware panicked: label values are not valid")
}
