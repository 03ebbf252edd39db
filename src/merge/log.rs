//! The three-way merge of one log, entry by entry.
//!
//! Entries are matched as lessons: by ID (and, for the duplicate IDs the wild holds, by which
//! occurrence of that ID they are), unless their `**Logged**` times differ; and an entry an
//! earlier merge renumbered (`- Renumbered-From: OLD`) is still the lesson it was under
//! `OLD`, by its `**Logged**` time. So a branch merged twice, merged back, rebased or
//! cherry-picked changes the lesson it changed, whatever it is called on each side.
//!
//! Ours gives the order and the IDs: its entries stay where they are, merged with theirs;
//! what only theirs holds follows at the end, in theirs' order. Theirs' text is read in ours'
//! IDs first, references included. An entry changed on one side takes that change; changed
//! on both, its lines are merged, and a conflict stays inside that entry. Counters and dates
//! that both sides moved (a recurrence on each branch) are combined rather than fought over.
//! A lesson only theirs holds whose ID ours uses for another is renumbered.

use std::collections::{BTreeSet, HashMap};

use crate::format::{Document, Entry, EntryId, RENUMBERED_FROM};
use crate::merge::lines::{mark, matched_lines, merge3};
use crate::merge::renumber::{next_free, rename_header, translate};

/// What merging a log gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogMerge {
    pub bytes: Vec<u8>,
    /// What holds conflict markers: entry IDs, or `the preamble`.
    pub conflicts: Vec<String>,
    /// Theirs' entries given a new ID: (old, new).
    pub renumbered: Vec<(String, String)>,
}

/// One entry of one side.
struct Item<'a> {
    id: String,
    /// Which occurrence of its ID it is (the wild has duplicates).
    occurrence: usize,
    core: &'a [u8],
    /// The blank lines after it.
    gap: &'a [u8],
    logged: Option<String>,
    renumbered_from: Option<String>,
    summary: String,
}

struct Side<'a> {
    preamble: &'a [u8],
    items: Vec<Item<'a>>,
    /// IDs that appear once: only those can be translated.
    unique: BTreeSet<String>,
}

fn side(doc: &Document) -> Side<'_> {
    let mut seen = HashMap::<&str, usize>::new();
    let mut items = Vec::with_capacity(doc.entries().len());
    for span in doc.entries() {
        let n = seen.entry(span.id.as_str()).or_insert(0);
        let (core, gap) = split(doc.entry_bytes(span));
        let parsed = std::str::from_utf8(core).ok().and_then(Entry::parse);
        items.push(Item {
            id: span.id.to_string(),
            occurrence: *n,
            core,
            gap,
            logged: parsed
                .as_ref()
                .and_then(|e| e.field("logged"))
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty()),
            renumbered_from: parsed
                .as_ref()
                .and_then(Entry::renumbered_from)
                .map(|id| id.to_string()),
            summary: parsed
                .as_ref()
                .map(|e| e.summary().to_owned())
                .unwrap_or_default(),
        });
        *n += 1;
    }
    let unique = seen
        .into_iter()
        .filter(|(_, n)| *n == 1)
        .map(|(id, _)| id.to_owned())
        .collect();
    Side {
        preamble: doc.preamble(),
        items,
        unique,
    }
}

/// The entry without the blank lines that follow it (its own last line break kept).
fn split(bytes: &[u8]) -> (&[u8], &[u8]) {
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
    (&bytes[..end], &bytes[end..])
}

/// Whether two entries could be one lesson: under one ID (and occurrence) when their Logged
/// times are the same (or both absent); under two IDs when one was renumbered from the other
/// (or both from one) and their Logged times are the same.
fn same_lesson(x: &Item<'_>, y: &Item<'_>) -> bool {
    // Logged is written once and never removed: an entry with it and one without are two.
    if same_key(x, y) {
        return x.logged == y.logged;
    }
    let related = x.renumbered_from.as_ref() == Some(&y.id)
        || y.renumbered_from.as_ref() == Some(&x.id)
        || (x.renumbered_from.is_some() && x.renumbered_from == y.renumbered_from);
    related && x.logged == y.logged
}

fn same_key(x: &Item<'_>, y: &Item<'_>) -> bool {
    (&x.id, x.occurrence) == (&y.id, y.occurrence)
}

/// For each item of `from`, the item of `to` that is the same lesson. Logged times have a
/// second's grain, so the summary decides first: the same ID and summary, then a renumbered
/// one with the same summary, then the same ID whatever its summary now says.
fn match_items(from: &Side<'_>, to: &Side<'_>) -> Vec<Option<usize>> {
    // Where to look: the same ID, or an ID a renumbering links (an index, so a log of ten
    // thousand entries is matched in one pass, not ten thousand).
    let mut by_id = HashMap::<&str, Vec<usize>>::new();
    let mut by_old = HashMap::<&str, Vec<usize>>::new();
    for (j, y) in to.items.iter().enumerate() {
        by_id.entry(y.id.as_str()).or_default().push(j);
        if let Some(old) = &y.renumbered_from {
            by_old.entry(old.as_str()).or_default().push(j);
        }
    }
    let candidates = |x: &Item<'_>| -> Vec<usize> {
        let mut c: Vec<usize> = by_id.get(x.id.as_str()).cloned().unwrap_or_default();
        c.extend(by_old.get(x.id.as_str()).into_iter().flatten());
        if let Some(old) = &x.renumbered_from {
            c.extend(by_id.get(old.as_str()).into_iter().flatten());
            c.extend(by_old.get(old.as_str()).into_iter().flatten());
        }
        c.sort_unstable();
        c.dedup();
        c
    };
    let mut taken = vec![false; to.items.len()];
    let mut out = vec![None; from.items.len()];
    let passes: [fn(&Item<'_>, &Item<'_>) -> bool; 3] = [
        |x, y| same_key(x, y) && x.summary == y.summary,
        |x, y| !same_key(x, y) && x.summary == y.summary,
        same_key,
    ];
    let found: Vec<Vec<usize>> = from.items.iter().map(candidates).collect();
    for fits in passes {
        for (i, x) in from.items.iter().enumerate() {
            if out[i].is_some() {
                continue;
            }
            let hit = found[i]
                .iter()
                .copied()
                .find(|&j| !taken[j] && fits(x, &to.items[j]) && same_lesson(x, &to.items[j]));
            if let Some(j) = hit {
                taken[j] = true;
                out[i] = Some(j);
            }
        }
    }
    out
}

/// One lesson of the merge: where it is on each side, and the ID it gets.
struct Lesson {
    o: Option<usize>,
    a: Option<usize>,
    b: Option<usize>,
    id: String,
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
    let (o_in_a, o_in_b) = (match_items(&o, &a), match_items(&o, &b));

    // The lessons: the base's, then ours' new ones, then theirs' new ones (one found on both
    // sides is one lesson).
    let mut lessons: Vec<Lesson> = Vec::new();
    let (mut a_done, mut b_done) = (vec![false; a.items.len()], vec![false; b.items.len()]);
    for i in 0..o.items.len() {
        let (ai, bi) = (o_in_a[i], o_in_b[i]);
        if let Some(x) = ai {
            a_done[x] = true;
        }
        if let Some(y) = bi {
            b_done[y] = true;
        }
        lessons.push(Lesson {
            o: Some(i),
            a: ai,
            b: bi,
            id: String::new(),
        });
    }
    let a_new: Vec<usize> = (0..a.items.len()).filter(|&x| !a_done[x]).collect();
    let mut paired = vec![false; a.items.len()];
    for x in &a_new {
        lessons.push(Lesson {
            o: None,
            a: Some(*x),
            b: None,
            id: String::new(),
        });
    }
    for (y, done) in b_done.iter().enumerate() {
        if *done {
            continue;
        }
        let twin = a_new.iter().copied().find(|&x| {
            !paired[x] && {
                // Added on both sides (a cherry-pick): one lesson only when it also says the
                // same, since two lessons minted apart can share a Logged second.
                let (ai, bi) = (&a.items[x], &b.items[y]);
                same_lesson(ai, bi) && ai.summary == bi.summary
            }
        });
        match twin {
            Some(x) => {
                paired[x] = true;
                let l = lessons.iter_mut().find(|l| l.a == Some(x)).expect("listed");
                l.b = Some(y);
            }
            None => lessons.push(Lesson {
                o: None,
                a: None,
                b: Some(y),
                id: String::new(),
            }),
        }
    }

    // IDs: ours' where ours has the lesson; else theirs', renumbered when ours' file (or a
    // lesson placed before it) already uses it for another.
    let mut used: BTreeSet<String> = [&o, &a, &b]
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.id.clone()))
        .collect();
    let mut taken: BTreeSet<String> = a.items.iter().map(|i| i.id.clone()).collect();
    let mut renumbered = Vec::new();
    for l in lessons.iter_mut() {
        l.id = match (l.a, l.b) {
            (Some(x), _) => a.items[x].id.clone(),
            (None, Some(y)) => {
                let mine = &b.items[y].id;
                let dropped = l.o.is_some_and(|i| o.items[i].core == b.items[y].core);
                if taken.contains(mine) && !dropped {
                    let new = mine
                        .parse::<EntryId>()
                        .map_or_else(|()| mine.clone(), |id| next_free(&used, &id).to_string());
                    used.insert(new.clone());
                    if new != *mine {
                        renumbered.push((mine.clone(), new.clone()));
                    }
                    new
                } else {
                    mine.clone()
                }
            }
            (None, None) => o.items[l.o.expect("a lesson is somewhere")].id.clone(),
        };
        taken.insert(l.id.clone());
    }

    // Theirs and the base read in the merge's IDs.
    let map_of = |side: &Side<'_>, pick: fn(&Lesson) -> Option<usize>| -> HashMap<String, String> {
        lessons
            .iter()
            .filter_map(|l| {
                let item = &side.items[pick(l)?];
                (item.id != l.id && side.unique.contains(&item.id))
                    .then(|| (item.id.clone(), l.id.clone()))
            })
            .collect()
    };
    let (b_map, o_map) = (map_of(&b, |l| l.b), map_of(&o, |l| l.o));
    // The Renumbered-From a lesson carries: ours', or theirs' old ID when renumbered now.
    let rf_of = |l: &Lesson| -> Option<Option<String>> {
        match (l.a, l.b) {
            (Some(x), _) => Some(a.items[x].renumbered_from.clone()),
            // Renumbered again: the first ID stays, where its `created` event is.
            (None, Some(y)) if b.items[y].id != l.id => Some(Some(
                b.items[y]
                    .renumbered_from
                    .clone()
                    .unwrap_or_else(|| b.items[y].id.clone()),
            )),
            _ => None,
        }
    };
    let read_as = |item: &Item<'_>, map: &HashMap<String, String>, l: &Lesson| -> Vec<u8> {
        let mut text = translate(item.core, map);
        if item.id != l.id {
            // Its header, even where its ID is not unique on its side and so not translated.
            text = rename_header(&text, &item.id, &l.id);
        }
        match rf_of(l) {
            Some(rf) => with_renumbered_from(&text, rf.as_deref()),
            None => text,
        }
    };

    let mut conflicts = Vec::new();
    let mut out = Vec::with_capacity(ours.len().max(theirs.len()));
    let pre = merge3(o.preamble, a.preamble, b.preamble, labels);
    if pre.conflicted {
        conflicts.push("the preamble".to_owned());
    }
    out.extend_from_slice(&pre.bytes);

    // Ours' entries, in ours' order.
    let mut by_a: Vec<Option<&Lesson>> = vec![None; a.items.len()];
    for l in &lessons {
        if let Some(x) = l.a {
            by_a[x] = Some(l);
        }
    }
    for (x, l) in by_a.iter().enumerate() {
        let l = l.expect("every entry of ours is a lesson");
        let item = &a.items[x];
        let ours_text = item.core.to_vec();
        let theirs_text = l.b.map(|y| read_as(&b.items[y], &b_map, l));
        let base_text = l.o.map(|i| read_as(&o.items[i], &o_map, l));
        let merged = match (base_text, theirs_text) {
            (Some(ot), Some(bt)) => {
                let m = merge_entry(&ot, &ours_text, &bt, labels);
                if m.conflicted {
                    conflicts.push(l.id.clone());
                }
                m.bytes
            }
            // Theirs deleted it: gone, unless ours changed it.
            (Some(ot), None) if ot == ours_text => continue,
            (Some(_), None) => {
                conflicts.push(l.id.clone());
                let mut v = Vec::new();
                mark(&mut v, &[&ours_text], &[], labels);
                v
            }
            // Both added this lesson (a cherry-pick, then changes): what both hold is the base.
            (None, Some(bt)) => {
                let m = merge_entry(&matched_lines(&ours_text, &bt), &ours_text, &bt, labels);
                if m.conflicted {
                    conflicts.push(l.id.clone());
                }
                m.bytes
            }
            (None, None) => ours_text,
        };
        out.extend_from_slice(&merged);
        // Theirs' change left a fence or comment open that ours' entry did not: closed here,
        // or it would swallow the entries after it.
        if merged != item.core
            && let Some(closer) = Document::parse(merged.clone()).unclosed()
            && Document::parse(item.core.to_vec()).unclosed().is_none()
        {
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(closer.as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(item.gap);
    }

    // What only theirs holds, in theirs' order.
    let mut tail: Vec<Vec<u8>> = Vec::new();
    let mut only_theirs: Vec<&Lesson> = lessons
        .iter()
        .filter(|l| l.a.is_none() && l.b.is_some())
        .collect();
    only_theirs.sort_by_key(|l| l.b);
    for l in only_theirs {
        let text = read_as(&b.items[l.b.expect("theirs")], &b_map, l);
        match l.o {
            // Ours deleted it: gone, unless theirs changed it.
            Some(i) if read_as(&o.items[i], &o_map, l) == text => {}
            Some(_) => {
                conflicts.push(l.id.clone());
                let mut v = Vec::new();
                mark(&mut v, &[], &[&text], labels);
                tail.push(v);
            }
            None => tail.push(text),
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
        // The line breaks ours' file uses.
        let eol: &[u8] = match memchr::memchr(b'\n', ours) {
            Some(i) if i > 0 && ours[i - 1] == b'\r' => b"\r\n",
            _ => b"\n",
        };
        for piece in tail {
            if !out.is_empty() {
                if !out.ends_with(b"\n") {
                    out.extend_from_slice(eol);
                }
                if !out.ends_with(b"\n\n") && !out.ends_with(b"\n\r\n") {
                    out.extend_from_slice(eol);
                }
            }
            out.extend_from_slice(&piece);
        }
    }
    LogMerge {
        bytes: out,
        conflicts,
        renumbered,
    }
}

/// `text` with its `Renumbered-From` bullet set to `rf`, or taken out when `None`.
fn with_renumbered_from(text: &[u8], rf: Option<&str>) -> Vec<u8> {
    let Some(e) = std::str::from_utf8(text).ok().and_then(Entry::parse) else {
        return text.to_vec();
    };
    match rf {
        Some(v) if e.meta(RENUMBERED_FROM).map(str::trim) == Some(v) => text.to_vec(),
        Some(v) => e.with_meta(RENUMBERED_FROM, v).into_bytes(),
        None if e.meta(RENUMBERED_FROM).is_none() => text.to_vec(),
        None => text
            .split_inclusive(|&b| b == b'\n')
            .filter(|l| {
                !l.trim_ascii_start()
                    .starts_with(format!("- {RENUMBERED_FROM}:").as_bytes())
            })
            .flatten()
            .copied()
            .collect(),
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
            let sum = na.saturating_add(nb).saturating_sub(no).max(na.max(nb));
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
        let total = na
            .saturating_add(nb)
            .saturating_sub(no.saturating_add(shared))
            .max(na.max(nb));
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

    fn logged(text: &str, at: &str) -> String {
        text.replace("2026-12-03T10:00:00Z", at)
    }

    fn status_of(text: &str, summary: &str) -> Vec<String> {
        let doc = Document::parse(text.as_bytes().to_vec());
        doc.entries()
            .iter()
            .filter_map(|s| {
                let e = Entry::parse(std::str::from_utf8(doc.entry_bytes(s)).unwrap())?;
                (e.summary() == summary).then(|| e.status().unwrap_or("").to_owned())
            })
            .collect()
    }

    #[test]
    fn a_lesson_renumbered_twice_keeps_its_first_id_and_stays_one() {
        // c logs q as 001; b logs r as 001 and takes c in (q: 002 from 001); a logs two and
        // takes b in (q: 004, still from 001); c resolves q and a takes c in again.
        let q = logged(
            &entry("LRN-20261203-001", "q", "pending"),
            "2026-12-03T01:00:00Z",
        );
        let r = logged(
            &entry("LRN-20261203-001", "r", "pending"),
            "2026-12-03T02:00:00Z",
        );
        let c = file(std::slice::from_ref(&q));
        let b = file(std::slice::from_ref(&r));
        let bc = merge_log(b"", b.as_bytes(), c.as_bytes());
        let bc = String::from_utf8(bc.bytes).unwrap();
        let p1 = logged(
            &entry("LRN-20261203-001", "p1", "pending"),
            "2026-12-03T03:00:00Z",
        );
        let p2 = logged(
            &entry("LRN-20261203-002", "p2", "pending"),
            "2026-12-03T04:00:00Z",
        );
        let a = file(&[p1, p2]);
        let abc = merge_log(b"", a.as_bytes(), bc.as_bytes());
        let abc = String::from_utf8(abc.bytes).unwrap();
        assert!(
            abc.contains("- Renumbered-From: LRN-20261203-001\n"),
            "{abc}"
        );
        assert!(
            !abc.contains("- Renumbered-From: LRN-20261203-002\n"),
            "{abc}"
        );
        let c2 = c.replace("**Status**: pending", "**Status**: resolved");
        let (text, m) = run(&c, &abc, &c2);
        assert!(m.conflicts.is_empty(), "{text}");
        assert_eq!(status_of(&text, "q"), ["resolved"]);
    }

    #[test]
    fn theirs_entries_follow_a_crlf_file_with_crlf_blank_lines() {
        let e1 = entry("ERR-20261201-001", "one", "pending").replace('\n', "\r\n");
        let e2 = entry("ERR-20261201-002", "two", "pending").replace('\n', "\r\n");
        let o = format!("# Errors\r\n\r\n---\r\n\r\n{e1}");
        let b = format!("{o}\r\n{e2}");
        let (text, m) = run(&o, &o, &b);
        assert!(m.conflicts.is_empty());
        assert_eq!(text, b);
    }

    #[test]
    fn a_hand_written_entry_is_not_taken_for_a_logged_one_under_its_id() {
        let p = entry("LRN-20261203-001", "p", "pending");
        let x = entry("LRN-20261203-001", "x", "pending")
            .replace("**Logged**: 2026-12-03T10:00:00Z\n", "");
        let theirs = file(std::slice::from_ref(&x));
        let first = merge_log(
            b"",
            file(std::slice::from_ref(&p)).as_bytes(),
            theirs.as_bytes(),
        );
        let ours = String::from_utf8(first.bytes).unwrap();
        let resolved = theirs.replace("**Status**: pending", "**Status**: resolved");
        let (text, m) = run(&theirs, &ours, &resolved);
        assert!(m.conflicts.is_empty(), "{text}");
        assert_eq!(status_of(&text, "x"), ["resolved"]);
        assert_eq!(status_of(&text, "p"), ["pending"]);
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
                "- Recurrence-Count: 18446744073709551615",
                "## [LRN-20261203-4294967295] max",
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
    fn a_fence_theirs_left_open_in_an_entry_does_not_swallow_ours_after_it() {
        let e1 = entry("ERR-20261201-001", "one", "pending");
        let o = file(std::slice::from_ref(&e1));
        let a = file(&[e1.clone(), entry("ERR-20261201-002", "two", "pending")]);
        let b = file(&[e1.replace("\n---\n", "\n```sh\nmake\n")]);
        let (text, _) = run(&o, &a, &b);
        let ids: Vec<String> = Document::parse(text.clone().into_bytes())
            .entries()
            .iter()
            .map(|s| s.id.to_string())
            .collect();
        assert_eq!(ids, ["ERR-20261201-001", "ERR-20261201-002"], "{text}");
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
