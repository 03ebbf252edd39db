//! `evolver skill deploy | rollback` and the check `doctor` runs: a skill copied from staging
//! to the folders the agents read, with a manifest of every file's SHA-256, and taken out
//! again exactly.
//!
//! Where each agent reads a skill (fixed by runs of the real clients):
//!
//! | agent | project | `--global` |
//! |---|---|---|
//! | Claude Code | `.claude/skills/NAME` | `~/.claude/skills/NAME` |
//! | Codex | `.agents/skills/NAME` | `~/.agents/skills/NAME` |
//! | OpenClaw | `.agents/skills/NAME` of its workspace | `~/.openclaw/skills/NAME` |
//!
//! Files are copied, never linked: OpenClaw refuses a skill holding a link, and a link would
//! let a later edit in staging reach the agents unvalidated. Whatever was in a target folder
//! before is kept under the record (`backups/`), so a rollback puts back exactly that, and the
//! folders a deployment created are taken out again. A rollback refuses to remove a file
//! changed since the deployment unless forced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::skills::name::check_name;
use crate::skills::record::{Deployment, Record, State, Target, stamp, tree_hash};
use crate::skills::{scan, validate};
use crate::store::Store;
use crate::store::skills::{DEPLOYED, read_uses, record_dir};

/// The agents a skill can be deployed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    Claude,
    Codex,
    OpenClaw,
}

impl Agent {
    pub const ALL: [Agent; 3] = [Agent::Claude, Agent::Codex, Agent::OpenClaw];

    pub fn as_str(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
            Agent::OpenClaw => "openclaw",
        }
    }

    /// The folder this agent reads the skill `name` from, as the record writes it.
    pub fn folder(self, global: bool, name: &str) -> String {
        match (self, global) {
            (Agent::Claude, false) => format!(".claude/skills/{name}"),
            (Agent::Claude, true) => format!("~/.claude/skills/{name}"),
            (Agent::Codex | Agent::OpenClaw, false) => format!(".agents/skills/{name}"),
            (Agent::Codex, true) => format!("~/.agents/skills/{name}"),
            (Agent::OpenClaw, true) => format!("~/.openclaw/skills/{name}"),
        }
    }
}

/// Where the record's folder strings lead on this machine.
#[derive(Debug, Clone)]
pub struct Places {
    pub root: PathBuf,
    pub home: Option<PathBuf>,
}

impl Places {
    /// The real path of a folder as the record writes it.
    pub fn resolve(&self, folder: &str) -> Result<PathBuf> {
        match folder.strip_prefix("~/") {
            Some(rest) => self.home.as_ref().map(|h| h.join(rest)).ok_or_else(|| {
                Error::Refused(format!(
                    "{folder} is in the home folder and HOME is not set; set HOME and run it again"
                ))
            }),
            None => Ok(self.root.join(folder)),
        }
    }
}

/// What to deploy and where.
#[derive(Debug, Clone)]
pub struct Deploy<'a> {
    pub name: &'a str,
    /// The staging folder that holds `NAME/`, relative to the project.
    pub staging: &'a Path,
    pub agents: &'a [Agent],
    pub global: bool,
}

/// What a deployment did.
#[derive(Debug, Clone, Serialize)]
pub struct Deployed {
    pub folders: Vec<String>,
    /// The same files were deployed there already: nothing was written.
    pub unchanged: bool,
    pub warnings: usize,
    pub score: u32,
}

/// Every regular file under `dir` by its `/`-separated path, with its SHA-256; `.git` is
/// left out, and a link is refused.
pub fn manifest(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files)?;
    Ok(files)
}

fn walk(base: &Path, dir: &Path, files: &mut BTreeMap<String, String>) -> Result<()> {
    let mut entries: Vec<_> = fs_err::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() && entry.file_name() == ".git" {
            continue;
        }
        let rel = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if kind.is_symlink() {
            return Err(Error::Refused(format!(
                "{} is a link; a skill must hold plain files (agents refuse or follow links)",
                path.display()
            )));
        } else if kind.is_dir() {
            walk(base, &path, files)?;
        } else {
            files.insert(rel, crate::store::sha256_hex(&fs_err::read(&path)?));
        }
    }
    Ok(())
}

/// Copies the files of `from` named in `files` into `to`, which must not exist; modes go
/// with them.
fn copy_files(from: &Path, to: &Path, files: &BTreeMap<String, String>) -> Result<()> {
    fs_err::create_dir_all(to)?;
    for rel in files.keys() {
        let dst = to.join(rel);
        if let Some(dir) = dst.parent() {
            fs_err::create_dir_all(dir)?;
        }
        fs_err::copy(from.join(rel), &dst)?;
    }
    Ok(())
}

/// Copies a whole folder (a target's former content) into `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs_err::create_dir_all(to)?;
    for entry in fs_err::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let dst = to.join(entry.file_name());
        if kind.is_symlink() {
            let link = fs_err::read_link(entry.path())?;
            std::os::unix::fs::symlink(&link, &dst)?;
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &dst)?;
        } else {
            fs_err::copy(entry.path(), &dst)?;
        }
    }
    Ok(())
}

/// The checks a staged skill must pass before it reaches an agent.
pub fn admit(folder: &Path) -> Result<(validate::Validation, scan::Report)> {
    let v = validate::validate_dir(folder)?;
    if let Some(f) = v
        .findings
        .iter()
        .find(|f| f.level == validate::Level::Error)
    {
        return Err(Error::Refused(format!(
            "{} does not validate (SKILL.md line {}: {}); run `evolver skill validate {}`",
            folder.display(),
            f.line,
            f.message,
            folder.display()
        )));
    }
    let report = scan::scan_dir(folder)?;
    if let Some(f) = report
        .findings
        .iter()
        .find(|f| f.severity == scan::Severity::Block)
    {
        return Err(Error::Refused(format!(
            "{} is blocked by the security scan ({}:{}: {}); run `evolver skill scan {}`",
            folder.display(),
            f.file.display(),
            f.line,
            f.message,
            folder.display()
        )));
    }
    Ok((v, report))
}

/// Deploys a staged skill (SPEC 7). Under the store's lock, so two deployments cannot cross.
pub fn deploy(
    store: &Store,
    places: &Places,
    d: &Deploy<'_>,
    now: DateTime<Utc>,
) -> Result<Deployed> {
    check_name(d.name)?;
    crate::skills::name::check_dir(d.staging)?;
    let staged = store.root().join(d.staging).join(d.name);
    if !staged.join("SKILL.md").is_file() {
        return Err(Error::Refused(format!(
            "no skill to deploy at {}; write it with `extract-skill {}` first",
            staged.display(),
            d.name
        )));
    }
    let (validation, report) = admit(&staged)?;
    let files = manifest(&staged)?;
    let tree = tree_hash(&files);
    // One target per folder: Codex and OpenClaw read the same one in a project.
    let mut folders: Vec<(String, Vec<String>)> = Vec::new();
    for agent in d.agents {
        let folder = agent.folder(d.global, d.name);
        match folders.iter_mut().find(|(f, _)| *f == folder) {
            Some((_, agents)) => agents.push(agent.as_str().into()),
            None => folders.push((folder, vec![agent.as_str().into()])),
        }
    }
    let learnings = store.dir().to_owned();
    store.write(|w| {
        let mut record = Record::load(&learnings, d.name)?.unwrap_or_else(|| Record::new(d.name));
        check_record(&record, d.name)?;
        if record.state == State::Rejected {
            return Err(Error::Refused(format!(
                "{} was rejected by an operator; `evolver skill state {} draft` allows it again",
                d.name, d.name
            )));
        }
        let same = record.deployments.last().is_some_and(|last| {
            last.tree_sha256 == tree
                && folders.iter().all(|(f, _)| {
                    last.targets.iter().any(|t| &t.path == f)
                        && places
                            .resolve(f)
                            .and_then(|p| manifest(&p))
                            .is_ok_and(|m| m == files)
                })
        });
        let done = |unchanged| Deployed {
            folders: folders.iter().map(|(f, _)| f.clone()).collect(),
            unchanged,
            warnings: validation.warnings() + report.findings.len(),
            score: report.score(),
        };
        if same {
            return Ok(done(true));
        }
        let index = record.deployments.len();
        let record_path = record_dir(&learnings, d.name);
        // First everything that can fail without touching a folder the agents read: checks,
        // backups under new names, and the new copies beside their places.
        for (folder, _) in &folders {
            let path = places.resolve(folder)?;
            match fs_err::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::Refused(format!(
                        "{} is a link; remove it or deploy elsewhere",
                        path.display()
                    )));
                }
                Ok(m) if !m.is_dir() => {
                    return Err(Error::Refused(format!(
                        "{} is a file, not a folder; move it away and deploy again",
                        path.display()
                    )));
                }
                _ => {}
            }
        }
        let mut targets = Vec::new();
        let mut swaps = Vec::new();
        for (i, (folder, agents)) in folders.iter().enumerate() {
            let path = places.resolve(folder)?;
            let mut created = Vec::new();
            let mut up = path.parent();
            while let Some(dir) = up {
                if dir.exists() {
                    break;
                }
                created.push(dir.to_owned());
                up = dir.parent();
            }
            let backup = if path.exists() {
                // A name no backup has had: an earlier one is never overwritten.
                let rel = (0..)
                    .map(|n| match n {
                        0 => format!("backups/{index}-{i}"),
                        n => format!("backups/{index}-{i}-{n}"),
                    })
                    .find(|rel| !record_path.join(rel).exists())
                    .expect("a free name");
                copy_tree(&path, &record_path.join(&rel))?;
                Some(rel)
            } else {
                None
            };
            // Copy beside the folder first, then swap: an agent never reads half a skill.
            let tmp = path.with_file_name(format!(".{}.evolver-tmp", d.name));
            if tmp.exists() {
                fs_err::remove_dir_all(&tmp)?;
            }
            copy_files(&staged, &tmp, &files)?;
            swaps.push((tmp, path));
            targets.push(Target {
                agents: agents.clone(),
                path: folder.clone(),
                files: files.clone(),
                backup,
                created: created.iter().map(|c| display_folder(places, c)).collect(),
            });
        }
        let uses_from = read_uses(&learnings, d.name)?.len();
        let state_before = record.state;
        record.deployments.push(Deployment {
            at: stamp(now),
            tree_sha256: tree.clone(),
            uses_from,
            state_before,
            targets,
        });
        record.change(State::Experimental, "deployed", now);
        // The record names the backups before any folder is swapped: should a swap fail, a
        // rollback still knows what to put back.
        record.save(&learnings)?;
        write_marker(&learnings, &record)?;
        for (tmp, path) in &swaps {
            if path.exists() {
                fs_err::remove_dir_all(path)?;
            }
            fs_err::rename(tmp, path)?;
        }
        w.record(
            now,
            "skill_deployed",
            d.name,
            serde_json::json!({
                "tree_sha256": tree,
                "folders": folders.iter().map(|(f, _)| f).collect::<Vec<_>>(),
                "state": record.state.as_str(),
            }),
        )?;
        Ok(done(false))
    })
}

/// A folder as the record writes it: relative to the project, or `~/…`.
fn display_folder(places: &Places, path: &Path) -> String {
    if let Ok(rel) = path.strip_prefix(&places.root) {
        return rel.to_string_lossy().into_owned();
    }
    if let Some(rest) = places.home.as_ref().and_then(|h| path.strip_prefix(h).ok()) {
        return format!("~/{}", rest.to_string_lossy());
    }
    path.to_string_lossy().into_owned()
}

/// Writes or removes the `deployed` file the hooks look for.
fn write_marker(learnings: &Path, record: &Record) -> Result<()> {
    let path = record_dir(learnings, &record.name).join(DEPLOYED);
    match record.deployments.last() {
        Some(last) => {
            let text: String = last
                .targets
                .iter()
                .map(|t| format!("{}\n", t.path))
                .collect();
            crate::store::write_atomic(&path, text.as_bytes())
        }
        None => match fs_err::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        },
    }
}

/// How a deployed folder differs from its manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub folder: String,
    /// The folder is gone.
    pub gone: bool,
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub added: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        !self.gone && self.changed.is_empty() && self.missing.is_empty() && self.added.is_empty()
    }

    /// One line: what differs.
    pub fn describe(&self) -> String {
        if self.gone {
            return format!("{} is gone", self.folder);
        }
        let mut parts = Vec::new();
        for (what, list) in [
            ("changed", &self.changed),
            ("missing", &self.missing),
            ("added", &self.added),
        ] {
            if !list.is_empty() {
                parts.push(format!("{what}: {}", list.join(", ")));
            }
        }
        format!(
            "{} differs from its deployment ({})",
            self.folder,
            parts.join("; ")
        )
    }
}

/// Compares a target folder with what was deployed there.
pub fn drift(places: &Places, target: &Target) -> Result<Drift> {
    let mut d = Drift {
        folder: target.path.clone(),
        ..Drift::default()
    };
    let path = places.resolve(&target.path)?;
    if !path.is_dir() {
        d.gone = true;
        return Ok(d);
    }
    let now = match manifest(&path) {
        Ok(m) => m,
        Err(Error::Refused(_)) => {
            d.added.push("a link".into());
            return Ok(d);
        }
        Err(e) => return Err(e),
    };
    for (rel, sha) in &target.files {
        match now.get(rel) {
            None => d.missing.push(rel.clone()),
            Some(s) if s != sha => d.changed.push(rel.clone()),
            Some(_) => {}
        }
    }
    d.added = now
        .keys()
        .filter(|k| !target.files.contains_key(*k))
        .cloned()
        .collect();
    Ok(d)
}

fn is_backup_name(rel: &str) -> bool {
    rel.strip_prefix("backups/").is_some_and(|rest| {
        let parts: Vec<_> = rest.split('-').collect();
        (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Refuses a record naming folders no deployment writes. The record is a file the team
/// commits and merges, and a rollback removes what it names: an edited one must not lead
/// a rollback anywhere else.
pub fn check_record(record: &Record, name: &str) -> Result<()> {
    for target in record.deployments.iter().flat_map(|d| &d.targets) {
        let known = Agent::ALL.iter().any(|a| {
            [false, true]
                .iter()
                .any(|g| a.folder(*g, name) == target.path)
        });
        let backup = target.backup.as_deref().is_none_or(is_backup_name);
        let created = target
            .created
            .iter()
            .all(|c| !c.contains("..") && target.path.starts_with(&format!("{c}/")) && c != "~");
        if !(known && backup && created && record.name == name) {
            return Err(Error::Refused(format!(
                "the record of {name} names a folder no deployment writes ({}); restore .learnings/skills/{name}/record.json from version control",
                target.path
            )));
        }
    }
    Ok(())
}

/// What a rollback did.
#[derive(Debug, Clone, Serialize)]
pub struct RolledBack {
    pub folders: Vec<String>,
    pub restored: Vec<String>,
    pub state: State,
}

/// Takes the latest deployment out and puts back what was there before it.
pub fn rollback(
    store: &Store,
    places: &Places,
    name: &str,
    force: bool,
    now: DateTime<Utc>,
) -> Result<RolledBack> {
    check_name(name)?;
    let learnings = store.dir().to_owned();
    store.write(|w| {
        let mut record = Record::load(&learnings, name)?.ok_or_else(|| {
            Error::Refused(format!("{name} was never deployed; nothing to roll back"))
        })?;
        let Some(last) = record.deployments.last().cloned() else {
            return Err(Error::Refused(format!(
                "{name} has no deployment left to roll back"
            )));
        };
        check_record(&record, name)?;
        if !force {
            for target in &last.targets {
                let d = drift(places, target)?;
                if !d.is_clean() && !d.gone {
                    return Err(Error::Refused(format!(
                        "{}; keep those edits elsewhere or pass --force to lose them",
                        d.describe()
                    )));
                }
            }
        }
        let record_path = record_dir(&learnings, name);
        // Nothing is removed until every backup to put back is known to be there.
        for target in &last.targets {
            if let Some(backup) = &target.backup
                && !record_path.join(backup).is_dir()
            {
                return Err(Error::Refused(format!(
                    "the backup of {} ({}) is missing from {}; nothing was changed",
                    target.path,
                    backup,
                    record_path.display()
                )));
            }
        }
        let mut restored = Vec::new();
        for target in &last.targets {
            let path = places.resolve(&target.path)?;
            if let Ok(meta) = fs_err::symlink_metadata(&path) {
                if meta.is_dir() {
                    fs_err::remove_dir_all(&path)?;
                } else {
                    fs_err::remove_file(&path)?;
                }
            }
            if let Some(backup) = &target.backup {
                copy_tree(&record_path.join(backup), &path)?;
                restored.push(target.path.clone());
            }
            for dir in &target.created {
                let dir = places.resolve(dir)?;
                // Only when empty: something else may have moved in since.
                let _ = std::fs::remove_dir(&dir);
            }
        }
        record.deployments.pop();
        // An operator's rejection or archiving outlives a rollback.
        if !matches!(record.state, State::Rejected | State::Archived) {
            record.change(last.state_before, "rolled back", now);
        }
        record.save(&learnings)?;
        write_marker(&learnings, &record)?;
        // Backups go only once the record no longer names them.
        for target in &last.targets {
            if let Some(backup) = &target.backup {
                fs_err::remove_dir_all(record_path.join(backup))?;
            }
        }
        let backups = record_path.join("backups");
        let _ = std::fs::remove_dir(&backups);
        w.record(
            now,
            "skill_rolled_back",
            name,
            serde_json::json!({
                "tree_sha256": last.tree_sha256,
                "folders": last.targets.iter().map(|t| &t.path).collect::<Vec<_>>(),
                "restored": restored,
                "forced": force,
            }),
        )?;
        Ok(RolledBack {
            folders: last.targets.iter().map(|t| t.path.clone()).collect(),
            restored,
            state: record.state,
        })
    })
}
