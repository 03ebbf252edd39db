//! Wiring the hooks into the agents (SPEC 8): `evolver install | uninstall`.
//!
//! This folder owns one file per agent (its settings file and the handlers we add there), the
//! handlers' shape (`handler`), and the careful merge of those handlers into a settings file
//! that belongs to the user (`settings`), and our own skill, put where each agent reads skills
//! (`skill`), and whether our plugin is already enabled (`plugin`). OpenClaw is different: its hooks are JavaScript, so
//! `openclaw` writes a plugin folder instead of merging settings. It uses nothing else in the
//! crate but `crate::error`.

mod claude;
mod codex;
mod handler;
pub mod openclaw;
mod plugin;
mod settings;
pub mod skill;

pub use claude::LOCAL_SETTINGS as CLAUDE_LOCAL_SETTINGS;
pub use handler::{ACTIVATOR, DETECTOR, portable_command};
pub use plugin::plugin_enabled;
pub use settings::{
    Change, Target, codex_dir, install, runs_ours_differently, settings_files, uninstall,
};
