//! One entry, read leniently and edited surgically.
//!
//! [`Entry`] is a view over the text of one entry (see [`crate::Document`]). It finds the bold
//! fields (`**Status**: x`, `**Status:** x`, `- **Status**: x`, full-width colons, any case),
//! the `###` sections, the metadata bullets and the closing `---`, all outside fenced blocks.
//! The edit methods return the entry's new text with exactly one range changed, so whatever a
//! user wrote, in whatever shape or language, stays as written.

use std::ops::Range;

use crate::EntryId;
use crate::document::header_id;

/// A view over the text of one entry.
#[derive(Debug)]
pub struct Entry<'a> {
    text: &'a str,
    id: EntryId,
    tail: Range<usize>,
    lines: Vec<Line>,
    fields: Vec<Field>,
    sections: Vec<Section>,
    /// Index of the line holding the closing `---`, when there is one.
    close: Option<usize>,
    crlf: bool,
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
    key: String,
    value: Range<usize>,
    line: usize,
}

#[derive(Debug, Clone)]
struct Section {
    key: String,
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
        let mut fence: Option<(u8, usize)> = None;
        for (i, line) in lines.iter().enumerate().skip(1) {
            let s = &text[line.range.clone()];
            if let Some((ch, len)) = fence {
                let t = s.trim_start_matches(' ');
                let run = t.bytes().take_while(|&b| b == ch).count();
                if run >= len && t[run..].trim().is_empty() {
                    fence = None;
                }
                continue;
            }
            let t = s.trim_start_matches(' ');
            if let Some(f) = fence_open(t) {
                fence = Some(f);
            } else if let Some(name) = t.strip_prefix("### ") {
                if let Some(last) = sections.last_mut() {
                    last.end = i;
                }
                sections.push(Section {
                    key: normalise(name),
                    line: i,
                    end: lines.len(),
                });
            } else if s.trim() == "---" {
                close = Some(i);
            } else if let Some((key, value)) = bold_field(s) {
                fields.push(Field {
                    key,
                    value: line.range.start + value.start..line.range.start + value.end,
                    line: i,
                });
            }
        }
        if let (Some(c), Some(last)) = (close, sections.last_mut()) {
            if c > last.line && c < last.end {
                last.end = c;
            }
        }
        Some(Entry {
            text,
            id,
            tail,
            lines,
            fields,
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
        let key = normalise(name);
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| &self.text[f.value.clone()])
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
        let key = normalise(name);
        let s = self.sections.iter().find(|s| s.key == key)?;
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
        let key = normalise(name);
        let section = self.sections.iter().find(|s| s.key == "metadata")?;
        (section.line + 1..section.end).find_map(|i| {
            let line = &self.lines[i];
            let (k, v) = meta_line(&self.text[line.range.clone()])?;
            (k == key).then(|| (line.range.start + v.start..line.range.start + v.end, i))
        })
    }

    fn eol(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    /// Sets a bold header field: replaces its value where it is, or adds `**Name**: value`
    /// after the last field before the first section.
    pub fn with_field(&self, name: &str, value: &str) -> String {
        let key = normalise(name);
        if let Some(f) = self.fields.iter().find(|f| f.key == key) {
            return splice(self.text, f.value.clone(), value);
        }
        let first_section = self.sections.first().map_or(self.lines.len(), |s| s.line);
        let eol = self.eol();
        match self.fields.iter().rev().find(|f| f.line < first_section) {
            Some(last) => {
                let at = self.lines[last.line].range.end;
                splice(self.text, at..at, &format!("{eol}**{name}**: {value}"))
            }
            None => {
                let at = self.lines[0].range.end;
                splice(self.text, at..at, &format!("{eol}{eol}**{name}**: {value}"))
            }
        }
    }

    /// Sets a metadata bullet: replaces its value where it is, or adds `- Name: value` at the
    /// end of the Metadata section, creating the section when there is none.
    pub fn with_meta(&self, name: &str, value: &str) -> String {
        if let Some((range, _)) = self.meta_range(name) {
            return splice(self.text, range, value);
        }
        let eol = self.eol();
        match self.sections.iter().find(|s| s.key == "metadata") {
            Some(s) => {
                let last = (s.line..s.end)
                    .rev()
                    .find(|&i| !self.text[self.lines[i].range.clone()].trim().is_empty())
                    .unwrap_or(s.line);
                let at = self.lines[last].range.end;
                splice(self.text, at..at, &format!("{eol}- {name}: {value}"))
            }
            None => self.with_section("Metadata", &format!("- {name}: {value}")),
        }
    }

    /// Writes a `### Name` section: replaces the body of an existing one, or inserts a new one
    /// before the closing `---` (at the end of the entry when there is none).
    pub fn with_section(&self, name: &str, body: &str) -> String {
        let eol = self.eol();
        let body = body.trim_end().replace('\n', eol);
        let key = normalise(name);
        if let Some(s) = self.sections.iter().find(|s| s.key == key) {
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

fn splice(text: &str, range: Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..range.start]);
    out.push_str(with);
    out.push_str(&text[range.end..]);
    out
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let nl = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
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

fn fence_open(t: &str) -> Option<(u8, usize)> {
    let ch = *t.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = t.bytes().take_while(|&b| b == ch).count();
    (len >= 3 && !(ch == b'`' && t[len..].contains('`'))).then_some((ch, len))
}

/// Lower case, trimmed, with the Chinese field names seen in the wild mapped to ours.
fn normalise(name: &str) -> String {
    let n = name
        .trim()
        .trim_end_matches([':', '：'])
        .trim()
        .to_lowercase();
    match n.as_str() {
        "状态" => "status".into(),
        "优先级" => "priority".into(),
        "摘要" => "summary".into(),
        "元数据" => "metadata".into(),
        _ => n,
    }
}

/// `**Name**: value`, `**Name:** value`, `**Name**：value`, `- **Name:** value`, and the
/// malformed `**Name: value`. Returns the normalised name and the value's range in `line`.
fn bold_field(line: &str) -> Option<(String, Range<usize>)> {
    let t = line.trim_start();
    let mut start = line.len() - t.len();
    let t = match t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        Some(rest) => {
            start += 2;
            rest
        }
        None => t,
    };
    let inner = t.strip_prefix("**")?;
    start += 2;
    let colon = inner.find([':', '：'])?;
    let close = inner.find("**");
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
    Some((normalise(name), vstart..vend.max(vstart)))
}

/// `- Key: value`, `* Key: value` or an unbulleted `Key: value` line of a Metadata section.
fn meta_line(line: &str) -> Option<(String, Range<usize>)> {
    let t = line.trim_start();
    let mut start = line.len() - t.len();
    let t = match t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        Some(rest) => {
            start += 2;
            rest
        }
        None => t,
    };
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
    Some((normalise(key), vstart..vend))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANONICAL: &str = "## [LRN-20261122-001] correction\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: high\n**Status**: pending\n**Area**: backend\n\n### Summary\nOne line.\n\n### Details\nFree text.\n\n### Metadata\n- Source: conversation\n- Pattern-Key: harden.input_validation\n- Recurrence-Count: 1\n\n---\n";

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
}
