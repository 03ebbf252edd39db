//! A SKILL.md's front matter: found between the `---` lines that open the file, and read by a
//! YAML 1.2 parser into a small tree that keeps each value's line, so every finding can name
//! it.
//!
//! The tree is built from the parser's events rather than its own document type, for three
//! reasons: the events carry lines, a key given twice can be told (a loader keeps one of them
//! silently), and a plain `true` or `12` can be told from the string `"true"`.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Where the front matter is in a SKILL.md.
#[derive(Debug, PartialEq, Eq)]
pub enum Split<'t> {
    /// The file does not open with a `---` line.
    Missing,
    /// A `---` opens the file, and no line closes it.
    Unclosed,
    Found {
        /// The YAML between the two `---` lines.
        yaml: &'t str,
        /// The file's line of the YAML's first line (1-based).
        first_line: usize,
        /// What follows the closing `---` line.
        body: &'t str,
        /// The file's line of the body's first line.
        body_line: usize,
    },
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\r', '\n'])
        .trim_end_matches([' ', '\t'])
        == "---"
}

/// Finds the front matter. A byte-order mark is skipped; line ends may be `\n` or `\r\n`, and
/// a fence line may carry trailing blanks.
pub fn split(text: &str) -> Split<'_> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Split::Missing;
    };
    if !is_fence(first) {
        return Split::Missing;
    }
    let start = first.len();
    let mut at = start;
    for (line_no, line) in (2..).zip(lines) {
        if is_fence(line) {
            return Split::Found {
                yaml: &text[start..at],
                first_line: 2,
                body: &text[at + line.len()..],
                body_line: line_no + 1,
            };
        }
        at += line.len();
    }
    Split::Unclosed
}

/// A value of the front matter and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// The line in the YAML text (1-based); add `first_line - 1` for the file's line.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A quoted or block scalar, or a plain one that is no number, boolean or null.
    Str(String),
    /// A plain scalar YAML reads as a number or a boolean, with its text.
    Other(String),
    Null,
    Seq(Vec<Node>),
    /// Keys in the order written, repeats kept.
    Map(Vec<(Node, Node)>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What kind of value this is, for a message.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Other(_) => "a number or boolean",
            Value::Null => "empty",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// A plain scalar as YAML 1.2's core schema reads it.
fn plain(text: String) -> Value {
    let t = text.as_str();
    let number = {
        let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
        !digits.is_empty()
            && (digits.chars().all(|c| c.is_ascii_digit())
                || (digits.starts_with("0x") && digits.len() > 2)
                || (digits.starts_with("0o") && digits.len() > 2)
                || digits.parse::<f64>().is_ok() && !digits.starts_with(['i', 'I', 'n', 'N'])
                || matches!(digits, ".inf" | ".Inf" | ".INF"))
            || matches!(t, ".nan" | ".NaN" | ".NAN")
    };
    match t {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => Value::Other(text),
        _ if number => Value::Other(text),
        _ => Value::Str(text),
    }
}

/// Builds the tree from the parser's events.
#[derive(Default)]
struct Builder {
    /// Open lists and maps; a map holds its pending key.
    stack: Vec<(Node, Option<Node>)>,
    anchors: HashMap<usize, Node>,
    /// Anchor ids of the open collections, to record them when they close.
    open_anchors: Vec<usize>,
    root: Option<Node>,
    documents: usize,
}

impl Builder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some((parent, key)) => match &mut parent.value {
                Value::Seq(items) => items.push(node),
                Value::Map(pairs) => match key.take() {
                    None => *key = Some(node),
                    Some(k) => pairs.push((k, node)),
                },
                _ => {}
            },
        }
    }

    fn open(&mut self, value: Value, anchor: usize, line: usize) {
        self.stack.push((Node { value, line }, None));
        self.open_anchors.push(anchor);
    }

    fn close(&mut self) {
        if let (Some((node, _)), Some(anchor)) = (self.stack.pop(), self.open_anchors.pop()) {
            if anchor > 0 {
                self.anchors.insert(anchor, node.clone());
            }
            self.push(node);
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let line = mark.line();
        match event {
            Event::DocumentStart => self.documents += 1,
            Event::Scalar(text, style, anchor, _) => {
                let value = match style {
                    TScalarStyle::Plain => plain(text),
                    _ => Value::Str(text),
                };
                let node = Node { value, line };
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push(node);
            }
            Event::Alias(anchor) => {
                let value = self
                    .anchors
                    .get(&anchor)
                    .map_or(Value::Null, |n| n.value.clone());
                self.push(Node { value, line });
            }
            Event::SequenceStart(anchor, _) => self.open(Value::Seq(Vec::new()), anchor, line),
            Event::MappingStart(anchor, _) => self.open(Value::Map(Vec::new()), anchor, line),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            _ => {}
        }
    }
}

/// A YAML error: its line in the YAML text and what the parser said.
#[derive(Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

/// Parses the front matter's YAML. Empty YAML is `Value::Null`.
pub fn parse(yaml: &str) -> Result<Node, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(yaml);
    parser.load(&mut builder, true).map_err(|e| YamlError {
        line: e.marker().line(),
        message: e.info().to_owned(),
    })?;
    if builder.documents > 1 {
        return Err(YamlError {
            line: 1,
            message: "the front matter holds more than one YAML document".into(),
        });
    }
    Ok(builder.root.unwrap_or(Node {
        value: Value::Null,
        line: 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(yaml: &str) -> Vec<(String, Node)> {
        map_with_lines(yaml)
            .into_iter()
            .map(|(k, _, v)| (k, v))
            .collect()
    }

    /// Each key, the line it is on, and its value.
    fn map_with_lines(yaml: &str) -> Vec<(String, usize, Node)> {
        match parse(yaml).unwrap().value {
            Value::Map(pairs) => pairs
                .into_iter()
                .map(|(k, v)| (k.value.as_str().unwrap().to_owned(), k.line, v))
                .collect(),
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn splits_at_the_fences_with_lines() {
        let text = "---\nname: a\n---\n# A\nbody\n";
        assert_eq!(
            split(text),
            Split::Found {
                yaml: "name: a\n",
                first_line: 2,
                body: "# A\nbody\n",
                body_line: 4
            }
        );
        let crlf = "\u{feff}---  \r\nname: a\r\n--- \r\nbody";
        assert!(matches!(
            split(crlf),
            Split::Found {
                yaml: "name: a\r\n",
                body: "body",
                ..
            }
        ));
        assert_eq!(split("# no front matter\n---\n"), Split::Missing);
        assert_eq!(split("\n---\nname: a\n---\n"), Split::Missing);
        assert_eq!(split("---\nname: a\n"), Split::Unclosed);
        assert_eq!(split(""), Split::Missing);
    }

    #[test]
    fn block_scalars_quotes_and_lines() {
        let pairs = map_with_lines(
            "name: pdf\ndescription: >-\n  Folded\n  text.\nlicense: 'It''s MIT'\nx: \"tab\\there\"\ny: |\n  one\n  two\n",
        );
        assert_eq!(pairs[1].2.value, Value::Str("Folded text.".into()));
        // A block scalar starts on the line below its key.
        assert_eq!((pairs[1].1, pairs[1].2.line), (2, 3));
        assert_eq!(pairs[2].2.value, Value::Str("It's MIT".into()));
        assert_eq!(pairs[3].2.value, Value::Str("tab\there".into()));
        assert_eq!(pairs[4].2.value, Value::Str("one\ntwo\n".into()));
        assert_eq!(pairs[4].0, "y");
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let pairs = map("a: true\nb: 12\nc: 1.5\nd: ~\ne: '12'\nf: 0.1.0\ng: yes\n");
        let kinds: Vec<_> = pairs.iter().map(|(_, v)| v.value.kind()).collect();
        assert_eq!(
            kinds,
            [
                "a number or boolean",
                "a number or boolean",
                "a number or boolean",
                "empty",
                "a string",
                "a string",
                "a string"
            ]
        );
    }

    #[test]
    fn anchors_lists_maps_and_repeats() {
        let pairs = map(
            "base: &b hello\nname: *b\ntools: [Read, Grep]\nmetadata:\n  author: x\n  version: \"1\"\nname: again\n",
        );
        assert_eq!(pairs[1].1.value, Value::Str("hello".into()));
        assert!(matches!(&pairs[2].1.value, Value::Seq(items) if items.len() == 2));
        assert!(matches!(&pairs[3].1.value, Value::Map(m) if m.len() == 2));
        assert_eq!(pairs.iter().filter(|(k, _)| k == "name").count(), 2);
        assert_eq!(pairs[4].1.line, 7);
    }

    #[test]
    fn errors_name_their_line() {
        let err = parse("name: a\ndescription: \"open\nmore: [\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        assert_eq!(parse("").unwrap().value, Value::Null);
    }
}
