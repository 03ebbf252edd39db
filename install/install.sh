#!/usr/bin/env bash
# Installs capability-evolver's binaries and sets up .learnings/ in the current project.
#
#   bash /path/to/capability-evolver/install/install.sh      # run inside your project
#
# Safe to run again: cargo reinstalls only what changed, and `evolver init` never touches
# log files that already exist.
set -euo pipefail

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

case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "Add $bin to your PATH to run \`evolver\` by name." ;;
esac
