#!/usr/bin/env bash
# Installs the Debian packages the tests need, if they are missing.
set -euo pipefail

packages=(chromium fonts-wqy-zenhei postgresql-15 postgresql-15-postgis-3)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm for Spectral (tests/tools/spectral): any on PATH will do, e.g. NodeSource's nodejs, which has npm
# inside and conflicts with Debian's npm package.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "Missing Debian packages: ${missing[*]}; install them as root." >&2; exit 1
fi
echo "Installing ${missing[*]} ..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
