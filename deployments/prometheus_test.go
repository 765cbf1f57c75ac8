package deployments_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"dispatchd/app/kafka"
	"dispatchd/app/telemetry"
	"dispatchd/config"
)

// pendingMetrics are metric names rules may read before dispatchd serves
// them, each only from its own rule file, whose alerts are then proved on
// synthetic series like every other. Remove a name once dispatchd serves it.
var pendingMetrics = map[string]string{}

// servedMetrics returns every series name dispatchd's registry serves once
// each of its metrics has recorded something, histograms by their
// _bucket, _sum and _count series.
func servedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	m := telemetry.NewMetrics(telemetry.BuildInfo{Version: "test", Commit: "test"})
	progress := kafka.NewProgress(time.Minute)
	m.RegisterCommitAges(progress.CommitAges)
	m.RegisterOldestAges(progress.OldestAges)
	cfg := config.Default()
	cfg.Consumer.IsolationLevel = "read_uncommitted" // the lag moves with each record, not a poll
	sc, err := kafka.SaramaConfig(cfg)
	require.NoError(t, err)
	lag := kafka.NewLag(nil, sc, time.Minute, m.SetLag, zap.NewNop())
	for _, o := range []kafka.Observer{lag, m, progress} {
		o.Generation(1)
		o.ClaimStarted("in", 0)
		o.Consumed("in", 0, 0, 2)
		o.Marked("in", 0, 0)
		o.Committed("in", 0, 1)
		o.CommitFailed(1)
	}
	m.Handled("order.placed", "dispatch-order", telemetry.OutcomeSuccess, 0.01)
	m.Published("out", 1)
	m.DeadLettered("permanent")
	m.Paused("in", 0, "other")
	m.InflightAdd(1)
	families, err := m.Registry.Gather()
	require.NoError(t, err)
	out := map[string]bool{}
	for _, f := range families {
		out[f.GetName()] = true
		if f.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				out[f.GetName()+s] = true
			}
		}
	}
	return out
}

// recordedNames returns the series names the recording rules write.
func recordedNames(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, rules := range ruleFiles(t) {
		for _, r := range rules {
			if r.Record != "" {
				out[r.Record] = true
			}
		}
	}
	return out
}

func TestPrometheusRules_pass_promtool_check(t *testing.T) {
	runPromtool(t, rulesDir, append([]string{"check", "rules", "--lint=all", "--lint-fatal"},
		slices.Sorted(maps.Keys(ruleFiles(t)))...)...)
}

func TestPrometheusRules_pass_their_promtool_unit_tests(t *testing.T) {
	runPromtool(t, rulesDir, append([]string{"test", "rules"}, slices.Sorted(maps.Keys(ruleTestFiles(t)))...)...)
}

// TestPrometheusAlerts_have_a_runbook_and_a_firing_and_a_quiet_test: an
// operator paged by an alert reads what it means and what to do, and each
// alert is proved both to fire and to stay quiet.
func TestPrometheusAlerts_have_a_runbook_and_a_firing_and_a_quiet_test(t *testing.T) {
	tests := ruleTestFiles(t)
	for file, rules := range ruleFiles(t) {
		for _, r := range rules {
			if r.Alert == "" {
				continue
			}
			t.Run(r.Alert, func(t *testing.T) {
				require.Contains(t, []string{"warning", "critical"}, r.Labels["severity"])
				require.NotEmpty(t, r.Annotations["summary"])
				require.GreaterOrEqual(t, len(r.Annotations["runbook"]), 80, "a runbook says what it means and what to do")
				var firing, quiet int
				for _, rt := range tests {
					if !slices.Contains(rt.RuleFiles, file) {
						continue
					}
					for _, tc := range rt.Tests {
						for _, a := range tc.AlertRuleTest {
							if a.Alertname != r.Alert {
								continue
							}
							if len(a.ExpAlerts) > 0 {
								firing++
							} else {
								quiet++
							}
						}
					}
				}
				require.Positive(t, firing, "no promtool case where %s fires", r.Alert)
				require.Positive(t, quiet, "no promtool case where %s stays quiet", r.Alert)
			})
		}
	}
}

// TestPrometheusRecordingRules_are_tested: every recorded series is checked
// by a promql_expr_test, or feeds an alert or a recorded series that is.
func TestPrometheusRecordingRules_are_tested(t *testing.T) {
	tested := map[string]bool{}
	for _, rt := range ruleTestFiles(t) {
		for _, tc := range rt.Tests {
			for _, e := range tc.PromQLExprTest {
				for _, n := range dispatchdNames(e.Expr) {
					tested[n] = true
				}
			}
		}
	}
	var records []rule
	for _, rules := range ruleFiles(t) {
		for _, r := range rules {
			if r.Alert != "" {
				for _, n := range dispatchdNames(r.Expr) {
					tested[n] = true
				}
			} else {
				records = append(records, r)
			}
		}
	}
	for range records { // a tested series' inputs are tested, down the chain
		for _, r := range records {
			if tested[r.Record] {
				for _, n := range dispatchdNames(r.Expr) {
					tested[n] = true
				}
			}
		}
	}
	for _, r := range records {
		require.True(t, tested[r.Record], "%s is neither tested nor read by anything tested", r.Record)
	}
}

// TestPrometheusRules_read_only_series_that_exist: a rule on a misspelt or
// renamed metric never fires, and nothing else would tell.
func TestPrometheusRules_read_only_series_that_exist(t *testing.T) {
	served, recorded := servedMetrics(t), recordedNames(t)
	for name := range pendingMetrics {
		require.False(t, served[name], "%s is served now: drop it from pendingMetrics", name)
	}
	for file, rules := range ruleFiles(t) {
		for _, r := range rules {
			for _, n := range dispatchdNames(r.Expr) {
				ok := served[n] || recorded[n] || pendingMetrics[n] == file
				require.True(t, ok, "%s: %s%s reads %s, which dispatchd does not serve", file, r.Alert, r.Record, n)
			}
		}
	}
}
