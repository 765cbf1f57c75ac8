package lazyctx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"dispatchd/app/lazyctx"
)

func notYet() error { return nil }

func TestEnding_arms_once_on_the_first_Done_and_stops_on_End(t *testing.T) {
	var e lazyctx.Ending
	arms, stops := 0, 0
	arm := func() func() { arms++; return func() { stops++ } }

	require.NoError(t, e.Err(notYet))
	done := e.Done(notYet, arm)
	require.True(t, done == e.Done(notYet, arm), "one channel")
	require.Equal(t, 1, arms)
	select {
	case <-done:
		t.Fatal("closed before End")
	default:
	}

	e.End(context.Canceled)
	e.End(context.DeadlineExceeded)

	<-done
	require.ErrorIs(t, e.Err(notYet), context.Canceled, "the first end stays")
	require.Equal(t, 1, stops, "what arm joined is undone once")
}

func TestEnding_never_arms_what_has_ended(t *testing.T) {
	ended := errors.New("parent gone")
	tests := []struct {
		name  string
		setup func(e *lazyctx.Ending)
		now   func() error
		want  error
	}{
		{"ended_before_Done", func(e *lazyctx.Ending) { e.End(context.Canceled) }, notYet, context.Canceled},
		{"now_reports_an_end", func(*lazyctx.Ending) {}, func() error { return ended }, ended},
		{"Err_saw_the_end_first", func(e *lazyctx.Ending) { _ = e.Err(func() error { return ended }) }, notYet, ended},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e lazyctx.Ending
			tt.setup(&e)
			done := e.Done(tt.now, func() func() { t.Fatal("armed after its end"); return nil })
			select {
			case <-done:
			case <-time.After(time.Second):
				t.Fatal("Done of an ended context is not closed")
			}
			require.ErrorIs(t, e.Err(notYet), tt.want)
		})
	}
}

func TestEnding_ends_from_what_arm_started(t *testing.T) {
	var e lazyctx.Ending
	parent, cancel := context.WithCancel(context.Background())
	done := e.Done(parent.Err, func() func() {
		leave := context.AfterFunc(parent, func() { e.End(parent.Err()) })
		return func() { leave() }
	})
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the parent ended; the context did not")
	}
	require.ErrorIs(t, e.Err(notYet), context.Canceled)
}
