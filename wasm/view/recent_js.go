//go:build js

package view

import (
	"encoding/json"
	"slices"
	"strings"
	"syscall/js"
)

// recentKey is where the recently opened images live in localStorage.
const recentKey = "regscope.recent"

// maxRecent is how many recently opened images the start screen lists.
const maxRecent = 8

// recentStore reads and writes the recently opened references, newest
// first. Storage can be missing or refuse (private modes, a full quota):
// the list is then simply empty.
type recentStore struct{}

func (recentStore) load() []string {
	var refs []string
	s, ok := storage("getItem", recentKey)
	if ok && s.Type() == js.TypeString {
		json.Unmarshal([]byte(s.String()), &refs)
	}
	refs = slices.DeleteFunc(refs, func(s string) bool { return strings.TrimSpace(s) == "" })
	if len(refs) > maxRecent {
		refs = refs[:maxRecent]
	}
	return refs
}

// add puts ref first and returns the new list.
func (r recentStore) add(ref string) []string {
	if strings.TrimSpace(ref) == "" { // a local file: nothing a link could open again
		return r.load()
	}
	refs := slices.DeleteFunc(r.load(), func(s string) bool { return s == ref })
	refs = append([]string{ref}, refs...)
	if len(refs) > maxRecent {
		refs = refs[:maxRecent]
	}
	b, _ := json.Marshal(refs)
	storage("setItem", recentKey, string(b))
	return refs
}

func (recentStore) clear() { storage("removeItem", recentKey) }

// storage calls a localStorage method, reporting false when storage is
// unavailable or throws.
func storage(method string, args ...any) (v js.Value, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	ls := js.Global().Get("localStorage")
	if !ls.Truthy() {
		return js.Undefined(), false
	}
	return ls.Call(method, args...), true
}
