//! The markdown format of the three logs: reading them leniently, and writing them back
//! without losing a byte.
//!
//! This folder owns everything about the text of `LEARNINGS.md`, `ERRORS.md` and
//! `FEATURE_REQUESTS.md` and nothing about files, locks or processes: which lines are live
//! (`blocks`), where entries start and end ([`Document`]), an entry's fields and sections and
//! their surgical edits ([`Entry`]), IDs and kinds, new entries rendered from the templates
//! ([`render`]), and the streamed skim an append needs (`skim`). It uses nothing else in the
//! crate but `crate::error`.

pub(crate) mod blocks;
mod document;
pub(crate) mod entry;
mod id;
mod kind;
pub mod render;
pub(crate) mod skim;
pub(crate) mod words;

pub use document::{Document, Span};
pub use entry::{Entry, RENUMBERED_FROM};
pub use id::EntryId;
pub use kind::Kind;
