//! The skills' record in `.learnings/skills/NAME/`: the part the hooks write as well as the
//! skill commands, so it lives below both.
//!
//! - `deployed`: present while the skill is deployed, one folder it was copied to per line
//!   (`.claude/skills/NAME`, `~/.agents/skills/NAME`). The hooks only ask whether it exists.
//! - `uses.jsonl`: one JSON object per line, appended by the hooks: `{"at", "event", "via",
//!   "agent", "session"}`, where `event` is `use` or `failure`. Each line is one `write` of
//!   less than 512 bytes to a file opened for appending, so lines from hooks running at once
//!   never interleave.
//! - `.learnings/skills/.last/SESSION.command` and `.prompt`: the skill a session used last,
//!   until the next command and the next prompt have judged it (a failed command or a
//!   correction counts against it).
//!
//! The rest of the record (`record.json`: state, history, deployments) belongs to the skill
//! commands alone.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::store::sha256_hex;

/// The folder under `.learnings/` that holds every skill's record.
pub const SKILLS: &str = "skills";
/// The file that says a skill is deployed.
pub const DEPLOYED: &str = "deployed";
/// The uses ledger.
pub const USES: &str = "uses.jsonl";
const LAST: &str = ".last";

/// `.learnings/skills/NAME`.
pub fn record_dir(learnings: &Path, name: &str) -> PathBuf {
    learnings.join(SKILLS).join(name)
}

/// Whether `name` is a deployed skill of this project. A name that is not a skill name is
/// never one, so a prompt's text cannot lead the check out of the folder.
pub fn is_deployed(learnings: &Path, name: &str) -> bool {
    is_skill_name(name) && record_dir(learnings, name).join(DEPLOYED).is_file()
}

fn is_skill_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// One line of `uses.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseEvent {
    pub at: String,
    /// `use` or `failure`.
    pub event: String,
    /// How it was seen: `skill-tool`, `slash-command`, `read` for a use; `correction` or
    /// `command` for a failure.
    pub via: String,
    pub agent: String,
    /// A short hash of the agent's session id, or empty.
    #[serde(default)]
    pub session: String,
}

/// A session id as the record keeps it: 16 hex digits of its SHA-256.
pub fn session_key(session: Option<&str>) -> String {
    session
        .filter(|s| !s.is_empty())
        .map(|s| sha256_hex(s.as_bytes())[..16].to_owned())
        .unwrap_or_default()
}

impl UseEvent {
    pub fn new(
        now: DateTime<Utc>,
        event: &str,
        via: &str,
        agent: &str,
        session: Option<&str>,
    ) -> UseEvent {
        UseEvent {
            at: now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            event: event.into(),
            via: via.into(),
            agent: agent.into(),
            session: session_key(session),
        }
    }
}

/// Appends one event to the skill's ledger in a single write.
pub fn append_use(learnings: &Path, name: &str, event: &UseEvent) -> Result<()> {
    let dir = record_dir(learnings, name);
    let mut line = serde_json::to_string(event).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(USES))?;
    file.write_all(line.as_bytes())?;
    Ok(())
}

/// Every event of the skill's ledger; a line that does not parse (a hand edit) is skipped.
pub fn read_uses(learnings: &Path, name: &str) -> Result<Vec<UseEvent>> {
    let path = record_dir(learnings, name).join(USES);
    let text = match fs_err::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// Which hook judges a use: the next shell command, or the next prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judge {
    Command,
    Prompt,
}

fn last_path(learnings: &Path, session: &str, judge: Judge) -> PathBuf {
    let ext = match judge {
        Judge::Command => "command",
        Judge::Prompt => "prompt",
    };
    learnings
        .join(SKILLS)
        .join(LAST)
        .join(format!("{session}.{ext}"))
}

/// Remembers that the session just used `name`, for the next command and the next prompt to
/// judge.
pub fn set_last_use(learnings: &Path, session: &str, name: &str) -> Result<()> {
    if session.is_empty() {
        return Ok(());
    }
    for judge in [Judge::Command, Judge::Prompt] {
        let path = last_path(learnings, session, judge);
        if let Some(dir) = path.parent() {
            fs_err::create_dir_all(dir)?;
        }
        fs_err::write(path, name)?;
    }
    Ok(())
}

/// The skill the session used last and `judge` has not judged yet, forgetting it: a use is
/// judged by the one command and the one prompt that follow it. Of two hooks racing for it,
/// one gets it.
pub fn take_last_use(learnings: &Path, session: &str, judge: Judge) -> Option<String> {
    if session.is_empty() {
        return None;
    }
    let path = last_path(learnings, session, judge);
    // Renaming first makes the take atomic: of two hooks racing, one rename fails.
    let taken = path.with_extension(match judge {
        Judge::Command => "command-taken",
        Judge::Prompt => "prompt-taken",
    });
    std::fs::rename(&path, &taken).ok()?;
    let name = std::fs::read_to_string(&taken).ok();
    let _ = std::fs::remove_file(&taken);
    name.filter(|n| is_skill_name(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployed_needs_a_skill_name_and_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let learnings = dir.path();
        std::fs::create_dir_all(record_dir(learnings, "pdf")).unwrap();
        assert!(!is_deployed(learnings, "pdf"));
        std::fs::write(record_dir(learnings, "pdf").join(DEPLOYED), "x\n").unwrap();
        assert!(is_deployed(learnings, "pdf"));
        assert!(!is_deployed(learnings, "../skills/pdf"));
        assert!(!is_deployed(learnings, ""));
    }

    #[test]
    fn uses_round_trip_and_last_use_is_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let learnings = dir.path();
        std::fs::create_dir_all(record_dir(learnings, "pdf")).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = UseEvent::new(now, "use", "skill-tool", "claude", Some("s1"));
        append_use(learnings, "pdf", &e).unwrap();
        append_use(learnings, "pdf", &e).unwrap();
        assert_eq!(read_uses(learnings, "pdf").unwrap(), [e.clone(), e]);
        let key = session_key(Some("s1"));
        assert_eq!(key.len(), 16);
        set_last_use(learnings, &key, "pdf").unwrap();
        assert_eq!(
            take_last_use(learnings, &key, Judge::Command).as_deref(),
            Some("pdf")
        );
        assert_eq!(take_last_use(learnings, &key, Judge::Command), None);
        assert_eq!(
            take_last_use(learnings, &key, Judge::Prompt).as_deref(),
            Some("pdf")
        );
        assert_eq!(take_last_use(learnings, "", Judge::Prompt), None);
    }
}
