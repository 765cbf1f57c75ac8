package app_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dispatchd/app/kafkatest"
	"dispatchd/app/router"
	"dispatchd/config"
)

// TestDaemon_a_stalled_partition_sets_off_its_alerts_in_prometheus runs a
// real Prometheus on the deployment's rule files, unchanged, scraping a live
// daemon whose one partition stalls: the alerts that describe the stall go
// pending, and leave once it ends. Their `for:` is minutes, so pending is as
// far as a test can wait; what it proves is that the expressions hold on the
// series a real daemon serves.
func TestDaemon_a_stalled_partition_sets_off_its_alerts_in_prometheus(t *testing.T) {
	cases := []struct {
		name string
		// stall makes the partition stall and returns what ends the stall.
		stall func(t *testing.T, c *kafkatest.Cluster, cfg config.Config, release func()) (end func())
		// alerts are the alerts that go pending, with the labels each has
		// beyond job and instance.
		alerts func(cfg config.Config) map[string]map[string]string
	}{
		{
			name: "handler_blocks",
			stall: func(t *testing.T, c *kafkatest.Cluster, cfg config.Config, release func()) func() {
				c.Produce(t, cfg.Topics.Input, []kafkatest.Record{{Key: "g", Value: []byte(`{}`), Headers: typed("test.gate")}})
				return release
			},
			alerts: func(config.Config) map[string]map[string]string {
				return map[string]map[string]string{"DispatchdReplicaStalled": {"severity": "critical"}}
			},
		},
		{
			name: "results_topic_deleted",
			stall: func(t *testing.T, c *kafkatest.Cluster, cfg config.Config, _ func()) func() {
				c.DeleteTopic(t, cfg.Topics.Output)
				c.Produce(t, cfg.Topics.Input, orders("order-1"))
				return func() { c.RecreateTopic(t, 1, cfg.Topics.Output) }
			},
			alerts: func(cfg config.Config) map[string]map[string]string {
				return map[string]map[string]string{
					"DispatchdPartitionPaused": {"topic": cfg.Topics.Input, "partition": "0", "reason": router.ReasonResultsUnwritable},
					"DispatchdReplicaStalled":  {"severity": "critical"},
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kafkatest.Start(t)
			cfg := c.Config(t, 1)
			cfg.Router.HandlerTimeout = time.Minute
			cfg.Producer.DeliveryTimeout = 2 * time.Second
			d, release := startGated(t, cfg)
			addr := d.http.Addr()
			p := startPrometheus(t, addr)
			want := tc.alerts(cfg)

			// Before the stall the rules have the daemon's series and stay quiet.
			if !assert.Eventually(t, func() bool { return p.holds(t, `dispatchd_partitions_assigned{job="dispatchd"} == 1`) },
				30*time.Second, 100*time.Millisecond) {
				t.Fatalf("Prometheus never scraped the daemon's partition; its log:\n%s", p.logTail())
			}
			scraped := time.Now()
			require.Eventually(t, func() bool {
				rules := p.rules(t)
				for name := range want {
					if !rules[name].LastEvaluation.After(scraped) {
						return false
					}
				}
				return true
			}, 30*time.Second, 100*time.Millisecond, "the rules were never evaluated on the scraped series")
			rules := p.rules(t)
			for name := range want {
				require.Equal(t, "ok", rules[name].Health, "%s: %s", name, rules[name].LastError)
				require.Equal(t, "inactive", rules[name].State, "%s before the stall", name)
			}

			end := tc.stall(t, c, cfg, release)
			names := slices.Sorted(maps.Keys(want))
			awaitAlerts(t, p, addr, names, want, "the stall never set off its alerts")
			end()
			c.ReadN(t, cfg.Topics.Output, 1, 60*time.Second) // the stalled record is finished
			awaitAlerts(t, p, addr, names, nil, "the alerts stayed after the stall ended")
		})
	}
}

// awaitAlerts waits until, of the alerts named, exactly those of want are
// active for the daemon at addr, pending and with want's labels (the others
// may do as they please), and fails with what Prometheus and the daemon
// showed if that never happens.
func awaitAlerts(t *testing.T, p *promServer, addr string, names []string, want map[string]map[string]string, msg string) {
	t.Helper()
	var active []promAlert
	deadline := time.Now().Add(30 * time.Second)
	for {
		active = p.alerts(t)
		if alertsMatch(active, addr, names, want) {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: of %v, want pending for %s: %v\nactive alerts:\n", msg, names, addr, want)
	for _, a := range active {
		fmt.Fprintf(&b, "  %s %v value=%s\n", a.State, a.Labels, a.Value)
	}
	b.WriteString("rules:\n")
	rules := p.rules(t)
	for _, name := range slices.Sorted(maps.Keys(rules)) {
		r := rules[name]
		fmt.Fprintf(&b, "  %s state=%s health=%s %s\n", name, r.State, r.Health, r.LastError)
	}
	b.WriteString("the daemon's series:\n")
	m := scrape(t, addr)
	for _, name := range []string{"dispatchd_inflight_messages", "dispatchd_partition_paused", "dispatchd_results_published_total", "dispatchd_dead_letters_total"} {
		fmt.Fprintf(&b, "  %s: %v\n", name, series(m, name))
	}
	fmt.Fprintf(&b, "Prometheus log:\n%s", p.logTail())
	t.Fatal(b.String())
}

// alertsMatch reports whether the active alerts of addr among names are
// exactly want's, all pending.
func alertsMatch(active []promAlert, addr string, names []string, want map[string]map[string]string) bool {
	got := map[string]bool{}
	for _, a := range active {
		name := a.Labels["alertname"]
		if a.Labels["instance"] != addr || !slices.Contains(names, name) {
			continue
		}
		labels, wanted := want[name]
		if !wanted || a.State != "pending" || a.Labels["job"] != "dispatchd" {
			return false
		}
		for k, v := range labels {
			if a.Labels[k] != v {
				return false
			}
		}
		got[name] = true
	}
	return slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
}
