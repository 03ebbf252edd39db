#!/usr/bin/env bash
# Latency of the two hooks, in one hyperfine run beside what a hook costs anyway: a bash
# script printing a fixed ~400-byte reminder with `cat <<EOF`, and a Rust hello-world.
#
#   bash benches/hooks.sh            # needs hyperfine (apt-get install hyperfine)
#
# Cases: the activator in a project with 1,000 entries; the detector on a success payload;
# the detector logging a failure into a 10,000-entry ERRORS.md; the detector on a Codex
# failure whose exit code sits at the end of a 20 MB transcript (and of a 20 KB one, to show
# that the lookup does not grow with the file).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v hyperfine >/dev/null || { echo "hooks.sh: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }

cargo build --release --quiet --bins
bin=$(pwd)/target/release
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT; echo "work: $work"

# What a shell-script hook costs: bash starting and printing a fixed reminder.
cat > "$work/reminder.sh" <<'SH'
#!/usr/bin/env bash
cat <<REMINDER
<self-improvement-reminder>
After completing this task, evaluate if extractable knowledge emerged:
- Non-obvious solution discovered through investigation?
- Workaround for unexpected behavior?
- Project-specific pattern learned?
- Error required debugging to resolve?

If yes: Log to .learnings/ using the self-improvement skill format.
If high-value (recurring, broadly applicable): Consider skill extraction.
</self-improvement-reminder>
REMINDER
SH
mkdir -p "$work/hello/src"
printf 'fn main() {\n    println!("hello");\n}\n' > "$work/hello/main.rs"
rustc -O -o "$work/hello-rust" "$work/hello/main.rs"

# A project with 1,000 entries: 600 learnings, 300 errors, 100 feature requests.
act="$work/act"
mkdir -p "$act/.git"
(cd "$act" && "$bin/evolver" init >/dev/null)
day=$(date -u +%Y%m%d)
awk -v day="$day" -v n=600 'BEGIN {
  for (i = 1; i <= n; i++) {
    printf "\n## [LRN-%s-%03d] best_practice\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: medium\n**Status**: pending\n**Area**: backend\n\n### Summary\nLesson %d about the parser, the build cache and module %d\n\n### Details\nWhat happened and why it matters, in a few sentences of text.\n\n### Suggested Action\nCheck the input before parsing.\n\n### Metadata\n- Source: conversation\n- Tags: parser, cache, module%d\n- Pattern-Key: harden.module%d\n\n---\n", day, i, i, i, i, i
  } }' >> "$act/.learnings/LEARNINGS.md"
awk -v day="$day" -v n=300 'BEGIN {
  for (i = 1; i <= n; i++) {
    printf "\n## [ERR-%s-%03d] cargo_test\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: medium\n**Status**: pending\n\n### Summary\n`cargo test -p crate%d` exited with code 101\n\n### Error\n```\nerror[E0425]: cannot find value `x%d` in this scope\n --> src/lib.rs:%d:5\n```\n\n### Metadata\n- Source: error-detector\n- Pattern-Key: cmd.cargo.test.%08x\n- Recurrence-Count: 1\n\n---\n", day, i, i, i, i, i
  } }' >> "$act/.learnings/ERRORS.md"
awk -v day="$day" -v n=100 'BEGIN {
  for (i = 1; i <= n; i++) {
    printf "\n## [FEAT-%s-%03d] export_%d\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: low\n**Status**: pending\n\n### Requested Capability\nExport report %d as CSV\n\n### Metadata\n- Source: conversation\n\n---\n", day, i, i, i
  } }' >> "$act/.learnings/FEATURE_REQUESTS.md"
printf '{"session_id":"s","cwd":"%s","hook_event_name":"UserPromptSubmit","prompt":"The parser fails on the build cache of module 42; can you also fix the tests?"}' "$act" > "$work/prompt.json"

# The detector on a success: Claude Code's PostToolUse for `echo hello`.
printf '{"session_id":"s","cwd":"%s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"echo hello"},"tool_response":{"stdout":"hello","stderr":"","interrupted":false,"isImage":false},"tool_use_id":"toolu_1"}' "$act" > "$work/success.json"

# A failure logged into a 10,000-entry ERRORS.md (reset before every run).
det="$work/det"
mkdir -p "$det/.git"
(cd "$det" && "$bin/evolver" init >/dev/null)
awk -v n=10000 'BEGIN {
  for (i = 1; i <= n; i++) {
    printf "\n## [ERR-20261122-%04d] cargo_test\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: medium\n**Status**: resolved\n\n### Summary\n`cargo test -p crate%d` exited with code 101\n\n### Error\n```\nerror[E0425]: cannot find value `x%d` in this scope\n --> src/lib.rs:%d:5\n```\n\n### Context\n- Command: `cargo test -p crate%d`\n- Working directory: `.`\n\n### Metadata\n- Source: error-detector\n- Pattern-Key: cmd.cargo.test.%08x\n- Recurrence-Count: 1\n\n---\n", i, i, i, i, i, i
  } }' >> "$det/.learnings/ERRORS.md"
cp "$det/.learnings/ERRORS.md" "$work/errors-10000.md"
printf '{"session_id":"s","cwd":"%s","hook_event_name":"PostToolUseFailure","tool_name":"Bash","tool_input":{"command":"make deploy"},"error":"Exit code 2\\nmake: *** No rule to make target deploy.  Stop.","is_interrupt":false,"tool_use_id":"toolu_2"}' "$det" > "$work/failure.json"

# Codex failures whose exit code is at the end of a 20 MB and of a 20 KB transcript.
for size in 20MB:107000 20KB:107; do
  name=${size%%:*}; lines=${size##*:}
  awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++) printf "{\"timestamp\":\"2026-11-22T05:06:55Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"reasoning\",\"n\":%d,\"text\":\"%s\"}}\n", i, "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor" }' > "$work/transcript-$name.jsonl"
  printf '{"timestamp":"2026-11-22T05:06:56Z","type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":"call_9","exit_code":2,"status":"failed"}}}\n' >> "$work/transcript-$name.jsonl"
  printf '{"session_id":"c","turn_id":"t","cwd":"%s","hook_event_name":"PostToolUse","model":"gpt-5","tool_name":"Bash","tool_input":{"command":"ls /missing"},"tool_response":"ls: cannot access /missing: No such file or directory\\n","tool_use_id":"call_9","transcript_path":"%s"}' "$det" "$work/transcript-$name.jsonl" > "$work/codex-$name.json"
done
ls -la "$work"/transcript-*.jsonl | awk '{print $5, $9}'

# sync, so that writing back the copy does not run during the measured command.
reset="cp $work/errors-10000.md $det/.learnings/ERRORS.md && sync"
out=${BENCH_OUT:-target/bench-hooks.md}
mkdir -p "$(dirname "$out")"
hyperfine --warmup 20 --min-runs 200 --export-markdown "$out" \
  --prepare true -n "bash cat <<EOF reminder" "bash $work/reminder.sh < $work/prompt.json" \
  --prepare true -n "Rust hello-world" "$work/hello-rust < $work/prompt.json" \
  --prepare true -n "activator, 1,000 entries" "$bin/evolver-activator < $work/prompt.json" \
  --prepare true -n "detector, success" "$bin/evolver-error-detector < $work/success.json" \
  --prepare "$reset" -n "detector, failure into 10,000 entries" "$bin/evolver-error-detector < $work/failure.json" \
  --prepare "$reset" -n "detector, Codex failure, 20 MB transcript" "$bin/evolver-error-detector < $work/codex-20MB.json" \
  --prepare "$reset" -n "detector, Codex failure, 20 KB transcript" "$bin/evolver-error-detector < $work/codex-20KB.json"
cat "$out"
