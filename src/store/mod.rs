//! The store: one project's `.learnings/` folder and every read and write of its files.
//!
//! It owns where the project is ([`project_root`]), the lock, appends and atomic rewrites
//! ([`Store`], [`Writer`]), ID allocation and Pattern-Key de-duplication ([`Logged`]), the
//! hash-chained audit log ([`audit`]), `config.toml` ([`Config`]) and the SHA-256 naming of
//! content. It uses [`crate::format`] for the text of the logs, and nothing above it: the hooks,
//! verification and the command line all write through here.

pub mod audit;
mod config;
mod digest;
mod files;
pub(crate) mod index;
mod log;
mod pass;
mod root;
pub mod skills;

pub use config::{Config, DetectorConfig, SkillsConfig};
pub(crate) use digest::{hex, sha256_hex};
pub use files::{Log, Store, Writer};
pub(crate) use files::{Tail, write_atomic};
pub use index::{command_hash, pass_key};
pub use log::Logged;
pub use pass::Passed;
pub use root::{RootEnv, project_root};
