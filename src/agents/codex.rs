//! Codex CLI: hooks live in `.codex/hooks.json` (`--global`: under `$HOME`). Codex reads
//! hooks from `hooks.json` or `config.toml`, never from a `settings.json`.

use crate::agents::handler::{ACTIVATOR, DETECTOR, Handler};

pub(crate) const HOOKS: &str = ".codex/hooks.json";

/// Codex has no PostToolUseFailure: every command reaches `PostToolUse`, and its matcher is a
/// regular expression.
pub(crate) const HANDLERS: &[Handler] = &[
    ("UserPromptSubmit", None, ACTIVATOR),
    ("PostToolUse", Some("^Bash$"), DETECTOR),
];
