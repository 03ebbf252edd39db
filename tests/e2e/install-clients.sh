#!/usr/bin/env bash
# Installs the real agent clients the end-to-end tests drive, at the versions the payload
# fixtures were captured with, into target/e2e-clients/ (outside the user's global npm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v npm >/dev/null || { echo "install-clients.sh: npm is needed (Node.js 20 or later)" >&2; exit 1; }
dir=target/e2e-clients
mkdir -p "$dir"
if [ -x "$dir/node_modules/.bin/claude" ] && [ -x "$dir/node_modules/.bin/codex" ] \
  && grep -q '"version": "2.1.328"' "$dir/node_modules/@anthropic-ai/claude-code/package.json" \
  && grep -q '"version": "0.169.0"' "$dir/node_modules/@openai/codex/package.json"; then
  echo "e2e clients already installed in $dir"
  exit 0
fi
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
  @anthropic-ai/claude-code@2.1.328 @openai/codex@0.169.0
"$dir/node_modules/.bin/claude" --version
"$dir/node_modules/.bin/codex" --version
