package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/regscope/regscope/internal/format"
	"github.com/regscope/regscope/pkg/diff"
	"github.com/regscope/regscope/pkg/layers"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
)

// diffMaxLines caps the unified diff diff prints for a PATH that is a
// changed text file.
const diffMaxLines = 2000

// cmdDiff compares two images: exit 0 when they are the same, 1 when they
// differ, 2 on error.
func cmdDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f pullFlags
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	f.register(fs)
	platformB := fs.String("platform-b", "", "platform of B alone (default: --platform)")
	pos, err := parse(fs, args, 2, 3)
	if err != nil {
		return &exitStatus{code: 2, err: err}
	}
	root := "/"
	if len(pos) == 3 {
		root = pos[2]
	}
	res, err := diffImages(ctx, pos[0], pos[1], &f, *platformB, root, stderr)
	if err != nil {
		return &exitStatus{code: 2, err: err}
	}
	if f.json {
		err = printDiffJSON(stdout, res.Files)
	} else {
		err = printDiffText(stdout, res, len(pos) == 3)
	}
	if err != nil {
		return &exitStatus{code: 2, err: err}
	}
	if !res.Same() {
		return &exitStatus{code: 1}
	}
	return nil
}

// diffImages pulls both images (layers they share downloaded once) and
// compares them under root. Config differences count only when the whole
// images are compared.
func diffImages(ctx context.Context, refA, refB string, f *pullFlags, platformB, root string, stderr io.Writer) (*diff.Result, error) {
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	oa, err := diffOptions(ctx, refA, f, f.platform, stderr)
	if err != nil {
		return nil, err
	}
	if platformB == "" {
		platformB = f.platform
	}
	ob, err := diffOptions(ctx, refB, f, platformB, stderr)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex // the two progress displays share stderr
	pa, pb := newProgress(prefixed(stderr, &mu, "A: ")), newProgress(prefixed(stderr, &mu, "B: "))
	oa.Progress, ob.Progress = pa.event, pb.event
	a, b, err := diff.Pull(ctx, refA, refB, oa, ob)
	pa.finish()
	pb.finish()
	if err != nil {
		return nil, err // advice (in Run) says what to do; the error names the side
	}
	res, err := diff.Images(a, b, root)
	if err != nil {
		return nil, err
	}
	if res.Root != "/" {
		res.Config.Changes = nil
	}
	return res, nil
}

// diffOptions are the pull options of one side: contents kept (files are
// compared by content).
func diffOptions(ctx context.Context, ref string, f *pullFlags, platform string, stderr io.Writer) (pull.Options, error) {
	r, err := registry.ParseRef(ref)
	if err != nil {
		return pull.Options{}, err
	}
	ro, err := f.registryOptions(ctx, r, stderr)
	if err != nil {
		return pull.Options{}, err
	}
	return pull.Options{Platform: platform, Concurrency: f.concurrency, Registry: ro, Store: layers.MemStore()}, nil
}

// diffJSON is one line of `diff --json`.
type diffJSON struct {
	Path      string     `json:"path"`
	PathBytes []byte     `json:"pathBytes,omitempty"` // the exact bytes, when Path is not valid UTF-8
	Change    string     `json:"change"`
	Fields    []string   `json:"fields"`
	A         *entryJSON `json:"a,omitempty"`
	B         *entryJSON `json:"b,omitempty"`
}

func printDiffJSON(w io.Writer, files []diff.File) error {
	enc := json.NewEncoder(w)
	for _, f := range files {
		j := diffJSON{Path: f.Path, Change: string(f.Change), Fields: f.Fields}
		if j.Fields == nil {
			j.Fields = []string{}
		}
		if !utf8.ValidString(f.Path) {
			j.PathBytes = []byte(f.Path)
		}
		if f.A != nil {
			l := listing(f.A)
			j.A = &l
		}
		if f.B != nil {
			l := listing(f.B)
			j.B = &l
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

// printDiffText prints the changed paths the way `diff -r --brief` does,
// with the fields that differ, then the config differences; with a PATH
// that is a changed regular file, also its content diff.
func printDiffText(w io.Writer, res *diff.Result, withPath bool) error {
	for _, f := range res.Files {
		var err error
		switch f.Change {
		case diff.Removed:
			_, err = fmt.Fprintf(w, "Only in A: %s\n", display(f.Path))
		case diff.Added:
			_, err = fmt.Fprintf(w, "Only in B: %s\n", display(f.Path))
		default:
			_, err = fmt.Fprintf(w, "Differ: %s (%s)\n", display(f.Path), strings.Join(f.Fields, ", "))
		}
		if err != nil {
			return err
		}
	}
	for _, c := range res.Config.Changes {
		name := c.Field
		if c.Key != "" {
			name += " " + display(c.Key)
		}
		if _, err := fmt.Fprintf(w, "Config %s: %s → %s\n", name, configValue(c.A), configValue(c.B)); err != nil {
			return err
		}
	}
	if withPath && len(res.Files) > 0 && res.Files[0].Path == res.Root {
		return printContentDiff(w, res.Files[0])
	}
	return nil
}

func configValue(v *string) string {
	if v == nil {
		return "(absent)"
	}
	return fmt.Sprintf("%q", *v)
}

// printContentDiff prints the unified diff of a changed text file, or the
// sizes, digests and first differing bytes of a binary one.
func printContentDiff(w io.Writer, f diff.File) error {
	isFile := func(e *layers.Entry) bool {
		return e == nil || e.Type == layers.TypeFile || e.Type == layers.TypeHardlink
	}
	if !isFile(f.A) || !isFile(f.B) || (f.Change == diff.Modified && !slices.Contains(f.Fields, "content")) {
		return nil
	}
	d, err := diff.Content(f.Path, f.A, f.B, diffMaxLines)
	if err != nil {
		return err
	}
	if d.Text {
		fmt.Fprint(w, "\n"+d.Unified)
		if d.Truncated {
			fmt.Fprintf(w, "… %d more lines of diff\n", d.Total-diffMaxLines)
		}
		return nil
	}
	_, err = fmt.Fprintf(w, "\nA: %s, %s\nB: %s, %s\nfirst difference at byte %d\nA:\n%sB:\n%s",
		format.Size(max(d.SizeA, 0)), d.DigestA, format.Size(max(d.SizeB, 0)), d.DigestB, d.Offset, d.HexA, d.HexB)
	return err
}

// prefixed returns a writer that starts each line written with prefix,
// writes under mu, and never reports a terminal (so progress is plain
// lines: two live displays cannot share one screen).
func prefixed(w io.Writer, mu *sync.Mutex, prefix string) io.Writer {
	return &prefixWriter{w: w, mu: mu, prefix: prefix, bol: true}
}

type prefixWriter struct {
	w      io.Writer
	mu     *sync.Mutex
	prefix string
	bol    bool // at the beginning of a line
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []byte
	for _, c := range b {
		if p.bol {
			out = append(out, p.prefix...)
		}
		out = append(out, c)
		p.bol = c == '\n'
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
