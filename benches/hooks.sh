#!/usr/bin/env bash
# Latency of the two hooks, in one hyperfine run beside what a hook costs anyway: a bash
# script printing a fixed ~400-byte reminder with `cat <<EOF`, and a Rust hello-world.
#
#   bash benches/hooks.sh            # needs hyperfine (apt-get install hyperfine)
#   KEEP=1 bash benches/hooks.sh     # keeps the generated projects (the path is printed)
#
# Cases:
# - baselines: "bash cat <<EOF reminder" and "Rust hello-world";
# - the activator with 100, 1,000, 10,000 and 100,000 entries (60% learnings, 30% errors, 10%
#   feature requests, each size in its own project), to show how its cost grows with the logs;
# - the activator with 1,000 learnings + 10,000 errors (a ~4.4 MB ERRORS.md);
# - the detector on a success payload (`echo hello`), in the 1,000-entry project and in one
#   whose ERRORS.md has 10,000 entries, a tenth of them open failures of other commands;
# - in a copy of the 1,000-entry project with a deployed skill: the detector on a success
#   right after a use of the skill (which it judges), and on Claude Code's `Skill` tool (a use
#   appended to the skill's ledger);
# - the detector logging a new failure into a 10,000-entry ERRORS.md;
# - the detector logging a recurrence (its Pattern-Key is in an open entry) into 100 and into
#   10,000 entries: the entry is written by the detector itself in a warm-up run, so the key is
#   the detector's own;
# - the detector on a Codex failure whose exit code sits at the end of a 20 MB transcript (and
#   of a 20 KB one, to show that the lookup does not grow with the file);
# - the 1,000-entry activator and the detector on a success as the agents start them: through
#   the command `evolver install` writes and the plugin's command (both look the binary up on
#   PATH; the plugin's falls back to its `hooks/run` only when it is not there).
#
# Every case that writes is reset before each run (`--prepare`) to a snapshot of ERRORS.md and
# of the log cache in .learnings/.index/, and the cache is then brought up to date with
# `evolver doctor --fix`, so every run sees the same files.
#
# All cases are in one hyperfine run, so that their ratios are comparable; the 100,000-entry
# activator (~40 MB of logs) takes some 150 ms a run, which keeps the whole script within a
# few minutes. The table goes to BENCH_OUT (target/bench-hooks.md).
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

day=$(date -u +%Y%m%d)

# Log generators: each appends N entries of one template to a log file.
learnings() { # file n
  awk -v day="$day" -v n="$2" 'BEGIN {
    for (i = 1; i <= n; i++) {
      printf "\n## [LRN-%s-%03d] best_practice\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: medium\n**Status**: pending\n**Area**: backend\n\n### Summary\nLesson %d about the parser, the build cache and module %d\n\n### Details\nWhat happened and why it matters, in a few sentences of text.\n\n### Suggested Action\nCheck the input before parsing.\n\n### Metadata\n- Source: conversation\n- Tags: parser, cache, module%d\n- Pattern-Key: harden.module%d\n\n---\n", day, i, i, i, i, i
    } }' >> "$1"
}
errors() { # file n: short errors, as in the activator projects
  awk -v day="$day" -v n="$2" 'BEGIN {
    for (i = 1; i <= n; i++) {
      printf "\n## [ERR-%s-%03d] cargo_test\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: medium\n**Status**: pending\n\n### Summary\n`cargo test -p crate%d` exited with code 101\n\n### Error\n```\nerror[E0425]: cannot find value `x%d` in this scope\n --> src/lib.rs:%d:5\n```\n\n### Metadata\n- Source: error-detector\n- Pattern-Key: cmd.cargo.test.%08x\n- Recurrence-Count: 1\n\n---\n", day, i, i, i, i, i
    } }' >> "$1"
}
features() { # file n
  awk -v day="$day" -v n="$2" 'BEGIN {
    for (i = 1; i <= n; i++) {
      printf "\n## [FEAT-%s-%03d] export_%d\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: low\n**Status**: pending\n\n### Requested Capability\nExport report %d as CSV\n\n### Metadata\n- Source: conversation\n\n---\n", day, i, i, i
    } }' >> "$1"
}
detector_errors() { # file n open: errors as the detector writes them; every open-th one is
  # pending, the others resolved (open=0: all resolved, open=1: all pending)
  awk -v n="$2" -v open="$3" 'BEGIN {
    for (i = 1; i <= n; i++) {
      status = (open > 0 && i % open == 0) ? "pending" : "resolved"
      printf "\n## [ERR-20261122-%04d] cargo_test\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: medium\n**Status**: %s\n\n### Summary\n`cargo test -p crate%d` exited with code 101\n\n### Error\n```\nerror[E0425]: cannot find value `x%d` in this scope\n --> src/lib.rs:%d:5\n```\n\n### Context\n- Command: `cargo test -p crate%d`\n- Working directory: `.`\n\n### Metadata\n- Source: error-detector\n- Pattern-Key: cmd.cargo.test.%08x\n- Recurrence-Count: 1\n\n---\n", i, status, i, i, i, i, i
    } }' >> "$1"
}

# A new project in $work/<name> with empty logs.
project() { # name
  mkdir -p "$work/$1/.git"
  (cd "$work/$1" && "$bin/evolver" init >/dev/null)
}
# Brings the log cache (.learnings/.index/) up to date with the logs.
fix_cache() { # dir
  (cd "$1" && "$bin/evolver" doctor --fix >/dev/null 2>&1 || true)
}
# Snapshot of a project's ERRORS.md and log cache, and the command that restores it.
snapshot() { # dir snap
  mkdir -p "$2"
  cp "$1/.learnings/ERRORS.md" "$2/ERRORS.md"
  rm -rf "$2/.index" && { cp -a "$1/.learnings/.index" "$2/" 2>/dev/null || true; }
}
reset_cmd() { # dir snap: sync, so that writing back the copy does not run during the measured command
  local d s b; d=$(printf '%q' "$1"); s=$(printf '%q' "$2"); b=$(printf '%q' "$bin")
  printf '%s' "cp $s/ERRORS.md $d/.learnings/ERRORS.md && rm -rf $d/.learnings/.index && { cp -a $s/.index $d/.learnings/ 2>/dev/null || true; } && (cd $d && $b/evolver doctor --fix >/dev/null 2>&1 || true) && sync"
}
prompt() { # dir file
  printf '{"session_id":"s","cwd":"%s","hook_event_name":"UserPromptSubmit","prompt":"The parser fails on the build cache of module 42; can you also fix the tests?"}' "$1" > "$2"
}
success() { # dir file: Claude Code's PostToolUse for `echo hello`
  printf '{"session_id":"s","cwd":"%s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"echo hello"},"tool_response":{"stdout":"hello","stderr":"","interrupted":false,"isImage":false},"tool_use_id":"toolu_1"}' "$1" > "$2"
}
failure() { # dir file: `make deploy` failing
  printf '{"session_id":"s","cwd":"%s","hook_event_name":"PostToolUseFailure","tool_name":"Bash","tool_input":{"command":"make deploy"},"error":"Exit code 2\\nmake: *** No rule to make target deploy.  Stop.","is_interrupt":false,"tool_use_id":"toolu_2"}' "$1" > "$2"
}
count() { # file: entries in a log
  grep -c '^## \[' "$1" || true
}

# Activator projects of 100 to 100,000 entries: 60% learnings, 30% errors, 10% feature
# requests. Each is run once, so that its cache exists.
for n in 100 1000 10000 100000; do
  dir="$work/act-$n"
  project "act-$n"
  learnings "$dir/.learnings/LEARNINGS.md" $((n * 6 / 10))
  errors "$dir/.learnings/ERRORS.md" $((n * 3 / 10))
  features "$dir/.learnings/FEATURE_REQUESTS.md" $((n / 10))
  fix_cache "$dir"
  prompt "$dir" "$work/prompt-$n.json"
  "$bin/evolver-activator" < "$work/prompt-$n.json" >/dev/null
done
act="$work/act-1000"

# 1,000 learnings + 10,000 errors, all pending.
dir="$work/act-errors"
project act-errors
learnings "$dir/.learnings/LEARNINGS.md" 1000
detector_errors "$dir/.learnings/ERRORS.md" 10000 1
fix_cache "$dir"
prompt "$dir" "$work/prompt-errors.json"
"$bin/evolver-activator" < "$work/prompt-errors.json" >/dev/null

# The detector on a success, in the 1,000-entry project and in one with 10,000 errors of
# which every tenth is an open failure (of `cargo test -p crateN`, never `echo hello`).
success "$act" "$work/success.json"
dir="$work/succ"
project succ
detector_errors "$dir/.learnings/ERRORS.md" 10000 10
fix_cache "$dir"
success "$dir" "$work/success-10000.json"
"$bin/evolver-error-detector" < "$work/success-10000.json" >/dev/null

# A project with a deployed skill: the detector on a success right after a use of it (each
# run first records the use, so the success judges it), and on the `Skill` tool itself.
skl="$work/skill"
project skill
cp "$act/.learnings/"*.md "$skl/.learnings/"
fix_cache "$skl"
mkdir -p "$skl/skills/probe"
printf -- '---\nname: probe\ndescription: Probe skill. Use when asked to probe.\n---\n\nSay probed.\n' > "$skl/skills/probe/SKILL.md"
(cd "$skl" && "$bin/evolver" skill deploy probe >/dev/null)
success "$skl" "$work/success-skill.json"
printf '{"session_id":"s","cwd":"%s","hook_event_name":"PostToolUse","tool_name":"Skill","tool_input":{"skill":"probe"},"tool_response":{"success":true,"commandName":"probe"},"tool_use_id":"toolu_3"}' "$skl" > "$work/skill-use.json"
use_skill="$bin/evolver-error-detector < $work/skill-use.json"

# A new failure logged into a 10,000-entry ERRORS.md (reset before every run).
det="$work/det"
project det
detector_errors "$det/.learnings/ERRORS.md" 10000 0
fix_cache "$det"
snapshot "$det" "$work/det-snap"
failure "$det" "$work/failure.json"

# Recurrences: the detector logs `make deploy` once (warm-up), which leaves an open entry with
# its own Pattern-Key; that state is the snapshot every measured run starts from, so each run
# finds the key open and updates the entry.
for n in 100 10000; do
  dir="$work/rec-$n"
  project "rec-$n"
  detector_errors "$dir/.learnings/ERRORS.md" "$n" 10
  fix_cache "$dir"
  failure "$dir" "$work/recurrence-$n.json"
  before=$(count "$dir/.learnings/ERRORS.md")
  "$bin/evolver-error-detector" < "$work/recurrence-$n.json" >/dev/null
  after=$(count "$dir/.learnings/ERRORS.md")
  [ "$after" -eq $((before + 1)) ] || { echo "hooks.sh: the warm-up failure was not logged in $dir ($before -> $after entries)" >&2; exit 1; }
  snapshot "$dir" "$work/rec-$n-snap"
  # Check that a second run is indeed a recurrence (no new entry), then go back to the snapshot.
  "$bin/evolver-error-detector" < "$work/recurrence-$n.json" >/dev/null
  again=$(count "$dir/.learnings/ERRORS.md")
  [ "$again" -eq "$after" ] || { echo "hooks.sh: the second failure in $dir was not a recurrence ($after -> $again entries)" >&2; exit 1; }
  sh -c "$(reset_cmd "$dir" "$work/rec-$n-snap")"
done

# Codex failures whose exit code is at the end of a 20 MB and of a 20 KB transcript.
for size in 20MB:107000 20KB:107; do
  name=${size%%:*}; lines=${size##*:}
  awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++) printf "{\"timestamp\":\"2026-11-22T05:06:55Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"reasoning\",\"n\":%d,\"text\":\"%s\"}}\n", i, "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor" }' > "$work/transcript-$name.jsonl"
  printf '{"timestamp":"2026-11-22T05:06:56Z","type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":"call_9","exit_code":2,"status":"failed"}}}\n' >> "$work/transcript-$name.jsonl"
  printf '{"session_id":"c","turn_id":"t","cwd":"%s","hook_event_name":"PostToolUse","model":"gpt-5","tool_name":"Bash","tool_input":{"command":"ls /missing"},"tool_response":"ls: cannot access /missing: No such file or directory\\n","tool_use_id":"call_9","transcript_path":"%s"}' "$det" "$work/transcript-$name.jsonl" > "$work/codex-$name.json"
done
ls -la "$work"/transcript-*.jsonl | awk '{print $5, $9}'
for d in "$work"/act-* "$work"/succ "$work"/det "$work"/rec-100 "$work"/rec-10000; do
  printf '%s:' "${d##*/}"
  for f in LEARNINGS ERRORS FEATURE_REQUESTS; do
    printf ' %s %s entries (%s bytes)' "$f" "$(count "$d/.learnings/$f.md")" "$(wc -c < "$d/.learnings/$f.md")"
  done
  echo
done

# The commands as installed: the agents run them with `sh -c`, as hyperfine does.
mkdir -p "$work/wiring" && (cd "$work/wiring" && "$bin/evolver" init >/dev/null && "$bin/evolver" install claude >/dev/null)
command_in() {
  python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["hooks"]
print(s[sys.argv[2]][0]["hooks"][0]["command"])' "$1" "$2"
}
settings="$work/wiring/.claude/settings.json"
as_installed_activator="PATH=$bin:\$PATH; { $(command_in "$settings" UserPromptSubmit); } < $work/prompt-1000.json"
as_installed_detector="PATH=$bin:\$PATH; { $(command_in "$settings" PostToolUse); } < $work/success.json"
plugin="PATH=$bin:\$PATH CLAUDE_PLUGIN_ROOT=$(pwd)/plugin"
plugin_activator="$plugin; { $(command_in plugin/hooks/hooks.json UserPromptSubmit); } < $work/prompt-1000.json"
plugin_detector="$plugin; { $(command_in plugin/hooks/hooks.json PostToolUse); } < $work/success.json"

reset=$(reset_cmd "$det" "$work/det-snap")
out=${BENCH_OUT:-target/bench-hooks.md}
mkdir -p "$(dirname "$out")"
hyperfine --warmup 20 --min-runs 200 --export-markdown "$out" \
  --prepare true -n "bash cat <<EOF reminder" "bash $work/reminder.sh < $work/prompt-1000.json" \
  --prepare true -n "Rust hello-world" "$work/hello-rust < $work/prompt-1000.json" \
  --prepare true -n "activator, 100 entries" "$bin/evolver-activator < $work/prompt-100.json" \
  --prepare true -n "activator, 1,000 entries" "$bin/evolver-activator < $work/prompt-1000.json" \
  --prepare true -n "activator, 10,000 entries" "$bin/evolver-activator < $work/prompt-10000.json" \
  --prepare true -n "activator, 100,000 entries" "$bin/evolver-activator < $work/prompt-100000.json" \
  --prepare true -n "activator, 1,000 entries, installed command" "$as_installed_activator" \
  --prepare true -n "activator, 1,000 entries, plugin's command" "$plugin_activator" \
  --prepare true -n "activator, 1,000 learnings + 10,000 errors" "$bin/evolver-activator < $work/prompt-errors.json" \
  --prepare true -n "detector, success" "$bin/evolver-error-detector < $work/success.json" \
  --prepare true -n "detector, success, installed command" "$as_installed_detector" \
  --prepare true -n "detector, success, plugin's command" "$plugin_detector" \
  --prepare true -n "detector, success, 10,000 entries" "$bin/evolver-error-detector < $work/success-10000.json" \
  --prepare "$use_skill" -n "detector, success right after a skill's use" "$bin/evolver-error-detector < $work/success-skill.json" \
  --prepare true -n "detector, Skill tool use" "$bin/evolver-error-detector < $work/skill-use.json" \
  --prepare "$reset" -n "detector, failure into 10,000 entries" "$bin/evolver-error-detector < $work/failure.json" \
  --prepare "$(reset_cmd "$work/rec-100" "$work/rec-100-snap")" -n "detector, recurrence into 100 entries" "$bin/evolver-error-detector < $work/recurrence-100.json" \
  --prepare "$(reset_cmd "$work/rec-10000" "$work/rec-10000-snap")" -n "detector, recurrence into 10,000 entries" "$bin/evolver-error-detector < $work/recurrence-10000.json" \
  --prepare "$reset" -n "detector, Codex failure, 20 MB transcript" "$bin/evolver-error-detector < $work/codex-20MB.json" \
  --prepare "$reset" -n "detector, Codex failure, 20 KB transcript" "$bin/evolver-error-detector < $work/codex-20KB.json"
cat "$out"
