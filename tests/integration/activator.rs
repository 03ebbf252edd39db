//! The activator over the captured prompt payloads and projects of every state.

use serde_json::{Value, json};

use crate::assert_text_snapshot;
use crate::harness::{ACTIVATOR, Project};

const PROMPTS: &[&str] = &[
    "claude-code-2.1.328/user-prompt-submit.json",
    "codex-0.169.0/user-prompt-submit.json",
];

fn prompt(p: &Project, text: &str) -> String {
    let input = json!({
        "session_id": "s", "cwd": p.root(), "hook_event_name": "UserPromptSubmit", "prompt": text
    });
    let out = p.hook(ACTIVATOR, input.to_string());
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn log(p: &Project, args: &[&str]) -> String {
    let mut all = vec!["log"];
    all.extend_from_slice(args);
    p.ok(&all).trim().to_owned()
}

#[test]
fn without_learnings_it_prints_the_reminder_alone() {
    for payload in PROMPTS {
        let p = Project::new();
        let out = p.hook(ACTIVATOR, p.payload(payload));
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains(".learnings/") && text.contains("verification PASS"));
        assert!(!p.path(".learnings").exists(), "it never writes");
    }
    let p = Project::new();
    assert_text_snapshot!(p, prompt(&p, "no, that's not right"));
}

#[test]
fn it_shows_the_three_most_relevant_lessons_and_never_wont_fix() {
    let p = Project::init();
    let a = log(
        &p,
        &[
            "learning",
            "--summary",
            "Validate JSON input before parsing",
            "--tags",
            "json,parser",
        ],
    );
    let b = log(
        &p,
        &[
            "learning",
            "--summary",
            "The parser rejects trailing commas in JSON",
        ],
    );
    let c = log(
        &p,
        &[
            "learning",
            "--summary",
            "Run the migration before the server starts",
        ],
    );
    let d = log(
        &p,
        &["error", "--summary", "JSON parser crashed on empty input"],
    );
    let e = log(
        &p,
        &[
            "learning",
            "--summary",
            "JSON parser input must be UTF-8 checked",
            "--pattern-key",
            "harden.json_parser",
        ],
    );
    p.ok(&["resolve", &e, "--status", "wont_fix"]);
    let f = log(&p, &["feature", "--summary", "Support YAML besides JSON"]);
    let before = p.tree();
    let text = prompt(&p, "Please fix the JSON parser: it fails on empty input");
    assert_eq!(p.tree(), before, "the activator only reads");
    let shown: Vec<&str> = text.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(shown.len(), 3, "{text}");
    // d shares json, parser, empty, input; a shares json, parser, input; b json, parser.
    assert!(shown[0].starts_with(&format!("- {d}: ")), "{text}");
    assert!(shown[1].starts_with(&format!("- {a}: ")), "{text}");
    assert!(shown[2].starts_with(&format!("- {b}: ")), "{text}");
    for hidden in [&c, &e, &f] {
        assert!(!text.contains(hidden.as_str()), "{hidden} in {text}");
    }
    assert!(text.contains("evolver: Waiting: 5 pending, 0 awaiting verification, 0 eligible for promotion, 0 held INDETERMINATE"), "{text}");
    assert_text_snapshot!(p, text);
}

#[test]
fn nothing_relevant_shows_no_lessons() {
    let p = Project::init();
    log(
        &p,
        &[
            "learning",
            "--summary",
            "Run the migration before the server starts",
        ],
    );
    let text = prompt(&p, "write a haiku");
    assert!(!text.contains("Notes from this project's"), "{text}");
}

#[test]
fn corrections_and_feature_requests_get_their_nudge() {
    let p = Project::init();
    let cases: &[(&str, bool, bool)] = &[
        ("No, that's not right, the port is 8080", true, false),
        ("Actually, it should be a POST", true, false),
        ("you’re wrong about the config path", true, false),
        ("that's outdated since v2", true, false),
        ("不对，应该用 UTF-8", true, false),
        ("你错了", true, false),
        ("Can you also add a --json flag?", false, true),
        ("I wish you could run the tests first", false, true),
        ("Is there a way to skip the cache?", false, true),
        ("why can't you read the logs", false, true),
        ("能不能顺便加一个测试", false, true),
        ("add a test for the parser", false, false),
    ];
    for &(text, correction, feature) in cases {
        let out = prompt(&p, text);
        assert_eq!(
            out.contains("reads like a correction"),
            correction,
            "{text}: {out}"
        );
        assert_eq!(
            out.contains("reads like a feature request"),
            feature,
            "{text}: {out}"
        );
    }
}

#[test]
fn the_status_line_counts_what_waits_for_verification() {
    let p = Project::init();
    let spec = log(&p, &["learning", "--summary", "a"]);
    let passed = log(&p, &["learning", "--summary", "b"]);
    let held = log(&p, &["learning", "--summary", "c"]);
    let path = p.path(".learnings/LEARNINGS.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            &format!("## [{spec}] insight\n"),
            &format!("## [{spec}] insight\n\n### Verification Spec\n```json\n{{\"expected\": {{\"exit_code\": 0}}}}\n```\n"),
        )
        .replace(
            &format!("## [{passed}] insight\n\n**Logged**"),
            &format!("## [{passed}] insight\n\n**Verified**: true\n**Receipt ID**: sha256:{}\n**Logged**", "0".repeat(64)),
        )
        .replace(
            &format!("## [{held}] insight\n"),
            &format!("## [{held}] insight\n\n### Verification\n- Verdict: INDETERMINATE\n"),
        );
    std::fs::write(&path, text).unwrap();
    let out = prompt(&p, "hello");
    assert!(
        out.contains("Waiting: 3 pending, 1 awaiting verification, 1 eligible for promotion, 1 held INDETERMINATE"),
        "{out}"
    );
}

#[test]
fn the_block_stays_under_2000_characters() {
    let p = Project::init();
    let long = format!("parser {}", "very long summary words ".repeat(60));
    for _ in 0..5 {
        log(&p, &["learning", "--summary", &long]);
    }
    let text = prompt(
        &p,
        &format!("the parser; can you also fix it? no, that's not right. {long}"),
    );
    assert!(
        text.chars().count() <= 2000,
        "{} characters",
        text.chars().count()
    );
    assert!(text.contains("Notes from this project's"));
    assert!(
        text.contains("reads like a correction") && text.contains("reads like a feature request")
    );
}

#[test]
fn the_captured_payloads_of_both_clients_are_understood() {
    for payload in PROMPTS {
        let p = Project::init();
        log(
            &p,
            &[
                "learning",
                "--summary",
                "Run the commands from the project root",
                "--tags",
                "commands",
            ],
        );
        let out = p.hook(ACTIVATOR, p.payload(payload));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Notes from this project's"),
            "{payload}: {text}"
        );
        let input: Value = serde_json::from_str(&p.payload(payload)).unwrap();
        assert!(input["prompt"].as_str().unwrap().contains("commands"));
    }
}

/// Codex reads hook stdout that opens with `[` or `{` as JSON and drops it when it is not:
/// the block must open with a word.
#[test]
fn regression_codex_dropped_a_block_that_opened_with_a_bracket() {
    let p = Project::init();
    for text in [prompt(&p, "anything"), prompt(&p, "[1, 2]")] {
        assert!(text.starts_with("evolver: "), "{text}");
    }
}
