//! `evolver resolve`: a status change, and a Resolution block when it closes the entry.

use std::io::Write;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};

use crate::cli::name_of;
use crate::error::{Error, Result};
use crate::format::Entry;
use crate::store::Store;

#[derive(Args, Debug)]
pub(super) struct ResolveArgs {
    /// The entry ID
    id: String,
    #[arg(long, value_enum, default_value = "resolved")]
    status: ResolveStatus,
    /// What was done
    #[arg(long)]
    notes: Option<String>,
    /// The commit or pull request that fixed it
    #[arg(long)]
    commit: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
#[value(rename_all = "snake_case")]
enum ResolveStatus {
    Resolved,
    InProgress,
    WontFix,
    Pending,
}

pub(super) fn resolve(
    store: &Store,
    a: &ResolveArgs,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<()> {
    let closing = matches!(a.status, ResolveStatus::Resolved | ResolveStatus::WontFix);
    if !closing && (a.notes.is_some() || a.commit.is_some()) {
        return Err(Error::Invalid(
            "--notes and --commit go with --status resolved or wont_fix".into(),
        ));
    }
    let status = name_of(a.status);
    store.update(&a.id, now, |e| {
        let current = e.status().unwrap_or("").trim().to_lowercase();
        if current == "promoted" || current == "promoted_to_skill" {
            return Err(Error::Refused(format!(
                "{} is {current}; take it back with `evolver rollback {}` instead",
                a.id, a.id
            )));
        }
        let text = e.with_field("Status", &status);
        if !closing {
            return Ok(text);
        }
        let mut block = format!("- **Resolved**: {}", now.format("%Y-%m-%dT%H:%M:%SZ"));
        if let Some(commit) = &a.commit {
            block.push_str(&format!(
                "\n- **Commit/PR**: {}",
                crate::format::render::one_line(commit)
            ));
        }
        if let Some(notes) = &a.notes {
            block.push_str(&format!(
                "\n- **Notes**: {}",
                crate::format::render::one_line(notes)
            ));
        }
        Ok(Entry::parse(&text)
            .expect("an edit keeps the header")
            .with_section("Resolution", &block))
    })?;
    writeln!(out, "{} {status}", a.id)?;
    Ok(())
}
