package urlstate

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		query string
		want  State
	}{
		{"", State{Layer: -1}},
		{"?image=alpine", State{Image: "alpine", Layer: -1}},
		{"image=docker.io/library/alpine:3.20@sha256:abc&platform=linux/arm64/v8&path=/etc/os-release&layer=2&view=layers",
			State{Image: "docker.io/library/alpine:3.20@sha256:abc", Platform: "linux/arm64/v8", Path: "/etc/os-release", Layer: 2, View: "layers"}},
		{"?image=a&path=etc/../usr//bin/", State{Image: "a", Path: "/usr/bin", Layer: -1}},
		{"?image=a&layer=-3&view=bogus", State{Image: "a", Layer: -1}},
		{"?image=a&layer=x&view=files", State{Image: "a", Layer: -1}},
		{"?image=a%20b%2Fc", State{Image: "a b/c", Layer: -1}},
		{"?path=/a%26b%3Dc", State{Path: "/a&b=c", Layer: -1}},
		{"?image=a&compare=b:2&view=supply", State{Image: "a", Compare: "b:2", Layer: -1, View: "supply"}},
		{"?image=a&view=packages", State{Image: "a", Layer: -1, View: "packages"}},
		{"?image=a&compare=b&compare-platform=linux/arm64&path=/etc", State{Image: "a", Compare: "b", ComparePlatform: "linux/arm64", Path: "/etc", Layer: -1, View: "compare"}},
		{"?image=a&compare=b&view=files", State{Image: "a", Compare: "b", Layer: -1}},
		{"?image=a&view=compare", State{Image: "a", Layer: -1}},
		{"?local=my%20image.tar&path=/etc&view=layers", State{Local: "my image.tar", Path: "/etc", Layer: -1, View: "layers"}},
		{"?local=x.tar&image=alpine&compare=b", State{Local: "x.tar", Layer: -1}}, // a local file is the image
	}
	for _, tt := range tests {
		if got := Parse(tt.query); got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.query, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		s    State
		want string
	}{
		{State{Layer: -1}, ""},
		{State{Image: "127.0.0.1:8080/demo/showcase:latest", Layer: -1}, "?image=127.0.0.1:8080/demo/showcase:latest"},
		{State{Image: "alpine@sha256:ab", Platform: "linux/arm64/v8", Path: "/etc/a b", Layer: 0, View: "config"},
			"?image=alpine@sha256:ab&platform=linux/arm64/v8&path=/etc/a+b&layer=0&view=config"},
		{State{Image: "a", Path: "/", Layer: -1, View: "files"}, "?image=a"},
		{State{Image: "a", Path: "/x&y=z#w", Layer: -1}, "?image=a&path=/x%26y%3Dz%23w"},
		{State{Image: "a:1", Compare: "a:2", Path: "/etc", Layer: -1, View: "packages"}, "?image=a:1&compare=a:2&path=/etc&view=packages"},
		{State{Image: "i@sha256:1", Platform: "linux/amd64", Compare: "i@sha256:1", ComparePlatform: "linux/arm64", Path: "/etc/arch", Layer: -1, View: "compare"},
			"?image=i@sha256:1&platform=linux/amd64&compare=i@sha256:1&compare-platform=linux/arm64&path=/etc/arch"},
		{State{Image: "a", Compare: "b", Layer: -1}, "?image=a&compare=b&view=files"},
		{State{Local: "saved image.tar", Path: "/etc/os-release", Layer: 1}, "?local=saved+image.tar&path=/etc/os-release&layer=1"},
		{State{Image: "r.example/a:1", Layer: -1, Relay: "https://relay.example"}, "?image=r.example/a:1&relay=https://relay.example"},
	}
	for _, tt := range tests {
		got := tt.s.Format()
		if got != tt.want {
			t.Errorf("Format(%+v) = %q, want %q", tt.s, got, tt.want)
		}
		// Whatever Format writes, Parse reads back.
		back := Parse(got)
		norm := tt.s
		if norm.Path == "/" {
			norm.Path = ""
		}
		if norm.View == "files" {
			norm.View = ""
		}
		if back != norm {
			t.Errorf("Parse(Format(%+v)) = %+v", tt.s, back)
		}
	}
}
