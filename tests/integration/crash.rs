//! A writer killed with SIGKILL at random moments never costs an entry that was there
//! before, and never leaves a torn file behind once the next command has run.

use std::collections::BTreeMap;
use std::time::Duration;

use evolver::format::render::{NewEntry, render};
use evolver::{Document, Entry, EntryId, Kind};

use crate::harness::Project;

/// Entry ID → entry bytes, checking that every entry not already in `known` is whole.
fn whole_entries(
    bytes: &[u8],
    known: &BTreeMap<String, Vec<u8>>,
    context: &str,
) -> BTreeMap<String, Vec<u8>> {
    assert!(
        bytes.ends_with(b"\n---\n"),
        "{context}: file ends mid-entry"
    );
    let doc = Document::parse(bytes.to_vec());
    let mut map = BTreeMap::new();
    for span in doc.entries() {
        // The blank line before the next header belongs to the entry above it.
        let raw = doc.entry_bytes(span).trim_ascii_end();
        if known.get(span.id.as_str()).is_some_and(|k| k == raw) {
            map.insert(span.id.to_string(), raw.to_vec());
            continue;
        }
        let text = std::str::from_utf8(raw).unwrap_or_else(|_| panic!("{context}: torn UTF-8"));
        let e = Entry::parse(text).unwrap();
        assert!(
            raw.ends_with(b"\n---"),
            "{context}: {} is cut short",
            span.id
        );
        assert!(
            e.section("Metadata").is_some(),
            "{context}: {} lost its metadata",
            span.id
        );
        assert!(map.insert(span.id.to_string(), raw.to_vec()).is_none());
    }
    map
}

/// A small deterministic generator, seeded per run and printed, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn sigkill_during_hundreds_of_updates_loses_nothing() {
    let p = Project::init();
    // A large log, so that reading and writing it take long enough to be interrupted.
    let mut text = Kind::Learning.file_header().to_owned();
    for i in 1..=3000 {
        let mut e = NewEntry {
            tail: "insight".into(),
            priority: "low".into(),
            status: "pending".into(),
            summary: format!("Seed lesson number {i} about caching build artefacts"),
            details: "Some details that make the entry a realistic size. ".repeat(4),
            ..NewEntry::default()
        };
        e.set_meta("Pattern-Key", format!("seed.{}", i % 7));
        e.set_meta("Recurrence-Count", "1");
        text.push('\n');
        text.push_str(&render(
            Kind::Learning,
            &EntryId::new(Kind::Learning, "20260101", i),
            "2026-01-01T00:00:00Z",
            &e,
        ));
    }
    p.write(".learnings/LEARNINGS.md", &text);

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    println!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let path = p.path(".learnings/LEARNINGS.md");
    let journal = p.path(".learnings/.append-journal");
    let mut known = whole_entries(&std::fs::read(&path).unwrap(), &BTreeMap::new(), "start");
    let mut killed = 0;
    let mut torn_appends = 0;
    for round in 0..300 {
        let n = (rng.below(3000) + 1).to_string();
        let id = format!("LRN-20260101-{n:0>3}");
        let key = format!("seed.{}", rng.below(7));
        let args: Vec<&str> = match round % 3 {
            0 => vec![
                "log",
                "learning",
                "--summary",
                "A new lesson",
                "--details",
                "x",
            ],
            1 => vec![
                "log",
                "learning",
                "--summary",
                "Recurring",
                "--pattern-key",
                &key,
            ],
            _ => vec![
                "resolve",
                &id,
                "--status",
                if rng.below(2) == 0 {
                    "in_progress"
                } else {
                    "pending"
                },
            ],
        };
        let mut child = p
            .command(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(12_000)));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();

        // Straight after the kill: every entry that was there is there, byte for byte, except
        // the one that was being edited; a torn tail only ever exists with its journal.
        let raw = std::fs::read(&path).unwrap();
        let context = format!("seed {seed} round {round} {args:?}");
        if journal.exists() {
            torn_appends += 1;
        } else {
            let now = whole_entries(&raw, &known, &context);
            for (id, bytes) in &known {
                let after = now
                    .get(id)
                    .unwrap_or_else(|| panic!("{context}: lost {id}"));
                let same = after == bytes
                    || args.contains(&id.as_str())
                    || args.contains(&"--pattern-key");
                assert!(same, "{context}: {id} changed");
            }
        }
        // Any command repairs what the kill left; then the file is whole again.
        p.ok(&["show", "LRN-20260101-001"]);
        assert!(!journal.exists());
        let now = whole_entries(&std::fs::read(&path).unwrap(), &known, &context);
        for id in known.keys() {
            assert!(now.contains_key(id), "{context}: lost {id} after repair");
        }
        assert!(now.len() <= known.len() + 1);
        known = now;
    }
    println!(
        "killed {killed} of 300 writers mid-run; {torn_appends} left an append journal to repair"
    );
    assert!(
        killed > 30,
        "the test should interrupt many writers, only {killed} were"
    );
}
