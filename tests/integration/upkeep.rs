//! `evolver review`, `evolver ingest simplify-and-harden` and `evolver doctor`.

use crate::harness::{DETECTOR, Project};

fn pass(p: &Project, summary: &str, tags: &str) -> String {
    let id = p.ok(&[
        "log",
        "learning",
        "--summary",
        summary,
        "--action",
        "Do it",
        "--tags",
        tags,
    ]);
    let id = id.trim().to_owned();
    p.ok(&[
        "spec",
        &id,
        "--json",
        r#"{"expected": {"valid_json": true}}"#,
    ]);
    p.write("r.json", r#"{"valid_json": true}"#);
    p.ok(&["verify", &id, "--result", "r.json"]);
    id
}

#[test]
fn review_lists_what_is_ready_to_move() {
    let p = Project::init();
    assert_eq!(p.ok(&["review"]).trim(), "nothing is ready to move");
    let ready = pass(&p, "verified lesson", "json");
    let skill = p.ok(&[
        "log",
        "learning",
        "--summary",
        "worth a skill",
        "--tags",
        "skill, docs",
    ]);
    // A failure seen three times in two sessions, today.
    let ls = p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json");
    p.hook(DETECTOR, &ls);
    p.hook(DETECTOR, &ls);
    p.hook(DETECTOR, p.payload("codex-0.169.0/post-tool-use-ls.json"));
    let err = p.entries().iter().find(|e| e["kind"] == "err").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = p.ok(&["review"]);
    let section = |title: &str| -> String {
        out.split(title)
            .nth(1)
            .unwrap_or("")
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(section("PASS receipt").contains(&ready), "{out}");
    assert!(
        section("Recurring").contains(&format!("{err}  ×3 in 2 sessions")),
        "{out}"
    );
    assert!(section("fit for a skill").contains(skill.trim()), "{out}");
    // An INDETERMINATE verification is held for review.
    let held = p
        .ok(&["log", "learning", "--summary", "cannot tell yet"])
        .trim()
        .to_owned();
    p.ok(&["spec", &held, "--json", r#"{"expected": {"exit_code": 0}}"#]);
    p.run(&["verify", &held]);
    let out = p.ok(&["review"]);
    assert!(
        out.split("Held INDETERMINATE")
            .nth(1)
            .unwrap_or("")
            .contains(&held),
        "{out}"
    );
    // Promoted, it is no longer waiting.
    p.ok(&["promote", &ready, "--to", "AGENTS.md"]);
    assert!(!p.ok(&["review"]).contains(&ready));
}

#[test]
fn ingest_creates_and_bumps_learnings_by_pattern_key() {
    let p = Project::init();
    p.write(
        "summary.json",
        r#"{"simplify_and_harden": {"learning_loop": {"candidates": [
            {"pattern_key": "harden.input_validation", "summary": "Validate input at the edge", "tags": ["security"]},
            {"pattern_key": "simplify.dead_flags", "summary": "Remove flags nobody sets"},
            {"summary": "no key"}
        ]}}}"#,
    );
    let out = p.ok(&["ingest", "simplify-and-harden", "summary.json"]);
    assert_eq!(
        out.lines().filter(|l| l.contains(" created (")).count(),
        2,
        "{out}"
    );
    assert!(out.contains("candidate 3: no pattern_key, skipped"));
    let again = p.ok(&["ingest", "simplify-and-harden", "summary.json"]);
    assert!(
        again.contains("seen again (harden.input_validation, ×2)"),
        "{again}"
    );
    let entries = p.entries();
    assert_eq!(entries.len(), 2);
    let shown = p.ok(&["show", entries[0]["id"].as_str().unwrap()]);
    for needle in [
        "- Source: simplify-and-harden",
        "- Pattern-Key: harden.input_validation",
        "- Recurrence-Count: 2",
        "- First-Seen: ",
        "- Last-Seen: ",
        "- Tags: security",
    ] {
        assert!(shown.contains(needle), "{needle} in {shown}");
    }
    p.write("bad.json", "{}");
    let err = p.fails(&["ingest", "simplify-and-harden", "bad.json"], 2);
    assert!(err.contains("learning_loop.candidates"), "{err}");
}

#[test]
fn doctor_finds_what_came_apart_and_fixes_what_it_safely_can() {
    let p = Project::init();
    assert_eq!(p.ok(&["doctor"]).trim(), "no problems found");
    let promoted = pass(&p, "promoted one", "x");
    p.ok(&["promote", &promoted, "--to", "CLAUDE.md"]);
    let other = pass(&p, "receipt edited", "x");
    // The block vanishes from CLAUDE.md and turns up, orphaned, in SOUL.md.
    let block = p.read("CLAUDE.md");
    p.write("CLAUDE.md", "# memory\n");
    p.write("SOUL.md", &block);
    let rid = p
        .ok(&["show", &other])
        .lines()
        .find_map(|l| l.strip_prefix("**Receipt ID**: ").map(str::to_owned))
        .unwrap();
    let path = format!(
        ".learnings/receipts/{}.json",
        rid.trim_start_matches("sha256:")
    );
    p.write(&path, p.read(&path).replace("\"local\"", "\"someone\""));
    let log = p.read(".learnings/LEARNINGS.md");
    p.write(
        ".learnings/LEARNINGS.md",
        format!("{log}\n## [{other}] insight\n\nduplicate\n"),
    );
    let out = p.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        &format!("{promoted} is promoted but its block is missing from CLAUDE.md"),
        &format!("SOUL.md holds a block for {promoted}, which is not promoted there"),
        &format!("receipt {rid} does not recompute"),
        &format!("{other} appears 2 times (LEARNINGS.md line"),
    ] {
        assert!(text.contains(needle.as_str()), "{needle} in\n{text}");
    }
    let fixed = p.ok(&["doctor", "--fix"]);
    assert!(
        fixed.contains(&format!("fixed: {promoted} is pending again")),
        "{fixed}"
    );
    assert!(p.ok(&["show", &promoted]).contains("**Status**: pending"));
}
