//! `evolver promote` and `evolver rollback` (SPEC 6.4, 6.5): the gate holds against every way
//! around it, and a rollback removes exactly what promotion added.

use crate::harness::Project;

const SPEC: &str = r#"{"expected": {"valid_json": true, "matches_schema": true}}"#;
const THEIRS: &str = "# Project memory\n\nKeep answers short.\n";

/// A learning with a spec, verified with `result` as its observations.
fn verified(p: &Project, result: &str) -> String {
    let id = p.ok(&[
        "log",
        "learning",
        "--summary",
        "Check JSON",
        "--action",
        "Validate every response against its schema",
    ]);
    let id = id.trim().to_owned();
    p.ok(&["spec", &id, "--json", SPEC]);
    p.write("result.json", result);
    p.run(&["verify", &id, "--result", "result.json"]);
    id
}

fn refused(p: &Project, id: &str, needle: &str) {
    let before = p.tree();
    let err = p.fails(&["promote", id, "--to", "CLAUDE.md"], 1);
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(p.tree(), before, "nothing changed");
}

#[test]
fn the_seed_example_is_promoted_with_its_receipt_in_the_block_and_rolled_back_exactly() {
    let p = Project::init();
    p.write("CLAUDE.md", THEIRS);
    let id = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    let shown = p.ok(&["show", &id]);
    let receipt = shown
        .lines()
        .find_map(|l| l.strip_prefix("**Receipt ID**: "))
        .unwrap()
        .to_owned();
    p.ok(&["promote", &id, "--to", "CLAUDE.md"]);
    let memory = p.read("CLAUDE.md");
    assert_eq!(
        memory,
        format!(
            "{THEIRS}\n<!-- evolver:{id} receipt={receipt} -->\n- Validate every response against its schema\n<!-- /evolver:{id} -->\n"
        )
    );
    let shown = p.ok(&["show", &id]);
    assert!(
        shown.contains("**Status**: promoted") && shown.contains("**Promoted**: CLAUDE.md"),
        "{shown}"
    );
    let err = p.fails(&["promote", &id, "--to", "CLAUDE.md"], 1);
    assert!(err.contains("already promoted"), "{err}");

    p.ok(&["rollback", &id, "--reason", "superseded"]);
    assert_eq!(p.read("CLAUDE.md"), THEIRS, "exactly the block is gone");
    let shown = p.ok(&["show", &id]);
    assert!(
        shown.contains("**Status**: pending") && shown.contains("**Verified**: false"),
        "{shown}"
    );
    assert!(
        shown.contains("rolled back (") && shown.contains("superseded"),
        "{shown}"
    );
    assert!(p.ok(&["audit"]).starts_with("ok: "));
}

#[test]
fn a_block_edited_by_hand_is_kept_unless_forced() {
    let p = Project::init();
    let id = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    p.ok(&[
        "promote",
        &id,
        "--to",
        "AGENTS.md",
        "--rule",
        "Validate responses",
    ]);
    let edited = p
        .read("AGENTS.md")
        .replace("Validate responses", "Validate responses, always");
    p.write("AGENTS.md", &edited);
    let err = p.fails(&["rollback", &id], 1);
    assert!(
        err.contains("edited after promotion") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(p.read("AGENTS.md"), edited);
    p.ok(&["rollback", &id, "--force"]);
    assert!(!p.read("AGENTS.md").contains("evolver:"));
}

#[test]
fn the_gate_refuses_without_a_pass_that_still_holds() {
    let p = Project::init();
    p.write("CLAUDE.md", THEIRS);
    // No receipt at all.
    let id = p.ok(&[
        "log",
        "learning",
        "--summary",
        "unverified",
        "--action",
        "x",
    ]);
    refused(&p, id.trim(), "no PASS receipt; run `evolver verify");
    // FAIL and INDETERMINATE: refused as they are, and with Verified edited to true.
    let fail = verified(&p, r#"{"valid_json": false, "matches_schema": true}"#);
    refused(&p, &fail, "is not verified");
    lie_verified(&p, &fail);
    refused(&p, &fail, "says FAIL, not PASS");
    let held = verified(&p, r#"{"valid_json": true}"#);
    lie_verified(&p, &held);
    refused(&p, &held, "says INDETERMINATE, not PASS");
    // A spec edited after its PASS.
    let edited = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    let log = p.read(".learnings/LEARNINGS.md");
    let at = log.find(&format!("[{edited}]")).unwrap();
    let (head, tail) = log.split_at(at);
    p.write(
        ".learnings/LEARNINGS.md",
        format!(
            "{head}{}",
            tail.replacen("\"matches_schema\": true", "\"matches_schema\": false", 1)
        ),
    );
    refused(&p, &edited, "changed after its PASS");
    // A receipt file edited, or another entry's receipt named.
    let fail2 = verified(&p, r#"{"valid_json": false, "matches_schema": true}"#);
    lie_verified(&p, &fail2);
    let rid = receipt_of(&p, &fail2);
    let path = format!(
        ".learnings/receipts/{}.json",
        rid.trim_start_matches("sha256:")
    );
    p.write(&path, p.read(&path).replace("\"FAIL\"", "\"PASS\""));
    refused(&p, &fail2, "does not recompute");
    let good = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    let good_rid = receipt_of(&p, &good);
    let log = p.read(".learnings/LEARNINGS.md");
    p.write(".learnings/LEARNINGS.md", log.replacen(&rid, &good_rid, 1));
    refused(&p, &fail2, "is not the latest `evolver verify` issued");
    // An old PASS named again after a later FAIL.
    let stale = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    let pass_rid = receipt_of(&p, &stale);
    p.write(
        "result.json",
        r#"{"valid_json": false, "matches_schema": true}"#,
    );
    p.run(&["verify", &stale, "--result", "result.json"]);
    let fail_rid = receipt_of(&p, &stale);
    let log = p.read(".learnings/LEARNINGS.md");
    p.write(
        ".learnings/LEARNINGS.md",
        log.replacen(&fail_rid, &pass_rid, 1),
    );
    lie_verified(&p, &stale);
    refused(&p, &stale, "is not the latest `evolver verify` issued");
    // A receipt forged whole: PASS, this entry, this spec, an id that recomputes.
    let mut forged: serde_json::Value = serde_json::from_str(&p.read(&path)).unwrap();
    forged["entry_id"] = fail2.clone().into();
    forged["verdict"] = "PASS".into();
    forged["observed"] = serde_json::json!({"valid_json": true, "matches_schema": true});
    forged["reasons"] = serde_json::json!([]);
    let forged_id = evolver::verify::receipt_id(&forged);
    forged["receipt_id"] = forged_id.clone().into();
    p.write(
        &format!(
            ".learnings/receipts/{}.json",
            forged_id.trim_start_matches("sha256:")
        ),
        forged.to_string(),
    );
    let log = p.read(".learnings/LEARNINGS.md");
    p.write(
        ".learnings/LEARNINGS.md",
        log.replacen(&good_rid, &forged_id, 1),
    );
    refused(&p, &fail2, "is not the latest `evolver verify` issued");
}

/// The entry's Receipt ID.
fn receipt_of(p: &Project, id: &str) -> String {
    p.ok(&["show", id])
        .lines()
        .find_map(|l| l.strip_prefix("**Receipt ID**: ").map(str::to_owned))
        .unwrap()
}

/// Edits the entry's `**Verified**` to true by hand, as an agent taking a shortcut would.
fn lie_verified(p: &Project, id: &str) {
    let log = p.read(".learnings/LEARNINGS.md");
    let at = log.find(&format!("## [{id}]")).unwrap();
    let (head, tail) = log.split_at(at);
    p.write(
        ".learnings/LEARNINGS.md",
        format!(
            "{head}{}",
            tail.replacen("**Verified**: false", "**Verified**: true", 1)
        ),
    );
}

#[test]
fn the_gate_refuses_when_the_audit_chain_does_not_verify() {
    let p = Project::init();
    let id = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    let chain = p.read(".learnings/events.jsonl");
    // Edit the first event's time: its hash no longer covers its bytes.
    let edited = chain.replacen("\"ts\":\"2", "\"ts\":\"1", 1);
    assert_ne!(edited, chain);
    p.write(".learnings/events.jsonl", &edited);
    refused(
        &p,
        &id,
        "the audit chain does not verify (events.jsonl line 1",
    );
}

#[test]
fn a_target_that_cannot_be_read_is_left_as_it_is() {
    let p = Project::init();
    let id = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    let theirs = b"# Memory\n\xff\xfe not UTF-8\n";
    p.write("CLAUDE.md", theirs);
    let err = p.fails(&["promote", &id, "--to", "CLAUDE.md"], 1);
    assert!(err.contains("CLAUDE.md"), "{err}");
    assert_eq!(std::fs::read(p.path("CLAUDE.md")).unwrap(), theirs);
    assert!(p.ok(&["show", &id]).contains("**Status**: resolved"));
}

#[test]
fn a_target_that_leads_outside_the_project_is_refused() {
    let p = Project::init();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path().join("CLAUDE.md"), p.path("CLAUDE.md")).unwrap();
    let id = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    refused(&p, &id, "outside the project's memory files");
    assert!(!outside.path().join("CLAUDE.md").exists());
    let err = p.fails(&["promote", &id, "--to", "../x.md"], 2);
    assert!(err.contains("unknown target"), "{err}");
}

#[test]
fn a_promoted_entry_that_fails_verification_is_rolled_back_at_the_threshold() {
    for threshold in [1, 2] {
        let p = Project::init();
        p.write(
            ".learnings/config.toml",
            format!("rollback_threshold = {threshold}\n"),
        );
        p.write("TOOLS.md", THEIRS);
        let id = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
        p.ok(&["promote", &id, "--to", "TOOLS.md"]);
        p.write(
            "result.json",
            r#"{"valid_json": false, "matches_schema": true}"#,
        );
        let first = p.run(&["verify", &id, "--result", "result.json"]);
        let first = String::from_utf8(first.stdout).unwrap();
        if threshold == 2 {
            assert!(!first.contains("rolled back"), "{first}");
            assert!(p.read("TOOLS.md").contains("evolver:"));
            let second = p.run(&["verify", &id, "--result", "result.json"]);
            assert!(
                String::from_utf8(second.stdout)
                    .unwrap()
                    .contains("rolled back from TOOLS.md")
            );
        } else {
            assert!(first.contains("rolled back from TOOLS.md"), "{first}");
        }
        assert_eq!(p.read("TOOLS.md"), THEIRS);
        assert!(p.ok(&["show", &id]).contains("**Status**: pending"));
    }
}

#[test]
fn regression_found_in_review_of_promotion() {
    // A target linked into the store itself.
    let p = Project::init();
    std::os::unix::fs::symlink(".learnings/events.jsonl", p.path("TOOLS.md")).unwrap();
    let id = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    let err = p.fails(&["promote", &id, "--to", "TOOLS.md"], 1);
    assert!(err.contains("outside the project's memory files"), "{err}");
    assert!(p.ok(&["audit"]).starts_with("ok: "));

    // A refused rollback changes nothing; a file without a final newline comes back exact.
    p.write("CLAUDE.md", "# no final newline");
    p.ok(&["promote", &id, "--to", "CLAUDE.md"]);
    p.ok(&["promote", &id, "--to", "AGENTS.md"]);
    let agents = p
        .read("AGENTS.md")
        .replace("Validate every", "Validate each");
    p.write("AGENTS.md", &agents);
    let before = p.tree();
    p.fails(&["rollback", &id], 1);
    assert_eq!(p.tree(), before);
    p.ok(&["rollback", &id, "--force"]);
    assert_eq!(p.read("CLAUDE.md"), "# no final newline");

    // An automatic rollback that is refused does not hide the FAIL.
    let id2 = verified(&p, r#"{"valid_json": true, "matches_schema": true}"#);
    p.ok(&["promote", &id2, "--to", "SOUL.md"]);
    p.write(
        "SOUL.md",
        p.read("SOUL.md").replace("Validate", "Please validate"),
    );
    p.write(
        "result.json",
        r#"{"valid_json": false, "matches_schema": true}"#,
    );
    let out = p.run(&["verify", &id2, "--result", "result.json"]);
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.starts_with("FAIL sha256:"), "{out}");
    assert!(out.contains("rollback refused"), "{out}");
}
