package router_test

import (
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"dispatchd/app/router"
	"dispatchd/messages"
)

func TestCorrelation(t *testing.T) {
	tests := []struct {
		name      string
		inputCID  string
		outputCID []string // correlation ids the handler sets on its outputs
		wantInput string
		wantOut   []string
	}{
		{
			name:      "first_message_uses_its_id",
			outputCID: []string{"", ""},
			wantInput: "in-1", wantOut: []string{"in-1", "in-1"},
		},
		{
			name: "input_correlation_propagates", inputCID: "flow-7",
			outputCID: []string{""},
			wantInput: "flow-7", wantOut: []string{"flow-7"},
		},
		{
			name: "output_keeps_its_own", inputCID: "flow-7",
			outputCID: []string{"other-flow", ""},
			wantInput: "flow-7", wantOut: []string{"other-flow", "flow-7"},
		},
		{
			name:      "no_outputs",
			wantInput: "in-1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := newMsg("in-1", messages.TypeOrderPlaced, orderPlaced)
			if tt.inputCID != "" {
				msg.Metadata.Set(messages.HeaderCorrelationID, tt.inputCID)
			}
			var seen string
			out, err := router.Correlation(func(in *message.Message) ([]*message.Message, error) {
				seen = in.Metadata.Get(messages.HeaderCorrelationID)
				var out []*message.Message
				for i, cid := range tt.outputCID {
					o := message.NewMessage("out-"+string(rune('a'+i)), nil)
					if cid != "" {
						o.Metadata.Set(messages.HeaderCorrelationID, cid)
					}
					out = append(out, o)
				}
				return out, nil
			})(msg)

			require.NoError(t, err)
			require.Equal(t, tt.wantInput, seen, "the handler sees the input's correlation id")
			require.Equal(t, tt.wantInput, msg.Metadata.Get(messages.HeaderCorrelationID))
			got := make([]string, 0, len(out))
			for _, o := range out {
				got = append(got, o.Metadata.Get(messages.HeaderCorrelationID))
			}
			require.Equal(t, len(tt.wantOut), len(got))
			for i := range tt.wantOut {
				require.Equal(t, tt.wantOut[i], got[i], "output %d", i)
			}
		})
	}
}

func TestCorrelation_passes_the_error_through(t *testing.T) {
	errBoom := errors.New("boom")
	out, err := router.Correlation(failWith(errBoom))(newMsg("in-1", "t", "{}"))
	require.ErrorIs(t, err, errBoom)
	require.Empty(t, out)
}
