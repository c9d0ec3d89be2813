//go:build !js

package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/imagetest"
	"github.com/regscope/regscope/internal/regtest"
	"github.com/regscope/regscope/internal/tartest"
)

// childArgs is the environment variable that makes this test binary run
// the CLI instead of the tests: its value is the command line, as JSON.
const childArgs = "REGSCOPE_CLI_CHILD_ARGS"

func TestMain(m *testing.M) {
	if a := os.Getenv(childArgs); a != "" {
		var args []string
		if err := json.Unmarshal([]byte(a), &args); err != nil {
			os.Exit(99)
		}
		os.Exit(Run(context.Background(), args[0], args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// A `regscope ls` process killed (SIGKILL) while a layer is half
// downloaded leaves no part of that layer in the blob cache: `cache ls`
// does not list it, and the next `ls` downloads it again, whole, keeps it,
// and lists the image.
func TestCLICacheKilledProcess(t *testing.T) {
	f := &regtest.Faults{}
	ref := regtest.GGCRWith(t, f.Wrap) + "/cache/killed:1"
	noise := make([]byte, 4<<20) // incompressible: the blob is as big as its content
	rand.Read(noise)
	img := imagetest.Image(t, imagetest.OCI,
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "etc/os-release", Body: "ID=killed\n"}),
		imagetest.Layer(t, imagetest.Gzip, tartest.Entry{Name: "big.bin", Body: string(noise)}))
	regtest.Push(t, ref, img)
	ls, _ := img.Layers()
	h, _ := ls[1].Digest()
	big := digest.Digest(h.String())
	f.Add(regtest.Fault{Kind: regtest.Stall, Path: regtest.BlobPath(big), Offset: 1 << 20, Times: 1})

	cacheHome := t.TempDir()
	blobs := filepath.Join(cacheHome, "regscope", "blobs")
	args, _ := json.Marshal([]string{"ls", ref})
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childArgs+"="+string(args), "XDG_CACHE_HOME="+cacheHome, "DOCKER_CONFIG="+t.TempDir())
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once the stalled layer's first megabyte is in a temporary file.
	for deadline := time.Now().Add(time.Minute); ; {
		if tmpBytes(blobs) >= 1<<20 {
			break
		}
		if time.Now().After(deadline) {
			child.Process.Kill()
			child.Wait()
			t.Fatal("the layer's first megabyte never reached the cache's temporary file")
		}
		time.Sleep(10 * time.Millisecond)
	}
	child.Process.Signal(syscall.SIGKILL)
	if err := child.Wait(); err == nil || err.Error() != "signal: killed" {
		t.Fatalf("the ls process ended with %v, want signal: killed", err)
	}

	listed := func() []string {
		t.Helper()
		code, out, errs := run(t, map[string]string{"XDG_CACHE_HOME": cacheHome}, "cache", "ls", "--json")
		if code != 0 {
			t.Fatalf("cache ls: exit %d: %s", code, errs)
		}
		var ds []string
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var e cacheEntryJSON
			if err := dec.Decode(&e); err != nil {
				t.Fatalf("cache ls --json: %v\n%s", err, out)
			}
			ds = append(ds, e.Digest)
		}
		return ds
	}
	if got := listed(); slices.Contains(got, string(big)) {
		t.Fatalf("after the kill, cache ls lists the half-downloaded layer %s: %v", big, got)
	}
	if _, err := os.Stat(filepath.Join(blobs, "sha256", big.Encoded())); !os.IsNotExist(err) {
		t.Fatalf("after the kill, the cache holds a file named for the half-downloaded layer (%v)", err)
	}

	code, out, errs := run(t, map[string]string{"XDG_CACHE_HOME": cacheHome}, "ls", ref, "/")
	if code != 0 || !strings.Contains(out, "big.bin") {
		t.Fatalf("ls after the kill: exit %d:\n%s\n%s", code, out, errs)
	}
	gets := 0
	for _, s := range f.Seen(regtest.BlobPath(big)) {
		if s.Method == "GET" {
			gets++
		}
	}
	if gets != 2 {
		t.Errorf("the layer was asked for %d times, want 2 (the killed download, then whole)", gets)
	}
	if got := listed(); !slices.Contains(got, string(big)) {
		t.Errorf("after a whole download, cache ls lists %v, without the layer %s", got, big)
	}
	kept, err := os.ReadFile(filepath.Join(blobs, "sha256", big.Encoded()))
	if err != nil || digest.FromBytes(kept) != big {
		t.Errorf("the kept layer does not match its digest (%d bytes, %v)", len(kept), err)
	}
}

// tmpBytes is the size of the biggest temporary (still being written)
// blob under dir.
func tmpBytes(dir string) int64 {
	var most int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "tmp-") {
			if fi, err := d.Info(); err == nil && fi.Size() > most {
				most = fi.Size()
			}
		}
		return nil
	})
	return most
}
