//! Giving an entry a new ID when two branches minted the same one for different lessons: the
//! next free sequence number of its kind and date, and `- Renumbered-From: OLD` in its
//! metadata, so readers of the audit chain and of promotion blocks written before the change
//! still find it.

use std::collections::{BTreeSet, HashMap};

use crate::format::{Entry, EntryId, RENUMBERED_FROM};

/// The next free ID of `id`'s kind and date: one past the highest numeric sequence in use.
pub fn next_free(used: &BTreeSet<String>, id: &EntryId) -> EntryId {
    let highest = used
        .iter()
        .filter_map(|u| u.parse::<EntryId>().ok())
        .filter(|u| u.kind() == id.kind() && u.date() == id.date())
        .filter_map(|u| u.seq_number())
        .max()
        .unwrap_or(0);
    EntryId::new(id.kind(), id.date(), highest.saturating_add(1))
}

/// `text` with every whole entry ID that `map` names replaced, in one pass (so a chain of
/// renames cannot apply twice). `Renumbered-From` lines keep the ID they record.
pub fn translate(text: &[u8], map: &HashMap<String, String>) -> Vec<u8> {
    if map.is_empty() {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    for line in text.split_inclusive(|&b| b == b'\n') {
        if line
            .trim_ascii_start()
            .starts_with(format!("- {RENUMBERED_FROM}:").as_bytes())
        {
            out.extend_from_slice(line);
            continue;
        }
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        let mut i = 0;
        while i < line.len() {
            let starts = i == 0 || !word(line[i - 1]);
            if starts
                && let Some((id, len)) = EntryId::scan(&line[i..])
                && let Some(new) = map.get(id.as_str())
            {
                out.extend_from_slice(new.as_bytes());
                i += len;
                continue;
            }
            out.push(line[i]);
            i += 1;
        }
    }
    out
}

/// `text` with the ID `old` in its first line (the header) replaced by `new`.
pub fn rename_header(text: &[u8], old: &str, new: &str) -> Vec<u8> {
    let line = memchr::memchr(b'\n', text).map_or(text.len(), |nl| nl + 1);
    let map = HashMap::from([(old.to_owned(), new.to_owned())]);
    let mut out = translate(&text[..line], &map);
    out.extend_from_slice(&text[line..]);
    out
}

/// The entry `text` under its new ID, only its header changed, saying where it came from:
/// for a duplicate found later, whose references cannot be told apart.
pub fn renumber_header(text: &[u8], old: &str, new: &str) -> Vec<u8> {
    from(rename_header(text, old, new), old)
}

fn from(replaced: Vec<u8>, old: &str) -> Vec<u8> {
    match std::str::from_utf8(&replaced).ok().and_then(Entry::parse) {
        Some(e) => e.with_meta(RENUMBERED_FROM, old).into_bytes(),
        None => replaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_free_is_one_past_the_highest_of_that_kind_and_date() {
        let used: BTreeSet<String> = [
            "LRN-20261203-001",
            "LRN-20261203-004",
            "ERR-20261203-009",
            "LRN-20261202-020",
            "LRN-20261203-RLM-AUTH",
        ]
        .map(String::from)
        .into();
        let id: EntryId = "LRN-20261203-001".parse().unwrap();
        assert_eq!(next_free(&used, &id).as_str(), "LRN-20261203-005");
        let fresh: EntryId = "FEAT-20261203-A7B".parse().unwrap();
        assert_eq!(next_free(&used, &fresh).as_str(), "FEAT-20261203-001");
    }

    #[test]
    fn only_whole_ids_are_replaced() {
        let text = b"See Also: LRN-20261203-001, LRN-20261203-0010, XLRN-20261203-001 LRN-20261203-001-B (LRN-20261203-001)";
        let map = HashMap::from([("LRN-20261203-001".to_owned(), "LRN-20261203-002".to_owned())]);
        assert_eq!(
            String::from_utf8(translate(text, &map)).unwrap(),
            "See Also: LRN-20261203-002, LRN-20261203-0010, XLRN-20261203-001 LRN-20261203-001-B (LRN-20261203-002)"
        );
    }

    #[test]
    fn a_renumbered_entry_says_where_it_came_from() {
        let text = b"## [LRN-20261203-001] insight\n\n**Logged**: x\n\n### Summary\ns, see LRN-20261203-001\n\n### Metadata\n- Source: conversation\n\n---\n";
        let out = renumber_header(text, "LRN-20261203-001", "LRN-20261203-003");
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("## [LRN-20261203-003] insight\n"));
        assert!(
            out.contains("s, see LRN-20261203-001\n"),
            "only the header changes"
        );
        let e = Entry::parse(&out).unwrap();
        assert_eq!(e.renumbered_from().unwrap().as_str(), "LRN-20261203-001");
        assert!(out.contains("- Source: conversation\n- Renumbered-From: LRN-20261203-001\n"));
    }
}
