package msg

import (
	"errors"
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	three := 3
	tests := []struct {
		kind Kind
		in   any
		out  any
	}{
		{KindPull, &PullRequest{Ref: "alpine", Platform: "linux/arm64/v8", Credentials: []Credential{{"ghcr.io", "u", "p"}}}, &PullRequest{}},
		{KindList, &ListRequest{Source: Source{Layer: &three}, Offset: 200, Limit: 100}, &ListRequest{}},
		{KindList, &ListRequest{Source: Source{Dir: "/etc", Deleted: true}}, &ListRequest{}},
		{KindResult, &ListResult{Total: 2, Entries: []Entry{{Path: "/a", Type: "file", Mode: 0o644, Size: 3, Layer: 1}, {Path: "/b", Type: "symlink", Link: "a", Change: "deleted", By: 2}}}, &ListResult{}},
		{KindProgress, &Progress{Phase: "layers", Layer: 2, Done: 10, Total: 20, State: "downloading"}, &Progress{}},
		{KindResult, &PullResult{Ref: "x", Layers: []Layer{{Index: 0, Digest: "sha256:aa", Added: 3}}, Index: &Blob{Body: `{"a":1}`}}, &PullResult{}},
	}
	for _, tt := range tests {
		e, err := New(7, tt.kind, tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != 7 || e.Kind != tt.kind {
			t.Fatalf("envelope %+v", e)
		}
		if err := e.Decode(tt.out); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(tt.in, tt.out) {
			t.Errorf("%s: got %+v, want %+v", tt.kind, tt.out, tt.in)
		}
	}
}

func TestErr(t *testing.T) {
	e, _ := New(1, KindError, &ErrorInfo{Kind: ErrRateLimited, Message: "slow down", RetryAfter: 30, Layer: -1})
	err := e.Err()
	var info *ErrorInfo
	if !errors.As(err, &info) || info.Kind != ErrRateLimited || info.RetryAfter != 30 {
		t.Fatalf("Err() = %v", err)
	}
	ok, _ := New(1, KindResult, &ListResult{})
	if ok.Err() != nil {
		t.Fatal("result envelope reported an error")
	}
	if err := (Envelope{Kind: KindResult}).Decode(&ListResult{}); err == nil {
		t.Fatal("empty body decoded without error")
	}
}

func TestSourceKey(t *testing.T) {
	zero, one := 0, 1
	keys := map[string]bool{}
	for _, s := range []Source{{Dir: "/"}, {Dir: "/", Deleted: true}, {Layer: &zero}, {Layer: &one}, {Search: "x"}, {Dir: "/x"}} {
		if keys[s.Key()] {
			t.Fatalf("duplicate key %q", s.Key())
		}
		keys[s.Key()] = true
	}
}

func TestProgressiveRoundTrip(t *testing.T) {
	in := Merged{Layers: 2, Total: 5, Files: 40, Layer: Layer{Index: 1, Digest: "sha256:bb", DiffID: "sha256:cc"}, Storage: StorageDisk}
	e, err := New(9, KindMerged, in)
	if err != nil {
		t.Fatal(err)
	}
	var out Merged
	if err := e.Decode(&out); err != nil || !reflect.DeepEqual(out, in) {
		t.Errorf("Merged round trip: %+v, %v; want %+v", out, err, in)
	}
	c, err := New(3, KindResult, CacheResult{Entries: 4, Bytes: 1 << 20, Budget: 1 << 30, Dropped: 1})
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Body) != `{"entries":4,"bytes":1048576,"budget":1073741824,"dropped":1}` {
		t.Errorf("CacheResult JSON = %s", c.Body)
	}
}
