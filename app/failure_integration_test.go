package app_test

import (
	"context"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"dispatchd/app/kafkatest"
	"dispatchd/handlers"
	"dispatchd/messages"
)

func TestDaemon_malformed_input_is_dead_lettered_without_blocking_its_partition(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 8)
	d := startDaemon(t, cfg)
	defer d.app.RequireStop()

	const key = "order-bad"
	typ := map[string]string{messages.HeaderType: messages.TypeOrderPlaced, messages.HeaderMessageID: "m1"}
	inputs := []kafkatest.Record{
		{Key: key, Value: orderPlaced(key, 1), Headers: typ},
		{Key: key, Value: []byte(`{"order_id": "order-bad", "pickup": `), Headers: map[string]string{
			messages.HeaderType: messages.TypeOrderPlaced, "trace": "keep-me"}},
		{Key: key, Value: orderPlaced("someone-else", 2), Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced}},
		{Key: key, Value: orderPlaced(key, 3), Headers: map[string]string{}},
		{Key: key, Value: orderPlaced(key, 4), Headers: map[string]string{messages.HeaderType: "order.teleported"}},
		{Key: key, Value: orderPlaced(key, 5), Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced, messages.HeaderMessageID: "m6"}},
	}
	sent := produced(t, c, cfg.Topics.Input, inputs)

	results := c.ReadN(t, cfg.Topics.Output, 2, 30*time.Second)
	require.Equal(t, "m1", results[0].Headers[messages.HeaderCausationID])
	require.Equal(t, "m6", results[1].Headers[messages.HeaderCausationID], "the record after the bad ones must still be handled")

	dlq := c.ReadN(t, cfg.Topics.DeadLetter, 4, 30*time.Second)
	wantErr := []string{"undecodable", "does not match the record key", "missing type", "unknown message type"}
	for i, r := range dlq {
		in := inputs[i+1]
		require.Equal(t, key, string(r.Key))
		require.Equal(t, string(in.Value), string(r.Value), "the original value is kept")
		for k, v := range in.Headers {
			require.Equal(t, v, r.Headers[k], "original header %s is kept", k)
		}
		require.Equal(t, messages.ErrorClassPermanent, r.Headers[messages.HeaderErrorClass])
		require.Equal(t, "1", r.Headers[messages.HeaderAttempts], "permanent errors are not retried")
		require.Contains(t, r.Headers[messages.HeaderError], wantErr[i])
		src := messages.Source{Topic: cfg.Topics.Input, Partition: sent[i+1].Partition, Offset: sent[i+1].Offset}
		require.Equal(t, src.String(), r.Headers[messages.HeaderSource])
	}

	// A record no handler took is counted under handler "none" and type
	// "unknown", so the label values stay the registered names plus one.
	want := map[string]float64{
		`dispatchd_messages_handled_total{handler="dispatch-order",outcome="success",type="order.placed"}`:     2,
		`dispatchd_messages_handled_total{handler="dispatch-order",outcome="dead_letter",type="order.placed"}`: 2,
		`dispatchd_messages_handled_total{handler="none",outcome="dead_letter",type="unknown"}`:                2,
	}
	var got map[string]float64
	require.Eventually(t, func() bool {
		got = series(scrape(t, d.http.Addr()), "dispatchd_messages_handled_total")
		return maps.Equal(want, got)
	}, 10*time.Second, 20*time.Millisecond, "handled series: want %v, last scraped %v", want, &got)
}

func TestDaemon_panicking_handler_is_retried_then_dead_lettered(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 4)
	cfg.Router.RetryAttempts = 2
	var calls atomic.Int64
	panicky := handlers.Func{HandlerName: "always-panics", Fn: func(context.Context, messages.Envelope) (messages.Result, error) {
		calls.Add(1)
		panic("boom")
	}}
	d := startDaemon(t, cfg, fx.Decorate(func(r *handlers.Registry) *handlers.Registry {
		return r.MustRegister("test.panic", panicky)
	}))
	defer d.app.RequireStop()

	const key = "order-p"
	produced(t, c, cfg.Topics.Input, []kafkatest.Record{
		{Key: key, Value: []byte(`{}`), Headers: map[string]string{messages.HeaderType: "test.panic"}},
		{Key: key, Value: orderPlaced(key, 1), Headers: map[string]string{messages.HeaderType: messages.TypeOrderPlaced}},
	})
	dlq := c.ReadN(t, cfg.Topics.DeadLetter, 1, 30*time.Second)
	require.Equal(t, messages.ErrorClassExhausted, dlq[0].Headers[messages.HeaderErrorClass])
	require.Equal(t, "3", dlq[0].Headers[messages.HeaderAttempts])
	require.Contains(t, dlq[0].Headers[messages.HeaderError], "handler panicked: boom")
	require.EqualValues(t, 3, calls.Load(), "one try and two retries")
	results := c.ReadN(t, cfg.Topics.Output, 1, 30*time.Second)
	require.Equal(t, key, string(results[0].Key), "the partition moves on after the dead letter")
}
