//! `evolver review` (SPEC 6.6): what is ready to move.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Result;
use crate::format::Kind;
use crate::store::Store;
use crate::upkeep::seen::{closed, entries};

/// `evolver review`: the lines to print, grouped.
pub fn review(store: &Store, now: DateTime<Utc>) -> Result<Vec<String>> {
    let all = entries(store)?;
    let today = now.date_naive();
    let mut ready = Vec::new();
    let mut recurring = Vec::new();
    let mut skills = Vec::new();
    let mut held = Vec::new();
    let mut passing = Vec::new();
    for e in &all {
        let open = !closed(&e.status) && e.status != "resolved";
        // A failure seen again after its last pass fails again: not listed.
        let failed_since = e
            .last_seen
            .zip(
                e.passed
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            )
            .is_some_and(|(seen, passed)| seen > passed);
        if let Some(day) = &e.passed
            && open
            && !e.has_resolution
            && !failed_since
        {
            passing.push(format!(
                "  {}  {}  (passed {day}; `evolver resolve {} --notes \"…\"`)",
                e.id, e.summary, e.id
            ));
        }
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
        (
            "Failures that pass now, with no cause or fix written down:",
            passing,
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
