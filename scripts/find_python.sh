#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or explains why there is none.
# Order: a working python3.13 / python3.12 / python3 on the PATH, then pyenv's versions.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.13 python3.12 python3; do
  path=$(command -v "$name" 2>/dev/null) || continue
  if ok "$path"; then "$path" -c 'import sys; print(sys.executable)'; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.[0-9]+' | sort -t. -k1,1nr -k2,2nr -k3,3nr); do
    prefix=$(pyenv prefix "$version" 2>/dev/null) || continue
    if ok "$prefix/bin/python3"; then echo "$prefix/bin/python3"; exit 0; fi
  done
fi
echo "Python 3.12 以上が見つかりません (need Python >= 3.12)." >&2
echo "Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.13') and run make again." >&2
exit 1
