package messages_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/messages"
)

func TestSource_round_trip(t *testing.T) {
	tests := []struct {
		name string
		src  messages.Source
		want string
	}{
		{name: "simple", src: messages.Source{Topic: "in", Partition: 3, Offset: 42}, want: "in/3/42"},
		{name: "topic_with_dots", src: messages.Source{Topic: "dispatch.requests", Partition: 0, Offset: 7},
			want: "dispatch.requests/0/7"},
		{name: "topic_with_dashes_and_underscores", src: messages.Source{Topic: "eu-west_1.orders.v2", Partition: 11, Offset: 0},
			want: "eu-west_1.orders.v2/11/0"},
		{name: "max_partition_and_offset", src: messages.Source{Topic: "t", Partition: math.MaxInt32, Offset: math.MaxInt64},
			want: "t/2147483647/9223372036854775807"},
		{name: "sentinel_offset", src: messages.Source{Topic: "t", Partition: 0, Offset: -1}, want: "t/0/-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.src.String())
			got, err := messages.ParseSource(tt.want)
			require.NoError(t, err)
			require.Equal(t, tt.src, got)
		})
	}
}

func TestParseSource_errors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "empty", in: "", wantErr: "want <topic>/<partition>/<offset>"},
		{name: "topic_only", in: "dispatch.requests", wantErr: "want <topic>/<partition>/<offset>"},
		{name: "one_slash", in: "dispatch.requests/3", wantErr: "want <topic>/<partition>/<offset>"},
		{name: "empty_topic", in: "/3/42", wantErr: "want <topic>/<partition>/<offset>"},
		{name: "only_slashes", in: "//", wantErr: "want <topic>/<partition>/<offset>"},
		{name: "empty_partition", in: "t//42", wantErr: "partition"},
		{name: "empty_offset", in: "t/3/", wantErr: "offset"},
		{name: "partition_not_a_number", in: "t/x/42", wantErr: "partition"},
		{name: "offset_not_a_number", in: "t/3/4.2", wantErr: "offset"},
		{name: "partition_overflows_int32", in: "t/" + strconv.FormatInt(math.MaxInt32+1, 10) + "/0", wantErr: "partition"},
		{name: "offset_overflows_int64", in: "t/0/9223372036854775808", wantErr: "offset"},
		{name: "dots_in_place_of_slashes", in: "dispatch.requests.3.42", wantErr: "want <topic>/<partition>/<offset>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := messages.ParseSource(tt.in)
			require.ErrorContains(t, err, tt.wantErr)
			require.ErrorContains(t, err, strconv.Quote(tt.in))
		})
	}
}
