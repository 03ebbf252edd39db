//! Giving an entry a new ID when two branches minted the same one for different lessons: the
//! next free sequence number of its kind and date, and `- Renumbered-From: OLD` in its
//! metadata, so readers of the audit chain and of promotion blocks written before the change
//! still find it.

use std::collections::BTreeSet;

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

/// `text` with every whole occurrence of the ID `old` replaced by `new`. An ID that merely
/// begins with `old` (`…-0010` for `…-001`) is another ID and is left alone.
pub fn replace_id(text: &[u8], old: &str, new: &str) -> Vec<u8> {
    let old_b = old.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let Some(at) = memchr::memmem::find(&text[i..], old_b).map(|p| i + p) else {
            break;
        };
        let end = at + old_b.len();
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let before_ok = at == 0 || !(word(text[at - 1]) || text[at - 1] == b'-');
        let after_ok = match text.get(end) {
            None => true,
            Some(&b) if word(b) => false,
            Some(b'-') => !text.get(end + 1).copied().is_some_and(word),
            Some(_) => true,
        };
        out.extend_from_slice(&text[i..at]);
        if before_ok && after_ok {
            out.extend_from_slice(new.as_bytes());
        } else {
            out.extend_from_slice(old_b);
        }
        i = end;
    }
    out.extend_from_slice(&text[i..]);
    out
}

/// The entry `text` under its new ID, only its header changed, saying where it came from:
/// for a duplicate found later, whose references cannot be told apart.
pub fn renumber_header(text: &[u8], old: &str, new: &str) -> Vec<u8> {
    let line = memchr::memchr(b'\n', text).map_or(text.len(), |nl| nl + 1);
    let mut out = replace_id(&text[..line], old, new);
    out.extend_from_slice(&text[line..]);
    from(out, old)
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
        assert_eq!(
            String::from_utf8(replace_id(text, "LRN-20261203-001", "LRN-20261203-002")).unwrap(),
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
