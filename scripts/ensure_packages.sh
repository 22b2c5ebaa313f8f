#!/usr/bin/env bash
# Debian packages the project needs outside the virtualenv, installed when missing.
#   scripts/ensure_packages.sh pdf    WeasyPrint's Pango, and HarfBuzz's subsetter (without it
#                                     WeasyPrint falls back to fontTools: each PDF 3x slower)
#   scripts/ensure_packages.sh test   pdf, plus Chromium and a Japanese font for browser tests
# Run as root, or with password-less sudo; otherwise it prints the apt-get line and fails.
# While another install holds apt's lock it waits (APT_LOCK_TIMEOUT seconds, default 600).
set -euo pipefail

has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_font() { fc-list 2>/dev/null | grep -qi "$1"; }

need=()
want_pdf() {
  has_lib 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
  has_lib 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
  has_lib 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
}
case "${1:-}" in
  pdf) want_pdf ;;
  test)
    want_pdf
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    has_font 'BIZ UDPGothic' || need+=(fonts-morisawa-bizud-gothic)
    ;;
  *) echo "usage: $0 pdf|test" >&2; exit 2 ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "Missing Debian packages: ${need[*]}. Install them with:" >&2
  echo "  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
# Another install (apt, unattended-upgrades, a second `make`) may hold dpkg's or the package
# lists' lock: wait for it, up to APT_LOCK_TIMEOUT seconds, instead of failing at once. apt-get
# install waits by itself (DPkg::Lock::Timeout); apt-get update does not, so it is retried.
lock_timeout="${APT_LOCK_TIMEOUT:-600}"
apt_get+=(-o "DPkg::Lock::Timeout=$lock_timeout")
say_waiting() { echo "Another package install holds apt's lock: waiting for it (up to ${lock_timeout} s)"; }

echo "Installing ${need[*]}"
deadline=$((SECONDS + lock_timeout))
said=""
until out=$("${apt_get[@]}" update -qq 2>&1); do
  if ! grep -q 'Could not get lock' <<<"$out" || [ "$SECONDS" -ge "$deadline" ]; then
    echo "$out" >&2
    exit 1
  fi
  [ -n "$said" ] || { say_waiting; said=1; }
  sleep 3
done
if [ -z "$said" ] && command -v fuser >/dev/null 2>&1 &&
  fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock >/dev/null 2>&1; then
  say_waiting
fi
DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq "${need[@]}" >/dev/null
