//! Entry IDs: `TYPE-YYYYMMDD-SEQ`.
//!
//! We write three-digit sequence numbers (four past 999), but the wild also holds time-like
//! (`-2346`), alphanumeric (`-G7M`) and multi-part (`-RLM-AUTH-SHAPE`) sequences, so the
//! parser accepts any hyphen-joined run of letters and digits after the date.

use std::fmt;
use std::str::FromStr;

use crate::format::Kind;

/// A parsed entry ID. The text is kept exactly as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId {
    text: String,
    kind: Kind,
}

impl EntryId {
    /// Builds the ID we write: the kind, the UTC date as `YYYYMMDD`, and a sequence number.
    pub fn new(kind: Kind, date: &str, seq: u32) -> EntryId {
        EntryId {
            text: format!("{}-{date}-{seq:03}", kind.prefix()),
            kind,
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The `YYYYMMDD` part.
    pub fn date(&self) -> &str {
        let start = self.kind.prefix().len() + 1;
        &self.text[start..start + 8]
    }

    /// The sequence part after the date, as written.
    pub fn seq(&self) -> &str {
        &self.text[self.kind.prefix().len() + 10..]
    }

    /// The sequence as a number, when it is all digits.
    pub fn seq_number(&self) -> Option<u32> {
        let seq = self.seq();
        if seq.bytes().all(|b| b.is_ascii_digit()) {
            seq.parse().ok()
        } else {
            None
        }
    }

    /// Recognises an ID at the start of `bytes`; returns it and the number of bytes it spans.
    pub(crate) fn scan(bytes: &[u8]) -> Option<(EntryId, usize)> {
        let prefix_len = bytes.iter().take(5).position(|&b| b == b'-')?;
        let kind = Kind::from_prefix(&bytes[..prefix_len])?;
        let rest = &bytes[prefix_len + 1..];
        if rest.len() < 10 || !rest[..8].iter().all(u8::is_ascii_digit) || rest[8] != b'-' {
            return None;
        }
        // One or more hyphen-joined parts of ASCII letters and digits.
        let mut end = 9;
        loop {
            let part = rest[end..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if part == 0 {
                return None;
            }
            end += part;
            if rest.get(end) == Some(&b'-')
                && rest.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)
            {
                end += 1;
            } else {
                break;
            }
        }
        let len = prefix_len + 1 + end;
        // Every byte scanned is ASCII, so this cannot fail.
        let text = std::str::from_utf8(&bytes[..len]).ok()?.to_owned();
        Some((EntryId { text, kind }, len))
    }
}

impl FromStr for EntryId {
    type Err = ();

    fn from_str(s: &str) -> Result<EntryId, ()> {
        match EntryId::scan(s.as_bytes()) {
            Some((id, len)) if len == s.len() => Ok(id),
            _ => Err(()),
        }
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `## [ID] tail` or `### [ID] tail` at the very start of the line.
pub(crate) fn header_id(line: &[u8]) -> Option<EntryId> {
    let rest = line
        .strip_prefix(b"## [")
        .or_else(|| line.strip_prefix(b"### ["))?;
    let (id, len) = EntryId::scan(rest)?;
    (rest.get(len) == Some(&b']')).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_sequence_shape_seen_in_the_wild() {
        for text in [
            "LRN-20261122-001",
            "ERR-20260101-2346",
            "LRN-20260924-G7M",
            "LRN-20260925-LQ35",
            "LRN-20260926-RLM-AUTH-SHAPE",
            "FEAT-20260101-1",
        ] {
            let id: EntryId = text.parse().unwrap_or_else(|()| panic!("{text}"));
            assert_eq!(id.as_str(), text);
        }
    }

    #[test]
    fn rejects_placeholders_and_other_prefixes() {
        for text in [
            "ERR-YYYYMMDD-XXX",
            "FR-20260101-001",
            "LRN-2026112-001",
            "LRN-20261122-",
            "LRN-20261122-001-",
            "LRN-20261122_001",
        ] {
            assert!(text.parse::<EntryId>().is_err(), "{text}");
        }
    }

    #[test]
    fn new_pads_to_three_digits_and_grows_past_999() {
        assert_eq!(
            EntryId::new(Kind::Error, "20261122", 7).as_str(),
            "ERR-20261122-007"
        );
        assert_eq!(
            EntryId::new(Kind::Feature, "20261122", 1000).as_str(),
            "FEAT-20261122-1000"
        );
        let id = EntryId::new(Kind::Learning, "20261122", 12);
        assert_eq!(
            (id.date(), id.seq(), id.seq_number()),
            ("20261122", "012", Some(12))
        );
    }
}
