package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// retryableStatus reports whether a response status is worth another
// attempt: 429 and the 5xx statuses that mean "not now" rather than "never".
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusRequestTimeout,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryWait decides whether a failed attempt (1-based) is retried and after
// how long. Registry errors are retried when their status is retryable;
// other errors (network, truncated bodies) always are, except a cancelled
// or expired context, digest and size mismatches, certificate verification
// failures and errors marked permanent. The wait is exponential
// backoff from Options.Backoff with jitter, at least the Retry-After the
// registry asked for, and at most Options.MaxBackoff; a Retry-After beyond
// MaxBackoff ends the retries.
func (c *Client) retryWait(attempt int, err error) (time.Duration, bool) {
	if attempt >= c.opts.MaxAttempts {
		return 0, false
	}
	var (
		re *Error
		de *DigestError
		se *SizeError
		pe *permanentError
		ce *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return 0, false
	case errors.As(err, &de), errors.As(err, &se), errors.As(err, &pe), errors.As(err, &ce), isPermanent(err):
		return 0, false
	case errors.As(err, &re):
		if !retryableStatus(re.StatusCode) || quotaUsedUp(re) {
			return 0, false
		}
	}
	d := backoff(c.opts.Backoff, c.opts.MaxBackoff, attempt, rand.N[time.Duration])
	if re != nil && re.RetryAfter > 0 {
		if re.RetryAfter > c.opts.MaxBackoff {
			return 0, false
		}
		d = max(d, re.RetryAfter)
	}
	return d, true
}

// quotaUsedUp reports a 429 whose pull quota is used up and which names no
// time to retry: the window is hours long, so retrying in seconds only adds
// refused requests.
func quotaUsedUp(e *Error) bool {
	return e.StatusCode == http.StatusTooManyRequests && e.RetryAfter == 0 && e.RateLimit != nil && e.RateLimit.Remaining == 0
}

// isPermanent reports whether err, or an error it wraps, says another
// attempt cannot help by a method Permanent() bool returning true. A
// transport can mark its own refusals that way (the page's relay transport
// does for the relay's 403s), so they end a pull at once.
func isPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// backoff is the wait after failed attempt (1-based): base doubled per
// attempt, capped at max, then jittered uniformly into [d/2, d] with
// randN (rand.N in use; tests pass their own). Jitter spreads clients that
// failed together, so they do not come back together.
func backoff(base, max time.Duration, attempt int, randN func(time.Duration) time.Duration) time.Duration {
	d := max
	if attempt >= 1 && attempt < 63 {
		if b := base << (attempt - 1); b > 0 && b>>(attempt-1) == base && b < max {
			d = b
		}
	}
	return d/2 + randN(d/2+1)
}

// permanentError marks an error that another attempt cannot fix (an
// unusable token realm, say), so retryWait gives up at once.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err} }

// sleep reports the retry through Options.OnRetry and waits d, or returns
// the context's error when it ends first.
func (c *Client) sleep(ctx context.Context, url string, attempt int, d time.Duration, cause error) error {
	if c.opts.OnRetry != nil {
		c.opts.OnRetry(url, attempt, d, cause)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
