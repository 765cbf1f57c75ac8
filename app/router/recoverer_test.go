package router_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"dispatchd/app/router"
	"dispatchd/messages"
)

func TestRecoverer(t *testing.T) {
	tests := []struct {
		name      string
		panicWith any // nil: the handler returns normally
		wantErr   string
	}{
		{name: "no_panic"},
		{name: "panic_string", panicWith: "kaboom", wantErr: "handler panicked: kaboom"},
		{name: "panic_error", panicWith: errors.New("nil map write"), wantErr: "handler panicked: nil map write"},
		{name: "panic_int", panicWith: 42, wantErr: "handler panicked: 42"},
		{name: "panic_multiline_value", panicWith: "first line\nsecond line", wantErr: "handler panicked: first line second line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zap.DebugLevel)
			want := []*message.Message{message.NewMessage("out-1", nil)}
			h := router.Recoverer(zap.New(core))(func(*message.Message) ([]*message.Message, error) {
				if tt.panicWith != nil {
					panic(tt.panicWith)
				}
				return want, nil
			})

			var out []*message.Message
			var err error
			require.NotPanics(t, func() { out, err = h(newMsg("in-1", messages.TypeOrderPlaced, orderPlaced)) })

			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, want, out)
				require.Zero(t, logs.Len())
				return
			}
			require.Nil(t, out)
			require.EqualError(t, err, tt.wantErr)
			require.NotContains(t, err.Error(), "\n", "the error ends up in a header: one line")
			entries := logs.FilterMessage("handler panicked").All()
			require.Len(t, entries, 1, "the panic is logged once")
			fields := entries[0].ContextMap()
			require.Contains(t, fields, "stack")
			require.True(t, strings.Contains(fields["stack"].(string), "runtime/debug.Stack"), "the stack goes to the log")
			require.Equal(t, "in-1", fields["message_id"])
		})
	}
}
