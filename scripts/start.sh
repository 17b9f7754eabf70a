#!/usr/bin/env bash
# The main job: installs what is missing, builds, writes sample logs with Python's real `logging`
# (levels, a logged exception with traceback, a rotated set), shows the CLI on them, and opens them
# in a real VS Code with Log Lens loaded: desktop `code --extensionDevelopmentPath` where `code`
# exists, otherwise the bundled offline VS Code on 127.0.0.1 (URL printed; Ctrl+C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/install-host.sh >/dev/null
npm run --silent build
SAMPLES=${LOGLENS_SAMPLES:-$PWD/out/samples}
python3 scripts/make-samples.py "$SAMPLES"
echo "== loglens summary $SAMPLES/app.log"
node dist/cli.js summary "$SAMPLES/app.log"
echo "== loglens filter --level error $SAMPLES/worker.log (first lines)"
node dist/cli.js filter "$SAMPLES/worker.log" --level error | head -n 12
if command -v code >/dev/null 2>&1 && [ -z "${LOGLENS_WEB:-}" ]; then
  exec code --extensionDevelopmentPath="$PWD" "$SAMPLES" "$SAMPLES/app.log"
fi
exec node scripts/open-in-host.mjs "$SAMPLES" "$SAMPLES/app.log"
