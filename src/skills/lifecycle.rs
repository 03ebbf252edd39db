//! Every skill of the project with its state and uses (`evolver skill list`), a state set by
//! an operator (`evolver skill state`), and the check of what was deployed (`evolver skill
//! doctor`, and `evolver doctor`).

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::skills::deploy::{Drift, Places, drift, manifest};
use crate::skills::name::{check_dir, check_name, name_problem};
use crate::skills::record::{Record, State, Tally, settle, tally, tree_hash};
use crate::store::Store;
use crate::store::skills::{SKILLS, read_uses};

/// One skill as `list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub name: String,
    pub state: State,
    /// Uses since the current deployment.
    #[serde(flatten)]
    pub tally: Tally,
    /// Every use on record.
    pub uses_total: u32,
    pub deployed_to: Vec<String>,
    /// The skill is in staging.
    pub staged: bool,
    pub source: Option<String>,
}

/// The names of the skills in staging (folders holding a SKILL.md) and on record.
fn names(store: &Store, staging: &Path) -> Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for dir in [store.root().join(staging), store.dir().join(SKILLS)] {
        let Ok(entries) = fs_err::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name_problem(&name).is_none() && entry.path().is_dir() {
                names.insert(name);
            }
        }
    }
    Ok(names)
}

/// Moves each deployed skill to the state its uses call for, recording each change.
pub fn settle_all(store: &Store, now: DateTime<Utc>) -> Result<Vec<(String, State, String)>> {
    let learnings = store.dir().to_owned();
    let config = store.config().skills.clone();
    let mut due = Vec::new();
    for name in names(store, Path::new("skills"))? {
        if let Some(record) = Record::load(&learnings, &name)?
            && settle(&record, &read_uses(&learnings, &name)?, &config, now).is_some()
        {
            due.push(name);
        }
    }
    if due.is_empty() {
        return Ok(Vec::new());
    }
    store.write(|w| {
        let mut changed = Vec::new();
        for name in due {
            // Read again under the lock: another command may have settled it.
            let Some(mut record) = Record::load(&learnings, &name)? else {
                continue;
            };
            let events = read_uses(&learnings, &name)?;
            if let Some((to, why)) = settle(&record, &events, &config, now) {
                let from = record.state;
                record.change(to, &why, now);
                record.save(&learnings)?;
                w.record(
                    now,
                    "skill_state",
                    &name,
                    serde_json::json!({"from": from.as_str(), "to": to.as_str(), "why": why}),
                )?;
                changed.push((name, to, why));
            }
        }
        Ok(changed)
    })
}

/// Every skill in staging or on record, by name.
pub fn list(store: &Store, staging: &Path) -> Result<Vec<Listed>> {
    check_dir(staging)?;
    let learnings = store.dir();
    let mut out = Vec::new();
    for name in names(store, staging)? {
        let staged = store
            .root()
            .join(staging)
            .join(&name)
            .join("SKILL.md")
            .is_file();
        let record = Record::load(learnings, &name)?;
        let events = read_uses(learnings, &name)?;
        let from = record
            .as_ref()
            .and_then(|r| r.deployments.last())
            .map_or(events.len(), |d| d.uses_from);
        if record.is_none() && !staged {
            continue;
        }
        let record = record.unwrap_or_else(|| Record::new(&name));
        out.push(Listed {
            state: record.state,
            tally: tally(&events, from),
            uses_total: tally(&events, 0).uses,
            deployed_to: record
                .deployments
                .last()
                .map(|d| d.targets.iter().map(|t| t.path.clone()).collect())
                .unwrap_or_default(),
            staged,
            source: record.source.clone(),
            name,
        });
    }
    Ok(out)
}

/// Sets a state by hand: `rejected` (never deployed again until set back), `archived`, or
/// `draft` (to allow a rejected skill again).
pub fn set_state(
    store: &Store,
    name: &str,
    to: State,
    why: &str,
    now: DateTime<Utc>,
) -> Result<State> {
    check_name(name)?;
    if !matches!(to, State::Rejected | State::Archived | State::Draft) {
        return Err(Error::Invalid(format!(
            "{to} follows from deployments and uses; set rejected, archived or draft"
        )));
    }
    let learnings = store.dir().to_owned();
    store.write(|w| {
        let staged = store.root().join("skills").join(name).is_dir();
        let mut record = match Record::load(&learnings, name)? {
            Some(r) => r,
            None if staged => Record::new(name),
            None => {
                return Err(Error::Refused(format!(
                    "no skill named {name} in skills/ or on record"
                )));
            }
        };
        let from = record.state;
        if record.change(to, why, now).is_some() {
            record.save(&learnings)?;
            w.record(
                now,
                "skill_state",
                name,
                serde_json::json!({"from": from.as_str(), "to": to.as_str(), "why": why}),
            )?;
        }
        Ok(from)
    })
}

/// A problem `doctor` found with a deployed skill.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub name: String,
    pub drift: Drift,
    /// `--fix` put it right (copied the deployed files back from staging).
    pub fixed: bool,
}

impl Problem {
    pub fn describe(&self) -> String {
        format!("skill {}: {}", self.name, self.drift.describe())
    }
}

/// Finds deployed skills whose folders are gone or changed. With `fix`, a folder that is gone
/// is copied again from staging when staging still holds exactly what was deployed; a changed
/// folder is left for a person (deploy again, or `skill rollback --force`).
pub fn doctor(
    store: &Store,
    places: &Places,
    fix: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Problem>> {
    let learnings = store.dir().to_owned();
    let mut problems = Vec::new();
    for name in names(store, Path::new("skills"))? {
        let Some(record) = Record::load(&learnings, &name)? else {
            continue;
        };
        let Some(last) = record.deployments.last() else {
            continue;
        };
        crate::skills::deploy::check_record(&record, &name)?;
        for target in &last.targets {
            let d = drift(places, target)?;
            if d.is_clean() {
                continue;
            }
            let mut fixed = false;
            if fix && d.gone {
                let staged = store.root().join("skills").join(&name);
                if manifest(&staged).is_ok_and(|m| tree_hash(&m) == last.tree_sha256) {
                    let path = places.resolve(&target.path)?;
                    store.write(|w| {
                        for rel in target.files.keys() {
                            let dst = path.join(rel);
                            if let Some(dir) = dst.parent() {
                                fs_err::create_dir_all(dir)?;
                            }
                            fs_err::copy(staged.join(rel), dst)?;
                        }
                        w.record(
                            now,
                            "skill_restored",
                            &name,
                            serde_json::json!({"folder": target.path, "tree_sha256": last.tree_sha256}),
                        )
                    })?;
                    fixed = true;
                }
            }
            problems.push(Problem {
                name: name.clone(),
                drift: d,
                fixed,
            });
        }
    }
    Ok(problems)
}
