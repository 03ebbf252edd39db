//! A command that failed and now passes: the open ERR entry records the pass, and the agent
//! is asked once per session for the cause and the fix.

use serde_json::Value;

use crate::harness::{DETECTOR, Project};

fn success(command: &str, session: &str, cwd: &std::path::Path) -> String {
    serde_json::json!({
        "session_id": session, "cwd": cwd, "hook_event_name": "PostToolUse",
        "tool_name": "Bash", "tool_input": {"command": command},
        "tool_response": {"stdout": "ok", "stderr": "", "interrupted": false, "isImage": false},
        "tool_use_id": "toolu_9"
    })
    .to_string()
}

fn context(out: &std::process::Output) -> Option<String> {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    if text.is_empty() {
        return None;
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "PostToolUse");
    Some(
        v["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

fn failed(p: &Project, command: &str) -> String {
    let out = p.hook(
        DETECTOR,
        p.failure(command, "Exit code 101\nerror: could not compile `x`"),
    );
    assert!(out.status.success());
    let entries = p.entries();
    entries.last().unwrap()["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_pass_is_recorded_once_per_session_and_the_agent_is_asked_for_the_fix() {
    let p = Project::init();
    let id = failed(&p, "cargo test -p parser");
    let root = p.root().to_owned();
    let nudge =
        context(&p.hook(DETECTOR, success("cargo test -p parser", "s1", &root))).expect("a nudge");
    assert!(nudge.contains(&format!("failed before ({id})")), "{nudge}");
    assert!(
        nudge.contains(&format!("`evolver resolve {id} --notes")),
        "{nudge}"
    );
    assert!(
        nudge.starts_with("`cargo test -p parser` passes now"),
        "{nudge}"
    );
    let shown = p.ok(&["show", &id]);
    assert!(shown.contains("- Passed-After-Failure: "), "{shown}");
    assert!(shown.contains("- Pass-Count: 1\n"), "{shown}");
    // The same session again: nothing said, nothing written.
    let before = p.tree();
    let again = p.hook(DETECTOR, success("cargo test -p parser", "s1", &root));
    assert_eq!(context(&again), None);
    assert_eq!(p.tree(), before);
    // Another session is told once too.
    let other = context(&p.hook(DETECTOR, success("cargo test", "s2", &root)));
    assert!(other.is_some_and(|c| c.contains(&id)));
    assert!(p.ok(&["show", &id]).contains("- Pass-Count: 2\n"));
    let events = p.read(".learnings/events.jsonl");
    assert_eq!(
        events.matches("\"passed_after_failure\"").count(),
        2,
        "{events}"
    );
    let review = p.ok(&["review"]);
    assert!(
        review.contains("Failures that pass now") && review.contains(&id),
        "{review}"
    );
    p.ok(&["resolve", &id, "--notes", "a missing feature flag"]);
    assert!(!p.ok(&["review"]).contains("Failures that pass now"));
}

#[test]
fn another_command_another_folder_or_a_closed_failure_writes_nothing() {
    let p = Project::init();
    let id = failed(&p, "cargo test -p parser");
    std::fs::create_dir(p.path("sub")).unwrap();
    let before = p.tree();
    let root = p.root().to_owned();
    for (command, cwd) in [
        ("echo hello", root.clone()),
        ("cargo build", root.clone()),
        ("cargo test -p parser", root.join("sub")),
    ] {
        let out = p.hook(DETECTOR, success(command, "s1", &cwd));
        assert!(out.status.success() && out.stdout.is_empty(), "{command}");
        assert_eq!(p.tree(), before, "{command} in {}", cwd.display());
    }
    p.ok(&["resolve", &id, "--notes", "fixed"]);
    let before = p.tree();
    let out = p.hook(DETECTOR, success("cargo test -p parser", "s1", &root));
    assert!(out.stdout.is_empty());
    assert_eq!(p.tree(), before);
}

#[test]
fn without_an_index_the_pass_is_found_in_the_log_and_the_index_made_anew() {
    let p = Project::init();
    let id = failed(&p, "npm run build");
    std::fs::remove_dir_all(p.path(".learnings/.index")).unwrap();
    let root = p.root().to_owned();
    let nudge = context(&p.hook(DETECTOR, success("npm run build", "s1", &root)));
    assert!(nudge.is_some_and(|n| n.contains(&id)));
    assert!(p.path(".learnings/.index/ERRORS.md.idx").exists());
    // A hand edit makes the index stale; the pass is still found, through the log.
    let log = p.read(".learnings/ERRORS.md");
    p.write(
        ".learnings/ERRORS.md",
        log.replace("**Priority**: medium", "**Priority**: high  "),
    );
    let nudge = context(&p.hook(DETECTOR, success("npm run build", "s2", &root)));
    assert!(nudge.is_some_and(|n| n.contains(&id)));
    assert!(p.ok(&["show", &id]).contains("- Pass-Count: 2\n"));
}

#[test]
fn codex_passes_come_from_the_exit_code_in_its_transcript() {
    let p = Project::init();
    // The captured failing `ls`, then the captured `echo`'s success (exit 0 in the
    // transcript) with the `ls` command line.
    let out = p.hook(DETECTOR, p.payload("codex-0.169.0/post-tool-use-ls.json"));
    assert!(out.status.success());
    let id = p.entries()[0]["id"].as_str().unwrap().to_owned();
    let mut pass: Value =
        serde_json::from_str(&p.payload("codex-0.169.0/post-tool-use-echo.json")).unwrap();
    pass["tool_input"]["command"] = "ls /definitely-missing-dir-xyz".into();
    let out = p.hook(DETECTOR, pass.to_string());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("failed before ({id})")), "{text}");
    assert!(p.ok(&["show", &id]).contains("- Pass-Count: 1\n"));
}

#[test]
fn a_program_without_a_subcommand_passes_only_as_the_same_command_line() {
    let p = Project::init();
    let out = p.hook(
        DETECTOR,
        p.failure(
            "cat missing.txt",
            "Exit code 1\ncat: missing.txt: No such file or directory",
        ),
    );
    assert!(out.status.success());
    let id = p.entries()[0]["id"].as_str().unwrap().to_owned();
    let root = p.root().to_owned();
    let before = p.tree();
    let other = p.hook(DETECTOR, success("cat README.md", "s1", &root));
    assert!(other.stdout.is_empty());
    assert_eq!(p.tree(), before);
    let same = context(&p.hook(DETECTOR, success("cat  missing.txt", "s1", &root)));
    assert!(same.is_some_and(|c| c.contains(&id)));
}

#[test]
fn with_duplicate_ids_the_pass_goes_to_the_newest_open_failure_and_nothing_else_changes() {
    let p = Project::init();
    failed(&p, "cargo test -p parser");
    let log = p.read(".learnings/ERRORS.md");
    let start = log.find("\n## [ERR-").unwrap() + 1;
    let entry = &log[start..];
    // The same entry twice, the first resolved: a merge made without care.
    let resolved = entry.replacen("**Status**: pending", "**Status**: resolved", 1);
    p.write(
        ".learnings/ERRORS.md",
        format!("{}{resolved}{entry}", &log[..start]),
    );
    std::fs::remove_dir_all(p.path(".learnings/.index")).unwrap();
    let first = resolved.clone();
    let root = p.root().to_owned();
    let nudge = context(&p.hook(DETECTOR, success("cargo test", "s1", &root)));
    assert!(nudge.is_some());
    let after = p.read(".learnings/ERRORS.md");
    assert!(
        after[start..].starts_with(&first),
        "the resolved copy is untouched"
    );
    assert_eq!(after.matches("- Pass-Count: 1").count(), 1, "{after}");
    let newest = &after[after.rfind("## [ERR-").unwrap()..];
    assert!(newest.contains("- Pass-Count: 1\n"), "{after}");
}

#[test]
fn review_drops_a_failure_that_failed_again_after_its_pass() {
    let p = Project::init();
    let id = failed(&p, "cargo test -p parser");
    let root = p.root().to_owned();
    p.hook(DETECTOR, success("cargo test", "s1", &root));
    let log = p.read(".learnings/ERRORS.md");
    // Passed on the 1st, failed again on the 2nd.
    let edited = log
        .replace(
            &format!(
                "- Passed-After-Failure: {}",
                chrono::Utc::now().format("%Y-%m-%d")
            ),
            "- Passed-After-Failure: 2026-01-01",
        )
        .replace(
            &format!("- Last-Seen: {}", chrono::Utc::now().format("%Y-%m-%d")),
            "- Last-Seen: 2026-01-02",
        );
    p.write(".learnings/ERRORS.md", edited);
    let review = p.ok(&["review"]);
    assert!(!review.contains(&id), "{review}");
}
