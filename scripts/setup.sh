#!/usr/bin/env bash
# Installs the Debian packages leadscore needs to build and test, and only
# those that are missing. Idempotent; prints nothing when all are present.
# Works unattended (CI=true, no stdin); uses sudo only when not root.
#
#   build-essential   gcc, make, libc headers
#   cmake             the build (3.25 on Debian 12)
#   pkg-config        finds libyaml
#   libyaml-dev       model files are YAML
#   clang             the fuzz build
#   libclang-rt-14-dev  libFuzzer + sanitizer runtimes for clang 14
#                     (provides libclang_rt.fuzzer-x86_64.a on Debian 12)
#   python3           the oracle and script tests
#   libsqlite3-dev    the state store
#   libmicrohttpd-dev the HTTP server (leadscore serve)
#   libssl-dev        SHA-256 / HMAC-SHA256 and random bytes (API keys,
#                     webhook signatures)
#   libcurl4-openssl-dev  webhook deliveries (and the HTTP tests' client)
#   time              /usr/bin/time for bench/run.sh (peak RSS)
#   chromium          the dashboard's browser tests (headless, driven by
#                     playwright-core; never a downloaded browser)
#   fonts-ipafont-gothic  a Japanese font, so that the Japanese pages'
#                     screenshots show text, not boxes
#   nodejs, npm       the dashboard's build (npm ci, esbuild): only when no
#                     node/npm is on the PATH already (a NodeSource node
#                     brings its own npm)
set -euo pipefail

packages=(
  build-essential
  cmake
  pkg-config
  libyaml-dev
  clang
  libclang-rt-14-dev
  python3
  libsqlite3-dev
  libmicrohttpd-dev
  libssl-dev
  libcurl4-openssl-dev
  time
  chromium
  fonts-ipafont-gothic
)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup.sh: not a Debian-based system (no dpkg-query); install by hand:" >&2
  echo "  ${packages[*]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

((${#missing[@]})) || exit 0

echo "setup.sh: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    if [[ -t 0 && -z "${CI:-}" ]]; then sudo=(sudo); else sudo=(sudo -n); fi
  else
    echo "setup.sh: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
echo "setup.sh: done" >&2
