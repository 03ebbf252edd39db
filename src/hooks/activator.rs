//! The activator (SPEC 5.1): on every prompt, a short block of plain text that the agent
//! reads before it starts, reminding it to log and to verify before promoting, and showing
//! the few past lessons that bear on this prompt.
//!
//! It only reads. Relevance is word overlap between the prompt and each entry's summary,
//! tags and pattern key: cheap, predictable, and explainable to the person who wonders why a
//! lesson came up. Runs of Chinese, Japanese or Korean characters count as overlapping pairs
//! of characters, since they are not split by spaces.

use std::path::PathBuf;

use crate::error::Result;
use crate::format::entry::first_field;
use crate::format::{Entry, Kind};
use crate::hooks::HookWorld;
use crate::hooks::payload::Payload;
use crate::store::{Store, project_root};

/// The whole block stays under this many characters.
pub const MAX_CHARS: usize = 2000;
const MAX_LESSONS: usize = 3;
const MAX_SUMMARY: usize = 160;

const REMINDER: &str = "evolver: Log corrections, errors and feature requests in .learnings/ \
(`evolver log learning|error|feature --summary \"…\"`).\n\
evolver: Promote nothing to CLAUDE.md, AGENTS.md, SOUL.md, TOOLS.md or a skill without a \
verification PASS (`evolver verify ID`).\n";

const CORRECTION: &[&str] = &[
    "that's not right",
    "that is not right",
    "that's wrong",
    "that is wrong",
    "that's incorrect",
    "that is incorrect",
    "actually, it should",
    "actually it should",
    "you're wrong",
    "you are wrong",
    "that's outdated",
    "that is outdated",
    "that's out of date",
    "no longer works",
    "not what i asked",
    "不对",
    "错了",
    "不是这样",
    "不正确",
    "搞错",
    "过时了",
    "应该是",
];

const FEATURE: &[&str] = &[
    "can you also",
    "could you also",
    "i wish you could",
    "i wish you would",
    "is there a way to",
    "why can't you",
    "why cannot you",
    "it would be nice if",
    "能不能",
    "能否",
    "希望你能",
    "有没有办法",
    "为什么不能",
    "可不可以",
];

const STOP_WORDS: &[&str] = &[
    "about", "after", "again", "all", "also", "and", "any", "are", "because", "been", "before",
    "but", "can", "could", "did", "does", "doing", "don't", "for", "from", "get", "had", "has",
    "have", "here", "how", "into", "its", "just", "like", "make", "more", "need", "not", "now",
    "our", "out", "please", "should", "some", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "too", "use", "very", "was", "were", "what", "when",
    "where", "which", "while", "who", "why", "will", "with", "would", "you", "your",
];

/// The hook: the text to print, or `None` for a payload that is not a prompt.
pub fn run(input: &[u8], world: &HookWorld) -> Result<Option<String>> {
    let Some(payload) = Payload::parse(input) else {
        return Ok(None);
    };
    // A prompt event, or an envelope without an event name that carries a prompt.
    let understood = match payload.event.as_str() {
        "UserPromptSubmit" | "before_prompt_build" => true,
        "" => payload.prompt.is_some(),
        _ => false,
    };
    if !understood {
        return Ok(None);
    }
    let start = payload
        .cwd
        .as_deref()
        .map_or(world.cwd.clone(), PathBuf::from);
    let store = Store::open(project_root(&start, &world.env))?;
    let prompt = payload.prompt.as_deref().unwrap_or("");
    Ok(Some(block(&store, prompt)?))
}

/// What the lessons in the store say about one prompt.
#[derive(Debug, Default)]
struct Survey {
    pending: usize,
    awaiting: usize,
    eligible: usize,
    held: usize,
    /// The most relevant first, at most [`MAX_LESSONS`].
    lessons: Vec<String>,
}

/// How two lessons rank: more shared words first; on a tie a learning (a lesson already
/// drawn) before an error or feature request, then the newer, then the earlier in the files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rank<'a> {
    score: usize,
    learning: bool,
    logged: &'a str,
    earlier: std::cmp::Reverse<usize>,
}

/// The block for `prompt`: the reminder, then what is waiting, the relevant lessons and a
/// nudge, cut to [`MAX_CHARS`].
pub fn block(store: &Store, prompt: &str) -> Result<String> {
    let mut text = String::from(REMINDER);
    if !store.exists() {
        return Ok(text);
    }
    let words = prompt_tokens(prompt);
    let survey = survey(store, &words)?;
    if survey.pending + survey.awaiting + survey.eligible + survey.held > 0 {
        text.push_str(&format!(
            "evolver: Waiting: {} pending, {} awaiting verification, {} eligible for promotion, \
             {} held INDETERMINATE (`evolver review`).\n",
            survey.pending, survey.awaiting, survey.eligible, survey.held
        ));
    }
    let lower = prompt.to_lowercase().replace('’', "'");
    let mut nudge = String::new();
    if CORRECTION.iter().any(|p| lower.contains(p)) {
        nudge.push_str(
            "evolver: This reads like a correction. Log it before going on: \
             `evolver log learning --category correction --summary \"…\" --action \"…\"`.\n",
        );
    }
    if FEATURE.iter().any(|p| lower.contains(p)) {
        nudge.push_str(
            "evolver: This reads like a feature request. Log it: \
             `evolver log feature --summary \"…\"`.\n",
        );
    }
    let head = "evolver: Past lessons that may apply (`evolver show ID`):\n";
    let mut shown: Vec<&str> = survey.lessons.iter().map(String::as_str).collect();
    loop {
        let body: usize = shown.iter().map(|l| l.chars().count() + 1).sum();
        let extra = if shown.is_empty() {
            0
        } else {
            head.chars().count() + body
        };
        if text.chars().count() + nudge.chars().count() + extra <= MAX_CHARS || shown.is_empty() {
            break;
        }
        shown.pop();
    }
    if !shown.is_empty() {
        text.push_str(head);
        for line in shown {
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push_str(&nudge);
    Ok(text)
}

/// Counts what waits and finds the lessons that share the most words with the prompt.
///
/// Most entries need only their Status (near the top) and a byte search for the prompt's
/// words. The words an entry holds anywhere bound what its summary, tags and pattern key
/// can share, so entries are read in full best bound first, and the search stops as soon as
/// no entry left can outrank the lessons found: the result is the same as reading them all.
fn survey(store: &Store, words: &[String]) -> Result<Survey> {
    let mut s = Survey::default();
    let mut docs = Vec::new();
    for kind in Kind::ALL {
        if let Some(doc) = store.peek(kind)? {
            docs.push((kind, doc));
        }
    }
    let finders: Vec<memchr::memmem::Finder<'_>> =
        words.iter().map(memchr::memmem::Finder::new).collect();
    let verification = memchr::memmem::Finder::new("verif");
    let mut lower = String::new();
    let mut candidates: Vec<(Rank<'_>, &str)> = Vec::new();
    let mut position = 0;
    for (kind, doc) in &docs {
        for span in doc.entries() {
            position += 1;
            let Ok(text) = std::str::from_utf8(doc.entry_bytes(span)) else {
                continue;
            };
            let status = first_field(text, "status")
                .unwrap_or("")
                .trim()
                .to_lowercase();
            if status == "pending" {
                s.pending += 1;
            }
            let closed = matches!(
                status.as_str(),
                "wont_fix" | "promoted" | "promoted_to_skill"
            );
            // Lowered character by character, exactly as the tokens are, so that a word the
            // tokens would share is always found here.
            lower.clear();
            if text.is_ascii() {
                lower.push_str(text);
                lower.make_ascii_lowercase();
            } else {
                lower.extend(text.chars().flat_map(char::to_lowercase));
            }
            if !closed && verification.find(lower.as_bytes()).is_some() {
                count_verification(&mut s, text);
            }
            if status == "wont_fix" || finders.is_empty() {
                continue;
            }
            let bound = finders
                .iter()
                .filter(|f| f.find(lower.as_bytes()).is_some())
                .count();
            if bound > 0 {
                let rank = Rank {
                    score: bound,
                    learning: *kind == Kind::Learning,
                    logged: first_field(text, "logged").unwrap_or("").trim(),
                    earlier: std::cmp::Reverse(position),
                };
                candidates.push((rank, text));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0));
    let (mut seen, mut bufs) = (Vec::new(), (String::new(), String::new()));
    let mut found: Vec<(Rank<'_>, String)> = Vec::new();
    for (bound, text) in candidates {
        if found.len() == MAX_LESSONS && found[MAX_LESSONS - 1].0 > bound {
            break;
        }
        let Some(e) = Entry::parse(text) else {
            continue;
        };
        let summary = e.summary();
        let texts = [
            summary,
            e.meta("tags").unwrap_or(""),
            e.pattern_key().unwrap_or(""),
        ];
        let score = overlap(words, &texts, &mut seen, &mut bufs);
        if score == 0 {
            continue;
        }
        let rank = Rank { score, ..bound };
        found.push((rank, format!("- {}: {}", e.id(), clean(summary))));
        found.sort_by(|a, b| b.0.cmp(&a.0));
        found.truncate(MAX_LESSONS);
    }
    s.lessons = found.into_iter().map(|(_, line)| line).collect();
    Ok(s)
}

/// Adds an entry that bears marks of verification to the counts.
fn count_verification(s: &mut Survey, text: &str) {
    let Some(e) = Entry::parse(text) else {
        return;
    };
    let verified = e
        .field("verified")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let receipt = e.field("receipt id").is_some_and(|r| !r.trim().is_empty());
    if verified && receipt {
        s.eligible += 1;
    } else if e
        .section("verification")
        .is_some_and(|v| v.contains("INDETERMINATE"))
    {
        s.held += 1;
    } else if e.section("verification spec").is_some() {
        s.awaiting += 1;
    }
}

/// One line, no control characters, at most [`MAX_SUMMARY`] characters.
fn clean(text: &str) -> String {
    let one: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one.chars().count() > MAX_SUMMARY {
        one.chars().take(MAX_SUMMARY - 1).chain(['…']).collect()
    } else {
        one
    }
}

/// The words that can make two texts related: latin words of three letters or more, and
/// pairs of adjacent CJK characters. `f` is called once per occurrence; two buffers are
/// reused so that reading a thousand entries allocates almost nothing.
fn each_token(text: &str, word: &mut String, pair: &mut String, f: &mut dyn FnMut(&str)) {
    let flush = |word: &mut String, f: &mut dyn FnMut(&str)| {
        if word.len() >= 3 && (word.is_ascii() || word.chars().count() >= 3) {
            f(word);
        }
        word.clear();
    };
    word.clear();
    let mut previous_cjk = None;
    for c in text.chars() {
        if is_cjk(c) {
            flush(word, f);
            if let Some(p) = previous_cjk {
                pair.clear();
                pair.push(p);
                pair.push(c);
                f(pair);
            }
            previous_cjk = Some(c);
            continue;
        }
        previous_cjk = None;
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(word, f);
        }
    }
    flush(word, f);
}

/// The distinct tokens of a prompt, stop words left out.
fn prompt_tokens(prompt: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let (mut word, mut pair) = (String::new(), String::new());
    each_token(prompt, &mut word, &mut pair, &mut |t| {
        if !STOP_WORDS.contains(&t) && !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    });
    out
}

/// How many of the prompt's tokens occur in any of `texts`.
fn overlap(
    words: &[String],
    texts: &[&str],
    seen: &mut Vec<bool>,
    buf: &mut (String, String),
) -> usize {
    seen.clear();
    seen.resize(words.len(), false);
    for text in texts {
        each_token(text, &mut buf.0, &mut buf.1, &mut |t| {
            if let Some(i) = words.iter().position(|w| w == t) {
                seen[i] = true;
            }
        });
    }
    seen.iter().filter(|&&s| s).count()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_skip_short_and_stop_words_and_pair_cjk() {
        let mut v = prompt_tokens("Please fix the JSON parser; 解析错误, the parser");
        v.sort();
        assert_eq!(v, ["fix", "json", "parser", "析错", "解析", "错误"]);
        let words = prompt_tokens("input validation");
        let mut bufs = (String::new(), String::new());
        let n = overlap(
            &words,
            &["harden.input_validation", "Input"],
            &mut Vec::new(),
            &mut bufs,
        );
        assert_eq!(n, 2);
    }
}
