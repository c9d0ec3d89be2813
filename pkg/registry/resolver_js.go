package registry

// systemResolver is nil in the browser: it cannot resolve names, and the
// relay judges every connection it makes (internal/relay).
var systemResolver Resolver
