package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/regscope/regscope/pkg/manifest"
	"github.com/regscope/regscope/pkg/referrers"
	"github.com/regscope/regscope/pkg/registry"
	"github.com/regscope/regscope/pkg/signature"
	"github.com/regscope/regscope/pkg/supply"
)

// cmdVerify checks the image's signatures with a public key (and, for
// keyless and Notation signatures, a root certificate). It succeeds only
// when one signature is valid for the image's own digest.
func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var keyPath, rootPath string
	fs, f := pullFlagSet("verify")
	fs.StringVar(&keyPath, "key", "", "PEM public key to verify cosign signatures with (ECDSA P-256/P-384, Ed25519)")
	fs.StringVar(&rootPath, "root", "", "PEM root certificate(s): a Fulcio root for keyless signatures, a Notation trust anchor")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if keyPath == "" && rootPath == "" {
		return fmt.Errorf("verify: --key PATH is required (usage: regscope %s)", usage("verify"))
	}
	keys, err := loadKeys(keyPath, rootPath)
	if err != nil {
		return err
	}
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	r, err := registry.ParseRef(pos[0])
	if err != nil {
		return err
	}
	ro, err := f.registryOptions(ctx, r, stderr)
	if err != nil {
		return err
	}
	ro.ManifestPayload = manifest.Payload
	c := registry.NewClient(ro)
	subj, err := referrers.Resolve(ctx, c, r, f.platform)
	if err != nil {
		return fmt.Errorf("verify %s: %w", r, err)
	}
	rep, err := supply.Collect(ctx, c, r, subj, keys)
	if err != nil {
		return fmt.Errorf("verify %s: %w", r, err)
	}
	if f.json {
		if err := writeJSON(stdout, verifyJSON(r, rep)); err != nil {
			return err
		}
	}
	best := rep.Best()
	switch {
	case best == nil:
		return fmt.Errorf("verify %s: no signature found for %s", r, describeSubject(subj))
	case best.Result.Status != signature.Verified:
		return fmt.Errorf("verify %s: %s: %s (signature %s, %s)", r, best.Result.Status, best.Result.Reason, best.Referrer, best.Source)
	}
	if !f.json {
		fmt.Fprintf(stdout, "verified: %s (signature %s, %s)\n", best.Result.Reason, best.Referrer, best.Source)
	}
	return nil
}

// loadKeys reads the key and root files named by the flags.
func loadKeys(keyPath, rootPath string) (signature.Keys, error) {
	var k signature.Keys
	if keyPath != "" {
		err := readPEM(keyPath, func(b []byte) (err error) { k.PublicKey, err = signature.ParsePublicKey(b); return err })
		if err != nil {
			return k, err
		}
		k.KeyName = filepath.Base(keyPath)
	}
	if rootPath != "" {
		err := readPEM(rootPath, func(b []byte) (err error) { k.Roots, err = signature.CertPool(b); return err })
		if err != nil {
			return k, err
		}
		k.RootName = filepath.Base(rootPath)
	}
	return k, nil
}

// readPEM reads the file at p and hands its bytes to parse; errors name p.
func readPEM(p string, parse func([]byte) error) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := parse(b); err != nil {
		return fmt.Errorf("verify: %s: %w", p, err)
	}
	return nil
}

func describeSubject(s referrers.Subject) string {
	if s.IndexDigest == "" {
		return "manifest " + string(s.Manifest)
	}
	return fmt.Sprintf("manifest %s or index %s", s.Manifest, s.IndexDigest)
}

// signatureJSON is one signature in verify --json.
type signatureJSON struct {
	Signature    string      `json:"signature"`
	Source       string      `json:"source"`
	Subject      string      `json:"subject"`
	Layer        string      `json:"layer"`
	Kind         string      `json:"kind"`
	Status       string      `json:"status"`
	Reason       string      `json:"reason"`
	SignedDigest string      `json:"signedDigest,omitempty"`
	Key          string      `json:"key,omitempty"`
	Signer       *signerJSON `json:"signer,omitempty"`
	Unchecked    []string    `json:"unchecked,omitempty"`
}

type signerJSON struct {
	Identity  string    `json:"identity"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
}

type verifyReport struct {
	Reference  string          `json:"reference"`
	Manifest   string          `json:"manifest"`
	Index      string          `json:"index,omitempty"`
	Signatures []signatureJSON `json:"signatures"`
}

func verifyJSON(r registry.Ref, rep *supply.Report) verifyReport {
	out := verifyReport{Reference: r.String(), Manifest: string(rep.Subject.Manifest), Index: string(rep.Subject.IndexDigest), Signatures: []signatureJSON{}}
	for _, s := range rep.Signatures {
		j := signatureJSON{
			Signature: string(s.Referrer), Source: s.Source, Subject: string(s.Subject), Layer: string(s.Layer.Digest),
			Kind: s.Result.Kind, Status: string(s.Result.Status), Reason: s.Result.Reason,
			SignedDigest: string(s.Result.SignedDigest), Key: s.Result.Key, Unchecked: s.Result.Unchecked,
		}
		if c := s.Result.Signer; c != nil {
			j.Signer = &signerJSON{Identity: c.Identity, Issuer: c.Issuer, NotBefore: c.NotBefore, NotAfter: c.NotAfter}
		}
		out.Signatures = append(out.Signatures, j)
	}
	return out
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return errors.New("writing JSON: " + err.Error())
	}
	return nil
}
