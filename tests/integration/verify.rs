//! `evolver spec` and `evolver verify` (SPEC 6.1–6.3).

use serde_json::Value;

use crate::harness::Project;

fn receipt(p: &Project, id: &str) -> Value {
    let hex = id.trim_start_matches("sha256:");
    serde_json::from_str(&p.read(&format!(".learnings/receipts/{hex}.json"))).unwrap()
}

#[test]
fn the_seed_example_passes_and_resolves_the_learning() {
    let p = Project::init();
    let id = p.ok(&[
        "log",
        "learning",
        "--summary",
        "Responses must be valid JSON",
        "--action",
        "Validate every response against its schema",
    ]);
    let id = id.trim();
    p.ok(&[
        "spec",
        id,
        "--json",
        r#"{"expected": {"valid_json": true, "matches_schema": true}}"#,
    ]);
    p.write(
        "result.json",
        r#"{"valid_json": true, "matches_schema": true}"#,
    );
    let out = p.ok(&["verify", id, "--result", "result.json"]);
    let (verdict, receipt_id) = out.lines().next().unwrap().split_once(' ').unwrap();
    assert_eq!(verdict, "PASS");
    assert!(
        receipt_id.starts_with("sha256:") && receipt_id.len() == 71,
        "{out}"
    );
    let shown = p.ok(&["show", id]);
    for needle in [
        "**Status**: resolved",
        "**Verified**: true",
        &format!("**Receipt ID**: {receipt_id}"),
        "### Verification\n- **Verdict**: PASS",
        "### Verification Spec\n```json\n",
    ] {
        assert!(shown.contains(needle), "no {needle:?} in\n{shown}");
    }
    let r = receipt(&p, receipt_id);
    assert_eq!(r["verdict"], "PASS");
    assert_eq!(r["entry_id"], id);
    assert_eq!(r["receipt_id"], receipt_id);
    assert_eq!(
        evolver::verify::receipt_id(&r),
        receipt_id,
        "the receipt recomputes"
    );
    // The same spec and observations give the same receipt id again.
    let again = p.ok(&["verify", id, "--result", "result.json"]);
    assert!(again.starts_with(&format!("PASS {receipt_id}")), "{again}");
    let events = p.read(".learnings/events.jsonl");
    assert!(events.contains("\"action\":\"verified\""));
    assert!(p.ok(&["audit"]).starts_with("ok: "));
}

#[test]
fn a_run_that_fails_records_counter_evidence_and_exits_1() {
    let p = Project::init();
    let id = p.ok(&["log", "learning", "--summary", "The build passes"]);
    let id = id.trim();
    p.ok(&["resolve", id]);
    p.ok(&[
        "spec",
        id,
        "--json",
        r#"{"run": "echo nope; exit 3", "expected": {"exit_code": 0, "stdout_contains": "ok"}}"#,
    ]);
    let out = p.run(&["verify", id]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("FAIL sha256:"), "{stdout}");
    assert!(
        stdout.contains("exit_code: expected 0, observed 3"),
        "{stdout}"
    );
    let shown = p.ok(&["show", id]);
    assert!(shown.contains("**Status**: pending"), "{shown}");
    assert!(shown.contains("**Verified**: false"));
    assert!(shown.contains("### Counter-Evidence\n- "), "{shown}");
}

#[test]
fn what_cannot_be_observed_is_indeterminate_and_changes_no_status() {
    let p = Project::init();
    let id = p.ok(&["log", "learning", "--summary", "x"]);
    let id = id.trim();
    p.ok(&["spec", id, "--json", r#"{"expected": {"exit_code": 0}}"#]);
    let out = p.run(&["verify", id]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("INDETERMINATE sha256:")
    );
    assert!(p.ok(&["show", id]).contains("**Status**: pending"));
}

#[test]
fn specs_are_checked_before_they_are_written() {
    let p = Project::init();
    let id = p.ok(&["log", "learning", "--summary", "x"]);
    let id = id.trim();
    let before = p.read(".learnings/LEARNINGS.md");
    for bad in [
        "not json",
        r#"{"expected": {}}"#,
        r#"{"run": 1, "expected": {"exit_code": 0}}"#,
    ] {
        let err = p.fails(&["spec", id, "--json", bad], 2);
        assert!(err.contains("nothing was changed"), "{err}");
    }
    assert_eq!(p.read(".learnings/LEARNINGS.md"), before);
    let err = p.fails(&["verify", id], 1);
    assert!(
        err.contains("has no ### Verification Spec") && err.contains("evolver spec"),
        "{err}"
    );
}

#[test]
fn an_error_entry_is_verified_by_rerunning_its_command() {
    let p = Project::init();
    let input = p.failure(
        "cat marker.txt",
        "Exit code 1\ncat: marker.txt: No such file or directory",
    );
    let out = p.hook(crate::harness::DETECTOR, &input);
    assert!(!out.stdout.is_empty());
    let id = p.entries()[0]["id"].as_str().unwrap().to_owned();
    p.ok(&[
        "spec",
        &id,
        "--json",
        r#"{"expected": {"no_longer_fails": true}}"#,
    ]);
    let still = p.run(&["verify", &id]);
    assert!(
        String::from_utf8(still.stdout)
            .unwrap()
            .starts_with("FAIL ")
    );
    p.write("marker.txt", "here\n");
    let now = p.ok(&["verify", &id]);
    assert!(now.starts_with("PASS "), "{now}");
    assert!(p.ok(&["show", &id]).contains("**Status**: resolved"));
}
