//! Uses of deployed skills, as the hooks see them (SPEC 7), appended to the skill's ledger in
//! `.learnings/skills/NAME/uses.jsonl` ([`crate::store::skills`]):
//!
//! - Claude Code's `Skill` tool (`tool_input.skill`), model-invoked: a use;
//! - a prompt that starts with `/NAME` for a deployed skill (typed by the user; no tool hook
//!   fires for it): a use;
//! - a shell command that names `.agents/skills/NAME/SKILL.md` (or `.claude/`, `.codex/`,
//!   `.openclaw/`), which is how Codex loads a skill: a use. Staging (`skills/NAME/`) is not
//!   where an agent loads a skill from, so editing it is no use.
//!
//! After a use, the session's next shell command and next prompt judge it: a failed command
//! or a prompt that reads like a correction is a failure of the skill. A plugin's skill
//! (`plugin:NAME`) is not ours and is not counted.
//!
//! All of it is skipped at the cost of one `stat` when the project has no `.learnings/skills/`.

use std::path::Path;

use crate::hooks::payload::{Agent, Payload};
use crate::store::skills::{Judge, UseEvent, append_use, is_deployed, set_last_use, take_last_use};

fn agent_name(agent: Agent) -> &'static str {
    match agent {
        Agent::ClaudeCode => "claude",
        Agent::Codex => "codex",
        Agent::OpenClaw => "openclaw",
    }
}

/// Appends `event` (`use` or `failure`) for `name` when it is a deployed skill; a use is left
/// for the session's next command and prompt to judge. A hook never fails the agent over
/// bookkeeping: an event that cannot be written is lost.
fn record(
    learnings: &Path,
    name: &str,
    event: &str,
    via: &str,
    p: &Payload,
    now: chrono::DateTime<chrono::Utc>,
) {
    if !is_deployed(learnings, name) {
        return;
    }
    let e = UseEvent::new(
        now,
        event,
        via,
        agent_name(p.agent),
        p.session_id.as_deref(),
    );
    if append_use(learnings, name, &e).is_ok() && event == "use" {
        let _ = set_last_use(learnings, &e.session, name);
    }
}

/// Takes the session's last use for `judge` and, when `failed`, counts it as a failure.
fn judge(
    learnings: &Path,
    p: &Payload,
    judge: Judge,
    failed: bool,
    via: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    let session = crate::store::skills::session_key(p.session_id.as_deref());
    if let Some(name) = take_last_use(learnings, &session, judge)
        && failed
    {
        record(learnings, &name, "failure", via, p, now);
    }
}

/// Whether the project keeps any skill record: the one check on every hook's path.
fn has_skills(learnings: &Path) -> bool {
    learnings.join(crate::store::skills::SKILLS).is_dir()
}

/// The `Skill` tool's payload: a use of the skill it names.
pub fn skill_tool(learnings: &Path, p: &Payload, now: chrono::DateTime<chrono::Utc>) {
    let Some(name) = p.skill.as_deref() else {
        return;
    };
    if has_skills(learnings) && !name.contains(':') {
        record(learnings, name, "use", "skill-tool", p, now);
    }
}

/// The skills a command line reads the SKILL.md of: `…skills/NAME/SKILL.md`.
pub fn skills_read(command: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = command;
    while let Some(at) = rest.find("/SKILL.md") {
        let before = &rest[..at];
        let name_start = before
            .rfind(['/', ' ', '\'', '"', '='])
            .map_or(0, |i| i + 1);
        let name = &before[name_start..];
        // Only the folders the agents read: the staging copy being edited is no use.
        let parent = &before[..name_start];
        let agents = [
            ".claude/skills/",
            ".agents/skills/",
            ".codex/skills/",
            ".openclaw/skills/",
        ];
        if agents.iter().any(|a| parent.ends_with(a)) && !name.is_empty() && !names.contains(&name)
        {
            names.push(name);
        }
        rest = &rest[at + "/SKILL.md".len()..];
    }
    names
}

/// A shell command's outcome: it may read a skill (a use), and it judges the session's last
/// use (a failure when it failed).
pub fn after_command(
    learnings: &Path,
    p: &Payload,
    command: &str,
    failed: bool,
    now: chrono::DateTime<chrono::Utc>,
) {
    if !has_skills(learnings) {
        return;
    }
    judge(learnings, p, Judge::Command, failed, "command", now);
    if command.contains("SKILL.md") {
        for name in skills_read(command) {
            record(learnings, name, "use", "read", p, now);
        }
    }
}

/// A prompt: it may call a skill by `/NAME` (a use), and it judges the session's last use (a
/// failure when it reads like a correction).
pub fn after_prompt(
    learnings: &Path,
    p: &Payload,
    prompt: &str,
    correction: bool,
    now: chrono::DateTime<chrono::Utc>,
) {
    if !has_skills(learnings) {
        return;
    }
    judge(learnings, p, Judge::Prompt, correction, "correction", now);
    if let Some(called) = prompt.trim_start().strip_prefix('/') {
        let name = called.split_whitespace().next().unwrap_or("");
        record(learnings, name, "use", "slash-command", p, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_that_read_a_skill() {
        assert_eq!(skills_read("cat .agents/skills/pdf/SKILL.md"), ["pdf"]);
        assert_eq!(
            skills_read(
                "sed -n '1,200p' /home/u/p/.agents/skills/pdf-forms/SKILL.md && cat '.claude/skills/x/SKILL.md'"
            ),
            ["pdf-forms", "x"]
        );
        assert!(skills_read("cat SKILL.md").is_empty());
        assert!(skills_read("cat docs/pdf/SKILL.md").is_empty());
        assert!(skills_read("cat .agents/skills//SKILL.md").is_empty());
        // Staging is not where an agent loads a skill from.
        assert!(skills_read("git diff skills/pdf/SKILL.md").is_empty());
    }
}
