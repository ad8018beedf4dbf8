#!/usr/bin/env bash
# Installs the system tools the test suite checks rngseal against, when they
# are missing: sqlite3 (tamper tests), openssl and sha256sum (independent
# crypto checks), socat (serial drivers over a pseudo-terminal), libusb (HID),
# dieharder (the lab battery wrappers), chromium (the verifier page, driven headless),
# and the two rngtest builds (FIPS 140-2 cross-checks),
# unpacked into .cache/ rather than installed, so no rngd daemon starts and
# both builds can sit side by side.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v sqlite3 >/dev/null || packages+=(sqlite3)
command -v openssl >/dev/null || packages+=(openssl)
command -v sha256sum >/dev/null || packages+=(coreutils)
command -v dpkg-deb >/dev/null || packages+=(dpkg)
command -v socat >/dev/null || packages+=(socat)
command -v dieharder >/dev/null || packages+=(dieharder)
command -v python3 >/dev/null || packages+=(python3)
command -v chromium >/dev/null || packages+=(chromium)
# node-hid's binding links libusb; the service loads it lazily, the HID tests need it.
ldconfig -p 2>/dev/null | grep -q 'libusb-1.0.so.0' || packages+=(libusb-1.0-0)

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-system-deps: missing $*; run: sudo apt-get install $*" >&2
    exit 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ${#packages[@]} -gt 0 ]; then apt_install "${packages[@]}"; fi

# rngtest from both Debian packages: rng-tools-debian (2.2, runs test fixed)
# is the reference; rng-tools5 (5, known runs-test bug) is kept for the doc.
for pkg in rng-tools-debian rng-tools5; do
  dest=".cache/rngtest/$pkg"
  [ -x "$dest/usr/bin/rngtest" ] && continue
  mkdir -p "$dest"
  tmp=$(mktemp -d)
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq || true; APT_UPDATED=1; fi
  (cd "$tmp" && apt-get download -qq "$pkg" 2>/dev/null)
  dpkg-deb -x "$tmp"/"$pkg"_*.deb "$dest"
  rm -rf "$tmp"
done

# PostgreSQL at 127.0.0.1:5432 for the PostgreSQL store tests: start it if it
# is down, and fail loudly if it cannot be reached (those tests never skip).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" -eq 0 ]; then
    version=$(ls /etc/postgresql | sort -n | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "ensure-system-deps: PostgreSQL is not answering at 127.0.0.1:5432; the PostgreSQL store tests need it" >&2
    exit 1
  fi
fi
