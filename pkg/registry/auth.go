package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// authTransport is the RoundTripper that answers a registry's challenge.
// It authorises only requests that carry an authScope in their context and
// go to that scope's registry host with the scheme the ping chose, so a
// redirect to another host (a CDN, object storage) never sees the
// registry's Authorization, whatever the http.Client does with headers.
//
// A 401 on an authorised request drops the cached token, fetches a fresh
// one and retries the request once.
type authTransport struct {
	next http.RoundTripper
	c    *Client
}

// authScope travels in a request's context: the endpoint and the token
// scope ("repository:library/alpine:pull") the request needs.
type authScope struct {
	e     *endpoint
	scope string
}

type authScopeKey struct{}

func withAuthScope(ctx context.Context, e *endpoint, scope string) context.Context {
	return context.WithValue(ctx, authScopeKey{}, authScope{e, scope})
}

// pullScope is the token scope for pulling from repository path.
func pullScope(path string) string { return "repository:" + path + ":pull" }

// RoundTrip authorises req when it is for the scope's own host (see authTransport).
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	a, ok := req.Context().Value(authScopeKey{}).(authScope)
	if !ok {
		return t.next.RoundTrip(req)
	}
	a.e.mu.Lock()
	mine := req.URL.Host == a.e.host && req.URL.Scheme == a.e.scheme
	a.e.mu.Unlock()
	if !mine {
		return t.next.RoundTrip(req)
	}
	authz, err := t.c.authorization(req.Context(), a.e, a.scope, "")
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(withAuthorization(req, authz))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.Body != nil && req.GetBody == nil {
		return resp, nil // cannot replay
	}
	// The registry refused what we sent (an expired or revoked token, or
	// nothing because /v2/ did not ask): learn its challenge and try once more.
	a.e.mu.Lock()
	if ch := pickChallenge(challengesOf(resp.Header)); ch != nil && (a.e.challenge == nil || a.e.challenge.Scheme != "bearer" || ch.Scheme == "bearer") {
		a.e.challenge = ch
	}
	a.e.mu.Unlock()
	fresh, err := t.c.authorization(req.Context(), a.e, a.scope, authz)
	if err != nil || fresh == "" || (fresh == authz && !isBearer(fresh)) {
		return resp, nil // nothing new to offer: let the 401 speak
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = body
	}
	return t.next.RoundTrip(withAuthorization(req, fresh))
}

func isBearer(authz string) bool { return len(authz) > 7 && authz[:7] == "Bearer " }

// withAuthorization returns req, or a clone of it carrying authz.
func withAuthorization(req *http.Request, authz string) *http.Request {
	if authz == "" {
		return req
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", authz)
	return r
}

// token is a cached Bearer token.
type token struct {
	value   string
	expires time.Time
}

// tokenMargin is how long before its expiry a token is no longer used.
const tokenMargin = 5 * time.Second

// authorization returns the Authorization value for a request to e needing
// scope: "" when e made no challenge we answer, "Basic …" when it asked for
// Basic and credentials exist, "Bearer …" from the token cache or a new
// token. When stale is non-empty it is the value that was just refused:
// if the cache still holds it, it is dropped and a new token fetched.
func (c *Client) authorization(ctx context.Context, e *endpoint, scope, stale string) (string, error) {
	e.mu.Lock()
	ch := e.challenge
	tok, cached := e.tokens[scope]
	e.mu.Unlock()
	if ch == nil {
		return "", nil
	}
	switch ch.Scheme {
	case "basic":
		user, pass, ok := c.credentials(e)
		if !ok {
			return "", nil
		}
		return basicAuth(user, pass), nil
	case "bearer":
	default:
		return "", nil
	}
	if cached && time.Now().Add(tokenMargin).Before(tok.expires) && "Bearer "+tok.value != stale {
		return "Bearer " + tok.value, nil
	}
	if err := e.lock(ctx); err != nil {
		return "", err
	}
	defer e.unlock()
	// Another request may have fetched it while we waited.
	e.mu.Lock()
	tok, cached = e.tokens[scope]
	ch = e.challenge
	e.mu.Unlock()
	if cached && time.Now().Add(tokenMargin).Before(tok.expires) && "Bearer "+tok.value != stale {
		return "Bearer " + tok.value, nil
	}
	tok, err := c.fetchToken(ctx, e, ch, scope)
	if err != nil {
		return "", err
	}
	e.mu.Lock()
	e.tokens[scope] = tok
	e.mu.Unlock()
	return "Bearer " + tok.value, nil
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// defaultTokenLifetime applies when a token response has no expires_in, as
// the Docker token specification says.
const defaultTokenLifetime = 60 * time.Second

// maxTokenBody bounds a token response.
const maxTokenBody = 1 << 20

// fetchToken asks the realm of a Bearer challenge for a token for scope:
// GET realm?service=…&scope=…, with the registry's credentials as Basic when
// there are any. The realm must be HTTPS unless it is a loopback host or
// the Client is Insecure, so credentials never travel in clear over a
// network. Both "token" and "access_token" are accepted.
func (c *Client) fetchToken(ctx context.Context, e *endpoint, ch *Challenge, scope string) (token, error) {
	realm := ch.Params["realm"]
	u, err := url.Parse(realm)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return token{}, permanent(fmt.Errorf("registry %s: bearer challenge has unusable realm %q", e.host, realm))
	}
	if u.Scheme == "http" && !isLoopback(u.Host) && !c.opts.Insecure {
		return token{}, permanent(fmt.Errorf("registry %s: refusing plain-HTTP token realm %s (use Insecure to allow)", e.host, redactURL(u)))
	}
	q := u.Query()
	if s := ch.Params["service"]; s != "" {
		q.Set("service", s)
	}
	q.Set("scope", scope)
	// No "account" parameter: the username stays out of URLs (and so out
	// of access logs); the token service reads it from Authorization.
	user, pass, haveCreds := c.credentials(e)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return token{}, err
	}
	if haveCreds {
		req.Header.Set("Authorization", basicAuth(user, pass))
	}
	resp, err := c.plain.Do(req)
	if err != nil {
		return token{}, fmt.Errorf("token from %s: %w", redactURL(u), unwrapURLError(err))
	}
	if resp.StatusCode != http.StatusOK {
		return token{}, fmt.Errorf("token from %s for %s: %w", redactURL(u), e.host, newError(resp))
	}
	defer resp.Body.Close()
	var body struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxTokenBody)).Decode(&body); err != nil {
		return token{}, fmt.Errorf("token from %s: decoding response: %w", redactURL(u), err)
	}
	t := token{value: body.Token}
	if t.value == "" {
		t.value = body.AccessToken
	}
	if t.value == "" {
		return token{}, permanent(fmt.Errorf("token from %s: response has neither token nor access_token", redactURL(u)))
	}
	life := time.Duration(body.ExpiresIn) * time.Second
	if body.ExpiresIn <= 0 {
		life = defaultTokenLifetime
	}
	t.expires = time.Now().Add(life)
	return t, nil
}
