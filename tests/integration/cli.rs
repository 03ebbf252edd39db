//! `evolver` as a user sees it: every command's output, snapshotted.

use crate::assert_text_snapshot;
use crate::harness::Project;

fn log_three(p: &Project) {
    p.ok(&[
        "log",
        "learning",
        "--summary",
        "Use fs-err for errors that name the path",
        "--category",
        "best_practice",
        "--priority",
        "high",
        "--area",
        "backend",
        "--details",
        "std::fs errors lose the path.",
        "--action",
        "Depend on fs-err.",
        "--tags",
        "errors, io",
        "--pattern-key",
        "io.error_paths",
    ]);
    p.ok(&[
        "log",
        "error",
        "--summary",
        "`cargo test` exited with code 101",
        "--name",
        "cargo test",
        "--details",
        "thread 'main' panicked at src/lib.rs:3:5",
    ]);
    p.ok(&[
        "log",
        "feature",
        "--summary",
        "Export lessons as JSON",
        "--complexity",
        "simple",
        "--details",
        "Wanted for a dashboard",
    ]);
}

#[test]
fn init_creates_the_three_logs_with_their_exact_headers() {
    let p = Project::new();
    assert_text_snapshot!(p, p.ok(&["init"]));
    assert_eq!(
        p.read(".learnings/ERRORS.md"),
        "# Errors\n\nCommand failures and integration errors.\n\n---\n"
    );
    assert_eq!(
        p.read(".learnings/FEATURE_REQUESTS.md"),
        "# Feature Requests\n\nCapabilities requested by the user.\n\n---\n"
    );
    assert_eq!(
        p.read(".learnings/LEARNINGS.md"),
        "# Learnings\n\nCorrections, insights, and knowledge gaps captured during development.\n\n**Categories**: correction | insight | knowledge_gap | best_practice\n\n---\n"
    );
    // A second init leaves existing files alone.
    p.write(".learnings/ERRORS.md", "# mine\n");
    assert_text_snapshot!(p, p.ok(&["init"]));
    assert_eq!(p.read(".learnings/ERRORS.md"), "# mine\n");
}

#[test]
fn log_writes_the_canonical_shape() {
    let p = Project::init();
    log_three(&p);
    assert_text_snapshot!(p, p.read(".learnings/LEARNINGS.md"));
    assert_text_snapshot!(p, p.read(".learnings/ERRORS.md"));
    assert_text_snapshot!(p, p.read(".learnings/FEATURE_REQUESTS.md"));
}

#[test]
fn log_prints_the_id_and_creates_the_logs_when_missing() {
    let p = Project::new();
    let id = p.ok(&["log", "learning", "--summary", "x"]);
    assert!(
        regex::Regex::new(r"^LRN-\d{8}-001\n$")
            .unwrap()
            .is_match(&id),
        "{id}"
    );
    assert!(
        p.read(".learnings/LEARNINGS.md")
            .starts_with("# Learnings\n")
    );
}

#[test]
fn a_pattern_key_logged_again_bumps_the_open_entry() {
    let p = Project::init();
    let args = [
        "log",
        "learning",
        "--summary",
        "Pin tool versions",
        "--pattern-key",
        "ci.pin_versions",
    ];
    let first = p.ok(&args);
    let out = p.run(&args);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), first);
    assert_text_snapshot!(p, String::from_utf8_lossy(&out.stderr));
    assert!(
        p.read(".learnings/LEARNINGS.md")
            .contains("- Recurrence-Count: 2\n")
    );
}

#[test]
fn list_text_and_json() {
    let p = Project::init();
    log_three(&p);
    assert_text_snapshot!(p, p.ok(&["list"]));
    assert_text_snapshot!(p, p.ok(&["list", "--json"]));
    assert_text_snapshot!(p, p.ok(&["list", "--kind", "err"]));
    let json: serde_json::Value =
        serde_json::from_str(&p.ok(&["list", "--status", "PENDING", "--json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert_eq!(p.ok(&["list", "--status", "resolved"]), "");
}

#[test]
fn list_reports_the_header_line_of_each_entry() {
    let p = Project::init();
    log_three(&p);
    let json: serde_json::Value = serde_json::from_str(&p.ok(&["list", "--json"])).unwrap();
    for e in json.as_array().unwrap() {
        let file = p.read(e["file"].as_str().unwrap());
        let line = file
            .lines()
            .nth(e["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        assert!(
            line.starts_with(&format!("## [{}]", e["id"].as_str().unwrap())),
            "{line}"
        );
    }
}

#[test]
fn show_prints_the_entry_as_it_is_in_the_file() {
    let p = Project::init();
    log_three(&p);
    let id = p.ok(&["list", "--kind", "err", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&id).unwrap();
    let id = json[0]["id"].as_str().unwrap();
    let shown = p.ok(&["show", id]);
    let file = p.read(".learnings/ERRORS.md");
    assert!(file.ends_with(&shown));
    assert!(shown.starts_with(&format!("## [{id}] cargo_test\n")));
}

#[test]
fn status_counts_and_says_what_needs_attention() {
    let p = Project::new();
    assert_text_snapshot!(p, p.ok(&["status"]));
    p.ok(&["init"]);
    log_three(&p);
    for _ in 0..2 {
        p.ok(&[
            "log",
            "learning",
            "--summary",
            "Use fs-err",
            "--pattern-key",
            "io.error_paths",
        ]);
    }
    assert_text_snapshot!(p, p.ok(&["status"]));
}

#[test]
fn resolve_sets_the_status_and_adds_a_resolution_block() {
    let p = Project::init();
    log_three(&p);
    let before = p.read(".learnings/LEARNINGS.md");
    let json: serde_json::Value =
        serde_json::from_str(&p.ok(&["list", "--kind", "lrn", "--json"])).unwrap();
    let id = json[0]["id"].as_str().unwrap().to_owned();
    assert_text_snapshot!(
        p,
        p.ok(&[
            "resolve",
            &id,
            "--commit",
            "abc1234",
            "--notes",
            "switched to fs-err"
        ])
    );
    let after = p.read(".learnings/LEARNINGS.md");
    assert_text_snapshot!(p, after);
    // Only the status line changed and the Resolution block was added.
    let block = regex::Regex::new(r"### Resolution\n(- .*\n)+\n").unwrap();
    assert_eq!(
        block
            .replace(&after, "")
            .replacen("**Status**: resolved", "**Status**: pending", 1),
        before
    );
    p.ok(&["resolve", &id, "--status", "in_progress"]);
    assert!(
        p.read(".learnings/LEARNINGS.md")
            .contains("**Status**: in_progress")
    );
}

#[test]
fn resolve_refuses_promoted_entries_and_stray_flags() {
    let p = Project::init();
    p.write(
        ".learnings/LEARNINGS.md",
        "# Learnings\n\n## [LRN-20260101-001] insight\n\n**Status**: promoted\n\n---\n",
    );
    let err = p.fails(&["resolve", "LRN-20260101-001", "--status", "pending"], 1);
    assert_text_snapshot!(p, err);
    let err = p.fails(
        &[
            "resolve",
            "LRN-20260101-001",
            "--status",
            "pending",
            "--notes",
            "x",
        ],
        2,
    );
    assert_text_snapshot!(p, err);
    let err = p.fails(&["resolve", "LRN-20260101-001", "--status", "promoted"], 2);
    assert!(err.contains("invalid value 'promoted'"), "{err}");
}

#[test]
fn unknown_and_malformed_ids_are_clear_errors() {
    let p = Project::init();
    let before = p.snapshot_files();
    assert_text_snapshot!(p, p.fails(&["show", "LRN-20260101-404"], 1));
    assert_text_snapshot!(p, p.fails(&["resolve", "ERR-20260101-404"], 1));
    assert_text_snapshot!(p, p.fails(&["show", "not-an-id"], 2));
    assert_eq!(p.snapshot_files(), before);
}

#[test]
fn resolve_without_learnings_creates_nothing() {
    let p = Project::new();
    p.fails(&["resolve", "LRN-20260101-001"], 1);
    assert!(!p.path(".learnings").exists());
}

#[test]
fn duplicate_ids_are_refused_for_edits() {
    let p = Project::init();
    let text = "# Errors\n\n## [ERR-20260101-001] a\n**Status**: pending\n---\n\n## [ERR-20260101-001] b\n**Status**: pending\n---\n";
    p.write(".learnings/ERRORS.md", text);
    assert_text_snapshot!(p, p.fails(&["resolve", "ERR-20260101-001"], 1));
    assert_eq!(p.read(".learnings/ERRORS.md"), text);
    // show prints both copies, as they are.
    assert_eq!(
        p.ok(&["show", "ERR-20260101-001"]),
        text["# Errors\n\n".len()..]
    );
}

#[test]
fn every_command_has_help_and_usage_errors_exit_2() {
    let p = Project::new();
    for cmd in ["init", "log", "list", "show", "status", "resolve"] {
        let help = p.ok(&[cmd, "--help"]);
        assert!(help.contains("Usage: evolver"), "{cmd}: {help}");
    }
    assert_text_snapshot!(p, p.ok(&["--help"]));
    p.fails(&["frobnicate"], 2);
    p.fails(&["log", "learning"], 2);
    p.fails(&["log", "learning", "--summary", "x", "--name", "y"], 2);
    p.fails(
        &["log", "error", "--summary", "x", "--category", "insight"],
        2,
    );
    p.fails(&["log", "learning", "--summary", "  "], 2);
}

#[test]
fn the_root_is_found_from_a_subdirectory_and_moved_by_evolver_root() {
    let p = Project::init();
    std::fs::create_dir_all(p.path("src/deep")).unwrap();
    let out = p
        .command(&["log", "learning", "--summary", "from below"])
        .current_dir(p.path("src/deep"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(p.read(".learnings/LEARNINGS.md").contains("from below"));
    assert!(!p.path("src/deep/.learnings").exists());

    let other = Project::new();
    let out = p
        .command(&["log", "learning", "--summary", "elsewhere"])
        .env("EVOLVER_ROOT", other.root())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(other.read(".learnings/LEARNINGS.md").contains("elsewhere"));
}

#[test]
fn resolve_keeps_text_hidden_in_an_unclosed_comment() {
    let p = Project::init();
    let text = "# Learnings\n\n## [LRN-20260101-001] x\n**Status**: pending\n\n### Resolution\n<!-- draft\n\n## [LRN-20260101-002] hidden\n";
    p.write(".learnings/LEARNINGS.md", text);
    p.ok(&["resolve", "LRN-20260101-001", "--notes", "done"]);
    let after = p.read(".learnings/LEARNINGS.md");
    assert!(
        after.ends_with("### Resolution\n<!-- draft\n\n## [LRN-20260101-002] hidden\n"),
        "{after}"
    );
    assert!(after.contains("**Status**: resolved\n\n### Resolution\n- **Resolved**: "));
    assert_eq!(
        evolver::Document::parse(after.into_bytes()).entries().len(),
        1
    );
}
