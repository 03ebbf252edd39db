//! The index is a cache: whatever it holds, missing, stale, damaged or fresh, the hooks say
//! and write exactly what they would reading the logs themselves, and a hand edit of a log
//! is never hidden.

use std::path::Path;

use chrono::{TimeZone, Utc};
use evolver::format::render::NewEntry;
use evolver::hooks::activator::{block, indexed_block};
use evolver::{Kind, Logged, Store};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "parser",
    "cache",
    "deploy",
    "module",
    "commas",
    "json",
    "timeout",
    "lockfile",
    "解析错误",
];

fn day(n: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1 + n % 3, 10, 0, n % 60)
        .unwrap()
}

/// One thing that can happen to a project.
#[derive(Debug, Clone)]
enum Op {
    /// `evolver log` of a lesson, failure or feature: summary words, tags, a Pattern-Key.
    Log(u8, Vec<u8>, Option<u8>),
    /// A status change through the store.
    Status(u8, u8),
    /// A verification spec added through the store.
    Spec(u8),
    /// A hand edit of a log, outside the store.
    Hand(u8, u8),
    /// Something done to the index files.
    Index(u8, u16),
    /// Every index removed, taking no time.
    Drop,
    /// `cargo test` passed in a session.
    Pass(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..3, prop::collection::vec(0u8..9, 1..4), prop::option::of(0u8..4))
            .prop_map(|(k, w, key)| Op::Log(k, w, key)),
        1 => (0u8..40, 0u8..4).prop_map(|(i, s)| Op::Status(i, s)),
        1 => (0u8..40).prop_map(Op::Spec),
        1 => (0u8..3, 0u8..8).prop_map(|(k, e)| Op::Hand(k, e)),
        1 => (0u8..4, any::<u16>()).prop_map(|(w, at)| Op::Index(w, at)),
        1 => (0u8..3).prop_map(Op::Pass),
    ]
}

fn kind(k: u8) -> Kind {
    Kind::ALL[usize::from(k) % 3]
}

fn entry(words: &[u8], key: Option<u8>) -> NewEntry {
    let summary: Vec<&str> = words.iter().map(|w| WORDS[usize::from(*w)]).collect();
    let mut e = NewEntry {
        tail: "best_practice".into(),
        priority: "medium".into(),
        status: "pending".into(),
        summary: summary.join(" "),
        ..NewEntry::default()
    };
    e.set_meta("Tags", WORDS[usize::from(words[0]) % WORDS.len()]);
    if let Some(k) = key {
        e.set_meta("Pattern-Key", format!("cmd.cargo.test.{k:08x}"));
        e.context = vec![
            "Command: `cargo test`".into(),
            "Working directory: `.`".into(),
        ];
    }
    e
}

/// Every ID in the logs, in order.
fn ids(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        if let Some(doc) = store.read(kind).unwrap() {
            out.extend(doc.entries().iter().map(|s| s.id.to_string()));
        }
    }
    out
}

/// A hand edit, as a person or another tool makes one: same-length word swaps, status
/// changes, a hand-written entry, a cut, a fence left open.
fn hand_edit(path: &Path, edit: u8) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let new = match edit {
        0 => text.replacen("parser", "runner", 1),
        1 => text.replacen("**Status**: pending", "**Status**: wont_fix", 1),
        2 => format!(
            "{text}\n## [LRN-20261202-077] correction\n\n**Logged**: 2026-12-02T09:00:00Z\n**Status**: pending\n\n### Summary\nThe deploy cache needs a json lockfile\n\n---\n"
        ),
        3 => {
            let mut cut = text.len().saturating_sub(10);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_owned()
        }
        4 => format!("{text}```\n"),
        6 => text.replace("\r\n", "\n").replace('\n', "\r\n"),
        7 => format!(
            "{text}\n## [LRN-20261202-078] insight\n\n**Logged**: 2026-12-02T09:00:00.123456+00:00 (local time)\n**Status**: pending\n\n### Summary\nThe parser cache needs the json module\n\n---\n"
        ),
        _ => text.replacen("cache", "CACHE", 1),
    };
    std::fs::write(path, new).unwrap();
}

fn index_op(dir: &Path, what: u8, at: u16) {
    let files: Vec<_> = std::fs::read_dir(dir.join(".index"))
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|e| {
                        ["idx", "hot", "cold", "df", "terms"].contains(&e.to_str().unwrap_or(""))
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    for f in files {
        match what {
            0 => std::fs::remove_file(&f).unwrap(),
            1 => {
                let mut b = std::fs::read(&f).unwrap();
                if !b.is_empty() {
                    let i = usize::from(at) % b.len();
                    b[i] ^= 0x20;
                    std::fs::write(&f, b).unwrap();
                }
            }
            2 => {
                let b = std::fs::read(&f).unwrap();
                std::fs::write(&f, &b[..usize::from(at) % (b.len() + 1)]).unwrap();
            }
            _ => {
                let _ = std::fs::remove_dir_all(dir.join(".index"));
                return;
            }
        }
    }
}

/// The activator's block with the index as it is, and reading the logs alone.
fn both_blocks(store: &Store, prompt: &str) -> (String, String) {
    let with = block(store, prompt).unwrap();
    let index = store.dir().join(".index");
    let aside = store.dir().join(".index-aside");
    let _ = std::fs::remove_dir_all(&aside);
    let had = std::fs::rename(&index, &aside).is_ok();
    let without = block(store, prompt).unwrap();
    let _ = std::fs::remove_dir_all(&index);
    if had {
        std::fs::rename(&aside, &index).unwrap();
    }
    (with, without)
}

fn run_ops(ops: &[Op], prompt_words: &[u8]) -> (Vec<String>, Vec<u8>) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path().to_owned()).unwrap();
    store.init().unwrap();
    let prompt: Vec<&str> = prompt_words
        .iter()
        .map(|w| WORDS[usize::from(*w)])
        .collect();
    let prompt = prompt.join(" ");
    let mut logged = Vec::new();
    let mut n = 0;
    for op in ops {
        if matches!(op, Op::Drop) {
            index_op(store.dir(), 3, 0);
            continue;
        }
        n += 1;
        let now = day(n);
        match op {
            Op::Drop => {}
            Op::Log(k, words, key) => {
                let got = store.log_in_session(kind(*k), entry(words, *key), now, Some("s"));
                logged.push(match got {
                    Ok(Logged::Created(id)) => format!("created {id}"),
                    Ok(Logged::Recurred { id, count, .. }) => format!("recurred {id} {count}"),
                    Err(e) => format!("error {e}"),
                });
            }
            Op::Status(i, s) => {
                let all = ids(&store);
                if !all.is_empty() {
                    let id = &all[usize::from(*i) % all.len()];
                    let status =
                        ["resolved", "wont_fix", "in_progress", "promoted"][usize::from(*s)];
                    let _ = store.update(id, now, |e| Ok(e.with_field("Status", status)));
                }
            }
            Op::Spec(i) => {
                let all = ids(&store);
                if !all.is_empty() {
                    let id = &all[usize::from(*i) % all.len()];
                    let _ = store.update(id, now, |e| {
                        Ok(e.with_section("Verification Spec", "```json\n{}\n```"))
                    });
                }
            }
            Op::Hand(k, e) => hand_edit(&store.path(kind(*k)), *e),
            Op::Pass(session) => {
                let key = evolver::store::pass_key("cargo.test", "cargo test");
                let hash = evolver::store::command_hash(&key, ".");
                let got = store.record_pass(hash, Some(&format!("s{session}")), now);
                logged.push(format!("{:?}", got.map_err(|e| e.to_string())));
            }
            Op::Index(w, at) => index_op(store.dir(), *w, *at),
        }
        // A fresh index must be exactly the one the logs would give.
        assert_eq!(
            store.index_drift().unwrap(),
            Vec::<String>::new(),
            "after {op:?}"
        );
        if let Op::Log(k, ..) = op {
            let name = kind(*k).file_name();
            let health = store.index_health();
            assert!(
                !health.iter().any(|h| h.contains(name)),
                "after {op:?}: {health:?}"
            );
        }
        let fast = indexed_block(&store, &prompt);
        let (with, without) = both_blocks(&store, &prompt);
        assert_eq!(with, without, "after {op:?}");
        // Once the index is made, it gives the same. (The activator makes it when the lock
        // is free; here a forked child of another test may hold the lock's descriptor for a
        // moment, so a writer makes it.)
        let fast = fast.or_else(|| {
            store.refresh_index().unwrap();
            indexed_block(&store, &prompt)
        });
        assert_eq!(
            fast.as_deref(),
            Some(without.as_str()),
            "after {op:?}: {:?}",
            store.index_health()
        );
    }
    let mut bytes = Vec::new();
    for kind in Kind::ALL {
        bytes.extend(std::fs::read(store.path(kind)).unwrap_or_default());
    }
    (logged, bytes)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("INDEX_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    /// The activator says the same with and without the index after every step, and the
    /// logs come out byte for byte the same whether the writers had the index or not.
    #[test]
    fn the_hooks_say_and_write_the_same_with_and_without_the_index(
        ops in prop::collection::vec(op(), 1..24),
        prompt in prop::collection::vec(0u8..9, 1..5),
    ) {
        let with_index = run_ops(&ops, &prompt);
        // The same steps, with every index removed before each one.
        let without: Vec<Op> = ops
            .iter()
            .flat_map(|o| [Op::Drop, o.clone()])
            .collect();
        let without_index = run_ops(&without, &prompt);
        prop_assert_eq!(&with_index.0, &without_index.0);
        prop_assert_eq!(&with_index.1, &without_index.1);
    }
}

fn project_with(n: usize) -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path().to_owned()).unwrap();
    store.init().unwrap();
    for i in 0..n {
        let words = [(i % 9) as u8, ((i / 9) % 9) as u8];
        store
            .log(
                kind((i % 3) as u8),
                entry(&words, Some((i % 7) as u8)),
                day(i as u32),
            )
            .unwrap();
    }
    (tmp, store)
}

#[test]
fn writers_leave_a_fresh_index_that_the_activator_uses() {
    let (_tmp, store) = project_with(30);
    assert_eq!(store.index_health(), Vec::<String>::new());
    let (with, without) = both_blocks(&store, "parser cache json");
    assert_eq!(with, without);
    assert!(with.contains("Notes from this project's"), "{with}");
    // The activator, finding no index, made one for the next prompt.
    std::fs::remove_dir_all(store.dir().join(".index")).unwrap();
    block(&store, "parser").unwrap();
    assert_eq!(store.index_health(), Vec::<String>::new());
}

#[test]
fn a_hand_edit_of_the_same_length_right_after_a_write_is_never_hidden() {
    for round in 0..50 {
        let (_tmp, store) = project_with(6);
        store
            .log(Kind::Learning, entry(&[0, 1], None), day(1))
            .unwrap();
        // Straight after the write, the same number of bytes, another word.
        hand_edit(&store.path(Kind::Learning), 0);
        let text = block(&store, "runner").unwrap();
        assert!(text.contains("runner"), "round {round}: {text}");
    }
}

#[test]
fn a_damaged_index_is_refused_reported_and_made_anew() {
    let (_tmp, store) = project_with(12);
    let expected = block(&store, "deploy timeout").unwrap();
    let file = store.dir().join(".index/LEARNINGS.md.idx");
    let bytes = std::fs::read(&file).unwrap();
    for at in (0..bytes.len()).step_by(7) {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        std::fs::write(&file, &bad).unwrap();
        let health = store.index_health();
        assert!(
            health
                .iter()
                .any(|h| h.contains("damaged") || h.contains("stale")),
            "{at}: {health:?}"
        );
        assert_eq!(
            block(&store, "deploy timeout").unwrap(),
            expected,
            "byte {at}"
        );
        std::fs::write(&file, &bytes).unwrap();
    }
    let p = crate::harness::Project::new();
    p.ok(&["init"]);
    p.ok(&["log", "learning", "--summary", "deploy needs the cache"]);
    p.write(
        ".learnings/.index/LEARNINGS.md.idx",
        b"EVIDX\0\0\x01 garbage",
    );
    let out = p.run(&["doctor"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("LEARNINGS.md.idx is damaged"), "{text}");
    let out = p.run(&["doctor", "--fix"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fixed: the index of LEARNINGS.md made anew"),
        "{text}"
    );
    p.ok(&["doctor"]);
}

#[test]
fn concurrent_writers_and_readers_lose_nothing_and_leave_the_index_true() {
    let (tmp, store) = project_with(5);
    let root = tmp.path().to_owned();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let root = root.clone();
            std::thread::spawn(move || {
                let store = Store::open(root).unwrap();
                for i in 0..12u8 {
                    let key = (i % 3 == 0).then_some(100 + t);
                    store
                        .log_in_session(
                            kind(i),
                            entry(&[i % 9, t % 9], key),
                            day(1),
                            Some(&format!("s{t}")),
                        )
                        .unwrap();
                    block(&store, "parser cache deploy").unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // 5 at first; of each thread's 12, four share a key of its own: one entry and three
    // recurrences.
    assert_eq!(ids(&store).len(), 5 + 8 * 9);
    assert_eq!(store.index_health(), Vec::<String>::new());
    let (with, without) = both_blocks(&store, "parser cache deploy json");
    assert_eq!(with, without);
}

#[test]
fn a_write_stands_when_its_index_cannot_be_kept() {
    let p = crate::harness::Project::new();
    p.ok(&["init"]);
    std::fs::remove_dir_all(p.path(".learnings/.index")).ok();
    p.write(".learnings/.index", b"a file where the folder should be");
    p.ok(&["log", "learning", "--summary", "the first"]);
    p.ok(&["log", "learning", "--summary", "the second"]);
    assert_eq!(p.entries().len(), 2);
}

#[test]
fn a_front_whose_sizes_are_damaged_is_refused_without_reading_past_the_file() {
    let p = crate::harness::Project::init();
    p.hook(
        crate::harness::DETECTOR,
        p.failure("cargo test -p a", "Exit code 101\nerror: x"),
    );
    let front = p.path(".learnings/.index/ERRORS.md.idx");
    let mut bytes = std::fs::read(&front).unwrap();
    // The open section's count, in the header, made huge.
    bytes[63] |= 0x80;
    std::fs::write(&front, &bytes).unwrap();
    let success = serde_json::json!({
        "session_id": "s", "cwd": p.root(), "hook_event_name": "PostToolUse",
        "tool_name": "Bash", "tool_input": {"command": "cargo test"},
        "tool_response": {"stdout": "ok", "stderr": "", "interrupted": false, "isImage": false}
    });
    let out = p.hook(crate::harness::DETECTOR, success.to_string());
    assert!(out.status.success(), "{out:?}");
    // The log is read instead, and the pass is found there.
    assert!(String::from_utf8_lossy(&out.stdout).contains("passes now"));
}

#[test]
fn a_working_directory_line_cut_short_is_indexed_without_a_panic() {
    let p = crate::harness::Project::init();
    p.hook(
        crate::harness::DETECTOR,
        p.failure("cargo test -p a", "Exit code 101\nerror: x"),
    );
    let log = p.read(".learnings/ERRORS.md");
    p.write(
        ".learnings/ERRORS.md",
        log.replace(
            "- Working directory: `.`",
            "- Working directory: `/home/josé",
        ),
    );
    p.ok(&["log", "error", "--summary", "another"]);
    p.ok(&["doctor"]);
}

#[test]
fn many_candidates_read_the_cold_column_whole_and_agree() {
    let (_tmp, store) = project_with(400);
    let (with, without) = both_blocks(&store, "parser cache deploy module json");
    assert_eq!(with, without);
    assert_eq!(
        indexed_block(&store, "parser cache deploy module json").as_deref(),
        Some(without.as_str())
    );
}
