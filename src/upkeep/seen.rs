//! Every entry of the three logs, as the upkeep commands see it.

use chrono::NaiveDate;

use crate::error::Result;
use crate::format::{Entry, Kind};
use crate::store::Store;

/// One entry as the upkeep commands see it.
pub(super) struct Seen {
    pub(super) id: String,
    pub(super) kind: Kind,
    pub(super) file: &'static str,
    pub(super) line: usize,
    pub(super) status: String,
    pub(super) summary: String,
    pub(super) verified: bool,
    pub(super) receipt: Option<String>,
    pub(super) has_spec: bool,
    pub(super) recurrence: u64,
    pub(super) sessions: u64,
    pub(super) last_seen: Option<NaiveDate>,
    pub(super) tags: String,
    pub(super) promoted: Vec<String>,
    pub(super) skill_path: Option<String>,
    /// The latest verification was INDETERMINATE.
    pub(super) held: bool,
    /// The day the failed command last passed again (`Passed-After-Failure`).
    pub(super) passed: Option<String>,
    pub(super) has_resolution: bool,
    /// The ID it had before a merge renumbered it.
    pub(super) renumbered_from: Option<String>,
}

pub(super) fn entries(store: &Store) -> Result<Vec<Seen>> {
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
                passed: e
                    .meta("Passed-After-Failure")
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty()),
                has_resolution: e.section("resolution").is_some(),
                renumbered_from: e.renumbered_from().map(|id| id.to_string()),
            });
        }
    }
    Ok(all)
}

pub(super) fn closed(status: &str) -> bool {
    matches!(status, "promoted" | "promoted_to_skill" | "wont_fix")
}
