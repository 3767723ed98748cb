#!/usr/bin/env bash
# Installs the Debian packages the tests need, if they are missing.
set -euo pipefail

# gdal-bin: ogrinfo (GDAL 3.6) over every export; python3-qgis, qgis-providers: QGIS 3.22 loading them
# (tests/webmap/test_exports_in_gis_clients.py, tests/webmap/test_qgis.py).
packages=(chromium fonts-wqy-zenhei postgresql-15 postgresql-15-postgis-3 gdal-bin python3-qgis qgis-providers)

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
