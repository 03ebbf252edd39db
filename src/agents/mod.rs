//! Wiring the hooks into the agents (SPEC 8): `evolver install | uninstall`.
//!
//! This folder owns one file per agent (its settings file and the handlers we add there) and
//! the careful merge of those handlers into a settings file that belongs to the user
//! ([`settings`]). It uses nothing else in the crate but [`crate::Error`].

mod claude;
mod codex;
mod settings;

pub use settings::{ACTIVATOR, Change, DETECTOR, Target, install, uninstall};
