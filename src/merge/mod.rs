//! Teams: `.learnings/` merged across branches by git, entry by entry.
//!
//! git calls `evolver merge-driver %O %A %B %P` for the files `.gitattributes` gives to the
//! `evolver` driver ([`git`] writes both). A log is merged entry by entry ([`merge_log`]):
//! entries added on both sides are all kept, entries changed on both sides are merged line by
//! line with any conflict kept inside the entry, and an ID both branches minted for different
//! lessons is renumbered on theirs' side ([`renumber`]). The audit chain is merged so that it
//! still verifies and still shows an edit made on either branch ([`merge_chain`]). Rebase and
//! cherry-pick use the same driver.
//!
//! This folder uses the text format and the audit chain's line format from the layers below,
//! and no files but the ones git hands it, the project's `.gitattributes` and git's config.

mod chain;
pub mod git;
mod lines;
mod log;
pub mod renumber;

use std::path::Path;

use chrono::{DateTime, Utc};

pub use chain::merge_chain;
pub use log::{LogMerge, merge_log};

use crate::error::Result;
use crate::store::audit::EVENTS;

/// What a merge driver run did to one file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Entries (or `the preamble`) left with conflict markers.
    pub conflicts: Vec<String>,
    /// Theirs' entries given a new ID: (old, new).
    pub renumbered: Vec<(String, String)>,
}

/// Merges the file git gave as `ours` with `theirs` from `base`, writing the result over
/// `ours` as git asks. `path` is the file's path in the repository: it says which format.
pub fn driver(
    base: &Path,
    ours: &Path,
    theirs: &Path,
    path: &str,
    now: DateTime<Utc>,
) -> Result<Report> {
    let read = |p: &Path| -> Result<Vec<u8>> {
        match fs_err::read(p) {
            Ok(b) => Ok(b),
            // A side where the file does not exist (added on one branch only).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    };
    let (o, a, b) = (read(base)?, read(ours)?, read(theirs)?);
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let (bytes, report) = if name == EVENTS {
        let ts = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        (merge_chain(&a, &b, &ts), Report::default())
    } else {
        let m = merge_log(&o, &a, &b);
        (
            m.bytes,
            Report {
                conflicts: m.conflicts,
                renumbered: m.renumbered,
            },
        )
    };
    fs_err::write(ours, bytes)?;
    Ok(report)
}
