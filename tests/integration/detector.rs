//! The error detector over the payloads captured from Claude Code 2.1.328 and Codex 0.169.0.

use serde_json::Value;

use crate::assert_text_snapshot;
use crate::harness::{DETECTOR, Project};

/// Every captured failure: (payload, exit code, header tail).
const FAILURES: &[(&str, i64, &str)] = &[
    ("claude-code-2.1.328/post-tool-use-failure-ls.json", 2, "ls"),
    (
        "claude-code-2.1.328/post-tool-use-failure-cargo.json",
        101,
        "cargo_build",
    ),
    (
        "claude-code-2.1.328/post-tool-use-failure-echo.json",
        1,
        "false",
    ),
    (
        "claude-code-2.1.328/post-tool-use-failure-nonexistent-command-xyz.json",
        127,
        "nonexistent_command_xyz",
    ),
    (
        "claude-code-2.1.328/post-tool-use-failure-printf.json",
        4,
        "printf",
    ),
    (
        "claude-code-2.1.328/post-tool-use-failure-python3.json",
        3,
        "python3",
    ),
    ("codex-0.169.0/post-tool-use-ls.json", 2, "ls"),
    ("codex-0.169.0/post-tool-use-cargo.json", 101, "cargo_build"),
    ("codex-0.169.0/post-tool-use-echo-2.json", 1, "false"),
    (
        "codex-0.169.0/post-tool-use-nonexistent-command-xyz.json",
        127,
        "nonexistent_command_xyz",
    ),
    ("codex-0.169.0/post-tool-use-printf.json", 4, "printf"),
    ("codex-0.169.0/post-tool-use-python3.json", 3, "python3"),
];

/// Every captured success, benign exit or other event.
const QUIET: &[&str] = &[
    "claude-code-2.1.328/post-tool-use-echo.json",
    "claude-code-2.1.328/post-tool-use-git.json",
    "claude-code-2.1.328/post-tool-use-grep.json",
    "claude-code-2.1.328/post-tool-use-skill.json",
    "claude-code-2.1.328/post-tool-use-skill-plugin.json",
    "claude-code-2.1.328/user-prompt-submit.json",
    "codex-0.169.0/post-tool-use-echo.json",
    "codex-0.169.0/post-tool-use-grep.json",
    "codex-0.169.0/user-prompt-submit.json",
];

/// The fake credentials the capture printed.
const SECRETS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
];

fn reply(out: &std::process::Output) -> Value {
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "one JSON line: {text}");
    serde_json::from_str(&text).expect("JSON reply")
}

#[test]
fn every_captured_failure_becomes_one_err_entry_with_its_exit_code() {
    let names: Vec<&str> = FAILURES.iter().map(|f| f.0).collect();
    assert_eq!(names.len(), 12);
    for &(payload, code, tail) in FAILURES {
        let p = Project::init();
        let input = p.payload(payload);
        let event = serde_json::from_str::<Value>(&input).unwrap()["hook_event_name"].clone();
        let out = p.hook(DETECTOR, &input);
        let reply = reply(&out);
        // Exactly the two keys both clients accept.
        let obj = reply.as_object().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>(), ["hookSpecificOutput"]);
        let inner = reply["hookSpecificOutput"].as_object().unwrap();
        assert_eq!(
            inner.keys().collect::<Vec<_>>(),
            ["hookEventName", "additionalContext"]
        );
        assert_eq!(inner["hookEventName"], event);
        let entries = p.entries();
        assert_eq!(entries.len(), 1, "{payload}: {entries:?}");
        let e = &entries[0];
        assert_eq!(e["kind"], "err");
        assert_eq!(e["tail"], tail, "{payload}");
        assert_eq!(e["status"], "pending");
        let summary = e["summary"].as_str().unwrap();
        assert!(
            summary.ends_with(&format!("exited with code {code}")),
            "{payload}: {summary}"
        );
        let key = e["pattern_key"].as_str().unwrap();
        let front = if tail == "cargo_build" {
            "cargo.build"
        } else {
            tail
        };
        let sig = key.strip_prefix(&format!("cmd.{front}.")).expect(key);
        assert!(
            sig.len() == 8 && sig.chars().all(|c| c.is_ascii_hexdigit()),
            "{key}"
        );
        assert_eq!(e["recurrence_count"], 1);
        let id = e["id"].as_str().unwrap();
        assert!(
            inner["additionalContext"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Logged {id} ")),
            "{reply}"
        );
        let text = p.read(".learnings/ERRORS.md");
        for needle in [
            "- Source: error-detector",
            "- Reproducible: unknown",
            "- Sessions: 1",
            "- Working directory: `.`",
        ] {
            assert!(text.contains(needle), "{payload}: no {needle:?}");
        }
        let agent = if payload.starts_with("codex") {
            "codex"
        } else {
            "claude-code"
        };
        assert!(text.contains(&format!("- Agent: {agent}")));
    }
}

#[test]
fn successes_benign_exits_and_other_events_write_nothing() {
    for &payload in QUIET {
        let p = Project::init();
        let before = p.tree();
        let out = p.hook(DETECTOR, p.payload(payload));
        assert!(out.status.success());
        assert!(out.stdout.is_empty(), "{payload}");
        assert!(out.stderr.is_empty(), "{payload}");
        assert_eq!(p.tree(), before, "{payload}");
    }
}

#[test]
fn no_captured_secret_reaches_a_file_or_the_reply() {
    let p = Project::init();
    let mut replies = String::new();
    for &(payload, ..) in FAILURES {
        let out = p.hook(DETECTOR, p.payload(payload));
        replies.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    let input = p.payload("claude-code-2.1.328/post-tool-use-failure-echo.json");
    assert!(
        SECRETS.iter().all(|s| input.contains(s)),
        "the fixture holds them"
    );
    for (name, bytes) in p.tree() {
        let text = String::from_utf8_lossy(&bytes);
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} in {name}");
        }
    }
    for secret in SECRETS {
        assert!(!replies.contains(secret), "{secret} in a reply");
    }
    let text = p.read(".learnings/ERRORS.md");
    assert!(text.contains("key=[REDACTED:aws_access_key_id] token=[REDACTED:github_token]"));
}

#[test]
fn the_fake_header_in_printf_output_stays_inside_its_fence() {
    for payload in [
        "claude-code-2.1.328/post-tool-use-failure-printf.json",
        "codex-0.169.0/post-tool-use-printf.json",
    ] {
        let p = Project::init();
        p.hook(DETECTOR, p.payload(payload));
        let ids: Vec<String> = p
            .entries()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), 1, "{ids:?}");
        assert!(ids[0].starts_with("ERR-") && !ids[0].starts_with("ERR-20990101"));
        p.fails(&["show", "ERR-20990101-001"], 1);
        let text = p.read(".learnings/ERRORS.md");
        assert!(
            text.contains("````\nline1\n```\n## [ERR-20990101-001] fake\n---\n````\n"),
            "{text}"
        );
        // A later entry still lands after it, whole.
        p.ok(&["log", "error", "--summary", "after"]);
        assert_eq!(p.entries().len(), 2);
    }
}

#[test]
fn snapshot_of_a_logged_failure() {
    let p = Project::init();
    let out = p.hook(
        DETECTOR,
        p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json"),
    );
    assert_text_snapshot!(p, String::from_utf8(out.stdout).unwrap());
    assert_text_snapshot!(p, p.read(".learnings/ERRORS.md"));
}

#[test]
fn long_output_is_cut_to_its_last_lines_and_bytes() {
    let p = Project::init();
    p.hook(
        DETECTOR,
        p.payload("claude-code-2.1.328/post-tool-use-failure-python3.json"),
    );
    let text = p.read(".learnings/ERRORS.md");
    let longest = text.lines().map(str::len).max().unwrap();
    assert!(longest <= 8 * 1024, "a line of {longest} bytes");
    assert!(text.contains("[… the start of this line was cut]"));
    let many: String = (1..=500).map(|i| format!("warning: step {i}\n")).collect();
    let input = p.failure("make all", &format!("Exit code 2\n{many}"));
    p.hook(DETECTOR, &input);
    let text = p.read(".learnings/ERRORS.md");
    assert!(text.contains("[… 440 earlier lines cut]\nwarning: step 441\n"));
    assert!(text.contains("warning: step 500\n"));
    assert!(!text.contains("warning: step 440\n"));
}

#[test]
fn a_recurrence_bumps_the_open_entry_and_counts_sessions() {
    let p = Project::init();
    let claude = p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json");
    let codex = p.payload("codex-0.169.0/post-tool-use-ls.json");
    p.hook(DETECTOR, &claude);
    let again = reply(&p.hook(DETECTOR, &claude));
    let context = again["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert!(
        context.contains("recurred") && context.contains("seen 2 times in 1 session)"),
        "{context}"
    );
    let third = reply(&p.hook(DETECTOR, &codex));
    let context = third["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert!(context.contains("seen 3 times in 2 sessions"), "{context}");
    let entries = p.entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["recurrence_count"], 3);
    assert!(p.read(".learnings/ERRORS.md").contains("- Sessions: 2\n"));

    // Once resolved, the same failure is news: a new entry, one step more urgent.
    let id = entries[0]["id"].as_str().unwrap().to_owned();
    p.ok(&["resolve", &id]);
    p.hook(DETECTOR, &claude);
    let entries = p.entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["priority"], "high");
    let shown = p.ok(&["show", entries[1]["id"].as_str().unwrap()]);
    assert!(shown.contains(&format!("- See Also: {id}")), "{shown}");
}

#[test]
fn the_benign_list_comes_from_config() {
    let p = Project::init();
    let grep = p.payload("codex-0.169.0/post-tool-use-grep.json");
    assert!(p.hook(DETECTOR, &grep).stdout.is_empty());
    p.write(".learnings/config.toml", "[detector]\nbenign = []\n");
    reply(&p.hook(DETECTOR, &grep));
    assert_eq!(p.entries()[0]["tail"], "grep");
}

#[test]
fn codex_exit_codes_come_from_the_output_when_it_states_them() {
    let p = Project::init();
    let mut input: Value =
        serde_json::from_str(&p.payload("codex-0.169.0/post-tool-use-ls.json")).unwrap();
    input["transcript_path"] = Value::Null;
    assert!(
        p.hook(DETECTOR, input.to_string()).stdout.is_empty(),
        "no code, no entry"
    );
    input["tool_response"] = "Process exited with code 2\nls: cannot access 'x'".into();
    reply(&p.hook(DETECTOR, input.to_string()));
    assert!(
        p.entries()[0]["summary"]
            .as_str()
            .unwrap()
            .ends_with("code 2")
    );
}

#[test]
fn an_interrupt_or_a_stray_folder_is_not_logged() {
    let p = Project::init();
    let mut input: Value =
        serde_json::from_str(&p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json"))
            .unwrap();
    input["is_interrupt"] = true.into();
    assert!(p.hook(DETECTOR, input.to_string()).stdout.is_empty());
    assert!(p.entries().is_empty());

    // A folder that is no project (no .learnings/, no .git) gets no log.
    let stray = tempfile::tempdir().unwrap();
    input["is_interrupt"] = false.into();
    input["cwd"] = stray.path().display().to_string().into();
    let out = p.hook(DETECTOR, input.to_string());
    assert!(out.stdout.is_empty());
    assert!(!stray.path().join(".learnings").exists());
}

#[test]
fn a_failure_to_start_has_no_exit_code_line() {
    let p = Project::init();
    let input = p.failure("./run.sh", "spawn /bin/sh ENOENT");
    reply(&p.hook(DETECTOR, &input));
    assert_eq!(p.entries()[0]["summary"], "`./run.sh` could not be started");
}

#[test]
fn evolver_disable_turns_the_hooks_off() {
    let p = Project::init();
    let before = p.tree();
    let input = p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json");
    let out = p.hook_with(DETECTOR, &input, &[("EVOLVER_DISABLE", "1")]);
    assert!(out.status.success() && out.stdout.is_empty() && out.stderr.is_empty());
    assert_eq!(p.tree(), before);
    let out = p.hook_with(
        crate::harness::ACTIVATOR,
        p.payload("claude-code-2.1.328/user-prompt-submit.json"),
        &[("EVOLVER_DISABLE", "1")],
    );
    assert!(out.status.success() && out.stdout.is_empty());
}

#[test]
fn a_log_it_cannot_read_costs_one_line_on_stderr_and_nothing_else() {
    let p = Project::init();
    p.write(".learnings/ERRORS.md", b"# Errors\n\xff\xfe not utf-8\n");
    let before = p.tree();
    let out = p.hook(
        DETECTOR,
        p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json"),
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("evolver-error-detector: ") && err.contains("not valid UTF-8"),
        "{err}"
    );
    assert_eq!(p.tree(), before);
}

#[test]
fn every_captured_payload_is_covered_above() {
    let mut listed: Vec<&str> = FAILURES
        .iter()
        .map(|f| f.0)
        .chain(QUIET.iter().copied())
        .collect();
    listed.sort_unstable();
    let mut found = Vec::new();
    for client in ["claude-code-2.1.328", "codex-0.169.0"] {
        let dir = crate::harness::fixture(&format!("payloads/{client}"));
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                found.push(format!("{client}/{name}"));
            }
        }
    }
    found.sort_unstable();
    assert_eq!(listed, found);
}

#[test]
fn a_lock_held_too_long_costs_the_entry_not_the_agent() {
    let p = Project::init();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(p.path(".learnings/.lock"))
        .unwrap();
    lock.lock().unwrap();
    let before = p.tree();
    let started = std::time::Instant::now();
    let out = p.hook(
        DETECTOR,
        p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json"),
    );
    let waited = started.elapsed();
    assert!(out.status.success() && out.stdout.is_empty());
    assert!(waited < std::time::Duration::from_secs(10), "{waited:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("stayed locked"), "{err}");
    assert_eq!(p.tree(), before);
    drop(lock);
    reply(&p.hook(
        DETECTOR,
        p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json"),
    ));
}

#[test]
fn regression_output_that_says_exit_code_does_not_outvote_codexs_transcript() {
    let p = Project::init();
    // call_1 is `echo hello`, recorded in the transcript with exit code 0.
    let mut input: Value =
        serde_json::from_str(&p.payload("codex-0.169.0/post-tool-use-echo.json")).unwrap();
    input["tool_response"] = "starting child\nProcess exited with code 3\nall good\n".into();
    assert!(p.hook(DETECTOR, input.to_string()).stdout.is_empty());
    assert!(p.entries().is_empty());
}

#[test]
fn regression_benign_exits_at_the_end_of_a_pipeline_or_inside_a_chain() {
    let p = Project::init();
    for command in ["ps aux | grep nginx-not-running", "[ -f .env ] && cat .env"] {
        let input = p.failure(command, "Exit code 1\n");
        assert!(p.hook(DETECTOR, &input).stdout.is_empty(), "{command}");
    }
    assert!(p.entries().is_empty());
}

#[test]
fn quote_heavy_output_is_logged() {
    let p = Project::init();
    let input = p.failure(
        "lint",
        &format!("Exit code 2\nerror {}", "'".repeat(200_000)),
    );
    reply(&p.hook(DETECTOR, &input));
    assert_eq!(p.entries().len(), 1);
}
