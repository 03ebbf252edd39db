//! Many processes writing at once: nothing lost, nothing interleaved, no ID twice.

use std::collections::HashSet;

use evolver::{Document, Entry};

use crate::harness::Project;

const WORKERS: usize = 16;
const CALLS: usize = 50;

fn run_workers(p: &Project, args: &[&str]) {
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                for _ in 0..CALLS {
                    p.ok(args);
                }
            });
        }
    });
}

#[test]
fn sixteen_processes_times_fifty_logs_give_800_unique_entries() {
    let p = Project::init();
    run_workers(
        &p,
        &[
            "log",
            "error",
            "--summary",
            "`make` exited with code 2",
            "--name",
            "make",
            "--details",
            "make: *** [all] Error 2",
        ],
    );
    let text = p.read(".learnings/ERRORS.md");
    let doc = Document::parse(text.clone().into_bytes());
    assert_eq!(doc.entries().len(), WORKERS * CALLS);
    let ids: HashSet<&str> = doc.entries().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), WORKERS * CALLS, "every ID unique");
    for span in doc.entries() {
        let e = Entry::parse(std::str::from_utf8(doc.entry_bytes(span)).unwrap()).unwrap();
        assert_eq!(e.summary(), "`make` exited with code 2");
        assert_eq!(
            e.section("Error"),
            Some("```\nmake: *** [all] Error 2\n```")
        );
        assert!(doc.entry_bytes(span).trim_ascii_end().ends_with(b"\n---"));
    }
    assert!(
        text.starts_with("# Errors\n\nCommand failures and integration errors.\n\n---\n\n## [")
    );
}

#[test]
fn the_same_pattern_key_800_times_at_once_gives_one_entry() {
    let p = Project::init();
    run_workers(
        &p,
        &[
            "log",
            "learning",
            "--summary",
            "Quote shell globs",
            "--pattern-key",
            "shell.quote_globs",
        ],
    );
    let doc = Document::parse(std::fs::read(p.path(".learnings/LEARNINGS.md")).unwrap());
    assert_eq!(doc.entries().len(), 1);
    let text = std::str::from_utf8(doc.entry_bytes(&doc.entries()[0])).unwrap();
    let e = Entry::parse(text).unwrap();
    assert_eq!(
        e.meta_number("Recurrence-Count"),
        Some((WORKERS * CALLS) as u64)
    );
}
