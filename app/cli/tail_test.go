package cli_test

import (
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"dispatchd/app/cli"
)

func TestFormatRecord(t *testing.T) {
	tests := []struct {
		name string
		msg  *sarama.ConsumerMessage
		want string
	}{
		{
			name: "headers_sorted_by_name",
			msg: &sarama.ConsumerMessage{Partition: 3, Offset: 42, Key: []byte("o-1"), Value: []byte(`{"a":1}`),
				Headers: []*sarama.RecordHeader{
					{Key: []byte("type"), Value: []byte("order.dispatched")},
					{Key: []byte("causation_id"), Value: []byte("in-1")},
					{Key: []byte("message_id"), Value: []byte("m-1")},
				}},
			want: `partition=3 offset=42 key=o-1 headers={causation_id=in-1, message_id=m-1, type=order.dispatched} value={"a":1}`,
		},
		{
			name: "no_headers_no_key",
			msg:  &sarama.ConsumerMessage{Partition: 0, Offset: 0, Value: []byte("raw")},
			want: `partition=0 offset=0 key= headers={} value=raw`,
		},
		{
			name: "empty_value",
			msg: &sarama.ConsumerMessage{Partition: 1, Offset: 7, Key: []byte("k"),
				Headers: []*sarama.RecordHeader{{Key: []byte("type"), Value: []byte("")}}},
			want: `partition=1 offset=7 key=k headers={type=} value=`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, cli.FormatRecord(tt.msg))
		})
	}
}
