#!/usr/bin/env bash
# `npm test`: every tier, each with a one-line summary at the end.
#   static  — tsc --noEmit (strict) and eslint
#   core    — node:test over src/core and the CLI, on real fixtures and real CPython producers
#   grammar — the TextMate grammar with vscode-textmate + vscode-oniguruma
#   host    — mocha suites inside a real VS Code extension host (offline code-server host)
#   restricted — the host suites for Restricted Mode (Workspace Trust on, folder untrusted)
#   ui      — the real workbench in headless Chromium: colours, status bar, palette, as a user sees it
#   vsix    — the packaged .vsix installed into the real host, smoke suite
# Installs what is missing first (npm packages, Debian packages, the offline VS Code host).
# TIERS="core grammar" npm test runs a subset.
set -uo pipefail
cd "$(dirname "$0")/.."
TIERS=${TIERS:-"static core grammar host restricted ui vsix"}
[ -d node_modules ] || npm ci --no-audit --no-fund || exit 1
case " $TIERS " in *" host "*|*" restricted "*|*" ui "*|*" vsix "*) bash scripts/install-host.sh >/dev/null || exit 1 ;; esac
npm run --silent build || exit 1
node scripts/build-tests.mjs || exit 1

declare -A RESULT
FAILED=0
tier() { # name, command...
  local name=$1; shift
  local t0=$SECONDS log
  log=$(mktemp)
  echo "::: tier $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local counts
  counts=$(grep -Eo '^(ℹ (pass|fail|skipped) [0-9]+|host-tests: [0-9]+ passed, [0-9]+ failed.*)' "$log" | tr '\n' ' ')
  RESULT[$name]="$( [ "$rc" = 0 ] && echo PASS || echo FAIL ) in $((SECONDS - t0)) s ${counts}"
  [ "$rc" = 0 ] || FAILED=1
  rm -f "$log"
}
for t in $TIERS; do
  case $t in
    static) tier static bash -c 'npx tsc --noEmit -p . && npx eslint src test && echo "static: tsc and eslint clean"' ;;
    core) tier core node --test --test-reporter=spec --test-concurrency=1 out/test/core/ ;;
    grammar) tier grammar node --test --test-reporter=spec out/test/grammar/ ;;
    host) tier host node scripts/run-host-tests.mjs ;;
    restricted) tier restricted env LOGLENS_TRUST=1 LOGLENS_TEST_GREP=@restricted node scripts/run-host-tests.mjs ;;
    ui) tier ui node --test --test-reporter=spec --test-concurrency=1 test/ui/ ;;
    vsix) tier vsix bash -c 'npm run --silent package >/dev/null && node scripts/check-vsix.mjs out/log-lens.vsix && LOGLENS_VSIX=out/log-lens.vsix LOGLENS_TEST_GREP=@vsix node scripts/run-host-tests.mjs && npm run --silent build >/dev/null' ;;
  esac
done
echo
echo "=== summary"
for t in $TIERS; do echo "$t: ${RESULT[$t]:-not run}"; done
exit $FAILED
