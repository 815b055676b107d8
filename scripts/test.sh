#!/usr/bin/env bash
# Runs every test of cbec: the README's test command, and what CI runs.
#
# It installs what the tests need and is missing (Debian packages for the
# independent XML and signature tools, Chromium and Node.js for the browser
# tests, Python packages for the independent SM2 and C14N implementations,
# playwright-core from npm), then runs the whole Rust test suite, with
# rustfmt and clippy.
set -euo pipefail
cd "$(dirname "$0")/.."

need_debs=()
command -v xmllint >/dev/null || need_debs+=(libxml2-utils)
command -v xmlsec1 >/dev/null || need_debs+=(xmlsec1)
command -v curl >/dev/null || need_debs+=(curl)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_debs+=(postgresql)
# The browser tests: Debian's Chromium, driven by playwright-core on Node.js.
[ -x /usr/bin/chromium ] || need_debs+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || need_debs+=(fonts-wqy-microhei)   # Chinese text in screenshots
command -v node >/dev/null || need_debs+=(nodejs)
command -v npm >/dev/null || need_debs+=(npm)
if [ ${#need_debs[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_debs[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_debs[@]}" >/dev/null
fi

py_missing=()
python3 -c 'import lxml' 2>/dev/null || py_missing+=(lxml)
python3 -c 'import gmssl' 2>/dev/null || py_missing+=(gmssl)
if [ ${#py_missing[@]} -gt 0 ]; then
  echo "test.sh: pip installing ${py_missing[*]}" >&2
  python3 -m pip install -q "${py_missing[@]}"
fi

# playwright-core for the browser tests, exactly as locked; it drives the
# system's Chromium and never downloads a browser of its own.
if [ ! -d browser-tests/node_modules/playwright-core ]; then
  echo "test.sh: npm ci in browser-tests/" >&2
  (cd browser-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# A throwaway PostgreSQL for the scale-out storage tests: its own data
# directory and port, fsync off (test data only), stopped on exit.
start_postgres() {
  local bin port data run
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  port=${CBEC_TEST_PG_PORT:-55432}
  data=$(mktemp -d /tmp/cbec-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$data"
    run() { su postgres -s /bin/sh -c "$*"; }
  else
    run() { sh -c "$*"; }
  fi
  run "'$bin/initdb' -D '$data' -A trust -U cbec --no-sync -E UTF8 >/dev/null"
  run "'$bin/pg_ctl' -D '$data' -l '$data/log' -w -o \"-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start >/dev/null"
  trap "run \"'$bin/pg_ctl' -D '$data' -m fast stop >/dev/null\"; rm -rf '$data'" EXIT
  export CBEC_TEST_PG="postgres://cbec@127.0.0.1:$port/postgres"
  echo "test.sh: PostgreSQL running at $CBEC_TEST_PG" >&2
}
start_postgres

# Formatting first (instant); then every test; then the lints, warnings
# denied (the workspace lints in Cargo.toml, e.g. no unwrap outside tests).
cargo fmt --all --check
cargo test --workspace --locked "$@"
cargo clippy --workspace --all-targets --locked -- -D warnings
