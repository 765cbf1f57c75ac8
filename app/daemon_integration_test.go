package app_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"dispatchd/app"
	"dispatchd/app/httpapi"
	"dispatchd/app/kafka"
	"dispatchd/app/kafkatest"
	"dispatchd/app/telemetry"
	"dispatchd/config"
	"dispatchd/messages"
)

// daemon is one dispatchd instance built from the app's own fx modules.
type daemon struct {
	app   *fxtest.App
	state *kafka.GroupState
	http  *httpapi.Server
}

// startDaemon starts the daemon for cfg and waits until it is in its group.
func startDaemon(t *testing.T, cfg config.Config, opts ...fx.Option) *daemon {
	t.Helper()
	d := &daemon{}
	all := append([]fx.Option{app.Options(cfg, telemetry.BuildInfo{Version: "test", Commit: "test"}),
		fx.Populate(&d.state, &d.http)}, opts...)
	d.app = fxtest.New(t, all...)
	d.app.RequireStart()
	require.Eventually(t, d.state.Ready, 30*time.Second, 10*time.Millisecond, "daemon never joined its group")
	return d
}

// orderPlaced is a valid order.placed value for key.
func orderPlaced(key string, i int) []byte {
	b, _ := json.Marshal(messages.OrderPlaced{
		OrderID: key,
		Pickup:  messages.Point{Lat: 52.0 + float64(i%50)/100, Lng: 13.0 + float64(i%70)/100},
		Dropoff: messages.Point{Lat: 52.3, Lng: 13.4},
	})
	return b
}

// orderInputs makes keys*perKey order.placed records, interleaved so each
// key's records are spread through the input, with a message id each.
func orderInputs(keys, perKey int) []kafkatest.Record {
	var rs []kafkatest.Record
	for i := 0; i < perKey; i++ {
		for k := 0; k < keys; k++ {
			key := fmt.Sprintf("order-%04d", k)
			rs = append(rs, kafkatest.Record{Key: key, Value: orderPlaced(key, i), Headers: map[string]string{
				messages.HeaderType:      messages.TypeOrderPlaced,
				messages.HeaderMessageID: fmt.Sprintf("in-%d-%d", k, i),
			}})
		}
	}
	return rs
}

// checkResults asserts every input has exactly one result, under its key,
// with the contract's headers, and that per key results follow input order.
func checkResults(t *testing.T, inputs []kafkatest.Record, sent []*kafkaProduced, results []kafkatest.Consumed) {
	t.Helper()
	bySource := map[string]kafkatest.Consumed{}
	for _, r := range results {
		src := r.Headers[messages.HeaderSource]
		_, dup := bySource[src]
		require.False(t, dup, "duplicate result for %s", src)
		bySource[src] = r
	}
	for i, in := range inputs {
		src := messages.Source{Topic: sent[i].Topic, Partition: sent[i].Partition, Offset: sent[i].Offset}.String()
		r, ok := bySource[src]
		require.True(t, ok, "no result for input %s (key %s)", src, in.Key)
		require.Equal(t, in.Key, string(r.Key))
		require.Equal(t, messages.TypeOrderDispatched, r.Headers[messages.HeaderType])
		require.Equal(t, in.Headers[messages.HeaderMessageID], r.Headers[messages.HeaderCausationID])
		require.NotEmpty(t, r.Headers[messages.HeaderCorrelationID])
		var out messages.OrderDispatched
		require.NoError(t, json.Unmarshal(r.Value, &out))
		require.Equal(t, in.Key, out.OrderID)
	}
	// Per key, the results (in output order) must name inputs in input order.
	seen := map[string]int64{}
	for _, r := range results {
		s, err := messages.ParseSource(r.Headers[messages.HeaderSource])
		require.NoError(t, err)
		if prev, ok := seen[string(r.Key)]; ok {
			require.Greater(t, s.Offset, prev, "key %s: result for offset %d came after offset %d", r.Key, s.Offset, prev)
		}
		seen[string(r.Key)] = s.Offset
	}
}

type kafkaProduced = struct {
	Topic     string
	Partition int32
	Offset    int64
}

func produced(t *testing.T, c *kafkatest.Cluster, topic string, rs []kafkatest.Record) []*kafkaProduced {
	t.Helper()
	pms := c.Produce(t, topic, rs)
	out := make([]*kafkaProduced, len(pms))
	for i, pm := range pms {
		out[i] = &kafkaProduced{Topic: pm.Topic, Partition: pm.Partition, Offset: pm.Offset}
	}
	return out
}

func TestDaemon_every_input_gets_one_result_in_key_order(t *testing.T) {
	c := kafkatest.Start(t)
	cfg := c.Config(t, 8)
	d := startDaemon(t, cfg)
	defer d.app.RequireStop()

	inputs := orderInputs(300, 4)
	sent := produced(t, c, cfg.Topics.Input, inputs)
	results := c.ReadN(t, cfg.Topics.Output, len(inputs), 60*time.Second)
	checkResults(t, inputs, sent, results)
	require.Empty(t, c.ReadFor(t, cfg.Topics.DeadLetter, 200*time.Millisecond), "valid orders must not be dead-lettered")
}
