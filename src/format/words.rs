//! What relevance reads of an entry, and the few facts about an entry that the hooks count,
//! both computed one way for every reader: the activator reading the logs and the index that
//! stands in for them must agree to the byte.

use crate::format::Entry;
use crate::format::entry::first_field;

/// What relevance reads of an entry, each part with its weight: the summary, the header's
/// name, tags and pattern key count more than the details, fix and context.
pub(crate) fn relevance_fields<'a>(e: &Entry<'a>) -> Vec<(&'a str, u32)> {
    let mut out = Vec::with_capacity(10);
    let summary = e.section("summary").unwrap_or_else(|| e.summary());
    out.push((summary, 3));
    for (name, weight) in [("tags", 2), ("pattern-key", 2), ("area", 1)] {
        if let Some(v) = e.meta(name) {
            out.push((v, weight));
        }
    }
    out.push((e.tail(), 2));
    for name in [
        "details",
        "suggested action",
        "suggested fix",
        "requested capability",
        "user context",
    ] {
        if let Some(v) = e.section(name) {
            out.push((v, 1));
        }
    }
    out
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
