//! The audit chain (SPEC 6.7) as `evolver` and the hooks feed it, and `evolver audit`.

use serde_json::Value;

use crate::harness::{DETECTOR, Project};

fn events(p: &Project) -> Vec<Value> {
    p.read(".learnings/events.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_change_is_one_event_of_one_chain() {
    let p = Project::init();
    assert_eq!(
        p.ok(&["audit"]).trim(),
        format!("ok: 0 events, head {}", "0".repeat(64))
    );
    // The same lesson twice: created, then updated by its Pattern-Key.
    let log = [
        "log",
        "learning",
        "--summary",
        "a lesson",
        "--pattern-key",
        "k.1",
    ];
    let id = p.ok(&log);
    let id = id.trim();
    p.ok(&log);
    p.ok(&["resolve", id]);
    p.hook(
        DETECTOR,
        p.payload("claude-code-2.1.328/post-tool-use-failure-ls.json"),
    );
    let ev = events(&p);
    let actions: Vec<(&str, &str)> = ev
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        &actions[..3],
        &[("created", id), ("updated", id), ("updated", id)]
    );
    assert_eq!(actions[3].0, "created");
    assert!(actions[3].1.starts_with("ERR-"));
    assert_eq!(ev[1]["data"]["recurrence_count"], 2);
    assert_eq!(ev[2]["data"]["status"], "resolved");
    let keys: Vec<&String> = ev[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["seq", "ts", "action", "id", "data", "prev", "hash"]);
    let out = p.ok(&["audit"]);
    assert!(out.starts_with("ok: 4 events, head "), "{out}");
    assert!(out.trim().ends_with(ev[3]["hash"].as_str().unwrap()));
}

#[test]
fn an_edited_line_is_named_and_the_command_fails() {
    let p = Project::init();
    for s in ["one", "two", "three"] {
        p.ok(&["log", "learning", "--summary", s]);
    }
    let text = p.read(".learnings/events.jsonl");
    let edited = text.replacen("\"seq\":2,", "\"seq\":2, ", 1);
    p.write(".learnings/events.jsonl", &edited);
    let err = p.fails(&["audit"], 1);
    assert!(
        err.contains("events.jsonl line 2: its hash does not match"),
        "{err}"
    );
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(0, 1);
    p.write(".learnings/events.jsonl", lines.join("\n") + "\n");
    let err = p.fails(&["audit"], 1);
    assert!(err.contains("line 1"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn a_broken_last_line_does_not_stop_the_tools() {
    let p = Project::init();
    p.ok(&["log", "learning", "--summary", "one"]);
    let mut text = p.read(".learnings/events.jsonl");
    text.push_str("not an event\n");
    p.write(".learnings/events.jsonl", &text);
    p.ok(&["log", "learning", "--summary", "two"]);
    assert_eq!(p.entries().len(), 2);
    let err = p.fails(&["audit"], 1);
    assert!(err.contains("line 2: not a JSON event"), "{err}");
}
