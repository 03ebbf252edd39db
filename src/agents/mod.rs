//! Wiring the hooks into the agents (SPEC 8): `evolver install | uninstall`.
//!
//! This folder owns one file per agent (its settings file and the handlers we add there), the
//! handlers' shape (`handler`), and the careful merge of those handlers into a settings file
//! that belongs to the user (`settings`). It uses nothing else in the crate but `crate::error`.

mod claude;
mod codex;
mod handler;
mod settings;

pub use handler::{ACTIVATOR, DETECTOR};
pub use settings::{Change, Target, install, uninstall};
