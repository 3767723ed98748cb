#!/bin/sh
# Mobile Lighthouse (pinned in bench/lighthouse/) on /, /issues and /field/ of a fresh demo instance.
# Usage: bench/lighthouse.sh [--runs N] [--keep]      (see bench/lighthouse.py)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here/lighthouse" && npm ci --no-audit --no-fund --silent)
python=${PYTHON:-"$here/../.venv/bin/python"}
[ -x "$python" ] || python=python3
CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} exec "$python" "$here/lighthouse.py" "$@"
