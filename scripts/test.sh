#!/usr/bin/env bash
# Runs every test of cbec: the README's test command, and what CI runs.
#
# It installs what the tests need and is missing (Debian packages for the
# independent XML and signature tools, Python packages for the independent
# SM2 and C14N implementations), then runs the whole Rust test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

need_debs=()
command -v xmllint >/dev/null || need_debs+=(libxml2-utils)
command -v xmlsec1 >/dev/null || need_debs+=(xmlsec1)
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

cargo build --release --locked -p cbec-cli
cargo test --workspace --locked "$@"
