package router_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"dispatchd/messages"
)

// orderPlaced is a valid order.placed payload for key "o-1".
const orderPlaced = `{"order_id":"o-1","pickup":{"lat":52.52,"lng":13.40},"dropoff":{"lat":52.50,"lng":13.45}}`

// testRecord is the Kafka record the test messages pretend to come from.
var testRecord = messages.Record{Key: "o-1", Source: messages.Source{Topic: "dispatch.requests", Partition: 3, Offset: 42}}

// newMsg returns a consumed message of type typ carrying testRecord.
func newMsg(id, typ, payload string) *message.Message {
	msg := message.NewMessage(id, []byte(payload))
	if typ != "" {
		msg.Metadata.Set(messages.HeaderType, typ)
	}
	msg.SetContext(messages.WithRecord(context.Background(), testRecord))
	return msg
}

// published is one call to recordingPublisher.Publish.
type published struct {
	topic string
	msgs  []*message.Message
}

// recordingPublisher is a message.Publisher that records what it is given
// and fails with err when err is set.
type recordingPublisher struct {
	mu    sync.Mutex
	calls []published
	err   error
}

func (p *recordingPublisher) Publish(topic string, msgs ...*message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	p.calls = append(p.calls, published{topic: topic, msgs: msgs})
	return nil
}

func (p *recordingPublisher) Close() error { return nil }

func (p *recordingPublisher) published() []published {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]published(nil), p.calls...)
}

// metricValue returns the value of the series name{labels} in reg: a
// counter's or gauge's value, or a histogram's sample count. It fails the
// test when the series does not exist.
func metricValue(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := findMetric(t, reg, name, labels)
	require.Truef(t, ok, "no series %s%v", name, labels)
	return v
}

// hasMetric reports whether the series name{labels} exists in reg.
func hasMetric(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) bool {
	t.Helper()
	_, ok := findMetric(t, reg, name, labels)
	return ok
}

func findMetric(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			matched := 0
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v == lp.GetValue() {
					matched++
				}
			}
			if matched != len(labels) || len(m.GetLabel()) != len(labels) {
				continue
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue(), true
			case m.Gauge != nil:
				return m.GetGauge().GetValue(), true
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}
