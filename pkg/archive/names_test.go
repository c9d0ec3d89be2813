package archive

import (
	"bytes"
	"slices"
	"testing"

	"github.com/regscope/regscope/internal/tartest"
)

// Names gives each tag the references its image was saved under, as
// written; Repo is the repository the file name makes.
func TestNames(t *testing.T) {
	img := testImage(t)
	for _, tc := range []struct {
		file, repo, tag string
		b               []byte
		names           []string
	}{
		{"App Image.tar", "app-image", "1.0", dockerSave(t, img), []string{"example.com/app:1.0"}},
		{"legacy.tar", "legacy", "old", legacySave(t), []string{"legacy:old"}},
		{"layout.tar", "layout", "2.0", ociLayoutTar(t, img), []string{"2.0"}},
		{"rootfs.tar", "rootfs", "latest", tartest.Layer(t, []tartest.Entry{{Name: "etc/os-release", Body: "ID=layer\n"}}), nil},
	} {
		a, err := Open(bytes.NewReader(tc.b), int64(len(tc.b)), tc.file)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if a.Repo() != tc.repo || !slices.Equal(a.Tags(), []string{tc.tag}) || !slices.Equal(a.Names(tc.tag), tc.names) {
			t.Errorf("%s: Repo %q, Tags %q, Names %q; want %q, [%s], %q", tc.file, a.Repo(), a.Tags(), a.Names(tc.tag), tc.repo, tc.tag, tc.names)
		}
	}
}
