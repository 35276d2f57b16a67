#!/usr/bin/env bash
# Makes sure the system packages the full test suite needs are present: a PostgreSQL server with PostGIS
# (the server engine's tests), Chromium (browser tests) and GDAL's ogr2ogr/ogrinfo (an independent GIS
# client in tests, the baseline in benchmarks). Installs them when run as root on Debian; otherwise says
# exactly what is missing and how to install it.
set -euo pipefail

missing=()
have_postgis_server() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] || continue
    local major; major=$(basename "$(dirname "$dir")")
    [ "$major" -ge 15 ] 2>/dev/null || continue
    ls "/usr/share/postgresql/$major/extension/postgis.control" >/dev/null 2>&1 && return 0
  done
  return 1
}
have_postgis_server || missing+=(postgresql-15 postgresql-15-postgis-3)
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || missing+=(chromium)
command -v ogr2ogr >/dev/null 2>&1 || missing+=(gdal-bin)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages for the tests: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "The tests need these Debian packages, which are missing: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install ${missing[*]}" >&2
exit 1
