//! The words that relate a prompt to a lesson, and the few facts about an entry that the
//! hooks count, both computed one way for every reader: the activator reading the logs and the
//! index that stands in for them must agree to the byte.
//!
//! Words are latin words of three letters or more, and pairs of adjacent Chinese, Japanese or
//! Korean characters, which are not split by spaces. A signature is a 256-bit set of three
//! bits per word: it can tell that an entry does not hold a word, never that it does.

use crate::format::Entry;
use crate::format::entry::first_field;

/// Words too common to relate anything; never taken from a prompt.
pub(crate) const STOP_WORDS: &[&str] = &[
    "about", "after", "again", "all", "also", "and", "any", "are", "because", "been", "before",
    "but", "can", "could", "did", "does", "doing", "don't", "for", "from", "get", "had", "has",
    "have", "here", "how", "into", "its", "just", "like", "make", "more", "need", "not", "now",
    "our", "out", "please", "should", "some", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "too", "use", "very", "was", "were", "what", "when",
    "where", "which", "while", "who", "why", "will", "with", "would", "you", "your",
];

/// Calls `f` once per word of `text`. Two buffers are reused so that reading a thousand
/// entries allocates almost nothing.
pub(crate) fn each_token(
    text: &str,
    word: &mut String,
    pair: &mut String,
    f: &mut dyn FnMut(&str),
) {
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

/// The distinct words of a prompt, stop words left out.
pub(crate) fn prompt_tokens(prompt: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let (mut word, mut pair) = (String::new(), String::new());
    each_token(prompt, &mut word, &mut pair, &mut |t| {
        if !STOP_WORDS.contains(&t) && !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    });
    out
}

/// How many of the prompt's words occur in any of `texts`.
pub(crate) fn overlap(
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

/// What relevance reads of an entry: its summary, tags and pattern key.
pub(crate) fn relevance_texts<'a>(e: &Entry<'a>) -> [&'a str; 3] {
    [
        e.summary(),
        e.meta("tags").unwrap_or(""),
        e.pattern_key().unwrap_or(""),
    ]
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// A set of words, three bits each out of 256.
pub(crate) type Signature = [u64; 4];

/// The three bits of one word (FNV-1a over its bytes).
pub(crate) fn word_bits(word: &str) -> [u8; 3] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in word.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 29;
    [h as u8, (h >> 24) as u8, (h >> 48) as u8]
}

fn set_bit(sig: &mut Signature, bit: u8) {
    sig[usize::from(bit >> 6)] |= 1 << (bit & 63);
}

fn has_bit(sig: &Signature, bit: u8) -> bool {
    sig[usize::from(bit >> 6)] & (1 << (bit & 63)) != 0
}

/// The signature of every word in `texts` but the stop words, which no prompt word can be.
pub(crate) fn signature(texts: &[&str]) -> Signature {
    let mut sig = [0; 4];
    let (mut word, mut pair) = (String::new(), String::new());
    for text in texts {
        each_token(text, &mut word, &mut pair, &mut |t| {
            if !STOP_WORDS.contains(&t) {
                for bit in word_bits(t) {
                    set_bit(&mut sig, bit);
                }
            }
        });
    }
    sig
}

/// How many of the words (given by their bits) the signature may hold: never fewer than
/// the entry really holds.
pub(crate) fn may_hold(sig: &Signature, words: &[[u8; 3]]) -> usize {
    words
        .iter()
        .filter(|bits| bits.iter().all(|b| has_bit(sig, *b)))
        .count()
}

/// Where an entry stands in verification, as the activator's status line counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verification {
    None,
    /// It has a `### Verification Spec` and no verdict that counts yet.
    Awaiting,
    /// `Verified: true` with a receipt: it may be promoted.
    Eligible,
    /// Its last verdict was INDETERMINATE.
    Held,
}

/// The facts about one entry that the hooks count and filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Standing {
    pub pending: bool,
    pub wont_fix: bool,
    /// Neither resolved, promoted nor `wont_fix`: a failure still waiting for its fix.
    pub open: bool,
    pub verification: Verification,
}

/// Statuses that close an entry to verification counts.
const CLOSED: [&str; 3] = ["wont_fix", "promoted", "promoted_to_skill"];

/// The standing of the entry `text`; `lower` is the text lowered character by character.
/// Only an entry that mentions verification is read beyond its Status.
pub(crate) fn standing(text: &str, lower: &str) -> Standing {
    let status = first_field(text, "status")
        .unwrap_or("")
        .trim()
        .to_lowercase();
    let closed = CLOSED.contains(&status.as_str());
    let mut verification = Verification::None;
    if !closed && memchr::memmem::find(lower.as_bytes(), b"verif").is_some() {
        verification = verification_of(text);
    }
    Standing {
        pending: status == "pending",
        wont_fix: status == "wont_fix",
        open: !closed && status != "resolved",
        verification,
    }
}

fn verification_of(text: &str) -> Verification {
    let Some(e) = Entry::parse(text) else {
        return Verification::None;
    };
    let verified = e
        .field("verified")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let receipt = e.field("receipt id").is_some_and(|r| !r.trim().is_empty());
    if verified && receipt {
        Verification::Eligible
    } else if e
        .section("verification")
        .is_some_and(|v| v.contains("INDETERMINATE"))
    {
        Verification::Held
    } else if e.section("verification spec").is_some() {
        Verification::Awaiting
    } else {
        Verification::None
    }
}

/// `text` lowered character by character, exactly as words are, into `out`.
pub(crate) fn lower_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
    } else {
        out.extend(text.chars().flat_map(char::to_lowercase));
    }
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

    #[test]
    fn a_signature_never_misses_a_word_it_holds() {
        let sig = signature(&[
            "The parser fails on 解析错误",
            "tags, here",
            "cmd.cargo.test",
        ]);
        let held = prompt_tokens("parser fails 解析 cargo test tags");
        let bits: Vec<[u8; 3]> = held.iter().map(|w| word_bits(w)).collect();
        assert_eq!(may_hold(&sig, &bits), held.len());
        let absent: Vec<[u8; 3]> = ["zebra", "quantum", "blockchain"]
            .iter()
            .map(|w| word_bits(w))
            .collect();
        assert!(may_hold(&sig, &absent) < 3);
        assert_eq!(signature(&["the and you"]), [0; 4]);
    }
}
