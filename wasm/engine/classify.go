package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/regscope/regscope/internal/advice"
	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/pull"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/wasm/fetch"
	"github.com/regscope/regscope/wasm/msg"
)

// Classify turns a pull (or read) error into something a person can act on:
// its kind, a plain message and the details the view needs (the registry
// host to ask credentials for, the wait after a rate limit, the layer whose
// digest was wrong). domain is the reference's registry domain.
func Classify(err error, domain string) *msg.ErrorInfo {
	info := &msg.ErrorInfo{Kind: msg.ErrOther, Message: err.Error(), Summary: advice.Sentence(err), Layer: -1}
	var already *msg.ErrorInfo
	if errors.As(err, &already) {
		return already
	}
	var (
		regErr  *registry.Error
		digErr  *registry.DigestError
		sizeErr *registry.SizeError
		diffErr *pull.DiffIDError
		relErr  *fetch.RelayError
		corsErr *fetch.CORSError
		noMatch *manifest.NoMatchError
	)
	errors.As(err, &regErr)
	switch {
	case errors.Is(err, context.Canceled):
		info.Kind, info.Message = msg.ErrOther, "cancelled"
	case errors.As(err, &relErr):
		info.Kind, info.Host = msg.ErrRelay, relErr.Host
		if relErr.Status == 0 {
			info.Message = fmt.Sprintf("The relay of this page's server could not be reached, so %s cannot be contacted: %s", relErr.Host, relErr.Reason)
		} else {
			info.Message = fmt.Sprintf("The relay refused to contact %s (HTTP %d: %s).", relErr.Host, relErr.Status, relErr.Reason)
		}
	case errors.As(err, &corsErr):
		info.Kind, info.Host = msg.ErrRelay, corsErr.Host
		info.Message = fmt.Sprintf("%s does not allow browsers (it sends no CORS headers), or is unreachable; use a relay: open this page with ?relay=URL of a regscope server started with --allow-origin %s.", corsErr.Host, corsErr.Origin)
	case errors.As(err, &diffErr):
		info.Kind, info.Layer, info.Digest = msg.ErrDigest, diffErr.Layer, string(diffErr.Digest)
		info.Message = fmt.Sprintf("Layer %d's content does not match its DiffID: the config says %s, the content is %s. Its files are withheld.", diffErr.Layer, diffErr.Want, diffErr.Got)
	case errors.As(err, &digErr):
		info.Kind, info.Digest = msg.ErrDigest, string(digErr.Want)
		info.Layer = layerOf(err)
		info.Message = fmt.Sprintf("Digest mismatch for %s: expected %s, got %s. The content is withheld.", digErr.What, digErr.Want, digErr.Got)
	case errors.As(err, &sizeErr):
		info.Kind, info.Digest = msg.ErrDigest, string(sizeErr.Digest)
		info.Layer = layerOf(err)
		info.Message = fmt.Sprintf("Size mismatch for %s: expected %d bytes, got %d. The content is withheld.", sizeErr.Digest, sizeErr.Want, sizeErr.Got)
	case errors.Is(err, registry.ErrTooManyRequests):
		info.Kind = msg.ErrRateLimited
		if regErr != nil {
			info.RetryAfter = regErr.RetryAfter.Seconds()
		}
		info.Message = fmt.Sprintf("%s is rate-limiting requests.", domain)
		if info.RetryAfter > 0 {
			info.Message += fmt.Sprintf(" Try again in %s.", waitText(info.RetryAfter))
		}
	case errors.Is(err, registry.ErrUnauthorized), errors.Is(err, registry.ErrDenied):
		info.Kind, info.Host = msg.ErrUnauthorized, domain
		info.Message = fmt.Sprintf("%s requires credentials for this repository (or it does not exist, which registries often report the same way).", domain)
	case errors.Is(err, registry.ErrNotFound):
		info.Kind = msg.ErrNotFound
		info.Message = "Not found: " + err.Error()
	case errors.As(err, &noMatch):
		info.Kind = msg.ErrPlatform
		for _, p := range noMatch.Offered {
			info.Platforms = append(info.Platforms, manifest.FormatPlatform(p))
		}
	case errors.Is(err, manifest.ErrUnsupported), strings.Contains(err.Error(), "unsupported media type"), strings.Contains(err.Error(), "unsupported layer media type"):
		info.Kind = msg.ErrMediaType
		info.Message = "Unsupported media type: " + err.Error()
	}
	if info.Layer < 0 {
		info.Layer = layerOf(err)
	}
	return info
}

// layerOf reads the layer index from an error pull wrapped as "layer N (…)", or -1.
func layerOf(err error) int {
	var diffErr *pull.DiffIDError
	if errors.As(err, &diffErr) {
		return diffErr.Layer
	}
	var n int
	s := err.Error()
	if i := strings.Index(s, "layer "); i >= 0 {
		if _, e := fmt.Sscanf(s[i:], "layer %d", &n); e == nil {
			return n
		}
	}
	return -1
}

func waitText(sec float64) string {
	switch {
	case sec < 90:
		return fmt.Sprintf("%.0f s", sec)
	case sec < 5400:
		return fmt.Sprintf("%.0f min", sec/60)
	default:
		return fmt.Sprintf("%.1f h", sec/3600)
	}
}
