//! `evolver skill validate` (SPEC 7): a skill folder against the Agent Skills rules and the two
//! clients' own.
//!
//! - `SKILL.md` exists and opens with front matter. Codex skips a SKILL.md without it and
//!   says nothing, so its absence is an error, not a style point.
//! - `name` follows the name rule and equals the folder's name: Claude Code calls a skill by
//!   its folder, Codex by `name`, so a difference gives one skill two names.
//! - `description` is a string of 1–1024 characters: it is what the model reads to decide
//!   when to use the skill. An XML tag in it is a warning: the Claude API refuses one on
//!   upload, while Claude Code and Codex load it.
//! - `license` (a string), `compatibility` (a string of at most 500 characters), `metadata`
//!   (a map of strings) and `allowed-tools` (a string or a list of strings) are optional.
//! - Other top-level keys, a key given twice (YAML keeps one of them), a body over 500 lines
//!   and an empty body are warnings.
//!
//! Every finding names its line in SKILL.md (0 when the file itself is missing).

use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::skills::frontmatter::{self, Node, Split, Value};
use crate::skills::name::name_problem;

/// The most a description may hold, in characters.
pub const MAX_DESCRIPTION: usize = 1024;
/// The most `compatibility` may hold, in characters.
pub const MAX_COMPATIBILITY: usize = 500;
/// A body longer than this many lines is a warning: agents load it whole.
pub const MAX_BODY_LINES: usize = 500;

const KNOWN_KEYS: [&str; 6] = [
    "name",
    "description",
    "license",
    "compatibility",
    "metadata",
    "allowed-tools",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The line in SKILL.md, 1-based; 0 when there is no SKILL.md.
    pub line: usize,
    pub level: Level,
    /// A short stable name, such as `name-mismatch`.
    pub rule: &'static str,
    pub message: String,
}

/// What validation found, and the name and description it read.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Validation {
    pub findings: Vec<Finding>,
    pub name: Option<String>,
    pub description: Option<String>,
}

impl Validation {
    pub fn errors(&self) -> usize {
        self.count(Level::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Level::Warning)
    }

    fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    fn add(&mut self, line: usize, level: Level, rule: &'static str, message: String) {
        self.findings.push(Finding {
            line,
            level,
            rule,
            message,
        });
    }
}

/// Validates the skill folder `folder`.
pub fn validate_dir(folder: &Path) -> Result<Validation> {
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = folder.join("SKILL.md");
    let bytes = match fs_err::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut v = Validation::default();
            v.add(
                0,
                Level::Error,
                "no-skill-md",
                format!(
                    "{} has no SKILL.md; an agent loads a skill only from that file",
                    folder.display()
                ),
            );
            return Ok(v);
        }
        Err(e) => return Err(e.into()),
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(validate_text(&folder_name, &text)),
        Err(e) => {
            let mut v = Validation::default();
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
            v.add(
                line,
                Level::Error,
                "not-utf8",
                "SKILL.md is not UTF-8 text; save it as UTF-8".into(),
            );
            Ok(v)
        }
    }
}

/// Validates the text of a SKILL.md kept in a folder named `folder_name`.
pub fn validate_text(folder_name: &str, text: &str) -> Validation {
    let mut v = Validation::default();
    let (yaml, first_line, body, body_line) = match frontmatter::split(text) {
        Split::Missing => {
            v.add(
                1,
                Level::Error,
                "no-front-matter",
                "SKILL.md does not open with a `---` line of front matter; Codex skips such a skill without a word, and Claude Code knows no description for it".into(),
            );
            return v;
        }
        Split::Unclosed => {
            v.add(
                1,
                Level::Error,
                "front-matter-unclosed",
                "the front matter opened on line 1 is never closed by a `---` line".into(),
            );
            return v;
        }
        Split::Found {
            yaml,
            first_line,
            body,
            body_line,
        } => (yaml, first_line, body, body_line),
    };
    let at = |node: &Node| node.line + first_line - 1;
    let root = match frontmatter::parse(yaml) {
        Ok(root) => root,
        Err(e) => {
            v.add(
                e.line + first_line - 1,
                Level::Error,
                "yaml",
                format!("the front matter is not valid YAML: {}", e.message),
            );
            return v;
        }
    };
    let pairs = match root.value {
        Value::Map(pairs) => pairs,
        other => {
            v.add(
                first_line,
                Level::Error,
                "front-matter-not-a-map",
                format!(
                    "the front matter must be a map of keys (name: …, description: …); it is {}",
                    other.kind()
                ),
            );
            return v;
        }
    };

    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (key, value) in &pairs {
        let Some(k) = key.value.as_str() else {
            v.add(
                at(key),
                Level::Warning,
                "key-not-a-string",
                format!("a front-matter key is {}; keys are names", key.value.kind()),
            );
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == k) {
            v.add(
                at(key),
                Level::Warning,
                "key-repeated",
                format!(
                    "`{k}` is given again (first on line {first}); readers keep only one of them"
                ),
            );
        }
        seen.push((k, at(key)));
        // A finding about a value names its key's line: a block scalar starts below it.
        check_key(&mut v, k, value, at(key), first_line, folder_name);
    }
    for required in ["name", "description"] {
        if !seen.iter().any(|(k, _)| *k == required) {
            v.add(
                first_line.saturating_sub(1).max(1),
                Level::Error,
                if required == "name" {
                    "name-missing"
                } else {
                    "description-missing"
                },
                format!("the front matter has no `{required}`"),
            );
        }
    }

    let lines = body.lines().count();
    if body.trim().is_empty() {
        v.add(
            body_line,
            Level::Warning,
            "body-empty",
            "SKILL.md has no instructions after its front matter".into(),
        );
    } else if lines > MAX_BODY_LINES {
        v.add(
            body_line + MAX_BODY_LINES,
            Level::Warning,
            "body-long",
            format!(
                "the body has {lines} lines, over {MAX_BODY_LINES}; agents read it whole, so move detail into files it points to"
            ),
        );
    }
    v.findings.sort_by_key(|f| f.line);
    v
}

fn check_key(
    v: &mut Validation,
    key: &str,
    value: &Node,
    line: usize,
    first_line: usize,
    folder_name: &str,
) {
    match key {
        "name" => {
            let Some(name) = value.value.as_str() else {
                v.add(
                    line,
                    Level::Error,
                    "name-not-a-string",
                    format!("`name` is {}; it must be a string", value.value.kind()),
                );
                return;
            };
            if v.name.is_none() {
                v.name = Some(name.to_owned());
            }
            if let Some(problem) = name_problem(name) {
                v.add(line, Level::Error, "name-invalid", problem);
            }
            if name != folder_name {
                v.add(
                    line,
                    Level::Error,
                    "name-mismatch",
                    format!(
                        "`name` is {name:?} but the folder is {folder_name:?}: Claude Code would call the skill {folder_name:?} and Codex {name:?}; make them equal"
                    ),
                );
            }
            let lower = name.to_lowercase();
            if let Some(word) = ["anthropic", "claude"].iter().find(|w| lower.contains(*w)) {
                v.add(
                    line,
                    Level::Warning,
                    "name-reserved",
                    format!("`name` holds {word:?}, a word Anthropic reserves in skill names"),
                );
            }
        }
        "description" => {
            let Some(text) = value.value.as_str() else {
                v.add(
                    line,
                    Level::Error,
                    "description-not-a-string",
                    format!(
                        "`description` is {}; it must be a string",
                        value.value.kind()
                    ),
                );
                return;
            };
            if v.description.is_none() {
                v.description = Some(text.to_owned());
            }
            let chars = text.trim().chars().count();
            if chars == 0 {
                v.add(
                    line,
                    Level::Error,
                    "description-empty",
                    "`description` is empty; say what the skill does and when to use it".into(),
                );
            } else if chars > MAX_DESCRIPTION {
                v.add(
                    line,
                    Level::Error,
                    "description-long",
                    format!("`description` has {chars} characters, over {MAX_DESCRIPTION}"),
                );
            }
            if text.trim_start().starts_with("TODO") {
                v.add(
                    line,
                    Level::Warning,
                    "description-placeholder",
                    "`description` is still the scaffold's TODO; the model reads it to decide when to use the skill".into(),
                );
            }
            if let Some(tag) = xml_tag(text) {
                // The Claude API refuses such a description on upload; Claude Code and Codex
                // load it, so it is a warning, not an error.
                v.add(
                    line,
                    Level::Warning,
                    "description-xml",
                    format!("`description` holds the tag {tag:?}; it may not hold XML tags"),
                );
            }
        }
        "license" => {
            if value.value.as_str().is_none() {
                v.add(
                    line,
                    Level::Warning,
                    "license-not-a-string",
                    format!(
                        "`license` is {}; give a licence name or file",
                        value.value.kind()
                    ),
                );
            }
        }
        "compatibility" => match value.value.as_str() {
            None => v.add(
                line,
                Level::Error,
                "compatibility-not-a-string",
                format!(
                    "`compatibility` is {}; it must be a string",
                    value.value.kind()
                ),
            ),
            Some(text) if text.chars().count() > MAX_COMPATIBILITY => v.add(
                line,
                Level::Error,
                "compatibility-long",
                format!(
                    "`compatibility` has {} characters, over {MAX_COMPATIBILITY}",
                    text.chars().count()
                ),
            ),
            Some(_) => {}
        },
        "metadata" => match &value.value {
            Value::Map(pairs) => {
                for (k, val) in pairs {
                    if k.value.as_str().is_none() || val.value.as_str().is_none() {
                        v.add(
                            k.line + first_line - 1,
                            Level::Warning,
                            "metadata-not-strings",
                            format!(
                                "`metadata` maps strings to strings; a value here is {} (quote it)",
                                val.value.kind()
                            ),
                        );
                    }
                }
            }
            other => v.add(
                line,
                Level::Error,
                "metadata-not-a-map",
                format!(
                    "`metadata` is {}; it must be a map of strings",
                    other.kind()
                ),
            ),
        },
        "allowed-tools" => {
            let ok = match &value.value {
                Value::Str(_) => true,
                Value::Seq(items) => items.iter().all(|i| i.value.as_str().is_some()),
                _ => false,
            };
            if !ok {
                v.add(
                    line,
                    Level::Error,
                    "allowed-tools-invalid",
                    format!(
                        "`allowed-tools` is {}; give a string or a list of tool names",
                        value.value.kind()
                    ),
                );
            }
        }
        other => {
            debug_assert!(!KNOWN_KEYS.contains(&other));
            v.add(
                line,
                Level::Warning,
                "key-unknown",
                format!(
                    "`{other}` is not an Agent Skills key ({}); a client may read it or ignore it",
                    KNOWN_KEYS.join(", ")
                ),
            );
        }
    }
}

/// The first thing shaped like an XML tag (`<name …>`, `</name>`), if any.
fn xml_tag(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let name = after.strip_prefix('/').unwrap_or(after);
        if name.starts_with(|c: char| c.is_ascii_alphabetic())
            && let Some(end) = after.find('>')
        {
            let inner = &after[..end];
            if !inner.contains('<') && !inner.contains('\n') {
                return Some(&rest[start..start + end + 2]);
            }
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(folder: &str, text: &str) -> Vec<(usize, &'static str)> {
        validate_text(folder, text)
            .findings
            .iter()
            .map(|f| (f.line, f.rule))
            .collect()
    }

    #[test]
    fn a_plain_skill_is_clean() {
        let text = "---\nname: pdf\ndescription: Fill PDF forms. Use when a form is given.\n---\n# PDF\n\nDo it.\n";
        assert_eq!(rules("pdf", text), []);
    }

    #[test]
    fn each_rule_names_its_line() {
        let text = "---\nname: Pdf Tool\ndescription: >\n  Use <b>bold</b>.\nversion: 1\nmetadata: [a]\n---\n\n";
        assert_eq!(
            rules("pdf", text),
            [
                (2, "name-invalid"),
                (2, "name-mismatch"),
                (3, "description-xml"),
                (5, "key-unknown"),
                (6, "metadata-not-a-map"),
                (8, "body-empty"),
            ]
        );
    }

    #[test]
    fn missing_and_broken_front_matter() {
        assert_eq!(rules("a", "# A\n"), [(1, "no-front-matter")]);
        assert_eq!(rules("a", "---\nname: a\n"), [(1, "front-matter-unclosed")]);
        assert_eq!(
            rules("a", "---\nname: a\ndescription: [x\n---\nbody\n")[0].1,
            "yaml"
        );
        assert_eq!(
            rules("a", "---\n- a\n---\nbody\n"),
            [(2, "front-matter-not-a-map")]
        );
        assert_eq!(
            rules("a", "---\nname: a\n---\nbody\n"),
            [(1, "description-missing")]
        );
    }

    #[test]
    fn lengths_at_their_limits() {
        let ok = format!("---\nname: a\ndescription: {}\n---\nb\n", "d".repeat(1024));
        assert_eq!(rules("a", &ok), []);
        let long = format!("---\nname: a\ndescription: {}\n---\nb\n", "d".repeat(1025));
        assert_eq!(rules("a", &long), [(3, "description-long")]);
        let compat = format!(
            "---\nname: a\ndescription: d\ncompatibility: {}\n---\nb\n",
            "c".repeat(501)
        );
        assert_eq!(rules("a", &compat), [(4, "compatibility-long")]);
        let body = format!("---\nname: a\ndescription: d\n---\n{}", "l\n".repeat(501));
        assert_eq!(rules("a", &body), [(505, "body-long")]);
    }

    #[test]
    fn repeats_and_arrows() {
        let text = "---\nname: a\ndescription: maps a -> b when x > 1\nname: a\n---\nb\n";
        assert_eq!(rules("a", text), [(4, "key-repeated")]);
        assert_eq!(xml_tag("a <example>x</example>"), Some("<example>"));
        assert_eq!(xml_tag("1 < 2 and 3 > 2"), None);
    }
}
