package kafka_test

import (
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/kafka"
	"dispatchd/config"
)

// placement is where one key lands with 3, 8 and 12 partitions.
type placement struct {
	key         string
	p3, p8, p12 int32
}

// javaPlacements are the Java client's choices, printed by kafka-clients
// 4.3.1 itself: BuiltInPartitioner.partitionForKey(key.getBytes(UTF_8), n),
// the path KafkaProducer takes for a keyed record with no partitioner set.
// The first six keys are Kafka's UtilsTest.testMurmur2 vectors; their hashes
// are in javaMurmur2 below.
var javaPlacements = []placement{
	{"21", 0, 4, 0},
	{"foobar", 0, 6, 6},
	{"a-little-bit-long-string", 2, 0, 8},
	{"a-little-bit-longer-string", 2, 3, 11},
	{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 2, 5, 5},
	{"abc", 0, 3, 3},
	{"", 0, 1, 9},
	{"order-1", 1, 6, 10}, // the example: Java puts it on 6 of 8
	{"order-2", 0, 3, 3},
	{"order-3", 0, 7, 3},
	{"order-42", 0, 0, 0},
	{"order-0001", 2, 2, 2},
	{"customer-17", 1, 0, 4},
	{"zürich-€", 0, 4, 0},
	{"4a7c1a3e-1f0b-4c2e-9a51-3b9e2f6d8c10", 0, 5, 9},
}

// crc32Placements follow librdkafka's consistent rule, crc32(key) % n on
// unsigned values; the hashes came from java.util.zip.CRC32 and Python's
// zlib.crc32. order-1's crc32 has the top bit set, so with 12 partitions a
// signed or masked modulo would give 9 or 11, not 7.
var crc32Placements = []placement{
	{"order-1", 1, 7, 7},
	{"order-2", 0, 5, 9},
	{"order-3", 2, 3, 11},
	{"order-42", 1, 6, 10},
	{"customer-17", 2, 7, 11},
	{"zürich-€", 2, 4, 8},
	{"", 0, 0, 0},
}

// fnvPlacements are sarama's NewHashPartitioner's, dispatchd's placement
// before producer.partitioner: |int32(fnv1a(key)) % n|, computed with a
// separate FNV-1a in Python. order-1 on 5 of 8 is the observation.
var fnvPlacements = []placement{
	{"order-1", 1, 5, 1},
	{"order-2", 1, 4, 4},
	{"order-3", 0, 7, 3},
	{"order-42", 2, 4, 8},
	{"customer-17", 2, 0, 8},
	{"zürich-€", 2, 7, 11},
	{"", 0, 3, 3},
}

// partitionerFor is the partitioner the producer gets for name, built the
// way dispatchd builds it: from the config, through SaramaConfig.
func partitionerFor(t *testing.T, name string) sarama.Partitioner {
	t.Helper()
	cfg := config.Default()
	if name != "" {
		cfg.Producer.Partitioner = name
	}
	require.NoError(t, cfg.Validate())
	sc, err := kafka.SaramaConfig(cfg)
	require.NoError(t, err)
	return sc.Producer.Partitioner("dispatch.results")
}

func TestPartitioner_places_keys_where_the_other_clients_do(t *testing.T) {
	tests := []struct {
		name        string
		partitioner string
		want        []placement
	}{
		{"default_is_java", "", javaPlacements},
		{"murmur2_is_java", kafka.PartitionerMurmur2, javaPlacements},
		{"crc32_is_librdkafka", kafka.PartitionerCRC32, crc32Placements},
		{"fnv_is_sarama_default", kafka.PartitionerFNV, fnvPlacements},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := partitionerFor(t, tt.partitioner)
			require.True(t, p.RequiresConsistency(), "a keyed placement must not move to an available partition")
			for _, w := range tt.want {
				for n, want := range map[int32]int32{3: w.p3, 8: w.p8, 12: w.p12} {
					got, err := p.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(w.key)}, n)
					require.NoError(t, err)
					require.Equal(t, want, got, "key %q, %d partitions", w.key, n)
				}
			}
		})
	}
}

// javaMurmur2 are Kafka's UtilsTest.testMurmur2 vectors and a few more
// keys' hashes, each printed by kafka-clients 4.3.1's Utils.murmur2. With
// 2^31-1 partitions the partition is the positive hash itself (toPositive(h),
// h & 0x7fffffff), so the hash is checked, not only its residues.
var javaMurmur2 = map[string]int32{
	"21":                         -973932308,
	"foobar":                     -790332482,
	"a-little-bit-long-string":   -985981536,
	"a-little-bit-longer-string": -1486304829,
	"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
	"abc":      479470107,
	"":         275646681,
	"order-1":  1221710326,
	"order-2":  -1055499005,
	"zürich-€": 1900831932,
}

func TestPartitioner_murmur2_is_kafkas_hash(t *testing.T) {
	p := partitionerFor(t, kafka.PartitionerMurmur2)
	const n = 1<<31 - 1
	for key, h := range javaMurmur2 {
		got, err := p.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(key)}, n)
		require.NoError(t, err)
		require.Equal(t, (h&0x7fffffff)%n, got, "key %q", key)
	}
}

func TestPartitioner_keyless_records_spread(t *testing.T) {
	for _, name := range []string{kafka.PartitionerMurmur2, kafka.PartitionerCRC32, kafka.PartitionerFNV} {
		t.Run(name, func(t *testing.T) {
			p := partitionerFor(t, name)
			dp, ok := p.(sarama.DynamicConsistencyPartitioner)
			require.True(t, ok, "sarama must be told a keyless record may go to any available partition")
			require.False(t, dp.MessageRequiresConsistency(&sarama.ProducerMessage{}))
			seen := map[int32]bool{}
			for range 200 {
				got, err := p.Partition(&sarama.ProducerMessage{}, 8)
				require.NoError(t, err)
				seen[got] = true
			}
			require.Greater(t, len(seen), 1, "keyless records all went to one partition")
		})
	}
}
