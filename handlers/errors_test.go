package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/handlers"
	"dispatchd/messages"
)

func TestPermanent(t *testing.T) {
	tests := []struct {
		name          string
		err           error
		wantPermanent bool
		wantIs        error
		wantMsg       string
	}{
		{name: "nil_stays_nil", err: handlers.Permanent(nil)},
		{name: "plain_error_is_transient", err: io.ErrUnexpectedEOF, wantIs: io.ErrUnexpectedEOF,
			wantMsg: "unexpected EOF"},
		{name: "context_error_is_transient", err: context.Canceled, wantIs: context.Canceled,
			wantMsg: "context canceled"},
		{name: "marked", err: handlers.Permanent(io.ErrUnexpectedEOF), wantPermanent: true,
			wantIs: io.ErrUnexpectedEOF, wantMsg: "unexpected EOF"},
		{name: "marked_then_wrapped", err: fmt.Errorf("handle: %w", handlers.Permanent(io.ErrUnexpectedEOF)),
			wantPermanent: true, wantIs: io.ErrUnexpectedEOF, wantMsg: "handle: unexpected EOF"},
		{name: "marked_twice", err: handlers.Permanent(handlers.Permanent(io.ErrUnexpectedEOF)),
			wantPermanent: true, wantIs: io.ErrUnexpectedEOF, wantMsg: "unexpected EOF"},
		{name: "wrapped_then_marked", err: handlers.Permanent(fmt.Errorf("decode: %w", messages.ErrUndecodable)),
			wantPermanent: true, wantIs: messages.ErrUndecodable, wantMsg: "decode: undecodable payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.wantPermanent, handlers.IsPermanent(tt.err))
			if tt.wantIs == nil {
				require.NoError(t, tt.err)
				return
			}
			require.ErrorIs(t, tt.err, tt.wantIs)
			require.EqualError(t, tt.err, tt.wantMsg)
		})
	}
}

func TestPermanent_keeps_errors_as(t *testing.T) {
	err := handlers.Permanent(&messages.ValidationError{Type: "t", Field: "f", Reason: "r"})
	var ve *messages.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Equal(t, "f", ve.Field)
	require.ErrorIs(t, err, messages.ErrInvalid)
}
