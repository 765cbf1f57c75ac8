package kafka

// An internal test: msgCtx is unexported, and the Subscriber's behaviour
// around it is the universal suite's (TestMessageCtx).

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/messages"
)

type parentKey struct{}

func TestMsgCtx_carries_the_record_the_pending_and_the_parents_values(t *testing.T) {
	parent := context.WithValue(context.Background(), parentKey{}, "kept")
	rec := messages.Record{Key: "k", Source: messages.Source{Topic: "t", Partition: 3, Offset: 9}}
	pd := &pending{}

	c := newMsgCtx(parent, rec, pd)
	got, ok := messages.RecordFromContext(c)
	require.True(t, ok)
	require.Equal(t, rec, got)
	require.Same(t, pd, pendingFrom(c))
	require.Equal(t, "kept", c.Value(parentKey{}))

	require.Nil(t, pendingFrom(newMsgCtx(parent, rec, nil)), "a synchronous record publishes awaited")
}

func TestMsgCtx_ends_on_ack_or_when_its_parent_does(t *testing.T) {
	tests := []struct {
		name      string
		doneFirst bool // Done asked for before the end, so it is joined to the parent
		end       func(c *msgCtx, cancelParent context.CancelFunc)
		want      error
	}{
		{"acked_waited_on", true, func(c *msgCtx, _ context.CancelFunc) { c.end() }, context.Canceled},
		{"acked_never_waited_on", false, func(c *msgCtx, _ context.CancelFunc) { c.end() }, context.Canceled},
		{"parent_ended_waited_on", true, func(_ *msgCtx, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"parent_ended_never_waited_on", false, func(_ *msgCtx, cancel context.CancelFunc) { cancel() }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := newMsgCtx(parent, messages.Record{}, nil)
			require.NoError(t, c.Err())
			if tt.doneFirst {
				_ = c.Done()
			}
			tt.end(c, cancel)
			select {
			case <-c.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("Done did not close")
			}
			require.ErrorIs(t, c.Err(), tt.want)
		})
	}
}
