#!/usr/bin/env bash
# Every test of Clearway, as `npm test` runs it (and .ci/run): system packages, npm packages, type check,
# unit tests, database tests on the embedded engine and on a real PostgreSQL + PostGIS server, browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-packages.sh

# A fresh clone has no node_modules: install exactly what the lockfile pins.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

echo "== type check"
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p web/tsconfig.json
npx tsc --noEmit -p web/tsconfig.node.json

echo "== tests (unit, embedded engine, server engine, browser)"
report=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node scripts/test-summary.mjs "$report" || true
rm -f "$report"
exit $status
