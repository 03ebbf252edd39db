//! A passing command closes its failure: when a command that failed passes in the same
//! working directory, the open ERR entry records it (`Passed-After-Failure`, `Pass-Count`),
//! so that the agent is asked, once per session, to write down what fixed it.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::format::{Document, Entry, EntryId, Kind};
use crate::store::index::{Index, failure_hash};
use crate::store::{Store, Writer, sha256_hex};

/// The metadata bullet listing the sessions already told of a pass (short hashes).
const PASS_SESSIONS: &str = "Pass-Session-Hashes";
const MAX_PASS_SESSIONS: usize = 64;

/// What a pass did to its failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passed {
    pub id: EntryId,
    pub count: u64,
}

impl Store {
    /// Whether an open failure of this command may exist, read from the front of the
    /// index alone: `false` only when the index is fresh and lists none. The success of
    /// every shell command asks this, so it must cost next to nothing.
    pub fn may_have_open_failure(&self, hash: u64) -> bool {
        if !self.path(Kind::Error).exists() {
            return false;
        }
        match Index::load_front(self.dir(), Kind::Error) {
            Some(front) => !front.open_failures(hash).is_empty(),
            None => true,
        }
    }

    /// Records that the command with this hash (see [`crate::store::index::command_hash`])
    /// passed, in the newest open failure of it. `None` when there is none, or when this
    /// session was already told of that pass: nothing is written then.
    pub fn record_pass(
        &self,
        hash: u64,
        session: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<Passed>> {
        let session = crate::store::log::session_hash(session.unwrap_or(""));
        self.write(|w| {
            let Some(found) = newest_open(w, hash)? else {
                return Ok(None);
            };
            let (at, id, old_text) = found;
            let old = Entry::parse(&old_text).expect("an entry");
            let seen = old.meta(PASS_SESSIONS).unwrap_or("").to_owned();
            let mut hashes: Vec<&str> = seen.split_whitespace().collect();
            if hashes.contains(&session.as_str()) {
                return Ok(None);
            }
            hashes.push(&session);
            let drop = hashes.len().saturating_sub(MAX_PASS_SESSIONS);
            hashes.drain(..drop);
            let count = old.meta_number("Pass-Count").unwrap_or(0) + 1;
            let day = now.format("%Y-%m-%d").to_string();
            let mut new = old.with_meta("Passed-After-Failure", &day);
            new = reparse(&new).with_meta("Pass-Count", &count.to_string());
            new = reparse(&new).with_meta(PASS_SESSIONS, &hashes.join(" "));
            let written = match at {
                At::Indexed(i) => w.splice(Kind::Error, i, &old_text, &new)?,
                At::Loaded(_) => false,
            };
            if !written {
                // The same newest open failure, found by its place in the log: IDs in the
                // wild are not always unique.
                let mut log = w.load(Kind::Error)?;
                let Some((At::Loaded(i), _, text)) = newest_open_in(&log.doc, hash) else {
                    return Ok(None);
                };
                if text != old_text {
                    return Ok(None);
                }
                w.edit(&mut log, i, &new)?;
            }
            let data = serde_json::json!({
                "file": Kind::Error.file_name(),
                "passed_after_failure": day,
                "pass_count": count,
                "entry_sha256": sha256_hex(new.as_bytes()),
            });
            w.record(now, "updated", id.as_str(), data)?;
            Ok(Some(Passed { id, count }))
        })
    }
}

enum At {
    /// The row of a fresh index.
    Indexed(usize),
    /// The place among the log's entries.
    Loaded(usize),
}

/// The newest open failure of the command: through the index when it is fresh, else by
/// reading ERRORS.md.
fn newest_open(w: &mut Writer<'_>, hash: u64) -> Result<Option<(At, EntryId, String)>> {
    if let Some(index) = w.index(Kind::Error) {
        let Some(&i) = index.open_failures(hash).last() else {
            return Ok(None);
        };
        if let Some((id, text)) = w.indexed_entry(Kind::Error, i)? {
            return Ok(Some((At::Indexed(i), id, text)));
        }
    }
    let log = w.load(Kind::Error)?;
    Ok(newest_open_in(&log.doc, hash))
}

fn newest_open_in(doc: &Document, hash: u64) -> Option<(At, EntryId, String)> {
    doc.entries()
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, span)| {
            let text = std::str::from_utf8(doc.entry_bytes(span)).ok()?;
            let e = Entry::parse(text)?;
            let status = e.status().unwrap_or("").trim().to_lowercase();
            let open = !matches!(
                status.as_str(),
                "resolved" | "wont_fix" | "promoted" | "promoted_to_skill"
            );
            (open && failure_hash(&e) == Some(hash))
                .then(|| (At::Loaded(i), span.id.clone(), text.to_owned()))
        })
}

fn reparse(text: &str) -> Entry<'_> {
    Entry::parse(text).expect("an edit keeps the header")
}
