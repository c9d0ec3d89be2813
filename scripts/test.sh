#!/usr/bin/env bash
# Runs every regscope test on a fresh machine: installs what the tests need
# (Debian's chromium, docker-registry and nginx, Node for the wasm tests and
# npm for axe-core, which the browser tests inject to check accessibility), then
# vets, runs the native tests (real registries and a real headless Chromium),
# the wasm tests under Node, and a short smoke run of every fuzz target.
#
#   bash scripts/test.sh            # everything
#   FUZZTIME=2m bash scripts/test.sh fuzz   # only the fuzz targets, longer
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v chromium >/dev/null || [ -x /usr/lib/chromium/chromium ] || need+=(chromium)
command -v node >/dev/null || need+=(nodejs)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to apt-get install ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

fuzz() {
  # Each fuzz target briefly, one at a time (go test -fuzz takes one target).
  local t=${FUZZTIME:-5s}
  for pkg in $(go list ./pkg/... ./internal/...); do
    for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
      echo "== fuzz $pkg $target ($t)"
      # go test -fuzz sometimes ends a clean run with a bare "context
      # deadline exceeded" as the time runs out, writing no failing input:
      # that run, and only that, is tried once more.
      if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg" 2>&1 | tee /tmp/regscope-fuzz.$$; then
        if grep -q 'Failing input written' /tmp/regscope-fuzz.$$ || ! grep -q 'context deadline exceeded' /tmp/regscope-fuzz.$$; then
          rm -f /tmp/regscope-fuzz.$$
          exit 1
        fi
        echo "== fuzz $pkg $target again (the fuzzer ran out of time without a finding)"
        go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg"
      fi
      rm -f /tmp/regscope-fuzz.$$
    done
  done
}

if [ "${1:-}" = fuzz ]; then
  fuzz
  exit 0
fi

echo "== gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
GOOS=js GOARCH=wasm go vet ./pkg/... ./wasm/...

echo "== go test (native)"
go test -count=1 -timeout 15m $(go list ./... | grep -v '/e2e$')

# The real-browser tests run alone: they judge main-thread responsiveness,
# which other packages' tests competing for the same two cores would skew.
echo "== npm ci (axe-core for the accessibility checks; test-only, never served)"
npm ci --prefix e2e/axe --no-audit --no-fund --silent

echo "== go test (headless Chromium)"
go test -count=1 -timeout 10m ./e2e/

echo "== go test (GOOS=js GOARCH=wasm, under Node)"
PATH="$PATH:$(go env GOROOT)/lib/wasm" GOOS=js GOARCH=wasm go test -count=1 -timeout 10m ./pkg/... ./wasm/...

fuzz
echo "== all tests passed"
