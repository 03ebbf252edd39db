//! Logging an entry: ID allocation and Pattern-Key de-duplication, both under the store's
//! lock so that any number of concurrent writers agree.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::format::render::{NewEntry, render};
use crate::format::skim::skim;
use crate::format::{Document, Entry, EntryId, Kind};
use crate::store::{Store, Tail, Writer, sha256_hex};

/// What `log` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logged {
    /// A new entry was appended.
    Created(EntryId),
    /// An open entry with the same Pattern-Key was updated instead; `sessions` is its
    /// distinct session count when the recurrence came with a session.
    Recurred {
        id: EntryId,
        count: u64,
        sessions: Option<u64>,
    },
}

impl Logged {
    pub fn id(&self) -> &EntryId {
        match self {
            Logged::Created(id) | Logged::Recurred { id, .. } => id,
        }
    }
}

/// Statuses after which a recurrence is news: it gets a new entry pointing at the old one.
const CLOSED: [&str; 3] = ["resolved", "promoted", "promoted_to_skill"];

impl Store {
    /// Appends a new entry, or records a recurrence when an entry with the same Pattern-Key
    /// is still open (SPEC 5.2). A recurrence of a resolved or promoted entry gets a new entry
    /// with `See Also` and a priority one step higher. `wont_fix` entries only count
    /// recurrences: someone decided not to act, and a new entry would nag them again.
    pub fn log(&self, kind: Kind, entry: NewEntry, now: DateTime<Utc>) -> Result<Logged> {
        self.log_in_session(kind, entry, now, None)
    }

    /// [`Store::log`] for an agent session: a new entry records `Sessions: 1`, and a
    /// recurrence raises `Sessions` when this session has not been counted yet. Which sessions
    /// were counted is kept in the entry as short hashes (`Session-Hashes`), so the count
    /// stays true without keeping session IDs anywhere else.
    pub fn log_in_session(
        &self,
        kind: Kind,
        mut entry: NewEntry,
        now: DateTime<Utc>,
        session: Option<&str>,
    ) -> Result<Logged> {
        let day = now.format("%Y-%m-%d").to_string();
        let session = session.filter(|s| !s.is_empty()).map(session_hash);
        let key = entry.meta("Pattern-Key").map(str::to_owned);
        if key.is_some() {
            for (name, value) in [
                ("Recurrence-Count", "1"),
                ("First-Seen", day.as_str()),
                ("Last-Seen", day.as_str()),
            ] {
                if entry.meta(name).is_none() {
                    entry.set_meta(name, value);
                }
            }
        }
        if let Some(hash) = &session {
            entry.set_meta("Sessions", "1");
            entry.set_meta(SESSION_HASHES, hash.as_str());
        }
        let date = now.format("%Y%m%d").to_string();
        let prefix = format!("{}-{date}-", kind.prefix());
        self.write(|w| {
            let limit = w.store().config().max_log_bytes;
            if let Some(logged) = log_indexed(
                w,
                kind,
                &mut entry,
                now,
                &date,
                key.as_deref(),
                session.as_deref(),
            )? {
                return Ok(logged);
            }
            // A skim tells whether the key occurs at all; only then is the log read whole.
            let path = w.store().path(kind);
            let skim = skim(&path, &prefix, key.as_deref(), limit)?.unwrap_or_default();
            let id = EntryId::new(kind, &date, skim.max_seq.saturating_add(1));
            if !skim.key_found {
                let tail = Tail {
                    kind,
                    len: skim.len,
                    ends_with_newline: skim.ends_with_newline,
                    crlf: skim.crlf,
                    closer: skim.closer,
                };
                return append_new(w, &tail, kind, &id, now, &entry);
            }
            let mut log = w.load(kind)?;
            if let Some(key) = &key
                && let Some((index, previous)) = last_with_key(&log.doc, key)
            {
                let text = std::str::from_utf8(log.doc.entry_bytes(&log.doc.entries()[index]))
                    .unwrap_or_default()
                    .to_owned();
                let old = Entry::parse(&text).expect("a span starts with its header");
                if is_closed(&old) {
                    follow_closed(&mut entry, &old, &previous);
                } else {
                    let (new, count, sessions) = recurred(&old, &day, session.as_deref());
                    w.edit(&mut log, index, &new)?;
                    return record_recurrence(w, kind, now, previous, &new, count, sessions);
                }
            }
            let text = render(kind, &id, &stamp(now), &entry);
            w.append(&log, &text)?;
            w.record(now, "created", id.as_str(), created(kind, &text))?;
            Ok(Logged::Created(id))
        })
    }
}

/// [`Store::log_in_session`] through a fresh index: the log is neither read nor skimmed, and
/// a recurrence rewrites the file around the one entry it changes. `None` when there is no
/// fresh index, or the entry to change is not one the index can edit alone.
fn log_indexed(
    w: &mut Writer<'_>,
    kind: Kind,
    entry: &mut NewEntry,
    now: DateTime<Utc>,
    date: &str,
    key: Option<&str>,
    session: Option<&str>,
) -> Result<Option<Logged>> {
    let limit = w.store().config().max_log_bytes;
    let Some(index) = w.index(kind) else {
        return Ok(None);
    };
    let tail = index.tail();
    if tail.len > limit {
        return Err(crate::error::Error::TooLarge {
            path: w.store().path(kind),
            size: tail.len,
            limit,
        });
    }
    let id = EntryId::new(kind, date, index.max_seq(date).saturating_add(1));
    let hits = key.map(|k| index.with_key(k)).unwrap_or_default();
    // The newest entry whose Pattern-Key is the key: the hash points, the text decides.
    let mut hit = None;
    for i in hits {
        let Some((previous, text)) = w.indexed_entry(kind, i)? else {
            return Ok(None);
        };
        if Entry::parse(&text)
            .and_then(|e| e.pattern_key().map(str::to_owned))
            .as_deref()
            == key
        {
            hit = Some((i, previous, text));
            break;
        }
    }
    if let Some((i, previous, text)) = hit {
        let old = Entry::parse(&text).expect("checked when read");
        if is_closed(&old) {
            follow_closed(entry, &old, &previous);
        } else {
            let day = now.format("%Y-%m-%d").to_string();
            let (new, count, sessions) = recurred(&old, &day, session);
            if !w.splice(kind, i, &text, &new)? {
                return Ok(None);
            }
            return record_recurrence(w, kind, now, previous, &new, count, sessions).map(Some);
        }
    }
    append_new(w, &tail, kind, &id, now, entry).map(Some)
}

fn stamp(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn append_new(
    w: &mut Writer<'_>,
    tail: &Tail,
    kind: Kind,
    id: &EntryId,
    now: DateTime<Utc>,
    entry: &NewEntry,
) -> Result<Logged> {
    let text = render(kind, id, &stamp(now), entry);
    w.append_at(tail, &text)?;
    w.record(now, "created", id.as_str(), created(kind, &text))?;
    Ok(Logged::Created(id.clone()))
}

fn is_closed(old: &Entry<'_>) -> bool {
    let status = old.status().unwrap_or("").trim().to_lowercase();
    CLOSED.contains(&status.as_str())
}

/// A recurrence of a closed entry: the new entry points at it, one priority step higher.
fn follow_closed(entry: &mut NewEntry, old: &Entry<'_>, previous: &EntryId) {
    let see_also = match entry.meta("See Also") {
        Some(given) => format!("{previous}, {given}"),
        None => previous.to_string(),
    };
    entry.set_meta("See Also", see_also);
    entry.priority = raise(old.priority().unwrap_or(&entry.priority));
}

/// The open entry's new text after a recurrence, its count and its session count.
fn recurred(old: &Entry<'_>, day: &str, session: Option<&str>) -> (String, u64, Option<u64>) {
    let count = old.meta_number("Recurrence-Count").unwrap_or(1) + 1;
    let mut new = old.with_meta("Recurrence-Count", &count.to_string());
    new = reparse(&new).with_meta("Last-Seen", day);
    let mut sessions = None;
    if let Some(hash) = session {
        let seen = reparse(&new).meta(SESSION_HASHES).unwrap_or("").to_owned();
        let mut hashes: Vec<&str> = seen.split_whitespace().collect();
        let known = old.meta_number("Sessions").unwrap_or(1);
        let n = if hashes.contains(&hash) {
            known
        } else {
            hashes.push(hash);
            let drop = hashes.len().saturating_sub(MAX_SESSION_HASHES);
            hashes.drain(..drop);
            known + 1
        };
        new = reparse(&new).with_meta("Sessions", &n.to_string());
        new = reparse(&new).with_meta(SESSION_HASHES, &hashes.join(" "));
        sessions = Some(n);
    }
    (new, count, sessions)
}

fn record_recurrence(
    w: &mut Writer<'_>,
    kind: Kind,
    now: DateTime<Utc>,
    previous: EntryId,
    new: &str,
    count: u64,
    sessions: Option<u64>,
) -> Result<Logged> {
    let data = serde_json::json!({
        "file": kind.file_name(),
        "recurrence_count": count,
        "sessions": sessions,
        "entry_sha256": sha256_hex(new.as_bytes()),
    });
    w.record(now, "updated", previous.as_str(), data)?;
    Ok(Logged::Recurred {
        id: previous,
        count,
        sessions,
    })
}

/// What the audit chain says of a new entry.
///
/// With the time (its Logged), the summary's hash tells this lesson from another minted under
/// the same ID on another branch in the same second (`audit::history`).
fn created(kind: Kind, text: &str) -> serde_json::Value {
    let summary = Entry::parse(text).map_or("", |e| e.summary());
    serde_json::json!({
        "file": kind.file_name(),
        "entry_sha256": sha256_hex(text.as_bytes()),
        "summary_sha256": sha256_hex(summary.as_bytes()),
    })
}

/// The metadata bullet that lists the sessions already counted in `Sessions`.
const SESSION_HASHES: &str = "Session-Hashes";
/// The newest this many sessions are remembered; an older one seen again counts anew.
const MAX_SESSION_HASHES: usize = 64;

/// A session's short, stable stand-in: 8 hex digits of SHA-256 over its ID.
pub(crate) fn session_hash(session: &str) -> String {
    sha256_hex(session.as_bytes())[..8].to_owned()
}

fn reparse(text: &str) -> Entry<'_> {
    Entry::parse(text).expect("an edit keeps the header")
}

/// The last entry whose Pattern-Key is `key`, with its ID. One byte search over the whole
/// file finds where the key occurs; only the entries holding it are parsed.
fn last_with_key(doc: &Document, key: &str) -> Option<(usize, EntryId)> {
    let spans = doc.entries();
    let mut hits: Vec<usize> = memchr::memmem::find_iter(doc.bytes(), key.as_bytes())
        .filter_map(|at| {
            spans
                .partition_point(|s| s.range.start <= at)
                .checked_sub(1)
        })
        .collect();
    hits.dedup();
    hits.into_iter().rev().find_map(|i| {
        let span = &spans[i];
        let text = std::str::from_utf8(doc.entry_bytes(span)).ok()?;
        let entry = Entry::parse(text)?;
        (entry.pattern_key() == Some(key)).then(|| (i, span.id.clone()))
    })
}

/// One priority step up; what we do not recognise becomes `high`.
fn raise(priority: &str) -> String {
    match priority.trim().to_lowercase().as_str() {
        "low" => "medium",
        "medium" => "high",
        "critical" => "critical",
        _ => "high",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().to_owned()).unwrap();
        (tmp, store)
    }

    fn entry(key: &str) -> NewEntry {
        let mut e = NewEntry {
            tail: "cargo_test".into(),
            priority: "medium".into(),
            status: "pending".into(),
            summary: "`cargo test` exited with code 101".into(),
            ..NewEntry::default()
        };
        if !key.is_empty() {
            e.set_meta("Pattern-Key", key);
        }
        e
    }

    #[test]
    fn ids_count_up_per_day_and_restart_on_a_new_day() {
        let (_tmp, store) = store();
        let day1 = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let day2 = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 1).unwrap();
        let ids: Vec<String> = [day1, day1, day2]
            .iter()
            .map(|t| {
                store
                    .log(Kind::Error, entry(""), *t)
                    .unwrap()
                    .id()
                    .to_string()
            })
            .collect();
        assert_eq!(
            ids,
            ["ERR-20261122-001", "ERR-20261122-002", "ERR-20261123-001"]
        );
        let text = std::fs::read_to_string(store.path(Kind::Error)).unwrap();
        assert!(text.starts_with(Kind::Error.file_header()));
        assert!(text.contains(
            "---\n\n## [ERR-20261122-001] cargo_test\n\n**Logged**: 2026-11-22T10:00:00Z\n"
        ));
    }

    #[test]
    fn a_recurrence_updates_the_open_entry() {
        let (_tmp, store) = store();
        let t1 = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let t2 = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        store
            .log(Kind::Error, entry("cmd.cargo.test.ab12"), t1)
            .unwrap();
        let again = store
            .log(Kind::Error, entry("cmd.cargo.test.ab12"), t2)
            .unwrap();
        assert_eq!(
            again,
            Logged::Recurred {
                id: "ERR-20261122-001".parse().unwrap(),
                count: 2,
                sessions: None,
            }
        );
        let text = std::fs::read_to_string(store.path(Kind::Error)).unwrap();
        assert!(text.contains(
            "- Recurrence-Count: 2\n- First-Seen: 2026-11-22\n- Last-Seen: 2026-11-24\n"
        ));
        assert_eq!(Document::parse(text.into_bytes()).entries().len(), 1);
    }

    #[test]
    fn a_recurrence_after_resolution_opens_a_new_entry_one_step_higher() {
        let (_tmp, store) = store();
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        store.log(Kind::Error, entry("cmd.x.1"), t).unwrap();
        store
            .update("ERR-20261122-001", t, |e| {
                Ok(e.with_field("Status", "resolved"))
            })
            .unwrap();
        let new = store.log(Kind::Error, entry("cmd.x.1"), t).unwrap();
        assert_eq!(new, Logged::Created("ERR-20261122-002".parse().unwrap()));
        let found = store.find("ERR-20261122-002").unwrap();
        let e = Entry::parse(&found[0].2).unwrap();
        assert_eq!(e.priority(), Some("high"));
        assert_eq!(e.meta("See Also"), Some("ERR-20261122-001"));
    }

    #[test]
    fn appending_after_an_unclosed_fence_closes_it_first() {
        let (_tmp, store) = store();
        store.init().unwrap();
        let path = store.path(Kind::Learning);
        std::fs::write(&path, "# Learnings\n```\nnever closed").unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        store.log(Kind::Learning, entry(""), t).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Learnings\n```\nnever closed\n```\n\n## [LRN-20261122-001]"));
        assert_eq!(Document::parse(text.into_bytes()).entries().len(), 1);
    }

    #[test]
    fn crlf_files_get_crlf_entries() {
        let (_tmp, store) = store();
        store.init().unwrap();
        let path = store.path(Kind::Learning);
        std::fs::write(&path, "# Learnings\r\n\r\n---\r\n").unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        store.log(Kind::Learning, entry(""), t).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
    }
}
