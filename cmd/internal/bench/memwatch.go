package bench

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// memClasses are the runtime's memory classes a peak is broken into: what
// the Go heap holds live, what it keeps as GC headroom or free spans, the
// goroutine stacks, and the runtime's own metadata.
var memClasses = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/os-stacks:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/metadata/mcache/inuse:bytes",
	"/memory/classes/other:bytes",
	"/memory/classes/profiling/buckets:bytes",
	"/memory/classes/total:bytes",
	"/gc/heap/live:bytes",
	"/gc/heap/goal:bytes",
	"/sched/goroutines:goroutines",
	"/gc/cycles/total:gc-cycles",
}

// memWatch samples the process every 10 ms until stop is closed and keeps
// the sample of highest resident memory, and an inuse heap profile taken
// when the heap in use was largest, so a peak RSS can be taken apart.
type memWatch struct {
	samples []metrics.Sample
	peakRSS uint64
	peak    []metrics.Sample
	heapMax uint64
	profile bytes.Buffer
}

func newMemWatch() *memWatch {
	w := &memWatch{}
	for _, n := range memClasses {
		w.samples = append(w.samples, metrics.Sample{Name: n})
	}
	return w
}

// run samples until stop is closed.
func (w *memWatch) run(stop <-chan struct{}) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			w.sample()
		}
	}
}

func (w *memWatch) sample() {
	metrics.Read(w.samples)
	if rss := selfRSS(); rss > w.peakRSS {
		w.peakRSS = rss
		w.peak = append(w.peak[:0], w.samples...)
	}
	// A profile only when the heap has grown by an eighth: writing one
	// costs more than a sample.
	if inuse := w.samples[0].Value.Uint64(); inuse > w.heapMax+w.heapMax/8 {
		w.heapMax = inuse
		w.profile.Reset()
		_ = pprof.Lookup("heap").WriteTo(&w.profile, 0)
	}
}

// report prints the peak's breakdown to out and writes the heap profile to
// path.
func (w *memWatch) report(out io.Writer, path string) {
	fmt.Fprintf(out, "memwatch: peak rss %.1f MiB\n", float64(w.peakRSS)/(1<<20))
	for _, s := range w.peak {
		if s.Value.Kind() != metrics.KindUint64 {
			continue
		}
		v := s.Value.Uint64()
		if strings.HasSuffix(s.Name, ":bytes") {
			fmt.Fprintf(out, "memwatch:   %-46s %8.1f MiB\n", s.Name, float64(v)/(1<<20))
		} else {
			fmt.Fprintf(out, "memwatch:   %-46s %8d\n", s.Name, v)
		}
	}
	if err := os.WriteFile(path, w.profile.Bytes(), 0o644); err != nil {
		fmt.Fprintln(out, err)
	}
}

// selfRSS is this process's resident set in bytes, 0 if unknown.
func selfRSS() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}
