#!/usr/bin/env bash
# Mutation testing of the trust core: canonical JSON, SAR receipts, promotion and rollback,
# secret redaction and the audit chain. cargo-mutants changes the code one small way at a
# time (an operator, a return value, a match arm) and runs the whole `cargo test`; a mutant
# that no test notices is behaviour no test states. Every mutant must be caught, or be
# excluded in .cargo/mutants.toml with the reason it cannot change behaviour.
#
#   bash scripts/mutants.sh          every mutant of those files (about 35 minutes on 2 cores);
#                                    when none is missed, records HEAD in .ci/mutants-baseline
#   bash scripts/mutants.sh --since  only the mutants in lines changed since that baseline
#                                    (what CI runs, so no change lands with a new survivor)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

files=(src/verify/canonical.rs src/verify/sar.rs src/verify/promotion.rs src/redact.rs src/store/audit.rs)
baseline_file=.ci/mutants-baseline
out=${MUTANTS_OUT:-target/mutants}

args=(--jobs "${MUTANTS_JOBS:-2}" --output "$out" --profile mutants)
for f in "${files[@]}"; do args+=(--file "$f"); done
need_cargo_mutants() {
  command -v cargo-mutants >/dev/null || cargo install --locked --quiet cargo-mutants@27.1.0
}
# A mutant that makes the tests run forever (an endless loop) was noticed. cargo-mutants
# exits 3 for such timeouts even when others were missed, so the missed list decides.
run_mutants() {
  local status=0
  cargo mutants "${args[@]}" "$@" || status=$?
  if [ "$status" -eq 3 ] && [ ! -s "$out/mutants.out/missed.txt" ]; then
    status=0
  fi
  return "$status"
}

if [ "${1:-}" = "--since" ]; then
  base=$(cat "$baseline_file")
  diff=$(mktemp)
  trap 'rm -f "$diff"' EXIT
  git diff "$base" -- "${files[@]}" > "$diff"
  if [ ! -s "$diff" ]; then
    echo "mutants: the trust core is unchanged since $base; nothing to test"
    exit 0
  fi
  need_cargo_mutants
  run_mutants --in-diff "$diff"
else
  need_cargo_mutants
  run_mutants
  if [ -n "$(git status --porcelain -- "${files[@]}")" ]; then
    echo "mutants: none missed, but those files have uncommitted changes; the baseline stays"
  else
    git rev-parse HEAD > "$baseline_file"
    echo "mutants: none missed; $baseline_file now names $(cat "$baseline_file")"
  fi
fi
