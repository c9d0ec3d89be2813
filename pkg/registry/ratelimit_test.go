package registry

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRateLimit(t *testing.T) {
	for _, tc := range []struct {
		limit, remaining string
		want             RateLimit
		ok               bool
		text             string
		low              bool
	}{
		{"100;w=21600", "76;w=21600", RateLimit{100, 76, 6 * time.Hour}, true, "76 of 100 pulls left per 6h", false},
		{"100;w=21600", "20;w=21600", RateLimit{100, 20, 6 * time.Hour}, true, "20 of 100 pulls left per 6h", true},
		{"200", "0", RateLimit{200, 0, 0}, true, "0 of 200 pulls left", true},
		{"100;w=90", "21;w=90", RateLimit{100, 21, 90 * time.Second}, true, "21 of 100 pulls left per 1m30s", false},
		{"100;w=21600", "", RateLimit{}, false, "", false},
		{"lots", "3", RateLimit{}, false, "", false},
		{"10", "11", RateLimit{}, false, "", false},
		{"10", "-1", RateLimit{}, false, "", false},
	} {
		h := http.Header{}
		h.Set("RateLimit-Limit", tc.limit)
		if tc.remaining != "" {
			h.Set("RateLimit-Remaining", tc.remaining)
		}
		got, ok := parseRateLimit(h)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q %q: %+v %v, want %+v %v", tc.limit, tc.remaining, got, ok, tc.want, tc.ok)
			continue
		}
		if ok && (got.String() != tc.text || got.Low() != tc.low) {
			t.Errorf("%q %q: %q low=%v, want %q low=%v", tc.limit, tc.remaining, got.String(), got.Low(), tc.text, tc.low)
		}
	}
}

// Object storage's XML errors (where blobs are redirected) become the
// error's code and message; a 429 with a used-up quota is not retried.
func TestStorageAndQuotaErrors(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "https://storage.example/b/blob?X-Signature=s3cr3t", nil)
	resp := &http.Response{StatusCode: 403, Request: req, Header: http.Header{},
		Body: io.NopCloser(strings.NewReader(`<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Request
  has expired</Message><RequestId>1</RequestId></Error>`))}
	if got, want := newError(resp).Error(), "GET https://storage.example/b/blob: 403 Forbidden: AccessDenied: Request has expired"; got != want {
		t.Errorf("storage error:\n%s\nwant\n%s", got, want)
	}

	h := http.Header{"Ratelimit-Limit": {"100;w=21600"}, "Ratelimit-Remaining": {"0;w=21600"}}
	resp = &http.Response{StatusCode: 429, Request: req, Header: h,
		Body: io.NopCloser(strings.NewReader(`{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your unauthenticated pull rate limit."}]}`))}
	e := newError(resp)
	if got, want := e.Error(), "GET https://storage.example/b/blob: 429 Too Many Requests: TOOMANYREQUESTS: You have reached your unauthenticated pull rate limit. (0 of 100 pulls left per 6h)"; got != want {
		t.Errorf("429:\n%s\nwant\n%s", got, want)
	}
	c := NewClient(Options{})
	if _, again := c.retryWait(1, e); again {
		t.Error("a 429 with no pulls left and no Retry-After is retried")
	}
	e.RateLimit.Remaining = 1
	if _, again := c.retryWait(1, e); !again {
		t.Error("a 429 with pulls left is not retried")
	}
}
