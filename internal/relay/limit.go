package relay

import "sync"

// clientLimit caps the upstream requests in flight per client address. Its
// map holds only clients with requests in flight, so it is bounded by the
// server's own connection count.
type clientLimit struct {
	mu    sync.Mutex
	max   int
	count map[string]int
}

func newClientLimit(max int) *clientLimit { return &clientLimit{max: max, count: map[string]int{}} }

// acquire takes a slot for client, reporting false when it has max in flight.
func (l *clientLimit) acquire(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count[client] >= l.max {
		return false
	}
	l.count[client]++
	return true
}

func (l *clientLimit) release(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count[client]--; l.count[client] <= 0 {
		delete(l.count, client)
	}
}
