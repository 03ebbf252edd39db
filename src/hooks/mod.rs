//! The two hooks that run inside the agent: `evolver-activator` on every prompt and
//! `evolver-error-detector` after every shell command.
//!
//! This folder owns what the agents send ([`payload`]), what a command line runs
//! ([`command`]), Codex's exit codes in its transcript ([`transcript`]), the two hooks
//! ([`activator`], [`detector`]) and the fail-open policy both binaries run under
//! ([`fail_open`]). It uses [`crate::store`] to read and write, [`crate::format`] to render and
//! read entries, and [`crate::redact`] before anything captured is written; nothing in
//! verification or the command line.

pub mod activator;
pub mod command;
pub mod detector;
pub mod guard;
pub mod payload;
mod policy;
pub mod skill_use;
pub mod transcript;

pub use policy::{HookWorld, fail_open};
