//! The three-way merge of one log, entry by entry.
//!
//! Entries are matched by ID (and, for the duplicate IDs the wild holds, by which occurrence
//! of that ID they are). Ours gives the order: its entries stay where they are, merged with
//! theirs; what only theirs added follows at the end, in theirs' order. An entry changed on
//! one side takes that change; changed on both, its lines are merged, and a conflict stays
//! inside that entry. Counters and dates that both sides moved (a recurrence on each branch)
//! are combined rather than fought over. An ID both sides minted for different lessons is
//! given to ours; theirs' entry is renumbered.

use std::collections::{BTreeSet, HashMap};

use crate::format::{Document, Entry};
use crate::merge::lines::{mark, merge3};
use crate::merge::renumber::{next_free, renumber, renumber_header, replace_id};

/// What merging a log gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogMerge {
    pub bytes: Vec<u8>,
    /// What holds conflict markers: entry IDs, or `the preamble`.
    pub conflicts: Vec<String>,
    /// Theirs' entries given a new ID: (old, new).
    pub renumbered: Vec<(String, String)>,
}

/// An entry's place: its ID and which occurrence of that ID it is.
type Key = (String, usize);

/// One entry's text split in two: the entry, and the blank lines after it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Piece<'a> {
    core: &'a [u8],
    gap: &'a [u8],
}

struct Side<'a> {
    preamble: &'a [u8],
    order: Vec<Key>,
    pieces: HashMap<Key, Piece<'a>>,
}

fn side(doc: &Document) -> Side<'_> {
    let mut seen = HashMap::<&str, usize>::new();
    let mut order = Vec::with_capacity(doc.entries().len());
    let mut pieces = HashMap::with_capacity(doc.entries().len());
    for span in doc.entries() {
        let n = seen.entry(span.id.as_str()).or_insert(0);
        let key = (span.id.to_string(), *n);
        *n += 1;
        pieces.insert(key.clone(), split(doc.entry_bytes(span)));
        order.push(key);
    }
    Side {
        preamble: doc.preamble(),
        order,
        pieces,
    }
}

/// The entry without the blank lines that follow it (its own last line break kept).
fn split(bytes: &[u8]) -> Piece<'_> {
    let mut end = bytes.len();
    loop {
        let rest = &bytes[..end];
        let blank = if rest.ends_with(b"\r\n\r\n") || rest.ends_with(b"\n\r\n") {
            2
        } else if rest.ends_with(b"\n\n") {
            1
        } else {
            break;
        };
        end -= blank;
    }
    Piece {
        core: &bytes[..end],
        gap: &bytes[end..],
    }
}

/// Merges the three versions of one log.
pub fn merge_log(base: &[u8], ours: &[u8], theirs: &[u8]) -> LogMerge {
    let labels = ("ours", "theirs");
    let (o_doc, a_doc, b_doc) = (
        Document::parse(base.to_vec()),
        Document::parse(ours.to_vec()),
        Document::parse(theirs.to_vec()),
    );
    let (o, a, b) = (side(&o_doc), side(&a_doc), side(&b_doc));
    let mut conflicts = Vec::new();

    // Theirs' new entries whose ID ours also minted, for another lesson, get the next free ID.
    let mut used: BTreeSet<String> = [&o, &a, &b]
        .iter()
        .flat_map(|s| s.order.iter().map(|k| k.0.clone()))
        .collect();
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut renamed_keys = HashMap::<Key, String>::new();
    for key in &b.order {
        if o.pieces.contains_key(key) {
            continue;
        }
        let collides = a
            .pieces
            .get(key)
            .is_some_and(|p| p.core != b.pieces[key].core);
        if collides && let Ok(id) = key.0.parse() {
            let new = next_free(&used, &id).to_string();
            used.insert(new.clone());
            renames.push((key.0.clone(), new.clone()));
            renamed_keys.insert(key.clone(), new);
        }
    }
    // Theirs' text as it reads after the renumbering: every entry theirs added or changed
    // refers to the lessons of its own branch.
    let mut b_text: HashMap<Key, Vec<u8>> = HashMap::new();
    for key in &b.order {
        let core = b.pieces[key].core;
        if o.pieces.get(key).is_some_and(|p| p.core == core) {
            continue;
        }
        let mut text = core.to_vec();
        for (old, new) in &renames {
            // When the base already had an entry under that ID (the wild's duplicates), a
            // mention of it may mean that one: only the header changes then.
            let shared_id = o.order.iter().any(|k| k.0 == *old);
            text = match renamed_keys.get(key) {
                Some(mine) if mine == new && shared_id => renumber_header(&text, old, new),
                Some(mine) if mine == new => renumber(&text, old, new),
                _ if shared_id => text,
                _ => replace_id(&text, old, new),
            };
        }
        b_text.insert(key.clone(), text);
    }
    let theirs_core = |key: &Key| -> Vec<u8> {
        b_text
            .get(key)
            .cloned()
            .unwrap_or_else(|| b.pieces[key].core.to_vec())
    };

    let mut out = Vec::with_capacity(ours.len().max(theirs.len()));
    let pre = merge3(o.preamble, a.preamble, b.preamble, labels);
    if pre.conflicted {
        conflicts.push("the preamble".to_owned());
    }
    out.extend_from_slice(&pre.bytes);

    let mut emitted = BTreeSet::<Key>::new();
    for key in &a.order {
        let piece = a.pieces[key];
        let in_o = o.pieces.get(key);
        let in_b = b
            .pieces
            .get(key)
            .filter(|_| !renamed_keys.contains_key(key));
        let merged = match (in_o, in_b) {
            // In the base and on both sides: three-way.
            (Some(op), Some(_)) => {
                let m = merge_entry(op.core, piece.core, &theirs_core(key), labels);
                if m.conflicted {
                    conflicts.push(key.0.clone());
                }
                m.bytes
            }
            // Theirs deleted it: gone, unless ours changed it.
            (Some(op), None) if op.core == piece.core => {
                emitted.insert(key.clone());
                continue;
            }
            (Some(_), None) => {
                conflicts.push(key.0.clone());
                let mut v = Vec::new();
                mark(&mut v, &[piece.core], &[], labels);
                v
            }
            // Ours added it (theirs may have added the very same entry).
            (None, _) => piece.core.to_vec(),
        };
        emitted.insert(key.clone());
        out.extend_from_slice(&merged);
        out.extend_from_slice(piece.gap);
    }

    let mut tail: Vec<Vec<u8>> = Vec::new();
    for key in &b.order {
        if emitted.contains(key) && !renamed_keys.contains_key(key) {
            continue;
        }
        let core = b.pieces[key].core;
        match o.pieces.get(key) {
            // Ours deleted it: gone, unless theirs changed it.
            Some(op) if op.core == core => {}
            Some(_) => {
                conflicts.push(key.0.clone());
                let mut v = Vec::new();
                mark(&mut v, &[], &[&theirs_core(key)], labels);
                tail.push(v);
            }
            None => tail.push(theirs_core(key)),
        }
    }
    if !tail.is_empty() {
        // A fence or comment the merged text leaves open would hide what follows.
        if let Some(closer) = Document::parse(out.clone()).unclosed() {
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(closer.as_bytes());
            out.push(b'\n');
        }
        for piece in tail {
            if !out.is_empty() {
                if !out.ends_with(b"\n") {
                    out.push(b'\n');
                }
                if !out.ends_with(b"\n\n") {
                    out.push(b'\n');
                }
            }
            out.extend_from_slice(&piece);
        }
    }
    LogMerge {
        bytes: out,
        conflicts,
        renumbered: renames,
    }
}

/// Metadata both sides may move independently, and how two moves combine.
const COUNTS: &[&str] = &["Recurrence-Count", "Pass-Count"];
const LATEST: &[&str] = &["Last-Seen", "Passed-After-Failure"];
const EARLIEST: &[&str] = &["First-Seen"];
const HASH_LISTS: &[&str] = &["Session-Hashes", "Pass-Session-Hashes"];

/// Merges one entry changed on both sides: combined counters first, then its lines.
fn merge_entry(o: &[u8], a: &[u8], b: &[u8], labels: (&str, &str)) -> crate::merge::lines::Merged {
    // The same change on both sides (a cherry-pick, say) is one change, as git takes it.
    if a == b || a == o || b == o {
        return merge3(o, a, b, labels);
    }
    if let (Ok(os), Ok(as_), Ok(bs)) = (
        std::str::from_utf8(o),
        std::str::from_utf8(a),
        std::str::from_utf8(b),
    ) && let (Some(oe), Some(ae), Some(be)) =
        (Entry::parse(os), Entry::parse(as_), Entry::parse(bs))
    {
        let values = combined(&oe, &ae, &be);
        if !values.is_empty() {
            let (mut a2, mut b2) = (as_.to_owned(), bs.to_owned());
            for (name, value) in &values {
                a2 = reset(&a2, name, value);
                b2 = reset(&b2, name, value);
            }
            return merge3(o, a2.as_bytes(), b2.as_bytes(), labels);
        }
    }
    merge3(o, a, b, labels)
}

/// Sets a metadata value the side already has (a side without it keeps its text).
fn reset(text: &str, name: &str, value: &str) -> String {
    match Entry::parse(text) {
        Some(e) if e.meta(name).is_some() => e.with_meta(name, value),
        _ => text.to_owned(),
    }
}

/// The values of the combinable metadata that both sides changed, combined.
fn combined(o: &Entry<'_>, a: &Entry<'_>, b: &Entry<'_>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let both_moved = |name: &str| {
        let (vo, va, vb) = (o.meta(name), a.meta(name), b.meta(name));
        va.is_some() && vb.is_some() && va != vo && vb != vo
    };
    for &name in COUNTS {
        if both_moved(name) {
            let n = |e: &Entry<'_>| e.meta_number(name).unwrap_or(1);
            let (no, na, nb) = (n(o), n(a), n(b));
            let sum = (na + nb).saturating_sub(no).max(na.max(nb));
            out.push((name, sum.to_string()));
        }
    }
    for &name in LATEST.iter().chain(EARLIEST) {
        if both_moved(name) {
            let (va, vb) = (a.meta(name).unwrap_or(""), b.meta(name).unwrap_or(""));
            let later = va.trim() >= vb.trim();
            let pick = if LATEST.contains(&name) == later {
                va
            } else {
                vb
            };
            out.push((name, pick.trim().to_owned()));
        }
    }
    for &name in HASH_LISTS {
        if both_moved(name) {
            let mut list: Vec<&str> = a.meta(name).unwrap_or("").split_whitespace().collect();
            let theirs_new: Vec<&str> = b
                .meta(name)
                .unwrap_or("")
                .split_whitespace()
                .filter(|h| !list.contains(h))
                .collect();
            list.extend(theirs_new);
            out.push((name, list.join(" ")));
        }
    }
    if both_moved("Sessions") {
        // Each side's new sessions, less the ones both sides saw.
        let hashes = |e: &Entry<'_>| -> BTreeSet<String> {
            e.meta("Session-Hashes")
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        };
        let (ho, ha, hb) = (hashes(o), hashes(a), hashes(b));
        let shared = ha.intersection(&hb).filter(|h| !ho.contains(*h)).count() as u64;
        let n = |e: &Entry<'_>| e.meta_number("Sessions").unwrap_or(1);
        let (no, na, nb) = (n(o), n(a), n(b));
        let total = (na + nb).saturating_sub(no + shared).max(na.max(nb));
        out.push(("Sessions", total.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, summary: &str, status: &str) -> String {
        format!(
            "## [{id}] insight\n\n**Logged**: 2026-12-03T10:00:00Z\n**Priority**: medium\n**Status**: {status}\n**Area**: backend\n\n### Summary\n{summary}\n\n### Details\nd\n\n### Suggested Action\na\n\n### Metadata\n- Source: conversation\n\n---\n"
        )
    }

    const HEAD: &str = "# Learnings\n\n---\n";

    fn file(entries: &[String]) -> String {
        let mut s = HEAD.to_owned();
        for e in entries {
            s.push('\n');
            s.push_str(e);
        }
        s
    }

    fn run(o: &str, a: &str, b: &str) -> (String, LogMerge) {
        let m = merge_log(o.as_bytes(), a.as_bytes(), b.as_bytes());
        (String::from_utf8(m.bytes.clone()).unwrap(), m)
    }

    #[test]
    fn entries_added_on_both_sides_are_all_kept_ours_first() {
        let e1 = entry("LRN-20261201-001", "base", "pending");
        let o = file(std::slice::from_ref(&e1));
        let a = file(&[e1.clone(), entry("LRN-20261202-001", "ours", "pending")]);
        let b = file(&[e1.clone(), entry("LRN-20261202-002", "theirs", "pending")]);
        let (text, m) = run(&o, &a, &b);
        assert!(m.conflicts.is_empty() && m.renumbered.is_empty());
        assert_eq!(
            text,
            format!("{a}\n{}", entry("LRN-20261202-002", "theirs", "pending"))
        );
    }

    #[test]
    fn the_same_id_minted_twice_renumbers_theirs_and_its_references() {
        let e1 = entry("LRN-20261201-001", "base", "pending");
        let o = file(std::slice::from_ref(&e1));
        let ours_new = entry("LRN-20261203-001", "ours", "pending");
        let theirs_new = entry("LRN-20261203-001", "theirs", "pending");
        let theirs_ref = entry("LRN-20261203-002", "theirs two", "pending")
            .replace("- Source: conversation", "- See Also: LRN-20261203-001");
        let a = file(&[e1.clone(), ours_new.clone()]);
        let b = file(&[e1.clone(), theirs_new, theirs_ref]);
        let (text, m) = run(&o, &a, &b);
        assert!(m.conflicts.is_empty());
        // 002 is taken on theirs' side, so the next free number is 003.
        assert_eq!(
            m.renumbered,
            vec![("LRN-20261203-001".into(), "LRN-20261203-003".into())]
        );
        let doc = Document::parse(text.clone().into_bytes());
        let ids: Vec<&str> = doc.entries().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "LRN-20261201-001",
                "LRN-20261203-001",
                "LRN-20261203-003",
                "LRN-20261203-002"
            ]
        );
        assert!(text.contains("### Summary\ntheirs\n"));
        assert!(text.contains("- Renumbered-From: LRN-20261203-001\n"));
        assert!(text.contains("- See Also: LRN-20261203-003\n"));
        assert!(text.starts_with(&a), "ours' bytes stay as they were");
    }

    #[test]
    fn a_second_copy_of_a_base_id_minted_on_both_sides_keeps_its_references() {
        // The base already holds the ID once (the wild has duplicates); a mention of it on
        // theirs' side may mean the base entry, so only the header of theirs' copy changes.
        let e1 = entry("LRN-20261203-001", "base", "pending");
        let o = file(std::slice::from_ref(&e1));
        let a = file(&[e1.clone(), entry("LRN-20261203-001", "ours", "pending")]);
        let theirs = entry("LRN-20261203-001", "theirs", "pending")
            .replace("- Source: conversation", "- See Also: LRN-20261203-001");
        let b = file(&[e1.clone(), theirs]);
        let (text, m) = run(&o, &a, &b);
        assert_eq!(
            m.renumbered,
            vec![("LRN-20261203-001".into(), "LRN-20261203-002".into())]
        );
        assert!(text.contains("## [LRN-20261203-002] insight\n"));
        assert!(
            text.contains("- See Also: LRN-20261203-001\n- Renumbered-From: LRN-20261203-001\n"),
            "{text}"
        );
    }

    #[test]
    fn status_on_one_side_and_a_section_on_the_other_merge() {
        let e = entry("ERR-20261201-001", "s", "pending");
        let o = file(std::slice::from_ref(&e));
        let a = file(&[e.replace("**Status**: pending", "**Status**: resolved")]);
        let b = file(&[e.replace("\n---\n", "\n### Verification Spec\n{}\n\n---\n")]);
        let (text, m) = run(&o, &a, &b);
        assert!(m.conflicts.is_empty(), "{text}");
        assert!(text.contains("**Status**: resolved") && text.contains("### Verification Spec"));
    }

    #[test]
    fn the_same_field_changed_two_ways_conflicts_inside_that_entry() {
        let e1 = entry("ERR-20261201-001", "one", "pending");
        let e2 = entry("ERR-20261201-002", "two", "pending");
        let o = file(&[e1.clone(), e2.clone()]);
        let a = file(&[e1.replace("pending", "resolved"), e2.clone()]);
        let b = file(&[e1.replace("pending", "wont_fix"), e2.clone()]);
        let (text, m) = run(&o, &a, &b);
        assert_eq!(m.conflicts, vec!["ERR-20261201-001".to_owned()]);
        assert!(text.contains(
            "<<<<<<< ours\n**Status**: resolved\n=======\n**Status**: wont_fix\n>>>>>>> theirs\n"
        ));
        assert!(
            text.ends_with(&format!("\n{e2}")),
            "the other entry is untouched"
        );
    }

    #[test]
    fn recurrences_on_both_branches_add_up() {
        let e = entry("ERR-20261201-001", "s", "pending").replace(
            "- Source: conversation",
            "- Recurrence-Count: 2\n- First-Seen: 2026-12-01\n- Last-Seen: 2026-12-01",
        );
        let o = file(std::slice::from_ref(&e));
        let a = file(&[e
            .replace("Count: 2", "Count: 4")
            .replace("Last-Seen: 2026-12-01", "Last-Seen: 2026-12-03")]);
        let b = file(&[e
            .replace("Count: 2", "Count: 3")
            .replace("Last-Seen: 2026-12-01", "Last-Seen: 2026-12-02")]);
        let (text, m) = run(&o, &a, &b);
        assert!(m.conflicts.is_empty(), "{text}");
        assert!(text.contains("- Recurrence-Count: 5\n"));
        assert!(text.contains("- Last-Seen: 2026-12-03\n"));
    }

    #[test]
    fn deletions_and_the_same_entry_added_on_both_sides() {
        let e1 = entry("LRN-20261201-001", "one", "pending");
        let e2 = entry("LRN-20261201-002", "two", "pending");
        let same = entry("LRN-20261203-001", "cherry-picked", "pending");
        let o = file(&[e1.clone(), e2.clone()]);
        let a = file(&[e2.clone(), same.clone()]);
        let b = file(&[e1.clone(), e2.clone(), same.clone()]);
        let (text, m) = run(&o, &a, &b);
        assert!(m.conflicts.is_empty() && m.renumbered.is_empty());
        assert_eq!(text, a);
        // Deleted on one side, changed on the other: a conflict naming the entry.
        let b = file(&[e1.replace("one", "ONE"), e2.clone()]);
        let (text, m) = run(&o, &a, &b);
        assert_eq!(m.conflicts, vec!["LRN-20261201-001".to_owned()]);
        assert!(text.contains("<<<<<<< ours\n=======\n## [LRN-20261201-001]"));
    }

    fn file_of(lines: Vec<&'static str>, crlf: bool) -> Vec<u8> {
        let eol = if crlf { "\r\n" } else { "\n" };
        lines.join(eol).into_bytes()
    }

    fn lines() -> impl proptest::strategy::Strategy<Value = Vec<&'static str>> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                "## [LRN-20261203-001] a",
                "## [LRN-20261203-002] b",
                "### [ERR-20261203-001] c",
                "## [LRN-20261203-001] dup",
                "```",
                "~~~~",
                "<!--",
                "-->",
                "---",
                "",
                "",
                "**Status**: pending",
                "**Status:** resolved",
                "### Metadata",
                "- Recurrence-Count: 2",
                "- Last-Seen: 2026-12-01",
                "- Session-Hashes: aa bb",
                "- Sessions: 2",
                "- See Also: LRN-20261203-001",
                "text",
                "\u{feff}# Learnings",
            ]),
            0..24,
        )
    }

    proptest::proptest! {
        /// Any three files merge without a panic; a side that changed nothing gives the other
        /// side's bytes exactly, and three equal files give themselves.
        #[test]
        fn any_files_merge_and_an_unchanged_side_changes_nothing(
            o in lines(), a in lines(), b in lines(), crlf in proptest::bool::ANY,
        ) {
            let (o, a, b) = (file_of(o, crlf), file_of(a, crlf), file_of(b, false));
            let _ = merge_log(&o, &a, &b);
            let kept = merge_log(&o, &a, &o);
            proptest::prop_assert_eq!(&kept.bytes, &a);
            proptest::prop_assert!(kept.conflicts.is_empty() && kept.renumbered.is_empty());
            proptest::prop_assert_eq!(merge_log(&b, &b, &b).bytes, b);
        }
    }

    #[test]
    fn an_unclosed_fence_in_ours_is_closed_before_theirs_entries() {
        let e1 = entry("ERR-20261201-001", "one", "pending");
        let o = file(std::slice::from_ref(&e1));
        let a = format!("{o}\n```\nleft open\n");
        let b = file(&[e1.clone(), entry("ERR-20261201-002", "two", "pending")]);
        let (text, _) = run(&o, &a, &b);
        let ids: Vec<String> = Document::parse(text.into_bytes())
            .entries()
            .iter()
            .map(|s| s.id.to_string())
            .collect();
        assert_eq!(ids, ["ERR-20261201-001", "ERR-20261201-002"]);
    }
}
