//! The merge of two audit chains (`.learnings/events.jsonl`).
//!
//! Both branches extended one chain from the lines they share. The merged chain is ours,
//! unchanged; then theirs' lines that ours does not hold, verbatim and in their order, each
//! still chained to the line before it on theirs' branch; then a `merge` event chained to
//! ours' last line that names theirs' last. `evolver audit` accepts a line chained to any
//! line before it and asks that every line but the last be followed, so an edit, deletion or
//! insertion made on either branch is still found, and no event of either side is dropped.
//! A branch merged again, or merged back, brings only what is new: nothing is copied twice.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::store::audit::{GENESIS, MERGE, event_line, line_hash};

/// Whole lines: a last line without its line break was cut short by a crash and never was
/// an event.
fn lines(text: &[u8]) -> Vec<&[u8]> {
    let whole = match memchr::memrchr(b'\n', text) {
        Some(nl) => &text[..nl],
        None => return Vec::new(),
    };
    whole.split(|&b| b == b'\n').collect()
}

fn join(lines: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out
}

/// Merges theirs' chain into ours; `ts` is the time of the merge.
pub fn merge_chain(ours: &[u8], theirs: &[u8], ts: &str) -> Vec<u8> {
    let (a, b) = (lines(ours), lines(theirs));
    let in_a: HashSet<&[u8]> = a.iter().copied().collect();
    let new: Vec<&[u8]> = b.iter().copied().filter(|l| !in_a.contains(l)).collect();
    if new.is_empty() {
        return join(&a);
    }
    let in_b: HashSet<&[u8]> = b.iter().copied().collect();
    if a.iter().all(|l| in_b.contains(l)) {
        // Theirs holds all of ours: theirs is the merge.
        return join(&b);
    }
    let last = a
        .last()
        .and_then(|l| serde_json::from_slice::<Value>(l).ok());
    let seq = last.map_or(0, |v| v["seq"].as_u64().unwrap_or(0)) + 1;
    let ours_head = a.last().map_or(GENESIS.to_owned(), |l| line_hash(l));
    let theirs_head = line_hash(b[b.len() - 1]);
    let (event, _) = event_line(
        seq,
        ts,
        MERGE,
        "",
        json!({"theirs": theirs_head}),
        &ours_head,
    );
    let mut out = join(&a);
    out.extend_from_slice(&join(&new));
    out.extend_from_slice(event.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::audit::{append, verify};

    fn chain(dir: &std::path::Path, name: &str, base: &[u8], ids: &[&str]) -> Vec<u8> {
        let path = dir.join(name);
        std::fs::write(&path, base).unwrap();
        for id in ids {
            append(&path, "2026-12-03T00:00:00Z", "created", id, json!({})).unwrap();
        }
        std::fs::read(&path).unwrap()
    }

    #[test]
    fn both_sides_verify_and_later_events_chain_on() {
        let dir = tempfile::tempdir().unwrap();
        let base = chain(dir.path(), "o", b"", &["LRN-1", "LRN-2"]);
        let a = chain(dir.path(), "a", &base, &["A-1", "A-2", "A-3"]);
        let b = chain(dir.path(), "b", &base, &["B-1"]);
        for (x, y) in [(&a, &b), (&b, &a)] {
            let merged = merge_chain(x, y, "2026-12-03T01:00:00Z");
            let head = verify(&merged).unwrap();
            assert_eq!(head.count, 2 + 3 + 1 + 1);
            assert!(merged.starts_with(x), "ours stays as it was");
            let path = dir.path().join("m");
            std::fs::write(&path, &merged).unwrap();
            append(&path, "t", "updated", "LRN-1", json!({})).unwrap();
            assert_eq!(
                verify(&std::fs::read(&path).unwrap()).unwrap().count,
                head.count + 1
            );
        }
    }

    #[test]
    fn an_edit_on_either_side_before_the_merge_is_still_found() {
        let dir = tempfile::tempdir().unwrap();
        let base = chain(dir.path(), "o", b"", &["LRN-1"]);
        let a = chain(dir.path(), "a", &base, &["A-1", "A-2"]);
        let b = chain(dir.path(), "b", &base, &["B-1", "B-2"]);
        let tamper = |t: &[u8]| {
            String::from_utf8(t.to_vec())
                .unwrap()
                .replace("-2\"", "-9\"")
        };
        let merged = merge_chain(tamper(&a).as_bytes(), &b, "t");
        assert_eq!(verify(&merged).unwrap_err().line, 3);
        let merged = merge_chain(&a, tamper(&b).as_bytes(), "t");
        let broken = verify(&merged).unwrap_err();
        assert_eq!(broken.line, 5, "{broken:?}");
        // A line of theirs dropped from the merged file, or a line inserted among them.
        let merged = String::from_utf8(merge_chain(&a, &b, "t")).unwrap();
        let lines: Vec<&str> = merged.lines().collect();
        assert_eq!(lines.len(), 6);
        let dropped = [&lines[..3], &lines[4..]].concat().join("\n") + "\n";
        assert_eq!(verify(dropped.as_bytes()).unwrap_err().line, 4);
        let theirs_last = [&lines[..4], &lines[5..]].concat().join("\n") + "\n";
        assert!(
            verify(theirs_last.as_bytes())
                .unwrap_err()
                .reason
                .contains("merge of lines")
        );
        // A forged line chained to a real one, set among theirs: nothing follows it.
        let path = dir.path().join("forge");
        std::fs::write(&path, lines[..2].join("\n") + "\n").unwrap();
        append(&path, "t", "created", "FORGED", json!({})).unwrap();
        let forged = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
        let forged_line = forged.lines().last().unwrap();
        let inserted = [&lines[..4], &[forged_line], &lines[4..]]
            .concat()
            .join("\n")
            + "\n";
        let broken = verify(inserted.as_bytes()).unwrap_err();
        assert_eq!(
            (broken.line, broken.reason.as_str()),
            (5, "no line follows it (inserted, or a branch never merged)")
        );
    }

    #[test]
    fn a_renumbered_entry_owns_the_events_its_branch_recorded_under_its_old_id() {
        let dir = tempfile::tempdir().unwrap();
        let line = |ts: &str, action: &str, id: &str, base: &[u8], name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, base).unwrap();
            append(&path, ts, action, id, json!({})).unwrap();
            std::fs::read(&path).unwrap()
        };
        let old = "LRN-20261203-001";
        // main logs OLD; d, branched after that, updates main's OLD; e, branched before it,
        // minted OLD for another lesson. main takes d in, then e.
        let base = line("2026-12-03T01:00:00Z", "created", old, b"", "base");
        let main = line(
            "2026-12-03T02:00:00Z",
            "created",
            "ERR-20261203-001",
            &base,
            "main",
        );
        let d = line("2026-12-03T03:00:00Z", "updated", old, &base, "d");
        let e = line("2026-12-03T04:00:00Z", "created", old, b"", "e");
        let merged = merge_chain(&merge_chain(&main, &d, "t"), &e, "t");
        assert!(verify(&merged).is_ok());
        std::fs::write(dir.path().join("events.jsonl"), &merged).unwrap();
        let entry = |id: &str, logged: &str, extra: &str| {
            format!(
                "## [{id}] insight\n\n**Logged**: {logged}\n\n### Metadata\n- Source: x\n{extra}\n---\n"
            )
        };
        let log = format!(
            "# Learnings\n\n{}\n{}",
            entry(old, "2026-12-03T01:00:00Z", ""),
            entry(
                "LRN-20261203-002",
                "2026-12-03T04:00:00Z",
                "- Renumbered-From: LRN-20261203-001\n"
            )
        );
        std::fs::write(dir.path().join("LEARNINGS.md"), log).unwrap();
        let times = |id: &str| -> Vec<String> {
            let (events, broken) = crate::store::audit::history(dir.path(), id);
            assert!(broken.is_none());
            events
                .iter()
                .map(|e| e["ts"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(times("LRN-20261203-002"), ["2026-12-03T04:00:00Z"]);
        assert_eq!(times(old), ["2026-12-03T01:00:00Z", "2026-12-03T03:00:00Z"]);
        // Without the renumbered entry in the log, every event under OLD is OLD's.
        std::fs::write(dir.path().join("LEARNINGS.md"), entry(old, "x", "")).unwrap();
        assert_eq!(times(old).len(), 3);
    }

    #[test]
    fn an_id_a_renumbered_entry_took_is_told_apart_from_the_lesson_created_under_it() {
        // main: P created as 001, Q (theirs, created as 001 at 01:00) renumbered to 003 and
        // promoted as 003. Then theirs created T as 003 and promoted it; a merge brings
        // that in, and T is 004 (Renumbered-From 003) on main.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        let at = |ts: &str, action: &str, id: &str, base: &[u8]| {
            std::fs::write(&path, base).unwrap();
            append(&path, ts, action, id, json!({"ts": ts})).unwrap();
            std::fs::read(&path).unwrap()
        };
        let q = at("2026-12-03T01:00:00Z", "created", "LRN-20261203-001", b"");
        let main = at("2026-12-03T02:00:00Z", "created", "LRN-20261203-001", b"");
        let main = merge_chain(&main, &q, "2026-12-03T03:00:00Z");
        let main = at(
            "2026-12-03T04:00:00Z",
            "promoted",
            "LRN-20261203-003",
            &main,
        );
        let t = at("2026-12-03T05:00:00Z", "created", "LRN-20261203-003", &q);
        let t = at("2026-12-03T06:00:00Z", "promoted", "LRN-20261203-003", &t);
        let merged = merge_chain(&main, &t, "2026-12-03T07:00:00Z");
        assert!(verify(&merged).is_ok());
        std::fs::write(dir.path().join("events.jsonl"), &merged).unwrap();
        let entry = |id: &str, logged: &str, from: &str| {
            let from = if from.is_empty() {
                String::new()
            } else {
                format!("- Renumbered-From: {from}\n")
            };
            format!(
                "## [{id}] insight\n\n**Logged**: {logged}\n\n### Metadata\n- Source: x\n{from}\n---\n"
            )
        };
        let log = [
            entry("LRN-20261203-001", "2026-12-03T02:00:00Z", ""),
            entry(
                "LRN-20261203-003",
                "2026-12-03T01:00:00Z",
                "LRN-20261203-001",
            ),
            entry(
                "LRN-20261203-004",
                "2026-12-03T05:00:00Z",
                "LRN-20261203-003",
            ),
        ]
        .join("\n");
        std::fs::write(
            dir.path().join("LEARNINGS.md"),
            format!("# Learnings\n\n{log}"),
        )
        .unwrap();
        let times = |id: &str| -> Vec<String> {
            crate::store::audit::history(dir.path(), id)
                .0
                .iter()
                .map(|e| e["ts"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(times("LRN-20261203-001"), ["2026-12-03T02:00:00Z"]);
        assert_eq!(
            times("LRN-20261203-003"),
            ["2026-12-03T01:00:00Z", "2026-12-03T04:00:00Z"]
        );
        assert_eq!(
            times("LRN-20261203-004"),
            ["2026-12-03T05:00:00Z", "2026-12-03T06:00:00Z"]
        );
        // An entry whose Logged matches no created event under its ID (edited by hand; here
        // it is the time another ID was created) keeps every event under its ID.
        let hand = entry("LRN-20261203-001", "2026-12-03T05:00:00Z", "");
        std::fs::write(dir.path().join("LEARNINGS.md"), hand).unwrap();
        assert_eq!(times("LRN-20261203-001").len(), 2);
    }

    #[test]
    fn merges_of_merges_and_merging_again() {
        let dir = tempfile::tempdir().unwrap();
        let base = chain(dir.path(), "o", b"", &["LRN-1"]);
        let a = chain(dir.path(), "a", &base, &["A-1"]);
        let b = chain(dir.path(), "b", &base, &["B-1"]);
        let c = chain(dir.path(), "c", &base, &["C-1"]);
        // b takes c in, then a takes b in: b's merge is verified inside a's.
        let bc = merge_chain(&b, &c, "t");
        let abc = merge_chain(&a, &bc, "t");
        assert!(verify(&abc).is_ok());
        // Merging the same again changes nothing; so does merging what ours already holds.
        assert_eq!(merge_chain(&abc, &bc, "t"), abc);
        assert_eq!(merge_chain(&abc, &c, "t"), abc);
        // b goes on after a took it in, and a takes it in again (and the reverse: b takes a).
        let path = dir.path().join("bc2");
        std::fs::write(&path, &bc).unwrap();
        append(&path, "t", "created", "B-2", json!({})).unwrap();
        let bc2 = std::fs::read(&path).unwrap();
        let again = merge_chain(&abc, &bc2, "t");
        assert!(verify(&again).is_ok());
        assert!(verify(&merge_chain(&bc2, &abc, "t")).is_ok());
        // No common line at all: both chains from the start.
        let fresh = chain(dir.path(), "f", b"", &["F-1"]);
        assert!(verify(&merge_chain(&a, &fresh, "t")).is_ok());
    }
}
