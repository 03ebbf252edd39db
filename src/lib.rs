//! capability-evolver: lets coding agents learn from their mistakes, safely.
//!
//! The library reads and writes the `.learnings/` logs that agents keep (`LEARNINGS.md`,
//! `ERRORS.md`, `FEATURE_REQUESTS.md`), staying byte-compatible with the files thousands of
//! repositories already hold. The binaries in `src/bin/` are thin shells over it.
//!
//! - [`Document`] splits a log into preamble and entries without losing a byte;
//! - [`Entry`] reads one entry's fields and sections and edits them surgically;
//! - [`writer`] renders new entries from the templates in `assets/`;
//! - [`Store`] finds the project, locks, appends and rewrites atomically;
//! - [`Store::log`] allocates IDs and de-duplicates by Pattern-Key;
//! - [`activator`] and [`detector`] are the two hooks, over [`payload`] (what the agents send),
//!   [`command`] (what a command line runs), [`transcript`] (Codex's exit codes) and
//!   [`redact`] (no secret reaches a file); [`hook`] holds their fail-open policy;
//! - [`install`] wires the hooks into Claude Code and Codex;
//! - [`cli`] is the `evolver` command.

pub mod activator;
pub mod audit;
mod blocks;
pub mod canonical;
pub mod cli;
pub mod command;
mod config;
pub mod detector;
mod document;
pub(crate) mod entry;
mod error;
pub mod hook;
mod id;
pub mod install;
mod kind;
mod log;
pub mod payload;
pub mod promotion;
pub mod redact;
pub mod sar;
mod skim;
mod store;
pub mod transcript;
pub mod upkeep;
pub mod verification;
pub mod verify;
pub mod writer;

pub use config::{Config, DetectorConfig};
pub use document::{Document, Span};
pub use entry::Entry;
pub use error::{Error, Result};
pub use id::EntryId;
pub use kind::Kind;
pub use log::Logged;
pub use store::{Log, RootEnv, Store, Writer, project_root};
