#!/usr/bin/env bash
# Prepare this checkout to run: Node.js 24 (installed from the npm registry where the machine's
# Node is older) and the npm dependencies (npm ci, which also generates the Prisma client and
# builds the web console into console/dist).
# Idempotent: a second run only checks. For a PostgreSQL server with pgvector, see
# scripts/setup-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-node.sh
hash -r
export PATH="/usr/local/bin:$PATH"

# npm ci again only when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci" >&2
  npm ci --no-audit --no-fund >&2
else
  echo "[setup] node_modules up to date" >&2
fi

# The web console (served at /console): rebuilt only when its sources changed since the last build.
node scripts/build-console.ts --if-stale >&2
