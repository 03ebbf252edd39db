//! `evolver doctor` (SPEC 9): what has come apart in the store, and what can be put right.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::Result;
use crate::format::{Entry, Kind};
use crate::hooks::guard;
use crate::store::Store;
use crate::store::index;
use crate::upkeep::seen::entries;
use crate::verify::promotion::TARGETS;
use crate::verify::{receipt_id, receipt_path};

/// `evolver doctor`: one line per problem. With `fix`, what can be put right safely is: a
/// promoted entry whose block is gone from its target returns to pending, and an index that
/// is stale, damaged or missing is made anew.
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
        if let Some(why) = guard::withheld(&e.summary) {
            problems.push(format!(
                "{}: {} line {}: its summary {why}, so the activator withholds it; rewrite it \
                 as a lesson, or set its status to wont_fix",
                e.id, e.file, e.line
            ));
        }
    }
    for kind in Kind::ALL {
        if let Some(problem) = index::health(store.dir(), kind) {
            problems.push(format!("index: {problem}"));
            if fix {
                store.write(|w| {
                    w.reindex(kind);
                    Ok(())
                })?;
                let outcome = match index::health(store.dir(), kind) {
                    None => "made anew",
                    Some(_) => "could not be made now (the log is changing); run it again",
                };
                problems.push(format!(
                    "  fixed: the index of {} {outcome}",
                    kind.file_name()
                ));
            }
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
