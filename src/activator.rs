//! The activator (SPEC 5.1): on every prompt, a short block of plain text that the agent
//! reads before it starts, reminding it to log and to verify before promoting, and showing
//! the few past lessons that bear on this prompt.
//!
//! It only reads. Relevance is word overlap between the prompt and each entry's summary,
//! tags and pattern key: cheap, predictable, and explainable to the person who wonders why a
//! lesson came up. Runs of Chinese, Japanese or Korean characters count as overlapping pairs
//! of characters, since they are not split by spaces.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::hook::HookWorld;
use crate::payload::Payload;
use crate::{Entry, Kind, Result, Store, project_root};

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
    lessons: Vec<Lesson>,
}

/// A past entry that shares words with the prompt.
#[derive(Debug)]
struct Lesson {
    score: usize,
    /// Learnings are lessons already drawn; errors and features only raw material.
    learning: bool,
    logged: String,
    line: String,
}

/// The block for `prompt`: the reminder, then what is waiting, the relevant lessons and a
/// nudge, cut to [`MAX_CHARS`].
pub fn block(store: &Store, prompt: &str) -> Result<String> {
    let mut text = String::from(REMINDER);
    if !store.exists() {
        return Ok(text);
    }
    let words = tokens(prompt);
    let survey = survey(store, &words)?;
    if survey.pending + survey.awaiting + survey.eligible + survey.held > 0 {
        text.push_str(&format!(
            "evolver: Waiting: {} pending, {} awaiting verification, {} eligible for promotion, \
             {} held INDETERMINATE (`evolver status`).\n",
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
    let mut lessons = survey.lessons;
    // Best overlap first; on a tie a learning before an error, then the newer.
    lessons.sort_by(|a, b| (b.score, b.learning, &b.logged).cmp(&(a.score, a.learning, &a.logged)));
    lessons.truncate(MAX_LESSONS);
    let head = "evolver: Past lessons that may apply (`evolver show ID`):\n";
    let mut shown: Vec<&str> = lessons.iter().map(|l| l.line.as_str()).collect();
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

fn survey(store: &Store, words: &HashSet<String>) -> Result<Survey> {
    let mut s = Survey::default();
    for kind in Kind::ALL {
        let Some(doc) = store.read(kind)? else {
            continue;
        };
        for span in doc.entries() {
            let Ok(text) = std::str::from_utf8(doc.entry_bytes(span)) else {
                continue;
            };
            let Some(e) = Entry::parse(text) else {
                continue;
            };
            let status = e.status().unwrap_or("").trim().to_lowercase();
            let closed = matches!(
                status.as_str(),
                "wont_fix" | "promoted" | "promoted_to_skill"
            );
            let verified = e
                .field("verified")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
            let receipt = e.field("receipt id").is_some_and(|r| !r.trim().is_empty());
            if status == "pending" {
                s.pending += 1;
            }
            if !closed {
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
            if status == "wont_fix" || words.is_empty() {
                continue;
            }
            let summary = e.summary();
            let mut have = tokens(summary);
            have.extend(tokens(e.meta("tags").unwrap_or("")));
            have.extend(tokens(e.pattern_key().unwrap_or("")));
            let score = words.intersection(&have).count();
            if score > 0 {
                s.lessons.push(Lesson {
                    score,
                    learning: kind == Kind::Learning,
                    logged: e.field("logged").unwrap_or("").trim().to_owned(),
                    line: format!("- {}: {}", span.id, clean(summary)),
                });
            }
        }
    }
    Ok(s)
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

/// The words that can make two texts related: latin words of three letters or more that are
/// not stop words, and pairs of adjacent CJK characters.
fn tokens(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush_word = |word: &mut String, out: &mut HashSet<String>| {
        if word.chars().count() >= 3 && !STOP_WORDS.contains(&word.as_str()) {
            out.insert(std::mem::take(word));
        }
        word.clear();
    };
    let flush_cjk = |cjk: &mut Vec<char>, out: &mut HashSet<String>| {
        for pair in cjk.windows(2) {
            out.insert(pair.iter().collect());
        }
        cjk.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_word(&mut word, &mut out);
            flush_cjk(&mut cjk, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    flush_cjk(&mut cjk, &mut out);
    out
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
        let t = tokens("Please fix the JSON parser; 解析错误");
        let mut v: Vec<_> = t.into_iter().collect();
        v.sort();
        assert_eq!(v, ["fix", "json", "parser", "析错", "解析", "错误"]);
        assert!(tokens("harden.input_validation").contains("validation"));
    }
}
