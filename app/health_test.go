package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/router"
	"dispatchd/app/telemetry"
	"dispatchd/messages"
)

func TestHealth_a_pause_explains_a_stall_until_the_message_goes_through(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	p := kafka.NewProgress(10 * time.Second)
	p.SetClock(func() time.Time { return now })
	pauses := router.NewPauses(telemetry.NewMetrics(telemetry.BuildInfo{}), zap.NewNop())
	h := health{progress: p, pauses: pauses}
	p.ClaimStarted("in", 0)
	p.ClaimStarted("in", 1)
	p.Consumed("in", 0, 5, 10)
	p.Consumed("in", 1, 5, 10)
	now = now.Add(time.Minute)
	require.Equal(t, []string{"in/0", "in/1"}, h.Stalled())

	fail := true
	run := pauses.Middleware(func(*message.Message) ([]*message.Message, error) {
		if fail {
			return nil, &router.PauseError{Reason: router.ReasonResultsUnwritable, Err: errors.New("topic missing")}
		}
		return nil, nil
	})
	msg := message.NewMessage("m", nil)
	msg.SetContext(messages.WithRecord(context.Background(), messages.Record{Source: messages.Source{Topic: "in", Partition: 1, Offset: 5}}))
	_, err := run(msg)
	require.Error(t, err)
	require.Equal(t, []string{"in/0"}, h.Stalled(), "the paused partition is reported as paused, not stalled")
	require.False(t, h.Healthy())
	require.Len(t, h.Paused(), 1)

	fail = false
	_, err = run(msg)
	require.NoError(t, err)
	require.Empty(t, h.Paused(), "the pause ends when its message goes through")
}
