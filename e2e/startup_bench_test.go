package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// startupMarks are the page's performance marks (boot.js, wasm/view) and
// the time it became ready, in milliseconds since navigation.
type startupMarks struct {
	Marks map[string]float64 `json:"marks"`
	Ready float64            `json:"ready"`
}

// BenchmarkStartup opens the start page (no image) in a fresh tab each
// iteration and waits until the view has started and the engine answered
// ready (#pull-button enabled). It reports navigation → ready, the longest
// main-thread task meanwhile, and the bytes of each wasm program the server
// sends to a browser (brotli once the server has made it); the marks of
// boot.js and the view are logged. Figures, not assertions.
//
//	go test -run '^$' -bench Startup -benchtime 5x ./e2e/
func BenchmarkStartup(b *testing.B) {
	s := env.srv
	view, engine := wasmTransferSize(b, s, "view"), wasmTransferSize(b, s, "engine")
	var ready float64
	var longestTask time.Duration
	var logs []string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tb := newTab(b)
		b.StartTimer()
		tb.navigate(s.url + "/")
		tb.waitFn(pullWait, "#pull-button enabled", `() => document.getElementById("pull-button").disabled ? "" : "ok"`)
		b.StopTimer()
		m := eval[startupMarks](tb, `({marks: Object.fromEntries(performance.getEntriesByType("mark").filter(m => m.name.startsWith("regscope:")).map(m => [m.name, m.startTime])), ready: performance.now()})`)
		tasks := tb.longtasks()
		ready += m.Ready
		longestTask = max(longestTask, longest(tasks))
		names := make([]string, 0, len(m.Marks))
		for k := range m.Marks {
			names = append(names, k)
		}
		sort.Slice(names, func(i, j int) bool { return m.Marks[names[i]] < m.Marks[names[j]] })
		var parts []string
		for _, k := range names {
			parts = append(parts, fmt.Sprintf("%s %.0f", strings.TrimPrefix(k, "regscope:"), m.Marks[k]))
		}
		logs = append(logs, fmt.Sprintf("run %d: %s; ready ≤ %.0f ms; %s", i+1, strings.Join(parts, ", "), m.Ready, summarize(tasks)))
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(ready/n, "ready-ms")
	b.ReportMetric(float64(longestTask)/float64(time.Millisecond), "longest-task-ms")
	b.ReportMetric(float64(view.n), "view-wasm-bytes")
	b.ReportMetric(float64(engine.n), "engine-wasm-bytes")
	b.Logf("wasm transferred: view %d bytes (%s), engine %d bytes (%s), total %d; longest main-thread task %v\n%s",
		view.n, view.encoding, engine.n, engine.encoding, view.n+engine.n, longestTask.Round(time.Millisecond), strings.Join(logs, "\n"))
}
