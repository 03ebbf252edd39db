//! capability-evolver: lets coding agents learn from their mistakes, safely.
//!
//! The library reads and writes the `.learnings/` logs that agents keep (`LEARNINGS.md`,
//! `ERRORS.md`, `FEATURE_REQUESTS.md`), staying byte-compatible with the files thousands of
//! repositories already hold. The binaries in `src/bin/` are thin shells over it.
//!
//! One folder per capability, and dependencies run one way (`docs/architecture.md` has the
//! map; a test in `tests/integration/layout.rs` keeps it true):
//!
//! - [`format`](mod@format): the markdown logs, read and written without losing a byte;
//! - [`store`]: the project's `.learnings/` folder: root, lock, appends, rewrites, IDs,
//!   de-duplication, the audit chain and the settings;
//! - [`hooks`]: the two hook executables' library: payloads, command lines, Codex
//!   transcripts, the activator and the error detector;
//! - [`verify`]: specs, observations, verdicts, receipts, external verifiers, promotion and
//!   rollback;
//! - [`upkeep`]: `review`, `ingest` and `doctor`;
//! - [`agents`]: wiring the hooks into each agent's settings;
//! - [`merge`]: `.learnings/` merged across git branches, entry by entry;
//! - [`cli`]: the `evolver` command;
//! - [`redact`] (no secret reaches a file) and [`Error`] may be used by the layers above them.

pub mod agents;
pub mod cli;
mod error;
pub mod format;
pub mod hooks;
pub mod merge;
pub mod redact;
pub mod relevance;
pub mod skills;
pub mod store;
pub mod upkeep;
pub mod verify;

pub use error::{Error, Result};
pub use format::{Document, Entry, EntryId, Kind, Span};
pub use store::{Config, DetectorConfig, Log, Logged, RootEnv, Store, Writer, project_root};
