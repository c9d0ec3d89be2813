package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// httpError is a refusal or failure reported to the client as JSON.
type httpError struct {
	status int
	msg    string
	rule   string // which rule refused: RuleHeader's value; "" for failures
}

func (e *httpError) Error() string { return e.msg }

// by names the rule that refused (see RuleHeader).
func (e *httpError) by(rule string) *httpError { e.rule = rule; return e }

func refuse(status int, format string, args ...any) *httpError {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *httpError) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set(RefusalHeader, "1")
	if e.rule != "" {
		h.Set(RuleHeader, e.rule)
	}
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"error": e.msg})
}

// upstreamError maps a failure to reach host to what the client is told.
func (r *Relay) upstreamError(host string, err error) *httpError {
	var be *BlockedError
	var he *httpError
	var ne net.Error
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &be):
		return refuse(http.StatusForbidden, "%v", be).by("address")
	case errors.Is(err, context.Canceled):
		return refuse(499, "client went away") // nginx's "client closed request"; nobody reads it
	case errors.As(err, &ne) && ne.Timeout():
		return refuse(http.StatusGatewayTimeout, "upstream %s timed out", host)
	default:
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return refuse(http.StatusBadGateway, "upstream %s: cannot resolve %s", host, dnsErr.Name)
		}
		var ue *url.Error // names the URL, query and all: keep the query out of the answer
		if errors.As(err, &ue) {
			return refuse(http.StatusBadGateway, "upstream %s unreachable: %s %s: %v", host, ue.Op, redactQuery(ue.URL), ue.Err)
		}
		return refuse(http.StatusBadGateway, "upstream %s unreachable: %v", host, err)
	}
}

// redactQuery replaces the query of a URL with "…": token requests carry
// account names and scopes there, storage redirects carry signatures, and the
// relay's answers and logs name URLs without them.
func redactQuery(u string) string {
	if base, _, ok := strings.Cut(u, "?"); ok {
		return base + "?…"
	}
	return u
}
