package layers

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/regscope/regscope/internal/tartest"
)

// DiscardStore keeps metadata and sizes, drops content, still hashes every
// byte, and is not limited by MaxStored.
func TestDiscardStore(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	l := tartest.Layer(t, []tartest.Entry{{Name: "big", Body: big}, {Name: "small", Body: "s"}, {Name: "hard", Type: '1', Link: "big"}})
	cs, st, err := Read(bytes.NewReader(l), "", LimitStore(DiscardStore(), 10), Limits{})
	if err != nil {
		t.Fatalf("Read with a 10-byte MaxStored over DiscardStore: %v", err)
	}
	if st.DiffID != digest.FromBytes(l) {
		t.Errorf("DiffID %s, want %s", st.DiffID, digest.FromBytes(l))
	}
	f := NewFS()
	if _, err := f.Apply(0, cs); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"big", "hard"} {
		e, err := f.Lstat(p)
		if err != nil || e.Size != int64(len(big)) || e.Content == nil || e.Content.Size() != int64(len(big)) {
			t.Fatalf("Lstat(%s) = %+v, %v", p, e, err)
		}
		if _, err := e.Content.ReadAt(make([]byte, 1), 0); !errors.Is(err, ErrNotKept) {
			t.Errorf("ReadAt on %s: %v, want ErrNotKept", p, err)
		}
	}
	// A body shorter than its header is still an error.
	if _, err := DiscardStore().Put(strings.NewReader("abc"), 5); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short body: %v", err)
	}
}
