//go:build !js

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// treeMemory is the memory of a process and all its descendants, as Linux
// reports it in /proc: the sum of their resident set sizes (pages shared
// between them counted once per process, so an upper bound) and of their
// proportional set sizes (shared pages divided among their users).
// top names the process with the most PSS and says how much it holds
// ("renderer 812 MiB"), to tell which of the browser's processes grew.
// anon is the part of pss that is anonymous memory (the heap, buffers),
// the rest being mapped files (which the kernel can drop and read again).
type treeMemory struct {
	rss, pss, anon int64
	top            string
}

// sampleTree samples the memory of root's process tree every interval
// until stop is called, which returns the peaks and the number of processes
// seen at the peak of RSS.
func sampleTree(root int, interval time.Duration) (stop func() (peak treeMemory, procs int)) {
	var (
		mu    sync.Mutex
		peak  treeMemory
		procs int
	)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			m, n := readTree(root)
			mu.Lock()
			if m.rss > peak.rss {
				peak.rss, procs = m.rss, n
			}
			if m.pss > peak.pss {
				peak.pss, peak.top = m.pss, m.top
			}
			peak.anon = max(peak.anon, m.anon)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (treeMemory, int) {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return peak, procs
	}
}

// readTree sums the memory of root and its descendants now.
func readTree(root int) (treeMemory, int) {
	parent := map[int]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		b, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue // exited
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 {
			parent[pid], _ = strconv.Atoi(f[1])
		}
	}
	in := func(pid int) bool {
		for i := 0; pid > 1 && i < 64; i++ {
			if pid == root {
				return true
			}
			pid = parent[pid]
		}
		return false
	}
	var m treeMemory
	n := 0
	var topPSS int64
	for pid := range parent {
		if !in(pid) {
			continue
		}
		n++
		r := rollup(pid)
		m.rss, m.pss, m.anon = m.rss+r.rss, m.pss+r.pss, m.anon+r.anon
		if r.pss > topPSS {
			topPSS, m.top = r.pss, fmt.Sprintf("%s %d MiB, %d MiB of it anonymous", processType(pid), r.pss>>20, r.anon>>20)
		}
	}
	return m, n
}

// processType is a Chromium process's --type (renderer, gpu-process,
// utility, …), "browser" for the main one.
func processType(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	for _, a := range strings.Split(string(b), "\x00") {
		if t, ok := strings.CutPrefix(a, "--type="); ok {
			return t
		}
	}
	return "browser"
}

// rollup is the Rss and Pss of /proc/PID/smaps_rollup, in bytes (zero if
// the process is gone).
func rollup(pid int) treeMemory {
	var m treeMemory
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "Rss:":
			m.rss = kb << 10
		case "Pss:":
			m.pss = kb << 10
		case "Pss_Anon:":
			m.anon = kb << 10
		}
	}
	return m
}
