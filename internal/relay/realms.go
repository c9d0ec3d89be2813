package relay

import (
	"container/list"
	"sync"
	"time"
)

// realms remembers the token-realm endpoints that registries announced in
// WWW-Authenticate headers passing through the relay, so that a token request
// to one of them may be relayed. Keys are scheme://host:port/path. The set is
// shared by all clients, bounded in size (least recently announced entries go
// first) and in time.
type realms struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List               // of *realmEntry, most recent first
	byKey map[string]*list.Element // key → element of order
}

type realmEntry struct {
	key     string
	expires time.Time
}

func newRealms(max int, ttl time.Duration, now func() time.Time) *realms {
	return &realms{max: max, ttl: ttl, now: now, order: list.New(), byKey: map[string]*list.Element{}}
}

// add remembers key (or refreshes it).
func (r *realms) add(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	exp := r.now().Add(r.ttl)
	if el, ok := r.byKey[key]; ok {
		el.Value.(*realmEntry).expires = exp
		r.order.MoveToFront(el)
		return
	}
	r.byKey[key] = r.order.PushFront(&realmEntry{key: key, expires: exp})
	for r.order.Len() > r.max {
		old := r.order.Back()
		r.order.Remove(old)
		delete(r.byKey, old.Value.(*realmEntry).key)
	}
}

// has reports whether key was announced and has not expired.
func (r *realms) has(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	el, ok := r.byKey[key]
	if !ok {
		return false
	}
	if r.now().After(el.Value.(*realmEntry).expires) {
		r.order.Remove(el)
		delete(r.byKey, key)
		return false
	}
	return true
}
