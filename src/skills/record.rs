//! A skill's record: its state, how it got there, and its deployments, in
//! `.learnings/skills/NAME/record.json` beside the uses the hooks append
//! ([`crate::store::skills`]). Plain files, so a team reviews them in a diff and merges them
//! like the logs.
//!
//! States (SPEC 7): `draft` in staging, `experimental` after deploy, `trusted` after
//! `trust_after` uses with no failure after them, `demoted` when more than `demote_rate` of
//! the uses since deploy failed (once there are `demote_min_uses`), `archived` when unused for
//! `archive_after_days` or by hand, `rejected` by an operator. The hooks only append uses; the
//! state follows from them the next time a skill command reads the record ([`settle`]), and
//! each change goes into the history and the audit chain.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::SkillsConfig;
use crate::store::skills::{UseEvent, record_dir};

/// The record's file name.
pub const RECORD: &str = "record.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    #[default]
    Draft,
    Experimental,
    Trusted,
    Demoted,
    Archived,
    Rejected,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Experimental => "experimental",
            State::Trusted => "trusted",
            State::Demoted => "demoted",
            State::Archived => "archived",
            State::Rejected => "rejected",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change of state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub at: String,
    pub from: State,
    pub to: State,
    pub why: String,
}

/// One folder a deployment copied the skill to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The agents that read this folder (`claude`, `codex`, `openclaw`).
    pub agents: Vec<String>,
    /// The folder, relative to the project, or `~/…` for a user folder.
    pub path: String,
    /// Every file copied, by its path in the skill, with its SHA-256.
    pub files: BTreeMap<String, String>,
    /// Where what was in the folder before is kept, relative to the record, if anything was.
    #[serde(default)]
    pub backup: Option<String>,
    /// Folders the deployment created above this one, innermost first, so a rollback can take
    /// them out again.
    #[serde(default)]
    pub created: Vec<String>,
}

/// One deployment of the skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub at: String,
    /// The SHA-256 of the staged files as deployed ([`tree_hash`]).
    pub tree_sha256: String,
    /// How many lines the uses ledger had at deploy: uses after it count for this version.
    pub uses_from: usize,
    /// The state to return to on rollback.
    pub state_before: State,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Record {
    pub name: String,
    pub state: State,
    /// The entry the skill was extracted from, if any.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub history: Vec<Change>,
    /// Oldest first; the last is the one deployed now.
    #[serde(default)]
    pub deployments: Vec<Deployment>,
}

impl Record {
    pub fn new(name: &str) -> Record {
        Record {
            name: name.into(),
            ..Record::default()
        }
    }

    /// Loads the record of `name`, or `None` when there is none.
    pub fn load(learnings: &Path, name: &str) -> Result<Option<Record>> {
        let path = record_dir(learnings, name).join(RECORD);
        let text = match fs_err::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        serde_json::from_slice(&text).map(Some).map_err(|e| {
            Error::Refused(format!(
                "{} is not a skill record ({e}); restore it from version control",
                path.display()
            ))
        })
    }

    /// Writes the record atomically. The caller holds the store's lock.
    pub fn save(&self, learnings: &Path) -> Result<()> {
        let dir = record_dir(learnings, &self.name);
        fs_err::create_dir_all(&dir)?;
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        crate::store::write_atomic(&dir.join(RECORD), text.as_bytes())
    }

    /// Moves to `to`, noting why; nothing when already there.
    pub fn change(&mut self, to: State, why: &str, now: DateTime<Utc>) -> Option<Change> {
        if self.state == to {
            return None;
        }
        let change = Change {
            at: stamp(now),
            from: self.state,
            to,
            why: why.into(),
        };
        self.state = to;
        self.history.push(change.clone());
        Some(change)
    }
}

/// A time as the record writes it.
pub fn stamp(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The SHA-256 of a set of files: of the lines `path NUL sha256 LF`, sorted by path.
pub fn tree_hash(files: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (path, sha) in files {
        text.push_str(path);
        text.push('\0');
        text.push_str(sha);
        text.push('\n');
    }
    crate::store::sha256_hex(text.as_bytes())
}

/// What the uses since the current deployment say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub uses: u32,
    pub failures: u32,
    /// Uses with no failure after them before the next use.
    pub clean: u32,
    /// When the last use was, if any.
    #[serde(skip)]
    pub last_use: Option<DateTime<Utc>>,
}

/// Counts the ledger's events from line `from` on.
pub fn tally(events: &[UseEvent], from: usize) -> Tally {
    let mut t = Tally::default();
    // Per session: whether its last use is still open to a failure.
    let mut open: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for e in events.iter().skip(from) {
        let session = open.entry(e.session.as_str()).or_insert(false);
        match e.event.as_str() {
            "use" => {
                if *session {
                    t.clean += 1;
                }
                t.uses += 1;
                *session = true;
                if let Ok(at) = DateTime::parse_from_rfc3339(&e.at) {
                    t.last_use = Some(at.with_timezone(&Utc));
                }
            }
            // A use fails at most once, however many hooks saw it go wrong, and only a failure
            // in its own session counts against it.
            "failure" if *session => {
                t.failures += 1;
                *session = false;
            }
            _ => {}
        }
    }
    t.clean += open.values().filter(|o| **o).count() as u32;
    t
}

/// The state the uses call for, when it differs: trust, demotion and archiving apply only to
/// a deployed skill; `rejected` and `draft` are never left here.
pub fn settle(
    record: &Record,
    events: &[UseEvent],
    config: &SkillsConfig,
    now: DateTime<Utc>,
) -> Option<(State, String)> {
    let deployment = record.deployments.last()?;
    let t = tally(events, deployment.uses_from);
    let rate = if t.uses == 0 {
        0.0
    } else {
        f64::from(t.failures) / f64::from(t.uses)
    };
    let state = record.state;
    if matches!(state, State::Experimental | State::Trusted)
        && t.uses >= config.demote_min_uses.max(1)
        && rate > config.demote_rate
    {
        return Some((
            State::Demoted,
            format!(
                "{} of {} uses since deploy failed, over {:.0} %",
                t.failures,
                t.uses,
                config.demote_rate * 100.0
            ),
        ));
    }
    if state == State::Experimental && t.clean >= config.trust_after && rate <= config.demote_rate {
        return Some((
            State::Trusted,
            format!("{} clean uses of {} since deploy", t.clean, t.uses),
        ));
    }
    if matches!(state, State::Experimental | State::Trusted | State::Demoted)
        && config.archive_after_days > 0
    {
        let since = t.last_use.or_else(|| {
            DateTime::parse_from_rfc3339(&deployment.at)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        })?;
        let days = (now - since).num_days();
        if days >= i64::from(config.archive_after_days) {
            return Some((State::Archived, format!("unused for {days} days")));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ev(event: &str) -> UseEvent {
        UseEvent::new(
            at("2026-12-01T00:00:00Z"),
            event,
            "skill-tool",
            "claude",
            None,
        )
    }

    fn deployed(state: State) -> Record {
        Record {
            name: "pdf".into(),
            state,
            deployments: vec![Deployment {
                at: "2026-12-01T00:00:00Z".into(),
                tree_sha256: String::new(),
                uses_from: 1,
                state_before: State::Draft,
                targets: Vec::new(),
            }],
            ..Record::default()
        }
    }

    #[test]
    fn tally_counts_uses_failures_and_clean_uses() {
        let events = [
            ev("use"),
            ev("use"),
            ev("failure"),
            ev("failure"),
            ev("use"),
            ev("use"),
        ];
        let t = tally(&events, 0);
        assert_eq!((t.uses, t.failures, t.clean), (4, 1, 3));
        assert_eq!(tally(&events, 3).uses, 2);
        // A failure in another session is not this use's.
        let other = |event: &str, session: &str| UseEvent {
            session: session.into(),
            ..ev(event)
        };
        let crossed = [
            other("use", "a"),
            other("use", "b"),
            other("failure", "a"),
            other("failure", "b"),
        ];
        let t = tally(&crossed, 0);
        assert_eq!((t.uses, t.failures, t.clean), (2, 2, 0));
        let t = tally(&[other("use", "a"), other("failure", "b")], 0);
        assert_eq!((t.uses, t.failures, t.clean), (1, 0, 1));
    }

    #[test]
    fn trust_demotion_and_archive_follow_the_thresholds() {
        let config = SkillsConfig::default();
        let now = at("2026-12-02T00:00:00Z");
        // The first event is before the deployment and does not count.
        let mut events = vec![ev("failure")];
        events.extend((0..4).map(|_| ev("use")));
        let record = deployed(State::Experimental);
        assert_eq!(settle(&record, &events, &config, now), None);
        events.push(ev("use"));
        assert_eq!(
            settle(&record, &events, &config, now).map(|s| s.0),
            Some(State::Trusted)
        );
        events.extend([ev("failure"), ev("use"), ev("failure")]);
        // 6 uses, 2 failures: 33 % > 30 %.
        assert_eq!(
            settle(&deployed(State::Trusted), &events, &config, now).map(|s| s.0),
            Some(State::Demoted)
        );
        let late = at("2027-04-01T00:00:00Z");
        assert_eq!(
            settle(&record, &[ev("failure")], &config, late).map(|s| s.0),
            Some(State::Archived)
        );
        assert_eq!(
            settle(&deployed(State::Rejected), &events, &config, late),
            None
        );
        assert_eq!(settle(&Record::new("x"), &events, &config, late), None);
    }

    #[test]
    fn a_record_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut record = deployed(State::Experimental);
        record.change(State::Trusted, "5 clean uses", at("2026-12-02T00:00:00Z"));
        record.save(dir.path()).unwrap();
        assert_eq!(Record::load(dir.path(), "pdf").unwrap(), Some(record));
        assert_eq!(Record::load(dir.path(), "other").unwrap(), None);
    }
}
