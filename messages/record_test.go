package messages_test

import (
	"context"
	"testing"

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
