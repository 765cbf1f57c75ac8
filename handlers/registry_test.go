package handlers_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/handlers"
	"dispatchd/messages"
)

// named returns a Func handler that echoes its input type, for registry tests.
func named(name string) handlers.Func {
	return handlers.Func{HandlerName: name, Fn: func(_ context.Context, in messages.Envelope) (messages.Result, error) {
		return messages.Result{Type: in.Type, Payload: in.Payload}, nil
	}}
}

// registered returns the handler Default registers for msgType.
func registered(t *testing.T, msgType string) handlers.Handler {
	t.Helper()
	h, err := handlers.Default().Lookup(msgType)
	require.NoError(t, err)
	return h
}

// placedV2 is an input type no other handler takes.
type placedV2 struct{ messages.OrderPlaced }

func (placedV2) MessageType() string { return "order.placed.v2" }

// dispatchV2 is a typed handler of placedV2.
func dispatchV2(context.Context, placedV2) (messages.OrderDispatched, error) {
	return messages.OrderDispatched{}, nil
}

func TestRegister(t *testing.T) {
	tests := []struct {
		name    string
		msgType string
		handler handlers.Handler
		wantErr string
	}{
		{name: "valid", msgType: "order.updated", handler: named("update-order")},
		{name: "valid_digits", msgType: "order.updated", handler: named("v2-update-order-3")},
		{name: "empty_type", msgType: "", handler: named("update-order"), wantErr: "empty message type"},
		{name: "nil_handler", msgType: "order.updated", handler: nil, wantErr: "nil handler"},
		{name: "duplicate_type", msgType: messages.TypeOrderPlaced, handler: named("other"),
			wantErr: `register "order.placed": already handled by "dispatch-order"`},
		{name: "empty_name", msgType: "order.updated", handler: named(""), wantErr: "not kebab-case"},
		{name: "upper_case_name", msgType: "order.updated", handler: named("Update-Order"), wantErr: "not kebab-case"},
		{name: "snake_case_name", msgType: "order.updated", handler: named("update_order"), wantErr: "not kebab-case"},
		{name: "dotted_name", msgType: "order.updated", handler: named("order.update"), wantErr: "not kebab-case"},
		{name: "leading_dash", msgType: "order.updated", handler: named("-update"), wantErr: "not kebab-case"},
		{name: "trailing_dash", msgType: "order.updated", handler: named("update-"), wantErr: "not kebab-case"},
		{name: "double_dash", msgType: "order.updated", handler: named("update--order"), wantErr: "not kebab-case"},
		{name: "space_in_name", msgType: "order.updated", handler: named("update order"), wantErr: "not kebab-case"},
		{name: "typed_handler_under_another_type", msgType: "order.updated",
			handler: handlers.Typed("dispatch-order", handlers.DispatchOrder),
			wantErr: `register "order.updated": handler "dispatch-order" takes "order.placed"`},
		{name: "typed_handler_under_its_type", msgType: "order.placed.v2",
			handler: handlers.Typed("dispatch-order-v2", dispatchV2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := handlers.Default()
			err := r.Register(tt.msgType, tt.handler)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.Equal(t, handlers.Default().Types(), r.Types(), "a failed Register must not change the registry")
				return
			}
			require.NoError(t, err)
			got, err := r.Lookup(tt.msgType)
			require.NoError(t, err)
			require.Equal(t, tt.handler.Name(), got.Name())
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name     string
		msgType  string
		wantName string
		wantIs   error
		wantMsg  string
	}{
		{name: "order_placed", msgType: messages.TypeOrderPlaced, wantName: "dispatch-order"},
		{name: "order_cancelled", msgType: messages.TypeOrderCancelled, wantName: "acknowledge-cancellation"},
		{name: "empty_type", msgType: "", wantIs: handlers.ErrMissingType, wantMsg: "missing type header"},
		{name: "unknown_type", msgType: "order.teleported", wantIs: handlers.ErrUnknownType,
			wantMsg: `unknown message type "order.teleported"`},
		{name: "result_type_is_not_an_input", msgType: messages.TypeOrderDispatched, wantIs: handlers.ErrUnknownType,
			wantMsg: `unknown message type "order.dispatched"`},
		{name: "type_is_case_sensitive", msgType: "Order.Placed", wantIs: handlers.ErrUnknownType,
			wantMsg: `unknown message type "Order.Placed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := handlers.Default().Lookup(tt.msgType)
			if tt.wantIs != nil {
				require.Nil(t, h)
				require.ErrorIs(t, err, tt.wantIs)
				require.True(t, handlers.IsPermanent(err))
				require.EqualError(t, err, tt.wantMsg)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantName, h.Name())
		})
	}
}

func TestTypes_sorted(t *testing.T) {
	r := handlers.NewRegistry()
	require.Empty(t, r.Types())
	r.MustRegister("z.last", named("z")).MustRegister("a.first", named("a")).MustRegister("m.middle", named("m"))
	require.Equal(t, []string{"a.first", "m.middle", "z.last"}, r.Types())
	require.Equal(t, []string{messages.TypeOrderCancelled, messages.TypeOrderPlaced}, handlers.Default().Types())
}

func TestMustRegister_panics(t *testing.T) {
	r := handlers.NewRegistry().MustRegister("a.b", named("a"))
	require.PanicsWithError(t, `register "a.b": already handled by "a"`, func() { r.MustRegister("a.b", named("b")) })
}

func TestFunc(t *testing.T) {
	r := handlers.NewRegistry().MustRegister("ping", named("echo"))
	h, err := r.Lookup("ping")
	require.NoError(t, err)
	res, err := h.Handle(context.Background(), messages.Envelope{Type: "ping", Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, messages.Result{Type: "ping", Payload: []byte(`{}`)}, res)
}
