//go:build !js

package registry

import "net"

// systemResolver judges names when Options.Resolver is nil.
var systemResolver Resolver = net.DefaultResolver
