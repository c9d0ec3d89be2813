package regtest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TokenIssuer is a small Docker token service (the "realm" of a Bearer
// challenge) for Distribution's `auth: token:` configuration. It checks
// Basic credentials User/Password, grants pull and push on every repository
// to User and pull to anonymous callers when AnonymousPull is set, and signs
// ES256 JWTs with a key whose self-signed certificate is in CertPEM (the
// registry's rootcertbundle). Anonymous callers without AnonymousPull get a
// token with no access, as Docker Hub does, and the registry refuses it.
type TokenIssuer struct {
	URL     string // the realm: http://localhost:PORT/token
	Service string // the service name the registry announces
	Issuer  string // the iss claim the registry expects
	CertPEM []byte // the signing certificate

	// AnonymousPull grants pull to callers without credentials.
	AnonymousPull atomic.Bool
	// OAuth makes responses carry only "access_token" (no "token", no
	// "expires_in"), as OAuth2-style token services answer.
	OAuth atomic.Bool
	// Faults applies to the issuer's own requests (a failing or hanging
	// token endpoint) and records them, query included.
	Faults Faults

	key  *ecdsa.PrivateKey
	cert []byte // DER

	mu       sync.Mutex
	requests []TokenRequest
	expire   int
}

// TokenRequest is one request the issuer answered.
type TokenRequest struct {
	User    string   // Basic user, "" when anonymous
	Scopes  []string // scope parameters
	Service string
	Granted bool   // whether credentials were accepted (or absent) and a token issued
	Token   string // the token issued, when Granted
}

// NewTokenIssuer starts an issuer on 127.0.0.1, closed at t.Cleanup.
func NewTokenIssuer(t testing.TB) *TokenIssuer {
	t.Helper()
	key, der := selfSigned(t, "regtest token issuer")
	ti := &TokenIssuer{
		Service: "regtest-registry",
		Issuer:  "regtest-issuer",
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:     key,
		cert:    der,
	}
	// "localhost", not 127.0.0.1: go-containerregistry refuses realms at
	// private IP literals other than the registry's own host.
	_, port, _ := strings.Cut(serve(t, ti), ":")
	ti.URL = "http://localhost:" + port + "/token"
	return ti
}

// Requests returns the token requests answered so far.
func (ti *TokenIssuer) Requests() []TokenRequest {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	return append([]TokenRequest(nil), ti.requests...)
}

// ExpireNext makes the next n tokens expired when issued (their exp claim
// an hour in the past, while expires_in still says 300s), so the registry
// refuses them and a client must re-authenticate.
func (ti *TokenIssuer) ExpireNext(n int) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.expire = n
}

// ServeHTTP answers GET /token?service=…&scope=…, through ti.Faults.
func (ti *TokenIssuer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ti.Faults.Wrap(http.HandlerFunc(ti.serve)).ServeHTTP(w, req)
}

// Tokens returns every token issued so far, for tests that look for them
// where they must not be (logs, URLs, other hosts).
func (ti *TokenIssuer) Tokens() []string {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	var out []string
	for _, r := range ti.requests {
		if r.Token != "" {
			out = append(out, r.Token)
		}
	}
	return out
}

func (ti *TokenIssuer) serve(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	tr := TokenRequest{Service: q.Get("service"), Scopes: q["scope"]}
	user, pass, hasAuth := req.BasicAuth()
	if hasAuth {
		tr.User = user
	}
	if hasAuth && (user != User || pass != Password) {
		ti.record(tr)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Basic realm="regtest"`)
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`))
		return
	}
	tr.Granted = true
	expired := ti.expiring()

	var access []map[string]any
	for _, s := range tr.Scopes {
		for _, one := range strings.Split(s, " ") {
			typ, rest, ok := strings.Cut(one, ":")
			i := strings.LastIndex(rest, ":")
			if !ok || i < 0 {
				continue
			}
			name, actions := rest[:i], strings.Split(rest[i+1:], ",")
			var granted []string
			for _, a := range actions {
				if hasAuth || (ti.AnonymousPull.Load() && a == "pull") {
					granted = append(granted, a)
				}
			}
			if len(granted) > 0 {
				access = append(access, map[string]any{"type": typ, "name": name, "actions": granted})
			}
		}
	}
	now := time.Now()
	exp := now.Add(5 * time.Minute)
	if expired {
		exp = now.Add(-time.Hour)
	}
	claims := map[string]any{
		"iss": ti.Issuer, "sub": tr.User, "aud": tr.Service,
		"exp": exp.Unix(), "nbf": now.Add(-2 * time.Hour).Unix(), "iat": now.Unix(),
		"jti":    base64.RawURLEncoding.EncodeToString(randomBytes(12)),
		"access": access,
	}
	if access == nil {
		claims["access"] = []any{}
	}
	tok, err := ti.sign(claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	tr.Token = tok
	ti.record(tr)
	w.Header().Set("Content-Type", "application/json")
	reply := map[string]any{"token": tok, "access_token": tok, "expires_in": 300, "issued_at": now.UTC().Format(time.RFC3339)}
	if ti.OAuth.Load() {
		reply = map[string]any{"access_token": tok}
	}
	json.NewEncoder(w).Encode(reply)
}

// record logs tr.
func (ti *TokenIssuer) record(tr TokenRequest) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.requests = append(ti.requests, tr)
}

// expiring reports whether the token about to be issued must be expired
// (see ExpireNext), counting it.
func (ti *TokenIssuer) expiring() bool {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	if ti.expire > 0 {
		ti.expire--
		return true
	}
	return false
}

// sign makes a compact JWS (ES256) carrying the certificate in x5c, which
// Distribution verifies against its rootcertbundle.
func (ti *TokenIssuer) sign(claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]any{
		"typ": "JWT", "alg": "ES256", "x5c": []string{base64.StdEncoding.EncodeToString(ti.cert)},
	})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, ti.key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
