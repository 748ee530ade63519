#!/usr/bin/env bash
# Shared entry of `npm start` and `npm test`: installs what is missing (npm packages, including
# Node 22; the Go-built toolchain), then runs a TypeScript script on Node 22.
#   scripts/bootstrap.sh <script.ts> [args...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '[aios-infra] %s\n' "$*"; }

# npm packages: install when node_modules is missing or older than the lockfile.
stamp=node_modules/.aios-installed
if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  # `npm install` honours the lockfile (every dependency is pinned). `npm ci` is not used: npm 11
  # rejects lockfiles that omit other platforms' optional packages (unrs-resolver's bindings).
  say "installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# The Go-built toolchain (cached outside the clone; a warm machine builds nothing).
bash scripts/toolchain/build.sh

export PATH="$ROOT/node_modules/.bin:$PATH"
if [[ "$(node --version)" != v22.* ]]; then
  echo "[aios-infra] error: expected Node 22 from node_modules/.bin, got $(node --version)" >&2
  exit 1
fi
export TS_NODE_TRANSPILE_ONLY=true
exec ts-node "$@"
