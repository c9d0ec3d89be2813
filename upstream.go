package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"net"
	"os"

	"github.com/regscope/regscope/internal/relay"
)

// upstreamFlags are the serve flags that say how the relay reaches
// registries: names pinned to addresses and extra certificate authorities.
type upstreamFlags struct {
	pins relay.Pins
	cas  listFlag
}

func (u *upstreamFlags) register(fl *flag.FlagSet) {
	u.pins = relay.Pins{}
	fl.Var(u.pins, "resolve", "make the relay reach `HOST=IP` at IP instead of asking DNS; a private or loopback IP also needs --allow-host HOST (repeatable)")
	fl.Var(&u.cas, "registry-ca", "also trust the certificate authorities in PEM `FILE` for registries the relay reaches (repeatable)")
}

// apply sets the relay options the flags describe.
func (u *upstreamFlags) apply(o *relay.Options) error {
	if len(u.pins) > 0 {
		o.Resolver = u.pins.Resolver(net.DefaultResolver)
	}
	if len(u.cas) == 0 {
		return nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, f := range u.cas {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("--registry-ca: %v", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return fmt.Errorf("--registry-ca %s: no PEM certificates in the file", f)
		}
	}
	o.TLSConfig = &tls.Config{RootCAs: pool}
	return nil
}
