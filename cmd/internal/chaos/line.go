package chaos

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Line is the scenario's CHAOS line.
func (r *run) Line(v Verdict) string {
	notes := append([]string{"ordering=" + r.fleet.Ordering}, r.notes...)
	if len(v.PerEvent) > 1 {
		var per []string
		for _, d := range v.PerEvent {
			per = append(per, fmt.Sprintf("%.1f", d.Seconds()))
		}
		notes = append(notes, "recovered_s per event: "+strings.Join(per, ","))
	}
	notes = append(notes, fmt.Sprintf("caught_up_s=%.1f", v.CaughtUp.Seconds()))
	if len(v.DupSpans) > 0 {
		var spans []string
		for _, p := range slices.Sorted(maps.Keys(v.DupSpans)) {
			spans = append(spans, fmt.Sprintf("%d/%s", p, v.DupSpans[p]))
		}
		notes = append(notes, "duplicated input offsets (partition/lo..hi:n): "+strings.Join(spans, " "))
	}
	notes = append(notes, v.Lines...)
	return fmt.Sprintf("CHAOS %s inputs=%d results=%d dead_letters=%d lost=%d duplicates=%d order_violations=%d recovered_s=%.1f%s %s",
		r.name, v.Inputs, v.Results, v.DeadLetters, v.Lost, v.Duplicates, v.OrderViolations, v.Recovered.Seconds(), pending(v),
		strings.Join(notes, "; "))
}

// failed is the CHAOS line of a scenario that could not finish.
func failed(name, ordering string, err error) string {
	return fmt.Sprintf("CHAOS %s FAILED ordering=%s: %v", name, ordering, err)
}

// probeAll is every running replica's answer to path, by name.
func probeAll(f *Fleet, path string) string {
	var out []string
	for _, p := range f.Running() {
		out = append(out, p.Name+"="+short(Probe(p, path)))
	}
	return strings.Join(out, " ")
}

// short squeezes an answer onto a CHAOS line.
func short(s string) string {
	s = strings.Join(strings.Fields(s), "")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}

func pending(v Verdict) string {
	if v.Pending == 0 {
		return ""
	}
	return fmt.Sprintf(" pending=%d", v.Pending)
}

func keys(m map[int32]bool) []int32 {
	var out []int32
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
