//! Claude Code: hooks live in `.claude/settings.json` (`--global`: under `$HOME`; `--local`:
//! `.claude/settings.local.json`).

use crate::agents::handler::{ACTIVATOR, DETECTOR, Handler};

pub(crate) const SETTINGS: &str = ".claude/settings.json";

/// The same settings for one person only: Claude Code keeps this file out of git.
pub const LOCAL_SETTINGS: &str = ".claude/settings.local.json";

/// Claude Code sends a failed command to `PostToolUseFailure` and a successful one to
/// `PostToolUse`, so the detector listens to both; it also hears the `Skill` tool, to count a
/// deployed skill's uses.
pub(crate) const HANDLERS: &[Handler] = &[
    ("UserPromptSubmit", None, ACTIVATOR),
    ("PostToolUse", Some("Bash|Skill"), DETECTOR),
    ("PostToolUseFailure", Some("Bash"), DETECTOR),
];
