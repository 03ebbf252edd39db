//! `evolver ingest`: candidates found by other tools, brought in as learnings.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::format::Kind;
use crate::format::render::NewEntry;
use crate::store::{Logged, Store};

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
