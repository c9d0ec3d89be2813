package registry

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is a registry's pull quota as Docker Hub announces it on
// manifest responses: "ratelimit-limit: 100;w=21600" and
// "ratelimit-remaining: 76;w=21600", pulls per window of w seconds. Each
// manifest GET counts as a pull; HEAD does not.
type RateLimit struct {
	Limit, Remaining int
	Window           time.Duration // 0 when not announced
}

// lowRateLimitShare: a quota is low when at most 1/lowRateLimitShare of it is left.
const lowRateLimitShare = 5

// Low reports whether at most a fifth of the quota is left.
func (r RateLimit) Low() bool { return r.Remaining*lowRateLimitShare <= r.Limit }

// String formats r as "3 of 100 pulls left per 6h".
func (r RateLimit) String() string {
	s := fmt.Sprintf("%d of %d pulls left", r.Remaining, r.Limit)
	if r.Window > 0 {
		w := r.Window.String() // "6h0m0s" → "6h", "1m30s" stays
		if strings.HasSuffix(w, "m0s") {
			w = strings.TrimSuffix(w, "0s")
		}
		if strings.HasSuffix(w, "h0m") {
			w = strings.TrimSuffix(w, "0m")
		}
		s += " per " + w
	}
	return s
}

// parseRateLimit reads the ratelimit headers of h; ok is false when either
// is missing or malformed.
func parseRateLimit(h http.Header) (r RateLimit, ok bool) {
	limit, w1, ok1 := quota(h.Get("Ratelimit-Limit"))
	left, w2, ok2 := quota(h.Get("Ratelimit-Remaining"))
	if !ok1 || !ok2 || left > limit {
		return RateLimit{}, false
	}
	return RateLimit{Limit: limit, Remaining: left, Window: max(w1, w2)}, true
}

// quota parses "N" or "N;w=SECONDS".
func quota(v string) (n int, window time.Duration, ok bool) {
	num, params, _ := strings.Cut(strings.TrimSpace(v), ";")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 0 {
		return 0, 0, false
	}
	for _, p := range strings.Split(params, ";") {
		if k, val, _ := strings.Cut(strings.TrimSpace(p), "="); k == "w" {
			if s, err := strconv.Atoi(val); err == nil && s > 0 {
				window = time.Duration(s) * time.Second
			}
		}
	}
	return n, window, true
}
