package kafkatest

import (
	"sync"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
)

// Txn is one transaction a test writes: its records, and whether it ends in
// a commit or an abort.
type Txn struct {
	// Records are written inside the transaction, in order.
	Records []Record
	// Abort ends the transaction with an abort instead of a commit.
	Abort bool
}

// ProduceTxns writes txns to topic, one after another, with one
// transactional producer (as a Java producer with a transactional.id would),
// and returns where each record landed, in order across all of them. Every
// transaction ends with its commit or abort marker written.
func (c *Cluster) ProduceTxns(t testing.TB, topic string, txns []Txn) []*sarama.ProducerMessage {
	t.Helper()
	p := c.txnProducer(t, "txn")
	defer func() { _ = p.Close() }()
	var out []*sarama.ProducerMessage
	for i, txn := range txns {
		require.NoError(t, p.BeginTxn(), "begin transaction %d", i)
		msgs := make([]*sarama.ProducerMessage, len(txn.Records))
		for j, r := range txn.Records {
			msgs[j] = producerMessage(topic, r)
		}
		require.NoError(t, p.SendMessages(msgs), "produce transaction %d to %s", i, topic)
		if txn.Abort {
			require.NoError(t, p.AbortTxn(), "abort transaction %d", i)
		} else {
			require.NoError(t, p.CommitTxn(), "commit transaction %d", i)
		}
		out = append(out, msgs...)
	}
	return out
}

// OpenTxn writes records to topic inside a transaction it leaves open, and
// returns where they landed and what ends it (commit or abort); the test
// ends it, or the cleanup aborts it.
func (c *Cluster) OpenTxn(t testing.TB, topic string, records []Record) ([]*sarama.ProducerMessage, func(commit bool)) {
	t.Helper()
	p := c.txnProducer(t, "open-txn")
	require.NoError(t, p.BeginTxn(), "begin transaction")
	msgs := make([]*sarama.ProducerMessage, len(records))
	for i, r := range records {
		msgs[i] = producerMessage(topic, r)
	}
	require.NoError(t, p.SendMessages(msgs), "produce to %s", topic)
	var once sync.Once
	end := func(commit bool) {
		once.Do(func() {
			defer func() { _ = p.Close() }()
			if commit {
				require.NoError(t, p.CommitTxn(), "commit transaction")
			} else {
				require.NoError(t, p.AbortTxn(), "abort transaction")
			}
		})
	}
	t.Cleanup(func() { end(false) })
	return msgs, end
}

// txnProducer is a transactional producer with an id named after the test
// and what.
func (c *Cluster) txnProducer(t testing.TB, what string) sarama.SyncProducer {
	t.Helper()
	sc := c.SaramaConfig(t)
	sc.Producer.Idempotent = true
	sc.Producer.Transaction.ID = Name(t, what)
	sc.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer(c.Brokers, sc)
	require.NoError(t, err)
	return p
}
