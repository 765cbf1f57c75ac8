package handoff

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"dispatchd/messages"
)

// input is one record the load sent: its key and its position among that
// key's records.
type input struct {
	key string
	seq int
}

// source is where an input landed: its partition and offset on the input
// topic, which a result names in its dispatch_source header.
type source struct {
	partition int32
	offset    int64
}

// load sends keyed order.placed records one at a time with a plain sarama
// SyncProducer, and remembers where each landed and its per-key sequence.
type load struct {
	quit, done chan struct{}
	sent       map[source]input
	err        error
}

// Bounds on the load, so it ends even if stop is never called.
const (
	loadEvery = 3 * time.Millisecond
	loadMax   = 20000
	loadFor   = 45 * time.Second
)

// startLoad starts sending to topic, cycling through keys keys.
func startLoad(brokers []string, sc *sarama.Config, topic string, keys int) (*load, error) {
	p, err := sarama.NewSyncProducer(brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("load producer: %w", err)
	}
	l := &load{quit: make(chan struct{}), done: make(chan struct{}), sent: map[source]input{}}
	go func() {
		defer close(l.done)
		defer p.Close()
		tick := time.NewTicker(loadEvery)
		defer tick.Stop()
		deadline := time.After(loadFor)
		for i := 0; i < loadMax; i++ {
			select {
			case <-l.quit:
				return
			case <-deadline:
				return
			case <-tick.C:
			}
			in := input{key: fmt.Sprintf("order-%03d", i%keys), seq: i / keys}
			part, off, err := p.SendMessage(order(topic, in, i))
			if err != nil {
				l.err = fmt.Errorf("send %s seq %d: %w", in.key, in.seq, err)
				return
			}
			l.sent[source{part, off}] = in
		}
	}()
	return l, nil
}

// order is the i-th record: an order.placed under in's key.
func order(topic string, in input, i int) *sarama.ProducerMessage {
	v, _ := json.Marshal(messages.OrderPlaced{OrderID: in.key,
		Pickup:  messages.Point{Lat: 52.5 + float64(i%10)/100, Lng: 13.4},
		Dropoff: messages.Point{Lat: 52.4, Lng: 13.5 + float64(i%7)/100}})
	return &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(in.key), Value: sarama.ByteEncoder(v),
		Headers: []sarama.RecordHeader{{Key: []byte(messages.HeaderType), Value: []byte(messages.TypeOrderPlaced)}}}
}

// halt ends the load, if it still runs, and waits for it.
func (l *load) halt() {
	select {
	case <-l.quit:
	default:
		close(l.quit)
	}
	<-l.done
}

// stop ends the load and returns every input sent.
func (l *load) stop() (map[source]input, error) {
	l.halt()
	return l.sent, l.err
}
