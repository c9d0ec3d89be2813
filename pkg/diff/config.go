package diff

import (
	"maps"
	"slices"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/regscope/regscope/pkg/manifest"
)

// Configs compares the settings of two decoded configs (nil: empty).
func Configs(a, b *v1.Image) Config {
	if a == nil {
		a = &v1.Image{}
	}
	if b == nil {
		b = &v1.Image{}
	}
	ca, cb := a.Config, b.Config
	var out []ConfigChange
	scalar := func(field, va, vb string) { // "" is absent
		if va != vb {
			out = append(out, ConfigChange{Field: field, A: opt(va, va != ""), B: opt(vb, vb != "")})
		}
	}
	scalar("entrypoint", words(ca.Entrypoint), words(cb.Entrypoint))
	scalar("cmd", words(ca.Cmd), words(cb.Cmd))
	out = append(out, keyed("env", envMap(ca.Env), envMap(cb.Env))...)
	scalar("workdir", ca.WorkingDir, cb.WorkingDir)
	scalar("user", ca.User, cb.User)
	out = append(out, keyed("labels", ca.Labels, cb.Labels)...)
	out = append(out, keyed("exposedPorts", setMap(ca.ExposedPorts), setMap(cb.ExposedPorts))...)
	out = append(out, keyed("volumes", setMap(ca.Volumes), setMap(cb.Volumes))...)
	pa := manifest.FormatPlatform(v1.Platform{OS: a.OS, Architecture: a.Architecture, Variant: a.Variant})
	pb := manifest.FormatPlatform(v1.Platform{OS: b.OS, Architecture: b.Architecture, Variant: b.Variant})
	scalar("platform", pa, pb)
	var ta, tb string
	if a.Created != nil {
		ta = a.Created.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	if b.Created != nil {
		tb = b.Created.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	scalar("created", ta, tb)
	if out == nil {
		out = []ConfigChange{}
	}
	return Config{Changes: out, HistoryA: history(a.History), HistoryB: history(b.History)}
}

// opt returns &s when present, else nil.
func opt(s string, present bool) *string {
	if !present {
		return nil
	}
	return &s
}

// words renders an exec-form list as JSON-like text: ["sh", "-c", "x"].
func words(ws []string) string {
	if ws == nil {
		return ""
	}
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = `"` + strings.ReplaceAll(strings.ReplaceAll(w, `\`, `\\`), `"`, `\"`) + `"`
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// keyed compares two maps key by key, keys in order.
func keyed(field string, a, b map[string]string) []ConfigChange {
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []ConfigChange
	for _, k := range keys {
		va, ina := a[k]
		vb, inb := b[k]
		if ina == inb && va == vb {
			continue
		}
		out = append(out, ConfigChange{Field: field, Key: k, A: opt(va, ina), B: opt(vb, inb)})
	}
	return out
}

// envMap splits "NAME=value" entries (a later one for a name wins).
func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// setMap turns a set (ports, volumes) into a map of present keys.
func setMap(s map[string]struct{}) map[string]string {
	m := map[string]string{}
	for k := range s {
		m[k] = ""
	}
	return m
}

func history(h []v1.History) []History {
	out := make([]History, len(h))
	for i, x := range h {
		out[i] = History{CreatedBy: x.CreatedBy, Comment: x.Comment, EmptyLayer: x.EmptyLayer}
	}
	return out
}
