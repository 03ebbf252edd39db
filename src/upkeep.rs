//! Keeping the store in order: `evolver review` (SPEC 6.6) says what is ready to move,
//! `evolver ingest` brings in candidates found by other tools, and `evolver doctor` (SPEC 9)
//! finds what has come apart.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::promotion::TARGETS;
use crate::verify::{receipt_id, receipt_path};
use crate::writer::NewEntry;
use crate::{Entry, Error, Kind, Logged, Result, Store};

/// One entry as the upkeep commands see it.
struct Seen {
    id: String,
    kind: Kind,
    file: &'static str,
    line: usize,
    status: String,
    summary: String,
    verified: bool,
    receipt: Option<String>,
    has_spec: bool,
    recurrence: u64,
    sessions: u64,
    last_seen: Option<NaiveDate>,
    tags: String,
    promoted: Vec<String>,
    skill_path: Option<String>,
    /// The latest verification was INDETERMINATE.
    held: bool,
}

fn entries(store: &Store) -> Result<Vec<Seen>> {
    let mut all = Vec::new();
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
            let field = |n: &str| e.field(n).map(str::trim).filter(|v| !v.is_empty());
            all.push(Seen {
                id: span.id.to_string(),
                kind,
                file: kind.file_name(),
                line: span.line,
                status: e.status().unwrap_or("").trim().to_lowercase(),
                summary: e.summary().to_owned(),
                verified: field("verified").is_some_and(|v| v.eq_ignore_ascii_case("true")),
                receipt: field("receipt id").map(str::to_owned),
                has_spec: e.section("verification spec").is_some(),
                recurrence: e.meta_number("Recurrence-Count").unwrap_or(1),
                sessions: e.meta_number("Sessions").unwrap_or(1),
                last_seen: e
                    .meta("Last-Seen")
                    .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()),
                tags: e.meta("tags").unwrap_or("").to_lowercase(),
                promoted: field("promoted")
                    .map(|p| p.split(',').map(|t| t.trim().to_owned()).collect())
                    .unwrap_or_default(),
                skill_path: field("skill-path").map(str::to_owned),
                held: e
                    .section("verification")
                    .is_some_and(|v| v.contains("INDETERMINATE")),
            });
        }
    }
    Ok(all)
}

fn closed(status: &str) -> bool {
    matches!(status, "promoted" | "promoted_to_skill" | "wont_fix")
}

/// `evolver review`: the lines to print, grouped.
pub fn review(store: &Store, now: DateTime<Utc>) -> Result<Vec<String>> {
    let all = entries(store)?;
    let today = now.date_naive();
    let mut ready = Vec::new();
    let mut recurring = Vec::new();
    let mut skills = Vec::new();
    let mut held = Vec::new();
    for e in &all {
        if e.held && !closed(&e.status) {
            held.push(format!(
                "  {}  {}  (see its ### Verification, then `evolver verify {}`)",
                e.id, e.summary, e.id
            ));
        }
        if e.verified && e.receipt.is_some() && !closed(&e.status) {
            ready.push(format!(
                "  {}  {}  (`evolver promote {} --to CLAUDE.md`)",
                e.id, e.summary, e.id
            ));
        }
        let recent = e
            .last_seen
            .is_some_and(|d| (today - d).num_days() <= 30 && d <= today);
        if e.recurrence >= 3 && e.sessions >= 2 && recent && !e.has_spec && !closed(&e.status) {
            recurring.push(format!(
                "  {}  ×{} in {} sessions  {}  (`evolver spec {} --json …`)",
                e.id, e.recurrence, e.sessions, e.summary, e.id
            ));
        }
        let tagged = e.tags.split(',').any(|t| t.trim() == "skill");
        let proven = e.verified && e.recurrence >= 3;
        if e.kind == Kind::Learning && e.status != "promoted_to_skill" && (tagged || proven) {
            skills.push(format!("  {}  {}", e.id, e.summary));
        }
    }
    let mut out = Vec::new();
    for (title, list) in [
        ("PASS receipt, not promoted yet:", ready),
        (
            "Recurring (3+ times, 2+ sessions, last 30 days) without a verification spec:",
            recurring,
        ),
        (
            "Learnings fit for a skill (tagged skill, or verified and recurring):",
            skills,
        ),
        (
            "Held INDETERMINATE (something could not be observed):",
            held,
        ),
    ] {
        if !list.is_empty() {
            out.push(title.to_owned());
            out.extend(list);
        }
    }
    if out.is_empty() {
        out.push("nothing is ready to move".to_owned());
    }
    Ok(out)
}

/// `evolver ingest simplify-and-harden FILE`: one learning per candidate, de-duplicated by
/// its `pattern_key`. Returns a line per candidate.
pub fn ingest(store: &Store, file: &Path, now: DateTime<Utc>) -> Result<Vec<String>> {
    let bytes = fs_err::read(file)?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Invalid(format!("{} is not JSON: {e}", file.display())))?;
    let candidates = value
        .pointer("/simplify_and_harden/learning_loop/candidates")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{} has no simplify_and_harden.learning_loop.candidates array",
                file.display()
            ))
        })?;
    let mut out = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let text = |k: &str| {
            c.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let Some(key) = text("pattern_key") else {
            out.push(format!("candidate {}: no pattern_key, skipped", i + 1));
            continue;
        };
        let summary = ["summary", "title", "description", "lesson"]
            .iter()
            .find_map(|k| text(k))
            .unwrap_or(key);
        let mut entry = NewEntry {
            tail: "best_practice".into(),
            priority: text("priority").unwrap_or("medium").to_owned(),
            status: "pending".into(),
            summary: summary.to_owned(),
            details: text("details")
                .or_else(|| text("evidence"))
                .unwrap_or("")
                .to_owned(),
            action: text("suggested_action")
                .or_else(|| text("action"))
                .unwrap_or("")
                .to_owned(),
            ..NewEntry::default()
        };
        entry.set_meta("Source", "simplify-and-harden");
        entry.set_meta("Pattern-Key", key);
        if let Some(tags) = c.get("tags").and_then(Value::as_array) {
            let tags: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
            if !tags.is_empty() {
                entry.set_meta("Tags", tags.join(", "));
            }
        }
        out.push(match store.log(Kind::Learning, entry, now)? {
            Logged::Created(id) => format!("{id} created ({key})"),
            Logged::Recurred { id, count, .. } => format!("{id} seen again ({key}, ×{count})"),
        });
    }
    Ok(out)
}

/// `evolver doctor`: one line per problem. With `fix`, what can be put right safely is: a
/// promoted entry whose block is gone from its target returns to pending.
pub fn doctor(store: &Store, fix: bool, now: DateTime<Utc>) -> Result<Vec<String>> {
    let all = entries(store)?;
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeMap::<&str, Vec<String>>::new();
    for e in &all {
        seen.entry(e.id.as_str())
            .or_default()
            .push(format!("{} line {}", e.file, e.line));
    }
    for (id, places) in &seen {
        if places.len() > 1 {
            problems.push(format!(
                "{id} appears {} times ({})",
                places.len(),
                places.join(", ")
            ));
        }
    }
    let texts: Vec<(&str, String)> = TARGETS
        .iter()
        .filter_map(|(_, rel)| {
            fs_err::read_to_string(store.root().join(rel))
                .ok()
                .map(|t| (*rel, t))
        })
        .collect();
    for e in &all {
        if e.status == "promoted" {
            let marker = format!("<!-- evolver:{} ", e.id);
            let has_block = |target: &str| {
                texts
                    .iter()
                    .any(|(rel, t)| *rel == target && t.contains(&marker))
            };
            let missing: Vec<&String> = e.promoted.iter().filter(|t| !has_block(t)).collect();
            for target in &missing {
                problems.push(format!(
                    "{} is promoted but its block is missing from {target}",
                    e.id
                ));
            }
            // Only when no block is left anywhere: else pending would orphan the others.
            if fix && !missing.is_empty() && missing.len() == e.promoted.len() {
                store.update(&e.id, now, |entry| {
                    let text = entry.with_field("Status", "pending");
                    Ok(Entry::parse(&text)
                        .expect("an edit keeps the header")
                        .with_field("Verified", "false"))
                })?;
                problems.push(format!("  fixed: {} is pending again", e.id));
            }
        }
        if let Some(rid) = &e.receipt {
            let path = receipt_path(store.dir(), rid);
            match fs_err::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            {
                None => problems.push(format!("{}: receipt {rid} is missing or unreadable", e.id)),
                Some(r) if receipt_id(&r) != *rid => {
                    problems.push(format!(
                        "{}: receipt {rid} does not recompute (edited)",
                        e.id
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(skill) = &e.skill_path
            && !store.root().join(skill).exists()
        {
            problems.push(format!("{}: skill {skill} on record is gone", e.id));
        }
    }
    for (rel, text) in &texts {
        for (at, _) in text.match_indices("<!-- evolver:") {
            let id: String = text[at + 13..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            let owner = all.iter().find(|e| e.id == id);
            if owner.is_none_or(|e| e.status != "promoted" || !e.promoted.iter().any(|t| t == rel))
            {
                problems.push(format!(
                    "{rel} holds a block for {id}, which is not promoted there"
                ));
            }
        }
    }
    Ok(problems)
}
