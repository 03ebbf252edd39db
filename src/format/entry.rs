//! One entry, read leniently and edited surgically.
//!
//! [`Entry`] is a view over the text of one entry (see [`crate::format::Document`]). It finds the bold
//! fields (`**Status**: x`, `**Status:** x`, `- **Status**: x`, full-width colons, any case),
//! the `###` sections, the metadata bullets and the closing `---`, all outside fenced blocks.
//! The edit methods return the entry's new text with exactly one range changed, so whatever a
//! user wrote, in whatever shape or language, stays as written.

use std::ops::Range;

use crate::format::EntryId;
use crate::format::blocks::{Blocks, Line as BlockLine};
use crate::format::id::header_id;

/// The metadata bullet of an entry a merge renumbered: the ID it had on its branch.
pub const RENUMBERED_FROM: &str = "Renumbered-From";

/// A view over the text of one entry.
#[derive(Debug)]
pub struct Entry<'a> {
    text: &'a str,
    id: EntryId,
    tail: Range<usize>,
    lines: Vec<Line>,
    fields: Vec<Field>,
    /// `Key: value` lines of the Metadata section.
    metas: Vec<Field>,
    sections: Vec<Section>,
    /// Index of the line holding the closing `---`, when there is one.
    close: Option<usize>,
    crlf: bool,
    /// The entry ends inside a fenced block or HTML comment that it opened.
    ends_open: bool,
}

#[derive(Debug, Clone)]
struct Line {
    /// The line without its line ending.
    range: Range<usize>,
    /// Where the next line starts.
    next: usize,
}

#[derive(Debug, Clone)]
struct Field {
    name: Range<usize>,
    value: Range<usize>,
    line: usize,
}

impl Field {
    /// A field found on line `line`, from ranges relative to the line's start `at`.
    fn new(at: usize, (name, value): (Range<usize>, Range<usize>), line: usize) -> Field {
        Field {
            name: at + name.start..at + name.end,
            value: at + value.start..at + value.end,
            line,
        }
    }
}

#[derive(Debug, Clone)]
struct Section {
    name: Range<usize>,
    /// The header line.
    line: usize,
    /// One past the last line of the body.
    end: usize,
}

impl<'a> Entry<'a> {
    /// Reads an entry. Returns `None` when `text` does not start with an entry header.
    pub fn parse(text: &'a str) -> Option<Entry<'a>> {
        let lines = split_lines(text);
        let first = lines.first()?;
        let header = &text[first.range.clone()];
        let id = header_id(header.as_bytes())?;
        let after = header.find(']')? + 1;
        let tail_text = &header[after..];
        let tail_start =
            first.range.start + after + (tail_text.len() - tail_text.trim_start().len());
        let tail = tail_start..first.range.start + after + tail_text.trim_end().len();
        let crlf = text[first.range.end..].starts_with("\r\n");

        let mut fields = Vec::new();
        let mut sections: Vec<Section> = Vec::new();
        let mut close = None;
        let mut blocks = Blocks::default();
        let mut metas = Vec::new();
        let mut in_meta = false;
        for (i, line) in lines.iter().enumerate().skip(1) {
            let s = &text[line.range.clone()];
            if blocks.step(s.as_bytes()) != BlockLine::Live {
                continue;
            }
            if in_meta && let Some(found) = meta_line(s) {
                metas.push(Field::new(line.range.start, found, i));
                continue;
            }
            let t = s.trim_start_matches(' ');
            // Only these first bytes can start a section, the rule or a field.
            if !matches!(t.as_bytes().first(), Some(b'#' | b'-' | b'*')) {
                continue;
            }
            if t.starts_with("### ") {
                if let Some(last) = sections.last_mut() {
                    last.end = i;
                }
                let start = line.range.end - t.len() + 4;
                in_meta = same_name(&text[start..line.range.end], "metadata");
                sections.push(Section {
                    name: start..line.range.end,
                    line: i,
                    end: lines.len(),
                });
            } else if s.trim() == "---" {
                close = Some(i);
            } else if let Some(found) = bold_field(s) {
                fields.push(Field::new(line.range.start, found, i));
            }
        }
        if let (Some(c), Some(last)) = (close, sections.last_mut())
            && c > last.line
            && c < last.end
        {
            last.end = c;
        }
        Some(Entry {
            text,
            ends_open: blocks.is_open(),
            id,
            tail,
            lines,
            fields,
            metas,
            sections,
            close,
            crlf,
        })
    }

    pub fn id(&self) -> &EntryId {
        &self.id
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The text after `]` on the header line: category, command or capability name.
    pub fn tail(&self) -> &'a str {
        &self.text[self.tail.clone()]
    }

    /// The value of the first bold field whose name matches `name` (any case; a few Chinese
    /// names seen in the wild are aliases: 状态 status, 优先级 priority, 摘要 summary).
    pub fn field(&self, name: &str) -> Option<&'a str> {
        self.find_field(name).map(|f| &self.text[f.value.clone()])
    }

    fn find_field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| same_name(&self.text[f.name.clone()], name))
    }

    fn find_section(&self, name: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| same_name(&self.text[s.name.clone()], name))
    }

    pub fn status(&self) -> Option<&'a str> {
        self.field("status")
    }

    pub fn priority(&self) -> Option<&'a str> {
        self.field("priority")
    }

    pub fn area(&self) -> Option<&'a str> {
        self.field("area")
    }

    /// The body of a `###` section, without its header line, trimmed of blank lines.
    pub fn section(&self, name: &str) -> Option<&'a str> {
        let s = self.find_section(name)?;
        Some(self.body_text(s).trim_matches(['\n', '\r', ' ']))
    }

    fn body_text(&self, s: &Section) -> &'a str {
        let start = self.lines[s.line].next;
        let end = self
            .lines
            .get(s.end)
            .map_or(self.text.len(), |l| l.range.start);
        &self.text[start.min(end)..end]
    }

    /// A metadata value: a `- Key: value` line of the Metadata section, or a bold field of the
    /// same name anywhere in the entry.
    pub fn meta(&self, name: &str) -> Option<&'a str> {
        self.meta_range(name)
            .map(|(r, _)| &self.text[r])
            .or_else(|| self.field(name))
    }

    /// A metadata number, reading the leading digits (`1 (optional)` reads as 1).
    pub fn meta_number(&self, name: &str) -> Option<u64> {
        let v = self.meta(name)?;
        let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    /// The ID the entry had before a merge gave it a new one (`- Renumbered-From: OLD`).
    pub fn renumbered_from(&self) -> Option<EntryId> {
        self.meta(RENUMBERED_FROM)?.trim().parse().ok()
    }

    pub fn pattern_key(&self) -> Option<&'a str> {
        self.meta("pattern-key").filter(|k| !k.is_empty())
    }

    /// One line that says what the entry is about, for listings.
    pub fn summary(&self) -> &'a str {
        let first_line = |s: &'a str| s.lines().map(str::trim).find(|l| !l.is_empty());
        ["summary", "requested capability"]
            .iter()
            .find_map(|n| self.section(n).and_then(first_line))
            .or_else(|| self.field("summary"))
            .unwrap_or_else(|| self.tail())
    }

    fn meta_range(&self, name: &str) -> Option<(Range<usize>, usize)> {
        let section = self.find_section("metadata")?;
        self.metas
            .iter()
            .filter(|m| m.line > section.line && m.line < section.end)
            .find(|m| same_name(&self.text[m.name.clone()], name))
            .map(|m| (m.value.clone(), m.line))
    }

    fn eol(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    /// Sets a bold header field: replaces its value where it is, or adds `**Name**: value`
    /// after the last field before the first section.
    pub fn with_field(&self, name: &str, value: &str) -> String {
        if let Some(f) = self.find_field(name) {
            return splice(self.text, f.value.clone(), value);
        }
        let first_section = self.sections.first().map_or(self.lines.len(), |s| s.line);
        let eol = self.eol();
        match self.fields.iter().rev().find(|f| f.line < first_section) {
            Some(last) => self.insert_after(last.line, &format!("**{name}**: {value}")),
            None => self.insert_after(0, &format!("{eol}**{name}**: {value}")),
        }
    }

    /// Inserts `new` as a line of its own after line `index`. When that line is the entry's
    /// last and has no line break (the file ends there, or the next entry is glued to it),
    /// the inserted line gets one, so it cannot run into what follows.
    fn insert_after(&self, index: usize, new: &str) -> String {
        let eol = self.eol();
        let at = self.lines[index].range.end;
        let open_end = at == self.text.len();
        let tail = if open_end { eol } else { "" };
        splice(self.text, at..at, &format!("{eol}{new}{tail}"))
    }

    /// Sets a metadata bullet: replaces its value where it is, or adds `- Name: value` at the
    /// end of the Metadata section, creating the section when there is none.
    pub fn with_meta(&self, name: &str, value: &str) -> String {
        if let Some((range, _)) = self.meta_range(name) {
            return splice(self.text, range, value);
        }
        match self.find_section("metadata") {
            Some(s) => {
                let last = self
                    .metas
                    .iter()
                    .rev()
                    .find(|m| m.line > s.line && m.line < s.end)
                    .map_or(s.line, |m| m.line);
                self.insert_after(last, &format!("- {name}: {value}"))
            }
            None => self.with_section("Metadata", &format!("- {name}: {value}")),
        }
    }

    /// Writes a `### Name` section: replaces the body of an existing one, or inserts a new one
    /// before the closing `---` (at the end of the entry when there is none).
    pub fn with_section(&self, name: &str, body: &str) -> String {
        let eol = self.eol();
        let body = body.trim_end().replace('\n', eol);
        if let Some(s) = self.find_section(name) {
            let last = self.sections.last().is_some_and(|l| l.line == s.line);
            if last && self.ends_open {
                // The old body runs into a block left open: keep it, and put the new section
                // in front of it, where the text is live.
                let at = self.lines[s.line].range.start;
                return splice(
                    self.text,
                    at..at,
                    &format!("### {name}{eol}{body}{eol}{eol}"),
                );
            }
            let start = self.lines[s.line].next;
            let end = self
                .lines
                .get(s.end)
                .map_or(self.text.len(), |l| l.range.start);
            return splice(self.text, start..end, &format!("{body}{eol}{eol}"));
        }
        match self.close {
            Some(c) => {
                let at = self.lines[c].range.start;
                let before = &self.text[..at];
                let gap = if before.ends_with(&format!("{eol}{eol}")) || at == 0 {
                    ""
                } else {
                    eol
                };
                splice(
                    self.text,
                    at..at,
                    &format!("{gap}### {name}{eol}{body}{eol}{eol}"),
                )
            }
            None => {
                let trimmed = self.text.trim_end_matches(['\n', '\r']).len();
                let rest = &self.text[trimmed..];
                let rest = if rest.is_empty() { eol } else { rest };
                let mut out = String::with_capacity(self.text.len() + body.len() + 32);
                out.push_str(&self.text[..trimmed]);
                out.push_str(&format!("{eol}{eol}### {name}{eol}{body}"));
                out.push_str(rest);
                out
            }
        }
    }
}

/// [`Entry::field`] of the entry `text` without reading the whole entry: the line walk stops
/// at the first matching field, which for `Status` is near the top. For callers that need one
/// field of many entries.
pub fn first_field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let mut blocks = Blocks::default();
    let mut pos = memchr::memchr(b'\n', text.as_bytes())? + 1;
    while pos < text.len() {
        let nl = memchr::memchr(b'\n', &text.as_bytes()[pos..]).map_or(text.len(), |i| pos + i);
        let line = text[pos..nl].strip_suffix('\r').unwrap_or(&text[pos..nl]);
        if blocks.step(line.as_bytes()) == BlockLine::Live
            && let Some((n, v)) = bold_field(line)
            && same_name(&line[n], name)
        {
            return Some(&line[v]);
        }
        pos = nl + 1;
    }
    None
}

fn splice(text: &str, range: Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..range.start]);
    out.push_str(with);
    out.push_str(&text[range.end..]);
    out
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    let mut pos = 0;
    while pos < text.len() {
        let nl = memchr::memchr(b'\n', &text.as_bytes()[pos..]).map_or(text.len(), |i| pos + i);
        let end = if nl > pos && text.as_bytes()[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        lines.push(Line {
            range: pos..end,
            next: (nl + 1).min(text.len()),
        });
        pos = nl + 1;
    }
    lines
}

/// Whether a name as written matches one of ours: any case, trimmed, a trailing colon
/// ignored, and the Chinese names seen in the wild taken as aliases. `ours` is ASCII.
fn same_name(written: &str, ours: &str) -> bool {
    // Most names differ in their first letter: settle those before trimming (the aliases
    // are not ASCII, so an ASCII first letter that differs can match nothing).
    let first = written.trim_start().as_bytes().first().copied();
    if let (Some(w), Some(o)) = (first, ours.as_bytes().first())
        && w.is_ascii()
        && !w.eq_ignore_ascii_case(o)
    {
        return false;
    }
    let w = written.trim().trim_end_matches([':', '：']).trim_end();
    if w.eq_ignore_ascii_case(ours) {
        return true;
    }
    let alias = match w {
        "状态" => "status",
        "优先级" => "priority",
        "摘要" => "summary",
        "元数据" => "metadata",
        _ => return false,
    };
    alias.eq_ignore_ascii_case(ours)
}

/// The line without its indentation and a leading `- ` or `* `, and where that rest starts.
fn strip_bullet(line: &str) -> (usize, &str) {
    let t = line.trim_start();
    let rest = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .unwrap_or(t);
    (line.len() - rest.len(), rest)
}

/// `**Name**: value`, `**Name:** value`, `**Name**：value`, `- **Name:** value`, and the
/// malformed `**Name: value`. Returns the ranges of the name and the value in `line`.
fn bold_field(line: &str) -> Option<(Range<usize>, Range<usize>)> {
    let (mut start, t) = strip_bullet(line);
    let inner = t.strip_prefix("**")?;
    start += 2;
    let colon = inner.find([':', '：'])?;
    // A byte search: `str::find` with a string pattern builds a searcher on every call.
    let close = memchr::memmem::find(inner.as_bytes(), b"**");
    let (name, after) = match close {
        // `**Name**: value` or `**Name**：value`
        Some(c) if c < colon => {
            let rest = &inner[c + 2..];
            let trimmed = rest.trim_start();
            let sep = trimmed.chars().next()?;
            if sep != ':' && sep != '：' {
                return None;
            }
            let after = c + 2 + (rest.len() - trimmed.len()) + sep.len_utf8();
            (&inner[..c], after)
        }
        // `**Name:** value`
        Some(c) if inner[colon..c].chars().count() == 1 => (&inner[..colon], c + 2),
        // `**Name: value` (the closing `**` is missing)
        None => (
            &inner[..colon],
            colon + inner[colon..].chars().next()?.len_utf8(),
        ),
        Some(_) => return None,
    };
    if name.is_empty() || name.len() > 60 {
        return None;
    }
    let value = &inner[after..];
    let lead = value.len() - value.trim_start().len();
    let vstart = start + after + lead;
    let vend = start + after + value.trim_end().len();
    Some((start..start + name.len(), vstart..vend.max(vstart)))
}

/// `- Key: value`, `* Key: value` or an unbulleted `Key: value` line of a Metadata section.
fn meta_line(line: &str) -> Option<(Range<usize>, Range<usize>)> {
    let (start, t) = strip_bullet(line);
    let colon = t.find([':', '：'])?;
    let key = &t[..colon];
    if key.is_empty()
        || key.starts_with("**")
        || !key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '/'))
    {
        return None;
    }
    let after = colon + t[colon..].chars().next()?.len_utf8();
    let value = &t[after..];
    let lead = value.len() - value.trim_start().len();
    let vstart = start + after + lead;
    let vend = (start + after + value.trim_end().len()).max(vstart);
    Some((start..start + key.len(), vstart..vend))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANONICAL: &str = "## [LRN-20261122-001] correction\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: high\n**Status**: pending\n**Area**: backend\n\n### Summary\nOne line.\n\n### Details\nFree text.\n\n### Metadata\n- Source: conversation\n- Pattern-Key: harden.input_validation\n- Recurrence-Count: 1\n\n---\n";

    #[test]
    fn first_field_agrees_with_the_full_reading() {
        let odd = "## [ERR-20261122-001] x\n```\n**Status**: hidden\n```\n- **状态:** 待处理\n**Status**: later\n";
        for text in [CANONICAL, odd] {
            let e = Entry::parse(text).unwrap();
            for name in ["status", "priority", "logged", "area", "missing"] {
                assert_eq!(first_field(text, name), e.field(name), "{name} in {text}");
            }
        }
        assert_eq!(first_field(odd, "status"), Some("待处理"));
    }

    #[test]
    fn reads_the_canonical_shape() {
        let e = Entry::parse(CANONICAL).unwrap();
        assert_eq!(e.id().as_str(), "LRN-20261122-001");
        assert_eq!(e.tail(), "correction");
        assert_eq!(e.status(), Some("pending"));
        assert_eq!(e.priority(), Some("high"));
        assert_eq!(e.area(), Some("backend"));
        assert_eq!(e.summary(), "One line.");
        assert_eq!(e.pattern_key(), Some("harden.input_validation"));
        assert_eq!(e.meta_number("recurrence-count"), Some(1));
    }

    #[test]
    fn reads_every_field_shape() {
        for line in [
            "**Status**: done",
            "**Status:** done",
            "**status**：done",
            "- **Status:** done",
            "**Status: done",
            "**状态**: done",
        ] {
            let text = format!("## [ERR-20260101-001] x\n{line}\n");
            assert_eq!(
                Entry::parse(&text).unwrap().status(),
                Some("done"),
                "{line}"
            );
        }
    }

    #[test]
    fn fenced_text_is_not_read_as_structure() {
        let text = "## [ERR-20260101-001] x\n**Status**: pending\n### Error\n```\n### Summary\n**Status**: fake\n---\n```\n### Summary\nreal\n---\n";
        let e = Entry::parse(text).unwrap();
        assert_eq!(e.status(), Some("pending"));
        assert_eq!(e.summary(), "real");
    }

    #[test]
    fn edits_change_one_range() {
        let e = Entry::parse(CANONICAL).unwrap();
        let new = e.with_field("Status", "resolved");
        assert_eq!(new, CANONICAL.replace("pending", "resolved"));

        let bumped = Entry::parse(&new)
            .unwrap()
            .with_meta("Recurrence-Count", "2");
        assert_eq!(
            bumped,
            new.replace("Recurrence-Count: 1", "Recurrence-Count: 2")
        );

        let added = Entry::parse(CANONICAL)
            .unwrap()
            .with_meta("Last-Seen", "2026-11-23");
        assert!(added.contains("- Recurrence-Count: 1\n- Last-Seen: 2026-11-23\n\n---\n"));

        let promoted = Entry::parse(CANONICAL)
            .unwrap()
            .with_field("Promoted", "CLAUDE.md");
        assert!(promoted.contains("**Area**: backend\n**Promoted**: CLAUDE.md\n\n### Summary"));
    }

    #[test]
    fn a_new_section_goes_before_the_closing_rule() {
        let e = Entry::parse(CANONICAL).unwrap();
        let new = e.with_section("Resolution", "- **Resolved**: now");
        assert!(
            new.ends_with("- Recurrence-Count: 1\n\n### Resolution\n- **Resolved**: now\n\n---\n")
        );
        let again = Entry::parse(&new)
            .unwrap()
            .with_section("Resolution", "- **Resolved**: later");
        assert!(again.ends_with("### Resolution\n- **Resolved**: later\n\n---\n"));
    }

    #[test]
    fn crlf_entries_get_crlf_lines() {
        let text = CANONICAL.replace('\n', "\r\n");
        let e = Entry::parse(&text).unwrap();
        assert_eq!(e.status(), Some("pending"));
        let new = e.with_section("Resolution", "- a\n- b");
        assert!(new.contains("### Resolution\r\n- a\r\n- b\r\n\r\n---\r\n"));
        assert!(!new.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn entries_without_closing_rule_or_metadata() {
        let text = "## [FEAT-20260101-001] x\n### Requested Capability\nExport\n";
        let e = Entry::parse(text).unwrap();
        assert_eq!(e.summary(), "Export");
        let new = e.with_meta("Recurrence-Count", "2");
        assert_eq!(
            new,
            "## [FEAT-20260101-001] x\n### Requested Capability\nExport\n\n### Metadata\n- Recurrence-Count: 2\n"
        );
        assert_eq!(
            Entry::parse(&new).unwrap().meta_number("recurrence-count"),
            Some(2)
        );
    }

    #[test]
    fn metadata_added_to_an_entry_glued_to_the_next_one_keeps_them_apart() {
        let file = "## [LRN-20260703-001] x\n### Metadata\n```a\n```## [ERR-20260219-001] y\n";
        let doc = crate::format::Document::parse(file.as_bytes().to_vec());
        let span = &doc.entries()[0];
        let text = std::str::from_utf8(doc.entry_bytes(span)).unwrap();
        let new = Entry::parse(text)
            .unwrap()
            .with_meta("Recurrence-Count", "2");
        assert_eq!(
            new,
            "## [LRN-20260703-001] x\n### Metadata\n- Recurrence-Count: 2\n```a\n```"
        );
        let mut edited = doc.clone();
        edited.replace_entry(0, new.as_bytes());
        assert_eq!(edited.entries().len(), 2);
    }
}
