// Package regtest starts real registries on loopback for tests, pushes
// images to them, and injects faults real software cannot produce.
//
//   - GGCR and GGCRWith run go-containerregistry's registry in process
//     (fast, no authentication; wrap it with Faults).
//   - Distribution and StartDistribution run Debian's docker-registry
//     (CNCF Distribution 2.8) as a process, without authentication, with
//     htpasswd Basic authentication, or with Bearer tokens from a TokenIssuer
//     run by the test. User and Password are the credentials they accept.
//   - Front puts a reverse proxy with a handler wrapper (Faults, a redirect)
//     in front of any registry host, for example a Distribution process.
//   - Push and PushIndex write go-containerregistry images and indexes,
//     authenticating as User when the registry asks.
//   - Faults corrupts, resets, truncates, throttles and un-Ranges chosen
//     responses of the registry it wraps, and records what it saw.
//
// Hosts are returned as "127.0.0.1:PORT"; everything stops at t.Cleanup.
package regtest

// User and Password are the credentials the authenticated registries and
// the token issuer accept.
const (
	User     = "alice"
	Password = "wonderland"
)

// htpasswdLine is User:bcrypt(Password), as `htpasswd -Bbn alice wonderland` prints it.
const htpasswdLine = "alice:$2y$05$4NONY0X/M9TV1Wfs/BWaTOVW4qIOVcJiLT3E5SrCNgM.6GSxxitku\n"
