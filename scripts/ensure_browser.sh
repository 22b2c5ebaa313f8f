#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here)
# and screenshots need a Japanese font. Install both when missing; explain when we cannot.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "BIZ UDPGothic" || need+=(fonts-morisawa-bizud-gothic)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "The browser tests need: ${need[*]} (Debian packages). Install them with:" >&2
  echo "  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} for the browser tests"
"${apt_get[@]}" update -qq
DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq "${need[@]}" >/dev/null
