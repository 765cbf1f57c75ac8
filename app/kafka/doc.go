// Package kafka is dispatchd's transport: a watermill Subscriber over sarama
// consumer groups (Subscriber), a Publisher that waits for the brokers'
// acknowledgement (Producer), topic creation and checks (EnsureTopics,
// CheckTopics), the sarama config built from dispatchd's, and what the rest
// of the process may know of the consumer (GroupState, Observer, Progress).
//
// The consumer is built in layers: Subscriber, then subscription (one
// Subscribe: one group member), claimHandler (sarama's side of its
// sessions), partitionRun (one claim) and window. The layers below the
// subscription get what they need from above once, as one env value.
//
// # Glossary
//
// The consumer's words, each defined here and only here:
//
//   - session: one sarama consumer-group session, from Setup to Cleanup. An
//     eager rebalance ends it and the member joins a new one; a cooperative
//     rebalance may keep it and only move it to a new generation. Marked
//     offsets are committed by the subscriber itself: every commit interval
//     (sarama's Consumer.Offsets.AutoCommit.Interval), when a claim ends, and
//     at Cleanup.
//   - claim: one partition assigned to this member in a session. sarama calls
//     ConsumeClaim for it, which runs the claim's partitionRun until the claim
//     is revoked (its Messages channel closes), the session ends or the
//     subscription stops.
//   - window: a claim's records taken from the partition and not yet marked,
//     in offset order; at most MaxInFlight of them, in both orderings. The
//     commit point is the offset after its settled prefix; only that prefix
//     is marked, so an offset is committed only once every record below it
//     settled.
//   - lane: the records of a window that run one at a time, in offset order:
//     all of them with OrderPartition; those of one key with OrderKey
//     (records without a key share one lane). A lane's next record starts as
//     soon as the one before it is acked; records of different lanes run at
//     once.
//   - pipelining: a message is acked once its results are handed to the
//     Producer, in order, not once the brokers acknowledge them; its record
//     is pending until they do (see pending).
//   - settled: acked, and everything its message published acknowledged.
//     Only settled records are marked.
//   - replay: what a run does when something its messages published fails
//     for good: it takes no new records, waits until everything in flight
//     settled or failed, and runs its window again from the commit point,
//     the failed records synchronously (their publishes awaited in the
//     chain, which then dead-letters or pauses as for any failed publish).
//   - hand-over: sending a record's message to the subscription's reader (the
//     router) and waiting for its ack or nack. A record is handed over once
//     the reader took it. A nacked message is handed over again after the
//     nack backoff, unless the subscription is stopping or the session ended.
//   - drain: what a partitionRun does once it stops (its claim is revoked, its
//     session ends or its subscription stops): it takes no new records, waits
//     for the records already handed over and for what they published, and
//     hands over its holes. It parks
//     the rest. Only the drain budget cuts a drain short.
//   - hole: a record of a draining run that was not handed over and lies
//     below the highest record that was. It is handed over anyway: left
//     unfinished, it would hold every finished record above it above the
//     commit point, and the next owner would redo them.
//   - parked: held back by a draining run rather than handed over: a lane's
//     next record, or one the reader had not taken when the drain began. Once
//     nothing runs, the parked records that are holes are handed over; the
//     rest stay uncommitted for the partition's next owner. Nothing above
//     them ran, so nothing is redone.
//   - drain budget: SubscriberConfig.DrainTimeout (shutdown.drain_timeout),
//     how long a stopping subscription waits for its claims to drain. When it
//     is spent, the contexts of the messages still handed over are cancelled,
//     they are cut, and nothing more is handed over.
//   - cut: a handed-over record that did not finish: the drain budget was
//     spent while it ran, or it was nacked and, before it could be handed
//     over again, its subscription began to stop or its session ended. It,
//     and so every record above it, stays uncommitted, and its run starts
//     nothing more.
//
// So a graceful stop commits every finished record and duplicates nothing;
// only a cut leaves records for the next owner to redo.
package kafka
