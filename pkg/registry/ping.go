package registry

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// ping makes sure e has been pinged: GET /v2/ without credentials decides
// the scheme (see scheme.go) and which challenge, if any, the registry
// makes. A 200 (or any other non-401 answer below 500) means no
// authentication is needed up front; a 401 records the Bearer challenge, or
// else the Basic one. Network errors, 5xx and 429 are retried; a failed ping
// is not remembered, so the next request pings again.
func (c *Client) ping(ctx context.Context, e *endpoint) error {
	e.mu.Lock()
	done := e.pinged
	e.mu.Unlock()
	if done {
		return nil
	}
	if err := e.lock(ctx); err != nil {
		return err
	}
	defer e.unlock()
	e.mu.Lock()
	done = e.pinged
	e.mu.Unlock()
	if done {
		return nil
	}

	var lastErr error
	for attempt := 1; ; attempt++ {
		scheme, resp, err := c.pingOnce(ctx, e.host)
		if err == nil {
			if !retryableStatus(resp.StatusCode) {
				e.mu.Lock()
				e.pinged, e.scheme = true, scheme
				if resp.StatusCode == http.StatusUnauthorized {
					e.challenge = pickChallenge(challengesOf(resp.Header))
				}
				e.mu.Unlock()
				io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
				resp.Body.Close()
				return nil
			}
			err = newError(resp)
		}
		lastErr = err
		wait, ok := c.retryWait(attempt, err)
		if !ok {
			return fmt.Errorf("ping %s: %w", e.host, lastErr)
		}
		if err := c.sleep(ctx, fmt.Sprintf("%s://%s/v2/", c.schemes(e.host)[0], e.host), attempt, wait, err); err != nil {
			return err
		}
	}
}

// pingOnce tries GET /v2/ with each allowed scheme in turn, returning the
// first response.
func (c *Client) pingOnce(ctx context.Context, host string) (string, *http.Response, error) {
	var err error
	for _, scheme := range c.schemes(host) {
		var req *http.Request
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+host+"/v2/", nil)
		if err != nil {
			return "", nil, err
		}
		var resp *http.Response
		resp, err = c.plain.Do(req)
		if err == nil {
			return scheme, resp, nil
		}
		if ctx.Err() != nil {
			return "", nil, ctx.Err()
		}
	}
	return "", nil, err
}

// pickChallenge prefers Bearer, then Basic; others are not answered.
func pickChallenge(cs []Challenge) *Challenge {
	for _, want := range []string{"bearer", "basic"} {
		for i := range cs {
			if cs[i].Scheme == want {
				return &cs[i]
			}
		}
	}
	return nil
}
