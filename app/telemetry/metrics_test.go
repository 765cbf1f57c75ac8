package telemetry_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"dispatchd/app/telemetry"
)

// series returns the series of the named metric, by their labels
// ("name=value,...", sorted as /metrics shows them): a counter's or gauge's
// value, or a histogram's sample count.
func series(t *testing.T, m *telemetry.Metrics, name string) map[string]float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, fam := range fams {
		if fam.GetName() != name {
			continue
		}
		for _, s := range fam.GetMetric() {
			var labels []string
			for _, l := range s.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[strings.Join(labels, ",")] = s.GetCounter().GetValue() + s.GetGauge().GetValue() +
				float64(s.GetHistogram().GetSampleCount())
		}
	}
	return out
}

func TestMetrics_lag_is_set_per_partition_and_dropped_with_its_claim(t *testing.T) {
	const lag = "dispatchd_consumer_lag"
	m := telemetry.NewMetrics(telemetry.BuildInfo{})
	steps := []struct {
		name string
		do   func()
		want map[string]float64
	}{
		{"set", func() { m.SetLag("in", 0, 5) }, map[string]float64{"partition=0,topic=in": 5}},
		{"set_again", func() { m.SetLag("in", 0, 4) }, map[string]float64{"partition=0,topic=in": 4}},
		{"other_partition", func() { m.SetLag("in", 1, 3) },
			map[string]float64{"partition=0,topic=in": 4, "partition=1,topic=in": 3}},
		{"records_move_no_lag_by_themselves", func() { m.Consumed("in", 0, 9, 100); m.Marked("in", 0, 9) },
			map[string]float64{"partition=0,topic=in": 4, "partition=1,topic=in": 3}},
		{"claim_ended", func() { m.ClaimEnded("in", 0) }, map[string]float64{"partition=1,topic=in": 3}},
		{"claimed_again", func() { m.SetLag("in", 0, 3) },
			map[string]float64{"partition=0,topic=in": 3, "partition=1,topic=in": 3}},
	}
	for _, s := range steps {
		s.do()
		require.Equal(t, s.want, series(t, m, lag), s.name)
	}
}

func TestMetrics_handled_by_type_handler_and_outcome(t *testing.T) {
	m := telemetry.NewMetrics(telemetry.BuildInfo{})
	m.Handled("a", "handle-a", telemetry.OutcomeSuccess, 0.1)
	m.Handled("a", "handle-a", telemetry.OutcomeSuccess, 0.1)
	m.Handled("b", "handle-b", telemetry.OutcomeSuccess, 0.1)
	m.ObserveDuration("a", "handle-a", 0.1)
	m.Counted("a", "handle-a", telemetry.OutcomeRetry)
	m.Counted("a", "handle-a", telemetry.OutcomeDeadLetter)
	m.Counted("x", telemetry.NoHandler, telemetry.OutcomeDeadLetter)
	m.Counted("\xb7", telemetry.NoHandler, telemetry.OutcomeDeadLetter) // not UTF-8: must not reach a label
	m.ObserveDuration("\xb7", telemetry.NoHandler, 0.1)

	require.Equal(t, map[string]float64{
		"handler=handle-a,outcome=success,type=a":       2,
		"handler=handle-b,outcome=success,type=b":       1,
		"handler=handle-a,outcome=retry,type=a":         1,
		"handler=handle-a,outcome=dead_letter,type=a":   1,
		"handler=none,outcome=dead_letter,type=unknown": 2,
	}, series(t, m, "dispatchd_messages_handled_total"))
	require.Equal(t, map[string]float64{
		"handler=handle-a,type=a":   3,
		"handler=handle-b,type=b":   1,
		"handler=none,type=unknown": 1,
	}, series(t, m, "dispatchd_handler_duration_seconds"), "every attempt is timed, failed ones too")
}

func TestMetrics_concurrent_recording_counts_every_call(t *testing.T) {
	const goroutines, calls = 8, 500
	m := telemetry.NewMetrics(telemetry.BuildInfo{})
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range calls {
				m.Consumed("in", 0, 0, 1)
				m.Handled("a", "handle-a", telemetry.OutcomeSuccess, 0.001)
				m.Published("out", 1)
			}
		})
	}
	wg.Wait()

	const n = goroutines * calls
	require.Equal(t, map[string]float64{"topic=in": n}, series(t, m, "dispatchd_messages_consumed_total"))
	require.Equal(t, map[string]float64{"handler=handle-a,outcome=success,type=a": n},
		series(t, m, "dispatchd_messages_handled_total"))
	require.Equal(t, map[string]float64{"topic=out": n}, series(t, m, "dispatchd_results_published_total"))
}

// BenchmarkMetrics_per_message records what one message records.
func BenchmarkMetrics_per_message(b *testing.B) {
	m := telemetry.NewMetrics(telemetry.BuildInfo{})
	b.ReportAllocs()
	for b.Loop() {
		m.Consumed("in", 3, 10, 100)
		m.InflightAdd(1)
		m.Handled("bench.noop", "bench-noop", telemetry.OutcomeSuccess, 0.001)
		m.InflightAdd(-1)
		m.Published("out", 1)
		m.Marked("in", 3, 10)
	}
}
