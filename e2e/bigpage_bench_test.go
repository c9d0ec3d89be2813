//go:build !js

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/regscope/regscope/pkg/archive"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// bigPageWait bounds each step of BenchmarkBigLocalFile: gigabytes on a
// shared machine.
const bigPageWait = time.Hour

// bigPageFiles is the layout of BenchmarkBigLocalFile's image, from
// REGSCOPE_BENCH_BIG_GIB (the size of /big.bin, default 2) and
// REGSCOPE_BENCH_TOTAL_GIB (all the content, default 3): /big.bin in the
// first layer, then 1 GiB files, one per layer.
func bigPageFiles(b *testing.B) []int64 {
	gib := func(env string, def float64) int64 {
		v := def
		if s := os.Getenv(env); s != "" {
			var err error
			if v, err = strconv.ParseFloat(s, 64); err != nil {
				b.Fatalf("%s=%q: %v", env, s, err)
			}
		}
		return int64(v * (1 << 30))
	}
	big, total := gib("REGSCOPE_BENCH_BIG_GIB", 2), gib("REGSCOPE_BENCH_TOTAL_GIB", 3)
	files := []int64{big}
	for left := total - big; left > 0; left -= 1 << 30 {
		files = append(files, min(left, 1<<30))
	}
	return files
}

// BenchmarkBigLocalFile generates a docker save tarball of several GiB
// (uncompressed layers of pseudo-random text, one big file), then in the
// same run:
//
//   - native, the page's pipeline: pkg/archive reading the file through
//     pkg/pull (every digest and DiffID checked, contents discarded as by
//     `regscope ls`), in this process;
//
//   - native, the CLI (unless REGSCOPE_BENCH_SERVE_LOAD=0): `regscope serve --load FILE` (which reads and verifies every
//     blob of the tarball before it listens), then `regscope ls --no-cache`
//     of the image through it: times and peak memory;
//
//   - page (unless REGSCOPE_BENCH_PAGE=0): chooses the file with the page's file picker in headless
//     Chromium, waits for #status[data-state=verified], then opens /big.bin
//     in the viewer until its first bytes show; it samples the memory of
//     all the browser's processes every 200 ms (sum of RSS, sum of PSS)
//     and reads navigator.storage.estimate() (what OPFS holds).
//
//     REGSCOPE_BENCH_BIG_GIB=2 REGSCOPE_BENCH_TOTAL_GIB=3 go test -run '^$' -bench BigLocalFile -benchtime 1x -timeout 3h ./e2e/
//
// The tarball goes to a temporary directory (TMPDIR) removed at the end.
func BenchmarkBigLocalFile(b *testing.B) {
	dir := b.TempDir()
	start := time.Now()
	save := writeBigSave(b, filepath.Join(dir, "bigpage.tar"), bigPageFiles(b))
	b.Logf("wrote %s: %d bytes, files %v, in %v", save.path, save.total, save.files, time.Since(start).Round(time.Second))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		archivePull(b, save)
		if os.Getenv("REGSCOPE_BENCH_SERVE_LOAD") != "0" {
			nativeBig(b, save)
		}
		b.StartTimer()
		if os.Getenv("REGSCOPE_BENCH_PAGE") != "0" {
			pageBig(b, save)
		}
	}
}

// archivePull pulls the image of save from the file natively, as the
// page's engine does (pkg/archive's transport under pkg/pull).
func archivePull(b *testing.B, save bigSave) {
	f, err := os.Open(save.path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	a, err := archive.Open(f, save.total, filepath.Base(save.path))
	if err != nil {
		b.Fatal(err)
	}
	img, err := pull.Pull(context.Background(), a.Ref(""), pull.Options{Store: layers.DiscardStore(),
		Registry: registry.Options{Transport: a.Transport(), MaxAttempts: 1}})
	if err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	if len(img.Layers) != len(save.files) {
		b.Fatalf("the pull read %d layers, want %d", len(img.Layers), len(save.files))
	}
	b.ReportMetric(d.Seconds(), "native-archive-pull-s")
	b.Logf("native archive pull (pkg/archive + pkg/pull, contents discarded): %v", d.Round(time.Millisecond))
}

// nativeBig loads save into `regscope serve` and lists it with `regscope ls`.
func nativeBig(b *testing.B, save bigSave) {
	ctx, cancel := context.WithTimeout(context.Background(), bigPageWait)
	defer cancel()
	start := time.Now()
	s, err := startServer(ctx, "--load", save.path)
	if err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	loadPeak, _ := readTree(s.cmd.Process.Pid)
	defer s.stop()
	ref := s.host + "/local/bench/bigpage:1"
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, env.bin, "ls", "--no-cache", ref, "/")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start = time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("regscope ls %s: %v\n%s\nserver log:\n%s", ref, err, stderr.String(), s.tail(50))
	}
	ls := time.Since(start)
	lsRSS := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	if want := " " + strconv.FormatInt(save.files[0], 10) + " "; !strings.Contains(out.String(), want) {
		b.Fatalf("regscope ls does not list /big.bin of %d bytes:\n%s", save.files[0], out.String())
	}
	b.ReportMetric(load.Seconds(), "native-load-s")
	b.ReportMetric(ls.Seconds(), "native-ls-s")
	b.ReportMetric(float64(lsRSS)/(1<<20), "native-ls-peak-rss-MiB")
	b.Logf("native: serve --load %v (server RSS after load %d MiB), ls --no-cache %v (peak RSS %d MiB)",
		load.Round(time.Millisecond), loadPeak.rss>>20, ls.Round(time.Millisecond), lsRSS>>20)
}

// pageBig opens save with the page's file picker and /big.bin in the viewer.
func pageBig(b *testing.B, save bigSave) {
	proc := chromedp.FromContext(env.browser.ctx).Browser.Process()
	if proc == nil {
		b.Fatal("the browser's process is unknown")
	}
	before, procs0 := readTree(proc.Pid)
	stop := sampleTree(proc.Pid, 200*time.Millisecond)
	tb := newTab(b)
	tb.navigate(env.srv.url + "/")
	tb.waitStatus(pullWait, "idle")
	file := filepath.Base(save.path)
	start := time.Now()
	tb.choose(save.path)
	tb.waitStatus(bigPageWait, "verified")
	verified := time.Since(start)
	start = time.Now()
	tb.showPath(file, "/big.bin")
	tb.waitAttr(bigPageWait, "#viewer", "data-path", "/big.bin")
	tb.waitFn(bigPageWait, "the first bytes of /big.bin", `(head) => {
  const v = document.querySelector("#viewer");
  return v && v.textContent.includes(head) ? "ok" : "";
}`, strings.TrimSuffix(bigHead, "\n"))
	firstBytes := time.Since(start)
	usage := eval[float64](tb, `navigator.storage.estimate().then(e => e.usage)`)
	peak, procs := stop()

	// Download /big.bin: the page hands the browser a File on disk.
	stop = sampleTree(proc.Pid, 200*time.Millisecond)
	downloads := b.TempDir()
	tb.allowDownloads(downloads)
	start = time.Now()
	tb.click("#download")
	got := filepath.Join(downloads, "big.bin")
	for deadline := time.Now().Add(bigPageWait); ; time.Sleep(200 * time.Millisecond) {
		if fi, err := os.Stat(got); err == nil && fi.Size() == save.files[0] {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("/big.bin was not downloaded whole within %v", bigPageWait)
		}
	}
	download := time.Since(start)
	dlPeak, _ := stop()
	os.Remove(got)
	b.ReportMetric(download.Seconds(), "page-download-s")
	b.ReportMetric(float64(dlPeak.pss)/(1<<20), "browser-download-peak-pss-MiB")
	b.Logf("page: /big.bin (%d bytes) downloaded in %v; browser peak meanwhile: RSS %d MiB, PSS %d MiB (the most: %s), anonymous PSS %d MiB",
		save.files[0], download.Round(time.Millisecond), dlPeak.rss>>20, dlPeak.pss>>20, dlPeak.top, dlPeak.anon>>20)
	b.ReportMetric(verified.Seconds(), "page-verified-s")
	b.ReportMetric(firstBytes.Seconds(), "page-first-bytes-s")
	b.ReportMetric(float64(peak.rss)/(1<<20), "browser-peak-rss-MiB")
	b.ReportMetric(float64(peak.pss)/(1<<20), "browser-peak-pss-MiB")
	b.ReportMetric(float64(peak.anon)/(1<<20), "browser-peak-anon-pss-MiB")
	b.ReportMetric(usage/(1<<20), "storage-usage-MiB")
	b.Logf("page: %s (%d bytes) verified in %v; /big.bin's first bytes %v later; browser before: RSS %d MiB, PSS %d MiB in %d processes; peak: RSS %d MiB (%d processes), PSS %d MiB (the most: %s), anonymous PSS %d MiB; storage usage %.0f MiB",
		file, save.total, verified.Round(time.Millisecond), firstBytes.Round(time.Millisecond),
		before.rss>>20, before.pss>>20, procs0, peak.rss>>20, procs, peak.pss>>20, peak.top, peak.anon>>20, usage/(1<<20))
}
