#!/usr/bin/env bash
# Installs capability-evolver's binaries, sets up .learnings/ in the current project and wires
# the hooks into its agents; with --uninstall, takes out again what it put in.
#
#   bash /path/to/capability-evolver/install/install.sh [--codex] [--openclaw] [--no-claude] [--global] [--git] [--uninstall]
#
#   (default)    hooks for Claude Code in ./.claude/settings.json
#   --codex      hooks for Codex too, in ./.codex/hooks.json
#   --openclaw   the OpenClaw plugin and internal hook too (registered with `openclaw` when
#                it is on PATH; otherwise the commands to run are printed)
#   --no-claude  leave Claude Code alone
#   --global     wire the hooks in ~/.claude and ~/.codex instead, for every project
#   --git        register the merge driver, so .learnings/ merges across branches
#   --uninstall  take the hooks (and with --git the merge driver) out of the agents named by
#                the other options, remove the completions and man page, and uninstall the
#                binaries; .learnings/ and everything in it stays
#
# Safe to run again: cargo reinstalls only what changed, `evolver init` never touches log
# files that already exist, and `evolver install` changes nothing that is already wired.
# The settings it writes name no folder of this machine, so they can be committed.
set -euo pipefail

claude=1 codex=0 openclaw=0 git=0 global=() uninstall=0
for arg in "$@"; do
  case "$arg" in
    --codex) codex=1 ;;
    --openclaw) openclaw=1 ;;
    --no-claude) claude=0 ;;
    --global) global=(--global) ;;
    --git) git=1 ;;
    --uninstall) uninstall=1 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project=$(pwd)
bin="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"

# Shell completions and the man page, where bash-completion, fish and man look per user. Each
# file starts with a line saying who wrote it: install replaces, and uninstall removes, only a
# file that starts so, never one of the user's own.
data="${XDG_DATA_HOME:-$HOME/.local/share}"
config="${XDG_CONFIG_HOME:-$HOME/.config}"
extras=(
  "bash:$data/bash-completion/completions/evolver"
  "fish:$config/fish/completions/evolver.fish"
  "man:$data/man/man1/evolver.1"
)
mark="written by capability-evolver's install.sh"
ours() { [ ! -e "$1" ] || { IFS= read -r first <"$1" && case "$first" in *"$mark"*) true ;; *) false ;; esac; }; }

# (The odd expansion keeps an empty array safe under `set -u` in old bash, macOS's included.)
agents() {
  local verb=$1 evolver=$2
  if [ "$git" = 1 ]; then (cd "$project" && "$evolver" "$verb" git); fi
  if [ "$claude" = 1 ]; then (cd "$project" && "$evolver" "$verb" claude ${global[@]+"${global[@]}"}); fi
  if [ "$codex" = 1 ]; then (cd "$project" && "$evolver" "$verb" codex ${global[@]+"${global[@]}"}); fi
  # OpenClaw's plugin is per user, whatever --global says.
  if [ "$openclaw" = 1 ]; then (cd "$project" && "$evolver" "$verb" openclaw); fi
}

if [ "$uninstall" = 1 ]; then
  evolver="$bin/evolver"
  [ -x "$evolver" ] || evolver=$(command -v evolver || true)
  if [ -n "$evolver" ]; then
    agents uninstall "$evolver"
  else
    echo "evolver is not installed: no hooks to take out with it"
  fi
  for extra in "${extras[@]}"; do
    file=${extra#*:}
    if [ -f "$file" ]; then
      if ours "$file"; then rm -f "$file" && echo "removed $file"; else echo "left $file: install.sh did not write it"; fi
    fi
  done
  failed=0
  if [ -x "$bin/evolver" ]; then
    if command -v cargo >/dev/null && cargo uninstall --quiet capability-evolver 2>/dev/null; then
      echo "binaries removed from $bin"
    else
      echo "install.sh: could not remove the binaries in $bin with cargo uninstall; remove them by hand" >&2
      failed=1
    fi
  fi
  echo "Your lessons stay in $project/.learnings/; delete that folder yourself if you want them gone."
  exit "$failed"
fi

command -v cargo >/dev/null || { echo "install.sh: cargo is needed (https://rustup.rs)" >&2; exit 1; }

echo "Installing the binaries from $here"
cargo install --quiet --locked --path "$here"

evolver="$bin/evolver"
[ -x "$evolver" ] || evolver=$(command -v evolver)

for extra in "${extras[@]}"; do
  kind=${extra%%:*} file=${extra#*:}
  if ! ours "$file"; then echo "left $file as it is: install.sh did not write it"; continue; fi
  mkdir -p "$(dirname "$file")"
  if [ "$kind" = man ]; then
    { printf '.\\" %s\n' "$mark"; "$evolver" man; } >"$file"
  else
    { printf '# %s\n' "$mark"; "$evolver" completions "$kind"; } >"$file"
  fi
done
echo "Completions for bash and fish, and the man page, written under $data and $config"
echo "(zsh: evolver completions zsh > a folder on your \$fpath, as _evolver)"

echo "Setting up .learnings/ in $project"
(cd "$project" && "$evolver" init)

agents install "$evolver"

case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "Add $bin to your PATH, for you and for the agents: the hooks look for the binaries there." ;;
esac

agents=()
if [ "$claude" = 1 ]; then agents+=("Claude Code"); fi
if [ "$codex" = 1 ]; then agents+=("Codex"); fi
if [ "$openclaw" = 1 ]; then agents+=("OpenClaw"); fi
case ${#agents[@]} in
  0) agent="your agent (none was wired: see --help)" ;;
  1) agent=${agents[0]} ;;
  2) agent="${agents[0]} or ${agents[1]}" ;;
  *) agent="${agents[0]}, ${agents[1]} or ${agents[2]}" ;;
esac
undo="bash $(printf '%q' "$here/install/install.sh") --uninstall"
for arg in "$@"; do undo="$undo $(printf '%q' "$arg")"; done
cat <<EOF

Next:
  1. Open $agent in this project and work as usual: a failed command becomes an
     entry in .learnings/ERRORS.md, and each prompt shows the lessons that bear on it.
  2. Run \`evolver status\` to see what the logs hold and what needs attention.
  3. To undo, from this folder: $undo  (.learnings/ stays)
EOF
