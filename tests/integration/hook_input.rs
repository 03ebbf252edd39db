//! Both hooks on input they cannot use: always exit 0, nothing on stdout, nothing written.
//! And many detectors at once lose nothing.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::harness::{ACTIVATOR, DETECTOR, Project};

fn bad_inputs(p: &Project) -> Vec<(&'static str, Vec<u8>)> {
    let root = p.root().display().to_string();
    let failure = |extra: serde_json::Value| {
        let mut v = json!({
            "session_id": "s1", "cwd": root, "hook_event_name": "PostToolUseFailure",
            "tool_name": "Bash", "tool_input": {"command": "ls x"},
            "error": "Exit code 2\nls: x: No such file", "is_interrupt": false
        });
        for (k, val) in extra.as_object().unwrap() {
            if val.is_null() {
                v.as_object_mut().unwrap().remove(k);
            } else {
                v[k] = val.clone();
            }
        }
        v.to_string().into_bytes()
    };
    let codex = |transcript: &str| {
        json!({
            "session_id": "s2", "turn_id": "t", "cwd": root, "hook_event_name": "PostToolUse",
            "tool_name": "Bash", "tool_input": {"command": "ls x"},
            "tool_response": "ls: x: No such file\n", "tool_use_id": "call_0",
            "transcript_path": transcript
        })
        .to_string()
        .into_bytes()
    };
    let mut nested = "[".repeat(100_000).into_bytes();
    nested.extend("]".repeat(100_000).bytes());
    let huge = failure(json!({"error": format!("Exit code 1\n{}", "y".repeat(20 * 1024 * 1024))}));
    let dir = p.root().join("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    vec![
        ("empty stdin", Vec::new()),
        ("not JSON", b"this is not json\n".to_vec()),
        ("a JSON array", b"[1, 2, 3]".to_vec()),
        ("a JSON string", b"\"PostToolUseFailure\"".to_vec()),
        ("NUL bytes", b"\0\0\0{\"hook_event_name\":\0}".to_vec()),
        ("100,000 nested brackets", nested),
        ("20 MB of output", huge),
        (
            "an unknown event",
            failure(json!({"hook_event_name": "Stop"})),
        ),
        ("an empty object", b"{}".to_vec()),
        ("no tool name", failure(json!({"tool_name": null}))),
        ("no command", failure(json!({"tool_input": {}}))),
        ("no error", failure(json!({"error": null}))),
        (
            "a non-numeric exit code",
            failure(json!({"error": "Exit code x\nboom"})),
        ),
        (
            "fields of the wrong type",
            failure(json!({"tool_input": 7, "error": [1]})),
        ),
        (
            "a transcript that does not exist",
            codex("/nonexistent/transcript.jsonl"),
        ),
        (
            "a transcript that is a directory",
            codex(&dir.display().to_string()),
        ),
    ]
}

#[test]
fn bad_input_exits_0_prints_nothing_and_writes_nothing() {
    let p = Project::init();
    p.ok(&[
        "log",
        "learning",
        "--summary",
        "an existing lesson about ls",
    ]);
    for (what, input) in bad_inputs(&p) {
        for exe in [DETECTOR, ACTIVATOR] {
            let before = p.tree();
            let out = p.hook(exe, &input);
            assert_eq!(out.status.code(), Some(0), "{what}");
            assert!(
                out.stdout.is_empty(),
                "{what}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            assert!(
                out.stderr.is_empty(),
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(p.tree(), before, "{what}");
        }
    }
}

#[test]
fn sixteen_detectors_at_once_lose_nothing() {
    let p = Project::init();
    let payload = |i: usize, same: bool| {
        let program = if same {
            "tool".to_owned()
        } else {
            format!("tool{i}")
        };
        json!({
            "session_id": format!("session-{}", i % 4), "cwd": p.root(),
            "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
            "tool_input": {"command": format!("{program} --run")},
            "error": format!("Exit code 3\n{program}: failed at step {i}"), "is_interrupt": false
        })
        .to_string()
    };
    for same in [false, true] {
        // Start all sixteen first, then feed them, so they race for the lock.
        let mut children: Vec<_> = (0..16)
            .map(|_| {
                Command::new(DETECTOR)
                    .current_dir(p.root())
                    .env_remove("EVOLVER_ROOT")
                    .env_remove("CLAUDE_PROJECT_DIR")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, child) in children.iter_mut().enumerate() {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(payload(i, same).as_bytes())
                .unwrap();
        }
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success());
            assert!(
                out.stderr.is_empty(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.stdout.is_empty());
        }
    }
    let entries = p.entries();
    assert_eq!(entries.len(), 17, "16 distinct failures and one recurring");
    let mut ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 17);
    let recurring = entries.iter().find(|e| e["tail"] == "tool").unwrap();
    assert_eq!(recurring["recurrence_count"], 16);
    let shown = p.ok(&["show", recurring["id"].as_str().unwrap()]);
    assert!(shown.contains("- Sessions: 4\n"), "{shown}");
    // Every one of the 32 changes is one link of one chain.
    let audit = p.ok(&["audit"]);
    assert!(audit.starts_with("ok: 32 events, head "), "{audit}");
}
