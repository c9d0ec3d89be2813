package registry

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// get sends GET path (beginning "/v2/") to r's registry, authorised for
// pulling r's repository, retrying network errors, 429 and retryable 5xx as
// retry.go says. It returns the response when its status is one of ok;
// anything else becomes an *Error.
func (c *Client) get(ctx context.Context, r Ref, path string, header http.Header, ok ...int) (*http.Response, error) {
	return c.request(ctx, http.MethodGet, r, path, header, ok...)
}

// request is get with another method (HEAD).
func (c *Client) request(ctx context.Context, method string, r Ref, path string, header http.Header, ok ...int) (*http.Response, error) {
	e := c.endpointFor(r)
	if err := c.ping(ctx, e); err != nil {
		return nil, err
	}
	e.mu.Lock()
	u := e.scheme + "://" + e.host + path
	e.mu.Unlock()
	actx := withAuthScope(ctx, e, pullScope(r.Path))
	for attempt := 1; ; attempt++ {
		resp, err := c.sendMethod(actx, method, u, header, ok...)
		if err == nil {
			return resp, nil
		}
		wait, again := c.retryWait(attempt, err)
		if !again {
			return nil, err
		}
		if err := c.sleep(ctx, u, attempt, wait, err); err != nil {
			return nil, err
		}
	}
}

// send makes one GET through the authenticating client.
func (c *Client) send(ctx context.Context, u string, header http.Header, ok ...int) (*http.Response, error) {
	return c.sendMethod(ctx, http.MethodGet, u, header, ok...)
}

// sendMethod is send with another method (HEAD).
func (c *Client) sendMethod(ctx context.Context, method, u string, header http.Header, ok ...int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if bypassCaches(ctx) {
		req.Header.Set("Cache-Control", "no-cache")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	for _, s := range ok {
		if resp.StatusCode == s {
			return resp, nil
		}
	}
	return nil, newError(resp)
}

// unwrapURLError removes the *url.Error the http.Client wraps around errors
// of our own (a registry *Error from the token service, a context error), so
// errors.As and the message stay direct; other errors keep the URL, with its
// query removed.
func unwrapURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	var (
		re *Error
		pe *permanentError
		se *StallError
	)
	if errors.As(ue.Err, &re) || errors.As(ue.Err, &pe) || errors.As(ue.Err, &se) || errors.Is(ue.Err, context.Canceled) || errors.Is(ue.Err, context.DeadlineExceeded) {
		return ue.Err
	}
	if u, perr := url.Parse(ue.URL); perr == nil {
		ue.URL = redactURL(u)
	}
	return ue
}

type noCacheKey struct{}

// WithoutCaches marks ctx so that the Client's requests carry
// Cache-Control: no-cache, which a MirrorTransport (and the relay's mirror)
// answers by skipping the mirror. A pull asks again this way when what it
// received failed verification: a cache on the way may have served it.
func WithoutCaches(ctx context.Context) context.Context {
	return context.WithValue(ctx, noCacheKey{}, true)
}

func bypassCaches(ctx context.Context) bool { return ctx.Value(noCacheKey{}) != nil }

// IsCorrupt reports whether err says content did not match its descriptor
// (a *DigestError or a *SizeError): the answer to ask again WithoutCaches.
func IsCorrupt(err error) bool { return Corruption(err) != nil }

// Corruption returns the *DigestError or *SizeError in err's chain, or nil.
func Corruption(err error) error {
	var de *DigestError
	var se *SizeError
	switch {
	case errors.As(err, &de):
		return de
	case errors.As(err, &se):
		return se
	}
	return nil
}
