package registry

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
)

// Sentinel errors for errors.Is. An *Error matches the ones its status code
// and registry error code imply (see Error.Is).
var (
	ErrNotFound        = errors.New("not found")         // 404, NAME_UNKNOWN, and the two below
	ErrManifestUnknown = errors.New("manifest unknown")  // MANIFEST_UNKNOWN (404 on /manifests/)
	ErrBlobUnknown     = errors.New("blob unknown")      // BLOB_UNKNOWN (404 on /blobs/)
	ErrUnauthorized    = errors.New("unauthorized")      // 401, UNAUTHORIZED
	ErrDenied          = errors.New("denied")            // 403, DENIED
	ErrTooManyRequests = errors.New("too many requests") // 429, TOOMANYREQUESTS
)

// Error is what a registry (or its token service) answered instead of
// success. Error() names the method, the URL (query removed), the status and
// the first registry error code and message.
type Error struct {
	Method, URL string
	StatusCode  int
	Code        string        // first registry error code, e.g. "MANIFEST_UNKNOWN"
	Message     string        // its message, or a short excerpt of a non-JSON body
	RetryAfter  time.Duration // from Retry-After on 429/503; 0 when absent
	RateLimit   *RateLimit    // the pull quota the response announced (Docker Hub), nil when none
}

// Error formats e as
// "GET https://host/v2/name/manifests/tag: 404 Not Found: MANIFEST_UNKNOWN: manifest unknown".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.RateLimit != nil && (e.StatusCode == http.StatusTooManyRequests || e.Code == "TOOMANYREQUESTS") {
		fmt.Fprintf(&b, " (%s)", e.RateLimit)
	}
	return b.String()
}

// Is matches the sentinels: ErrNotFound for any 404 or *_UNKNOWN code,
// ErrManifestUnknown and ErrBlobUnknown for their codes (or a 404 with no
// code on a manifests/blobs URL), ErrUnauthorized for 401, ErrDenied for
// 403 or DENIED, ErrTooManyRequests for 429 or TOOMANYREQUESTS.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || strings.HasSuffix(e.Code, "_UNKNOWN")
	case ErrManifestUnknown:
		return e.Code == "MANIFEST_UNKNOWN" || (e.Code == "" && e.StatusCode == http.StatusNotFound && strings.Contains(e.URL, "/manifests/"))
	case ErrBlobUnknown:
		return e.Code == "BLOB_UNKNOWN" || (e.Code == "" && e.StatusCode == http.StatusNotFound && strings.Contains(e.URL, "/blobs/"))
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.Code == "UNAUTHORIZED"
	case ErrDenied:
		return e.StatusCode == http.StatusForbidden || e.Code == "DENIED"
	case ErrTooManyRequests:
		return e.StatusCode == http.StatusTooManyRequests || e.Code == "TOOMANYREQUESTS"
	}
	return false
}

// DigestError reports content whose digest is not the one asked for.
type DigestError struct {
	What      string // "manifest", "blob sha256:…"
	Want, Got digest.Digest
}

// Error names the content and both digests.
func (e *DigestError) Error() string {
	return fmt.Sprintf("%s: digest mismatch: want %s, got %s", e.What, e.Want, e.Got)
}

// SizeError reports a blob whose length differs from its descriptor's size.
// Got is the number of bytes received when the error was noticed: for a
// too-long body, the first count past Want.
type SizeError struct {
	Digest    digest.Digest
	Want, Got int64
}

// Error names the blob and both sizes.
func (e *SizeError) Error() string {
	if e.Got > e.Want {
		return fmt.Sprintf("blob %s: size mismatch: want %d bytes, got more (at least %d)", e.Digest, e.Want, e.Got)
	}
	return fmt.Sprintf("blob %s: size mismatch: want %d bytes, got %d", e.Digest, e.Want, e.Got)
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// redactURL returns u without query and fragment (which may carry signed
// secrets, e.g. on a redirected blob URL) and without user info.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := *u
	v.RawQuery, v.Fragment, v.User = "", "", nil
	v.ForceQuery = false
	return v.String()
}

// newError builds an *Error from a non-success response, reading (at most
// maxErrorBody of) and closing its body.
func newError(resp *http.Response) *Error {
	defer resp.Body.Close()
	e := &Error{StatusCode: resp.StatusCode}
	if req := resp.Request; req != nil {
		e.Method, e.URL = req.Method, redactURL(req.URL)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	if rl, ok := parseRateLimit(resp.Header); ok {
		e.RateLimit = &rl
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var wire struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &wire) == nil && len(wire.Errors) > 0 {
		e.Code, e.Message = wire.Errors[0].Code, wire.Errors[0].Message
		e.Code, e.Message = redactSecrets(e.Code, resp.Request), redactSecrets(e.Message, resp.Request)
		return e
	}
	if resp.Request != nil && resp.Request.Method == http.MethodHead {
		return e
	}
	if code, msg, ok := storageError(body); ok {
		e.Code, e.Message = redactSecrets(code, resp.Request), redactSecrets(msg, resp.Request)
		return e
	}
	if s := strings.TrimSpace(redactSecrets(string(body), resp.Request)); s != "" && !strings.HasPrefix(s, "<") {
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		e.Message = s
	}
	return e
}

// storageError reads the XML error object storage answers with (S3, Google
// Cloud Storage, Azure Blob: <Error><Code>…</Code><Message>…</Message>),
// for blobs redirected there.
func storageError(body []byte) (code, message string, ok bool) {
	var x struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}
	if xml.Unmarshal(body, &x) != nil || x.Code == "" {
		return "", "", false
	}
	msg := strings.Join(strings.Fields(x.Message), " ")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return x.Code, msg, true
}

// redacted replaces secrets found in error text.
const redacted = "[redacted]"

// redactSecrets removes from s (an error body) the credentials req carried:
// the whole Authorization value, a Bearer token, a Basic blob and the
// password inside it, so a registry that echoes request headers back in its
// error cannot make us print them.
func redactSecrets(s string, req *http.Request) string {
	if req == nil {
		return s
	}
	authz := req.Header.Get("Authorization")
	if authz == "" {
		return s
	}
	secrets := []string{authz}
	scheme, cred, _ := strings.Cut(authz, " ")
	cred = strings.TrimSpace(cred)
	if cred != "" {
		secrets = append(secrets, cred)
	}
	if strings.EqualFold(scheme, "basic") {
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if _, pass, ok := strings.Cut(string(raw), ":"); ok && pass != "" {
				secrets = append(secrets, string(raw), pass)
			}
		}
	}
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, redacted)
	}
	return s
}

// parseRetryAfter reads a Retry-After value as delay-seconds or an HTTP date
// (relative to now). It returns 0 for an empty, malformed or past value.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
