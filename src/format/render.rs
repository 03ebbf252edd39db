//! Rendering: new entries from the templates in `assets/templates/`.
//!
//! Rendering fills `{name}` placeholders. A line with a placeholder whose value is empty is
//! left out, and so is a section left with no body, so optional parts simply vanish. Free
//! text is made safe first: text that could be read as an entry header, a section, a fence
//! or a comment is put inside a fence longer than any backtick run it holds, so what an agent
//! or a tool wrote can never end the entry or swallow the entries after it.

use crate::format::{EntryId, Kind};

/// Everything a new entry says. Empty strings mean "not given".
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    /// Text after the ID on the header line: the category (LRN) or a snake_case name.
    pub tail: String,
    pub priority: String,
    pub status: String,
    pub area: String,
    /// One line: Summary (LRN, ERR) or Requested Capability (FEAT).
    pub summary: String,
    /// Details (LRN), Error (ERR, always fenced) or User Context (FEAT).
    pub details: String,
    /// ERR Context bullets.
    pub context: Vec<String>,
    /// Suggested Action (LRN), Suggested Fix (ERR) or Suggested Implementation (FEAT).
    pub action: String,
    /// FEAT Complexity Estimate.
    pub complexity: String,
    /// Metadata bullets in order.
    pub metadata: Vec<(String, String)>,
}

impl NewEntry {
    /// The value of a metadata bullet, if set.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Sets or replaces a metadata bullet, keeping the order of the others.
    pub fn set_meta(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self
            .metadata
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some(slot) => slot.1 = value,
            None => self.metadata.push((key.to_owned(), value)),
        }
    }
}

/// Renders the entry as it will be appended (ending in `---\n`).
pub fn render(kind: Kind, id: &EntryId, logged: &str, e: &NewEntry) -> String {
    let template = match kind {
        Kind::Learning => include_str!("../../assets/templates/learning.md"),
        Kind::Error => include_str!("../../assets/templates/error.md"),
        Kind::Feature => include_str!("../../assets/templates/feature.md"),
    };
    let details = match kind {
        Kind::Error if !e.details.is_empty() => fenced(&e.details),
        _ => safe_block(&e.details),
    };
    let context: Vec<String> = e
        .context
        .iter()
        .map(|c| format!("- {}", one_line(c)))
        .collect();
    let metadata: Vec<String> = e
        .metadata
        .iter()
        .map(|(k, v)| format!("- {}: {}", one_line(k), one_line(v)))
        .collect();
    let values = [
        ("id", id.to_string()),
        ("tail", one_line(&e.tail)),
        ("logged", logged.to_owned()),
        ("priority", one_line(&e.priority)),
        ("status", one_line(&e.status)),
        ("area", one_line(&e.area)),
        ("summary", one_line(&e.summary)),
        ("details", details),
        ("context", context.join("\n")),
        ("action", safe_block(&e.action)),
        ("complexity", one_line(&e.complexity)),
        ("metadata", metadata.join("\n")),
    ];
    fill(template, &values)
}

fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut lines: Vec<String> = Vec::new();
    'line: for line in template.lines() {
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            let Some((_, value)) = values.iter().find(|(n, _)| *n == name) else {
                break;
            };
            if value.is_empty() {
                continue 'line;
            }
            out.push_str(&rest[..open]);
            out.push_str(value);
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        lines.push(out);
    }
    // Drop sections whose body vanished: a `###` line followed by a blank line or the rule.
    let mut kept: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let next_blank = lines.get(i + 1).is_none_or(|n| n.is_empty() || n == "---");
        if lines[i].starts_with("### ") && next_blank {
            i += if lines.get(i + 1).is_some_and(String::is_empty) {
                2
            } else {
                1
            };
            continue;
        }
        kept.push(std::mem::take(&mut lines[i]));
        i += 1;
    }
    let mut text = kept.join("\n");
    text.push('\n');
    text
}

/// A single line: line breaks become spaces, and a line that markdown would read as a
/// heading, fence, rule or comment is escaped with a backslash.
pub fn one_line(text: &str) -> String {
    let joined: String = text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if structural(&joined) {
        format!("\\{joined}")
    } else {
        joined
    }
}

/// Multi-line free text, fenced when any of its lines could change the file's structure.
pub fn safe_block(text: &str) -> String {
    let text = text.trim_matches(['\n', '\r']);
    if text.lines().any(structural) {
        fenced(text)
    } else {
        text.replace('\r', "")
    }
}

/// The text in a fenced block whose fence is longer than any backtick run inside it.
pub fn fenced(text: &str) -> String {
    let text = text.trim_end_matches(['\n', '\r']).replace("\r\n", "\n");
    let fence = "`".repeat((longest_backticks(&text) + 1).max(3));
    format!("{fence}\n{text}\n{fence}")
}

/// The longest run of backticks in `text`: a fence or code span must be longer to hold it.
pub(crate) fn longest_backticks(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for b in text.bytes() {
        run = if b == b'`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn structural(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#')
        || t.starts_with("```")
        || t.starts_with("~~~")
        || t.starts_with("<!--")
        || t.starts_with("-->")
        || t.trim_end() == "---"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Document, Entry};

    fn sample() -> NewEntry {
        NewEntry {
            tail: "correction".into(),
            priority: "high".into(),
            status: "pending".into(),
            summary: "Use fs-err".into(),
            metadata: vec![("Source".into(), "conversation".into())],
            ..NewEntry::default()
        }
    }

    #[test]
    fn optional_parts_vanish() {
        let id = EntryId::new(Kind::Learning, "20261122", 1);
        let text = render(Kind::Learning, &id, "2026-11-22T10:30:00Z", &sample());
        assert_eq!(
            text,
            "## [LRN-20261122-001] correction\n\n**Logged**: 2026-11-22T10:30:00Z\n**Priority**: high\n**Status**: pending\n\n### Summary\nUse fs-err\n\n### Metadata\n- Source: conversation\n\n---\n"
        );
    }

    #[test]
    fn hostile_text_cannot_break_the_file() {
        let mut e = sample();
        e.details = "```\n## [LRN-20261122-009] fake\n---\n<!--".into();
        e.summary = "### Metadata".into();
        let id = EntryId::new(Kind::Learning, "20261122", 1);
        let text = render(Kind::Learning, &id, "t", &e);
        let file = format!("{text}\n{text}");
        let doc = Document::parse(file.into_bytes());
        assert_eq!(doc.entries().len(), 2);
        let entry =
            Entry::parse(std::str::from_utf8(doc.entry_bytes(&doc.entries()[0])).unwrap()).unwrap();
        assert_eq!(entry.summary(), "\\### Metadata");
        assert_eq!(entry.meta("source"), Some("conversation"));
    }

    #[test]
    fn error_output_is_always_fenced_longer_than_its_backticks() {
        assert_eq!(fenced("a ```` b"), "`````\na ```` b\n`````");
        assert_eq!(fenced("plain"), "```\nplain\n```");
    }
}
