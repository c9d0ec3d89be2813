package regtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The token service and the blob storage of a Hosted profile.

// tokenLifetime is the expires_in of issued tokens, as Docker Hub's.
const tokenLifetime = 300

// grant is what a Hosted token carries: who, which repositories, until when.
type grant struct {
	User   string   `json:"sub"`
	Access []string `json:"access"` // repositories granted pull
	Exp    int64    `json:"exp"`
}

func (g *grant) grants(name string) bool { return g != nil && slices.Contains(g.Access, name) }

// mac is the HMAC-SHA256 of s under the Hosted's key.
func (h *Hosted) mac(s string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// token answers the token service: GET realm?service=…&scope=… with
// optional Basic credentials (User/Password), granting pull on public
// repositories to anyone and on private ones to User, like Docker Hub's
// auth.docker.io: an anonymous caller gets a token even for a private
// repository, which the registry then refuses.
func (h *Hosted) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tr := TokenRequest{Service: q.Get("service"), Scopes: q["scope"]}
	user, pass, hasAuth := r.BasicAuth()
	if hasAuth && (user != User || pass != Password) {
		tr.User = user
		h.record(tr)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintln(w, `{"details":"incorrect username or password"}`)
		return
	}
	if tr.Service != h.Service {
		h.record(tr)
		writeRegistryError(w, http.StatusBadRequest, "DENIED", "unknown service "+strconv.Quote(tr.Service))
		return
	}
	tr.User = user
	g := grant{User: user, Exp: time.Now().Unix() + tokenLifetime}
	h.mu.Lock()
	for _, s := range tr.Scopes {
		for _, one := range strings.Fields(s) {
			typ, rest, _ := strings.Cut(one, ":")
			i := strings.LastIndex(rest, ":")
			if typ != "repository" || i < 0 || !slices.Contains(strings.Split(rest[i+1:], ","), "pull") {
				continue
			}
			if name := rest[:i]; hasAuth || !h.private[name] {
				g.Access = append(g.Access, name)
			}
		}
	}
	h.mu.Unlock()
	body, _ := json.Marshal(g)
	tok := base64.RawURLEncoding.EncodeToString(body) + "." + base64.RawURLEncoding.EncodeToString(h.mac(string(body)))
	tr.Granted, tr.Token = true, tok
	h.record(tr)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": tok, "expires_in": tokenLifetime,
		"issued_at": time.Now().UTC().Format(time.RFC3339)})
}

func (h *Hosted) record(tr TokenRequest) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tokens = append(h.tokens, tr)
}

// bearer returns the valid, unexpired grant r's Bearer token carries, or nil.
func (h *Hosted) bearer(r *http.Request) *grant {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	b64, sig, ok := strings.Cut(tok, ".")
	body, err1 := base64.RawURLEncoding.DecodeString(b64)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(mac, h.mac(string(body))) {
		return nil
	}
	var g grant
	if json.Unmarshal(body, &g) != nil || time.Now().Unix() > g.Exp {
		return nil
	}
	return &g
}

// bucket is the first path element of the profile's storage URLs, so
// profiles sharing a storage host (Google's) keep apart.
func (h *Hosted) bucket() string { return strings.ReplaceAll(h.Registry, ".", "-") + "-blobs" }

// signedURL is where a blob download of name's blob d is redirected: the
// storage host, the blob's path and an expiring signature over both.
func (h *Hosted) signedURL(name, d string) string {
	life := h.URLLifetime.Load()
	if life == 0 {
		life = 600
	}
	path := "/" + h.bucket() + "/" + name + "/blobs/" + d
	exp := strconv.FormatInt(time.Now().Unix()+life, 10)
	q := url.Values{"X-Expires": {exp}, "X-Signature": {hex.EncodeToString(h.mac(path + "\n" + exp))}}
	return "https://" + h.Storage + path + "?" + q.Encode()
}

// storage answers signed blob URLs the way object storage does: an
// Authorization header alongside the signature is a 400, a bad signature
// or an expired URL a 403, each with an S3-style XML error.
func (h *Hosted) storage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("X-Expires"), 10, 64)
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		storageError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	case r.Header.Get("Authorization") != "":
		storageError(w, http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case err != nil || !hmac.Equal([]byte(q.Get("X-Signature")), []byte(hex.EncodeToString(h.mac(r.URL.Path+"\n"+q.Get("X-Expires"))))):
		storageError(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	case time.Now().Unix() > exp:
		storageError(w, http.StatusForbidden, "AccessDenied", "Request has expired")
	default:
		name, d, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"+h.bucket()+"/"), "/blobs/")
		h.proxy(w, r, "/v2/"+name+"/blobs/"+d)
	}
}

func storageError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, message)
}
