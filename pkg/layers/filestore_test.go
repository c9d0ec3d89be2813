package layers

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
	"github.com/regscope/regscope/pkg/manifest"
)

// FileStore keeps every file's bytes on disk, reads them back exactly, and a
// body cut short of its declared size is an error that costs no disk.
func TestFileStore(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "contents"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	big := strings.Repeat("0123456789abcdef", 100_000)
	cs, _, err := Read(bytes.NewReader(tartest.Layer(t, []tartest.Entry{
		{Name: "a", Body: "alpha\n"}, {Name: "empty"}, {Name: "big", Body: big},
	})), manifest.MediaTypeOCILayer, FileStore(f), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"alpha\n", "", big} {
		c := cs.Entries[i].Content
		got, err := io.ReadAll(io.NewSectionReader(c, 0, c.Size()))
		if err != nil || string(got) != want {
			t.Errorf("%s: %d bytes, %v; want %d bytes", cs.Entries[i].Path, len(got), err, len(want))
		}
	}
	lie := tartest.Layer(t, []tartest.Entry{{Name: "huge", Body: "tiny", Size: 10 << 30}})
	_, _, err = Read(bytes.NewReader(lie), manifest.MediaTypeOCILayer, FileStore(f), Limits{})
	if err == nil || err.Error() != `layer entry "huge": storing 10737418240 bytes: store: after 4 of 10737418240 bytes: unexpected EOF` {
		t.Errorf("declared 10 GiB over 4 bytes: %v", err)
	}
	st, err := f.Stat()
	if err != nil || st.Size() > int64(len(big))+1<<20 {
		t.Errorf("file is %d bytes after the lie, %v", st.Size(), err)
	}
}
