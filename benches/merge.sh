#!/usr/bin/env bash
# Time of the git merge driver on a large log, with hyperfine.
#
#   bash benches/merge.sh          # needs hyperfine (apt-get install hyperfine)
#
# A LEARNINGS.md of N entries (10,000 by default, ~2.3 MB) as the base. Ours resolves every
# hundredth entry and logs 50 new ones; theirs raises the Recurrence-Count of every hundredth
# entry (others than ours') and logs 50 new ones under the same 50 IDs, so every one of
# theirs is renumbered. Each run starts from the same three files (`--prepare`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v hyperfine >/dev/null || { echo "merge.sh: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
n=${N:-10000}

cargo build --release --quiet --bins
bin=$(pwd)/target/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# side NAME: the base's entries, changed as that side changes them, then its 50 new ones.
gen() {
  awk -v n="$n" -v side="$1" 'BEGIN {
    print "# Learnings\n\n---"
    for (i = 1; i <= n + (side == "base" ? 0 : 50); i++) {
      mine = i > n
      status = (side == "ours" && i % 100 == 0) ? "resolved" : "pending"
      count = (side == "theirs" && i % 100 == 50) ? 2 : 1
      summary = mine ? side " lesson " i : "base lesson " i
      printf "\n## [LRN-20261203-%03d] insight\n\n**Logged**: 2026-12-03T%02d:%02d:%02dZ\n", i, int(i / 3600) % 24, int(i / 60) % 60, i % 60
      printf "**Priority**: medium\n**Status**: %s\n\n### Summary\n%s\n\n", status, summary
      printf "### Details\nWhat happened, in a few words, for lesson %d.\n\n", i
      printf "### Metadata\n- Source: conversation\n- Recurrence-Count: %d\n\n---\n", count
    }
  }' > "$work/$1.md"
}
gen base; gen ours; gen theirs

hyperfine --warmup 2 --runs "${RUNS:-20}" --export-markdown "${BENCH_OUT:-target/bench-merge.md}" \
  --prepare "cp $work/ours.md $work/merged.md" \
  -n "merge-driver, $n entries, 50 new on each side (all renumbered)" \
  "$bin/evolver merge-driver $work/base.md $work/merged.md $work/theirs.md .learnings/LEARNINGS.md 2>/dev/null"
grep -c '^## \[' "$work/merged.md" | sed 's/^/entries after the merge: /'
