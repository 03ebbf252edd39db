//! The reader: splits a log file into its preamble and its entries without losing a byte.
//!
//! A [`Document`] owns the file's bytes and records where each entry starts and ends. It never
//! copies or normalises anything, so writing it back gives the input unchanged, whatever the
//! input was (CRLF, a BOM, no final newline, invalid UTF-8). Editing one entry replaces only
//! that entry's byte range.
//!
//! An entry starts at every *live* line `## [ID] tail` or `### [ID] tail`; live means outside
//! CommonMark fenced code blocks and outside HTML comments, where agents keep their templates.
//! One broken shape from the wild is recovered: a closing fence glued to an entry header
//! (```` ```## [ERR-…] name ````) closes the fence and starts the entry.

use std::ops::Range;

use crate::format::EntryId;
use crate::format::blocks::{Blocks, Line};
use crate::format::id::header_id;

/// A parsed log file: the original bytes plus the byte range of every entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    bytes: Vec<u8>,
    entries: Vec<Span>,
    /// What closes a fence or comment left open at the end of the file.
    unclosed: Option<String>,
}

/// Where one entry lies in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub id: EntryId,
    /// Bytes of the entry: from the `#` of its header to the start of the next entry.
    pub range: Range<usize>,
    /// 1-based line number of the header.
    pub line: usize,
}

impl Document {
    pub fn parse(bytes: Vec<u8>) -> Document {
        let (entries, unclosed) = scan(&bytes);
        Document {
            bytes,
            entries,
            unclosed,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn entries(&self) -> &[Span] {
        &self.entries
    }

    /// Everything before the first entry: title, preamble, templates, date headings.
    pub fn preamble(&self) -> &[u8] {
        let end = self
            .entries
            .first()
            .map_or(self.bytes.len(), |e| e.range.start);
        &self.bytes[..end]
    }

    /// The bytes of one entry.
    pub fn entry_bytes(&self, span: &Span) -> &[u8] {
        &self.bytes[span.range.clone()]
    }

    /// The spans whose ID is `id` (the wild has duplicate IDs).
    pub fn find<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Span> + 'a {
        self.entries.iter().filter(move |s| s.id.as_str() == id)
    }

    /// Replaces the bytes of the entry at `index`; every other byte stays as it was.
    pub fn replace_entry(&mut self, index: usize, new: &[u8]) {
        let range = self.entries[index].range.clone();
        self.bytes.splice(range, new.iter().copied());
        // Re-scan rather than shift offsets: the new text may add or remove headers.
        (self.entries, self.unclosed) = scan(&self.bytes);
    }

    /// The line that closes a fenced block or HTML comment the file leaves open at its end.
    /// An entry appended after an unclosed block would be invisible, so the store writes this
    /// first.
    pub fn unclosed(&self) -> Option<&str> {
        self.unclosed.as_deref()
    }
}

/// Finds the entries: one pass over the lines, headers counted only where the text is live.
fn scan(bytes: &[u8]) -> (Vec<Span>, Option<String>) {
    let mut starts: Vec<(usize, usize, EntryId)> = Vec::new();
    let mut blocks = Blocks::default();
    let mut pos = 0;
    let mut line_no = 0;
    while pos < bytes.len() {
        line_no += 1;
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let mut line = &bytes[pos..end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let mut offset = pos;
        if pos == 0 && line.starts_with("\u{feff}".as_bytes()) {
            line = &line[3..];
            offset = 3;
        }
        match blocks.step(line) {
            // Checking the first byte first keeps prose lines cheap.
            Line::Live if line.first() == Some(&b'#') => {
                if let Some(id) = header_id(line) {
                    starts.push((offset, line_no, id));
                }
            }
            Line::Live | Line::Hidden => {}
            Line::Glued(at) => {
                if let Some(id) = header_id(&line[at..]) {
                    starts.push((offset + at, line_no, id));
                }
            }
        }
        pos = end + 1;
    }
    let mut spans = Vec::with_capacity(starts.len());
    for (i, (start, line, id)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(bytes.len(), |next| next.0);
        spans.push(Span {
            id: id.clone(),
            range: *start..end,
            line: *line,
        });
    }
    let unclosed = blocks.closer();
    (spans, unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<(String, usize)> {
        Document::parse(text.as_bytes().to_vec())
            .entries()
            .iter()
            .map(|s| (s.id.to_string(), s.line))
            .collect()
    }

    #[test]
    fn headers_in_fences_and_comments_are_not_entries() {
        let text = "# T\n```markdown\n## [LRN-20260101-001] x\n```\n<!--\n## [LRN-20260101-002] y\n-->\n~~~~\n## [LRN-20260101-003] z\n~~~\n~~~~\n### [LRN-20260101-004] live\n";
        assert_eq!(ids(text), vec![("LRN-20260101-004".into(), 12)]);
    }

    #[test]
    fn glued_closing_fence_starts_an_entry() {
        let text = "```\n## [ERR-YYYYMMDD-XXX]\n```## [ERR-20260327-001] chained\nbody\n";
        let doc = Document::parse(text.as_bytes().to_vec());
        let span = &doc.entries()[0];
        assert_eq!((span.id.as_str(), span.line), ("ERR-20260327-001", 3));
        assert!(doc.entry_bytes(span).starts_with(b"## [ERR-20260327-001]"));
        assert_eq!(doc.preamble(), b"```\n## [ERR-YYYYMMDD-XXX]\n```");
    }

    #[test]
    fn bom_crlf_and_missing_final_newline() {
        let text = "\u{feff}## [FEAT-20260101-001]\r\nx\r\n## [FEAT-20260101-002] b";
        assert_eq!(
            ids(text),
            vec![
                ("FEAT-20260101-001".into(), 1),
                ("FEAT-20260101-002".into(), 3)
            ]
        );
    }

    #[test]
    fn a_longer_fence_is_not_closed_by_a_shorter_one() {
        let text = "````\n```\n## [LRN-20260101-001] inside\n````\n## [LRN-20260101-002] out\n";
        assert_eq!(ids(text), vec![("LRN-20260101-002".into(), 5)]);
    }

    #[test]
    fn replace_entry_keeps_other_bytes() {
        let text = "pre\n## [LRN-20260101-001] a\nA\n## [LRN-20260101-002] b\nB\n";
        let mut doc = Document::parse(text.as_bytes().to_vec());
        doc.replace_entry(0, b"## [LRN-20260101-001] a\nCHANGED\n");
        assert_eq!(
            doc.bytes(),
            b"pre\n## [LRN-20260101-001] a\nCHANGED\n## [LRN-20260101-002] b\nB\n"
        );
        assert_eq!(doc.entries()[1].line, 4);
    }
}
