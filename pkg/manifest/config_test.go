package manifest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// dockerConfig is shaped like a config `docker build` writes (trimmed).
var dockerConfig = `{
  "architecture": "arm64",
  "variant": "v8",
  "os": "linux",
  "created": "2024-06-20T17:41:29.528917566Z",
  "config": {
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "Cmd": ["/bin/sh"],
    "WorkingDir": "/",
    "Labels": {"org.opencontainers.image.source": "https://example.com/x"},
    "ExposedPorts": {"8080/tcp": {}},
    "ArgsEscaped": true
  },
  "container_config": {"Cmd": ["ignored"]},
  "docker_version": "24.0.7",
  "rootfs": {
    "type": "layers",
    "diff_ids": [
      "` + string(digest.FromString("diff0")) + `",
      "` + string(digest.FromString("diff1")) + `"
    ]
  },
  "history": [
    {"created": "2024-06-20T17:41:29.3Z", "created_by": "/bin/sh -c #(nop) ADD file:1 in / "},
    {"created": "2024-06-20T17:41:29.4Z", "created_by": "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", "empty_layer": true},
    {"created": "2024-06-20T17:41:29.5Z", "created_by": "RUN /bin/sh -c apk add curl # buildkit", "comment": "buildkit.dockerfile.v0"}
  ]
}`

func TestParseConfig(t *testing.T) {
	img, err := ParseConfig([]byte(dockerConfig))
	if err != nil {
		t.Fatal(err)
	}
	if img.OS != "linux" || img.Architecture != "arm64" || img.Variant != "v8" || img.Created == nil {
		t.Errorf("platform: %+v", img.Platform)
	}
	if !reflect.DeepEqual(img.Config.Cmd, []string{"/bin/sh"}) || !img.Config.ArgsEscaped || img.Config.Labels["org.opencontainers.image.source"] == "" {
		t.Errorf("config: %+v", img.Config)
	}
	if len(img.RootFS.DiffIDs) != 2 || img.RootFS.DiffIDs[1] != digest.FromString("diff1") {
		t.Errorf("rootfs: %+v", img.RootFS)
	}
	lh := LayerHistory(img, 2)
	if lh[0] != &img.History[0] || lh[1] != &img.History[2] {
		t.Errorf("LayerHistory skips empty layers: %v", lh)
	}
}

func TestParseConfigErrors(t *testing.T) {
	bad := func(old, new string) []byte {
		if !strings.Contains(dockerConfig, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return []byte(strings.Replace(dockerConfig, old, new, 1))
	}
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"empty", nil, "not a JSON object"},
		{"array", []byte(`[{"rootfs":{}}]`), "not a JSON object"},
		{"garbage", []byte(`{"rootfs":`), "unexpected end"},
		{"no rootfs", []byte(`{"architecture":"amd64","os":"linux"}`), "rootfs is missing"},
		{"rootfs null", []byte(`{"rootfs":null}`), "rootfs is missing"},
		{"rootfs type empty", bad(`"type": "layers"`, `"type": ""`), `rootfs.type is "", want "layers"`},
		{"rootfs type other", bad(`"type": "layers"`, `"type": "layer"`), `rootfs.type is "layer", want "layers"`},
		{"diff_id malformed", bad(string(digest.FromString("diff1")), "sha256:1234"), `rootfs.diff_ids[1] "sha256:1234"`},
		{"diff_id unknown algorithm", bad(string(digest.FromString("diff0")), "crc32:abcd"), `rootfs.diff_ids[0] "crc32:abcd"`},
		{"architecture a number", bad(`"architecture": "arm64"`, `"architecture": 64`), "architecture"},
		{"created malformed", bad(`"created": "2024-06-20T17:41:29.528917566Z"`, `"created": "June"`), "June"},
		{"too big", append([]byte(`{"x":"`), append([]byte(strings.Repeat("a", MaxConfigSize)), `"}`...)...), "more than the"},
		{"too many diff_ids", []byte(`{"rootfs":{"type":"layers","diff_ids":[` + strings.TrimSuffix(strings.Repeat(`"",`, MaxEntries+1), ",") + `]}}`), "rootfs.diff_ids has 100001 entries"},
		{"too much history", []byte(`{"rootfs":{"type":"layers"},"history":[` + strings.TrimSuffix(strings.Repeat(`{},`, MaxEntries+1), ",") + `]}`), "history has 100001 entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := ParseConfig(tt.body)
			checkErr(t, err, tt.want, ErrInvalidConfig)
			if img != nil {
				t.Fatal("image returned with error")
			}
		})
	}
}

func TestLayerHistory(t *testing.T) {
	h := func(spec string) *v1.Image {
		img := &v1.Image{}
		for i, c := range spec {
			img.History = append(img.History, v1.History{CreatedBy: fmt.Sprint(i), EmptyLayer: c == 'e'})
		}
		return img
	}
	tests := []struct {
		name string
		img  *v1.Image
		n    int
		want []string // CreatedBy of each result, "-" for nil
	}{
		{"one to one", h("LLL"), 3, []string{"0", "1", "2"}},
		{"empty layers skipped", h("eLeeLLe"), 3, []string{"1", "4", "5"}},
		{"history short", h("LeL"), 4, []string{"0", "2", "-", "-"}},
		{"no history", h(""), 2, []string{"-", "-"}},
		{"all empty", h("eee"), 1, []string{"-"}},
		{"history long: first n", h("LLLL"), 2, []string{"0", "1"}},
		{"nil image", nil, 2, []string{"-", "-"}},
		{"zero layers", h("LL"), 0, nil},
		{"negative", h("LL"), -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LayerHistory(tt.img, tt.n)
			var names []string
			for _, e := range got {
				if e == nil {
					names = append(names, "-")
				} else {
					names = append(names, e.CreatedBy)
				}
			}
			if !reflect.DeepEqual(names, tt.want) {
				t.Fatalf("LayerHistory = %v, want %v", names, tt.want)
			}
		})
	}
}
