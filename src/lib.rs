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
//! - [`cli`] is the `evolver` command.

mod blocks;
pub mod cli;
mod config;
mod document;
mod entry;
mod error;
mod id;
mod kind;
mod log;
mod store;
pub mod writer;

pub use config::Config;
pub use document::{Document, Span};
pub use entry::Entry;
pub use error::{Error, Result};
pub use id::EntryId;
pub use kind::Kind;
pub use log::{Logged, next_id};
pub use store::{Log, RootEnv, Store, Writer, project_root};
