#!/usr/bin/env bash
# Set up a working copy: system libraries (as root, when missing), a virtual
# environment in .venv, and the package with its test tools.
#   bash scripts/setup.sh          # to build briefs
#   bash scripts/setup.sh --test   # also the test tools and the programs tests use
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

# WeasyPrint needs Pango, and HarfBuzz's subsetter to embed fonts (without it, it falls back
# to fontTools, slower, and says so on every build).  The tests also drive Debian's Chromium
# (the preview test and axe-core), use poppler's tools to look at PDFs, open the Word edition
# in LibreOffice, and run the outside judges: the Nu HTML Checker (Java) and axe-core (npm).
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig)
$want_test && packages+=(poppler-utils chromium libreoffice-writer-nogui)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if $want_test; then
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v npm >/dev/null || missing+=(npm)
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Please install these system packages first: ${missing[*]}" >&2
    exit 1
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
if $want_test; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
# Compile the shipped templates once, as pip compiles Python modules (briefing/formats/compiled.py).
.venv/bin/python -m briefing.formats.compiled >/dev/null
if $want_test; then
  # The judges' exact versions, from tests/judges/package-lock.json (no install scripts: the
  # Nu HTML Checker's would download a Java runtime; Debian's is used).
  npm ci --prefix tests/judges --ignore-scripts --no-audit --no-fund --loglevel=error
fi
