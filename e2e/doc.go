// Package e2e holds regscope's end-to-end tests and its page benchmark: the
// built `regscope` binary serves the page, real registries run on loopback,
// and Debian's Chromium, driven by chromedp, pulls images in a real tab.
//
// Everything lives in _test.go files (build tag !js): the package has no API.
//
//	go test ./e2e/                                          # the tests (a few minutes)
//	REGSCOPE_SCREENSHOT=1 go test -run Screenshot ./e2e/    # rewrite docs/screenshot.png
//	go test -run '^$' -bench PageVsNative -benchtime 1x ./e2e/
//
// The tests need /usr/lib/chromium/chromium (apt-get install chromium) and
// /usr/bin/docker-registry (apt-get install docker-registry); they fail, and
// never skip, when either is missing.
package e2e
