package kafka

// PollStable hands s one tick's answer: the last stable offset of one
// partition.
func PollStable(s *Lag, topic string, partition int32, lso int64) {
	s.update(map[partitionKey]int64{{topic, partition}: lso}, true)
}
