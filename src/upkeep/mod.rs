//! Keeping the store in order: `evolver review` (SPEC 6.6) says what is ready to move,
//! `evolver ingest` brings in candidates found by other tools, and `evolver doctor` (SPEC 9)
//! finds what has come apart.
//!
//! This folder owns those three commands' work, one file each, over one reading of every entry
//! (`seen`). It uses [`crate::verify`] (receipts, promotion targets), [`crate::skills`]
//! (deployed skills that came apart), [`crate::store`] and [`crate::format`]; nothing in the
//! command line.

mod doctor;
mod ingest;
mod review;
mod seen;

pub use doctor::doctor;
pub use ingest::ingest;
pub use review::review;
