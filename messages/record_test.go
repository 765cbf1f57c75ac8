package messages_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/messages"
)

func TestRecordContext(t *testing.T) {
	type other struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), other{}, "kept"))
	r := messages.Record{Key: "k", Source: messages.Source{Topic: "t", Partition: 1, Offset: 2}}

	ctx := messages.WithRecord(parent, r)

	got, ok := messages.RecordFromContext(ctx)
	require.True(t, ok)
	require.Equal(t, r, got)
	require.Equal(t, "kept", ctx.Value(other{}), "the parent's values stay visible")
	child, stop := context.WithCancel(ctx)
	defer stop()
	cancel()
	<-child.Done() // the parent's cancellation reaches contexts derived from ctx
	_, ok = messages.RecordFromContext(context.Background())
	require.False(t, ok)
}

func TestWithDetachedRecord_outlives_its_parent_and_keeps_its_values(t *testing.T) {
	type other struct{}
	parent, cancel := context.WithTimeout(context.WithValue(context.Background(), other{}, "kept"), time.Hour)
	r := messages.Record{Key: "k", Source: messages.Source{Topic: "t", Partition: 1, Offset: 2}}

	ctx := messages.WithDetachedRecord(messages.WithRecord(parent, messages.Record{Key: "input"}), r)
	cancel()

	got, ok := messages.RecordFromContext(ctx)
	require.True(t, ok)
	require.Equal(t, r, got, "its own record, not the parent's")
	require.Equal(t, "kept", ctx.Value(other{}))
	require.NoError(t, ctx.Err(), "the parent ended; it did not")
	require.Nil(t, ctx.Done())
	_, hasDeadline := ctx.Deadline()
	require.False(t, hasDeadline)
	child, stop := context.WithCancel(ctx)
	defer stop()
	require.NoError(t, child.Err(), "nothing derived from it inherits the parent's end")
}
