package kafka

import "github.com/IBM/sarama"

// Partitioner names, the values of producer.partitioner.
const (
	// PartitionerMurmur2 places a key as the Java client's default
	// partitioner does: toPositive(murmur2(key)) % partitions, where
	// toPositive is x & 0x7fffffff. Kafka Streams and franz-go agree.
	PartitionerMurmur2 = "murmur2"
	// PartitionerCRC32 places a key as librdkafka's consistent_random (its
	// default) and consistent do: crc32(key) % partitions, unsigned.
	PartitionerCRC32 = "crc32"
	// PartitionerFNV is sarama's default hash: |int32(fnv1a(key)) % partitions|.
	// It is dispatchd's placement from before producer.partitioner existed.
	PartitionerFNV = "fnv"
)

// partitioner returns the constructor for producer.partitioner's value; the
// config was validated, so anything else is the default, murmur2.
//
// Every one of them is sarama's own: sarama has shipped the Java client's
// murmur2 since v1.50.0 (NewMurmur2Partitioner), so dispatchd keeps no hash of
// its own; TestPartitioner pins each to values Java, librdkafka's rule and
// sarama's old default give, so an upgrade that moved a key would fail there.
//
// Keyless records (a result whose input had no key) go to a random
// partition under all three, as with sarama, librdkafka's consistent_random
// and, spread per batch rather than per record, the Java client's sticky
// partitioner. A key that is present but empty is hashed like any other, as
// Java does: murmur2 puts it on partition murmur2("") % n, crc32 on
// partition 0 (crc32("") is 0; librdkafka's consistent does the same,
// consistent_random picks at random). dispatchd gives a result the input's
// key and sends an empty one as no key, and its send paths require a key, so
// an empty key only comes from elsewhere.
func partitioner(name string) sarama.PartitionerConstructor {
	switch name {
	case PartitionerFNV:
		return sarama.NewHashPartitioner
	case PartitionerCRC32:
		return sarama.NewConsistentCRCHashPartitioner
	default:
		return sarama.NewMurmur2Partitioner
	}
}
