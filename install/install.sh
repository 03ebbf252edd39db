#!/usr/bin/env bash
# Installs capability-evolver's binaries, sets up .learnings/ in the current project and wires
# the hooks into its agents.
#
#   bash /path/to/capability-evolver/install/install.sh [--codex] [--openclaw] [--no-claude] [--global] [--git]
#
#   (default)    hooks for Claude Code in ./.claude/settings.json
#   --codex      hooks for Codex too, in ./.codex/hooks.json
#   --openclaw   the OpenClaw plugin and internal hook too (registered with `openclaw` when
#                it is on PATH; otherwise the commands to run are printed)
#   --no-claude  leave Claude Code alone
#   --global     wire the hooks in ~/.claude and ~/.codex instead, for every project
#   --git        register the merge driver, so .learnings/ merges across branches
#
# Safe to run again: cargo reinstalls only what changed, `evolver init` never touches log
# files that already exist, and `evolver install` changes nothing that is already wired.
set -euo pipefail

claude=1 codex=0 openclaw=0 git=0 global=()
for arg in "$@"; do
  case "$arg" in
    --codex) codex=1 ;;
    --openclaw) openclaw=1 ;;
    --no-claude) claude=0 ;;
    --global) global=(--global) ;;
    --git) git=1 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project=$(pwd)

command -v cargo >/dev/null || { echo "install.sh: cargo is needed (https://rustup.rs)" >&2; exit 1; }

echo "Installing the binaries from $here"
cargo install --quiet --locked --path "$here"

bin="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
evolver="$bin/evolver"
[ -x "$evolver" ] || evolver=$(command -v evolver)

echo "Setting up .learnings/ in $project"
(cd "$project" && "$evolver" init)

if [ "$git" = 1 ]; then (cd "$project" && "$evolver" install git); fi

# `evolver install` writes the absolute paths of the hook binaries beside it.
# (The odd expansion keeps an empty array safe under `set -u` in old bash, macOS's included.)
if [ "$claude" = 1 ]; then (cd "$project" && "$evolver" install claude ${global[@]+"${global[@]}"}); fi
if [ "$codex" = 1 ]; then (cd "$project" && "$evolver" install codex ${global[@]+"${global[@]}"}); fi
# OpenClaw's plugin is per user, whatever --global says.
if [ "$openclaw" = 1 ]; then (cd "$project" && "$evolver" install openclaw); fi

case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "Add $bin to your PATH to run \`evolver\` by name." ;;
esac
