package relay

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"
)

// fetch sends the request for u (the first hop, on host:port first)
// upstream and follows redirects itself, each hop judged by destination and
// dial-checked like the first, with Authorization dropped once a hop leaves
// the first host.
func (r *Relay) fetch(ctx context.Context, in *http.Request, u *url.URL, first string) (*http.Response, error) {
	for hop := 0; ; hop++ {
		out, err := http.NewRequestWithContext(ctx, in.Method, u.String(), nil)
		if err != nil {
			return nil, refuse(http.StatusForbidden, "upstream URL: %v", err).by("target")
		}
		copyHeaders(out.Header, in.Header, requestHeaders)
		if hp, _ := hostPortOf(u); hp != first {
			out.Header.Del("Authorization")
		}
		if out.Header.Get("User-Agent") == "" {
			out.Header.Set("User-Agent", "regscope-relay")
		}
		resp, err := r.client.Do(out)
		if err != nil {
			return nil, err
		}
		loc := resp.Header.Get("Location")
		if !isRedirect(resp.StatusCode) || loc == "" {
			return resp, nil
		}
		resp.Body.Close()
		if hop+1 > r.o.MaxRedirects {
			return nil, refuse(http.StatusBadGateway, "too many redirects (more than %d) from %s", r.o.MaxRedirects, first)
		}
		if u, err = r.redirectTarget(first, u, loc); err != nil {
			return nil, err
		}
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// stream copies the upstream body to the client, cutting both off when either
// side stalls longer than IdleTimeout.
func (r *Relay) stream(w http.ResponseWriter, body io.Reader, cancel context.CancelFunc) (int64, error) {
	rc := http.NewResponseController(w)
	idle := r.o.IdleTimeout
	timer := time.AfterFunc(idle, cancel)
	defer timer.Stop()
	defer rc.SetWriteDeadline(time.Time{}) // the connection may serve further requests
	buf := make([]byte, 32<<10)
	var n int64
	for {
		timer.Reset(idle) // the upstream read is bounded by the timer…
		k, rerr := body.Read(buf)
		timer.Stop() // …and the client write by the write deadline
		if k > 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(idle))
			wk, werr := w.Write(buf[:k])
			n += int64(wk)
			if werr != nil {
				return n, werr
			}
			_ = rc.Flush()
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}
