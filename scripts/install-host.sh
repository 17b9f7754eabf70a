#!/usr/bin/env bash
# Installs everything the test tiers and `npm start` need that npm ci does not:
#  - Debian packages: compilers for node-gyp, libkrb5-dev (kerberos module), ripgrep (VS Code's
#    search binary and the bench), chromium (drives the web workbench), lnav (bench), python3.
#  - an offline VS Code host: the VS Code server bundled in the code-server npm package, its native
#    modules built locally. Cached outside the work tree; a second run only checks a stamp.
# Prints the host folder on the last line. Idempotent. Env: HOST_DIR overrides the cache folder.
set -euo pipefail
CS_VERSION=4.100.3   # newest code-server whose engines accept Node 20; bundles VS Code 1.100.3
ABI=$(node -p process.versions.modules)
HOST_DIR=${HOST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vscode-host/code-server-$CS_VERSION-abi$ABI}

PKGS="build-essential python3 pkg-config libkrb5-dev ripgrep chromium lnav"
if ! dpkg -s $PKGS >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "install-host: installing Debian packages: $PKGS" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS >&2
fi
if [ -f "$HOST_DIR/.complete" ]; then echo "$HOST_DIR"; exit 0; fi

export npm_config_nodedir
npm_config_nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
test -f "$npm_config_nodedir/include/node/node.h" || { echo "install-host: no Node headers under $npm_config_nodedir" >&2; exit 1; }
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

echo "install-host: building the VS Code host in $HOST_DIR (about a minute, once)" >&2
TMP="$HOST_DIR.partial"
rm -rf "$TMP" && mkdir -p "$TMP" && cd "$TMP"
echo '{"private":true}' > package.json
{
  # code-server's own postinstall would download prebuilt binaries: skip it, do its steps here.
  npm install --ignore-scripts "code-server@$CS_VERSION"
  npm rebuild argon2 --build-from-source
  cd node_modules/code-server/lib/vscode
  npm install --omit=dev --ignore-scripts
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild
  ln -sfn node_modules node_modules.asar
  ln -sfn code-linux.sh bin/remote-cli/code-server
  ln -sfn browser-linux.sh bin/helpers/browser.sh
  cd extensions
  npm install --omit=dev --ignore-scripts
  node ./postinstall.mjs
  cd "$TMP"
  node_modules/.bin/code-server --config /dev/null --version
} >&2
touch .complete
rm -rf "$HOST_DIR" && mv "$TMP" "$HOST_DIR"
echo "$HOST_DIR"
