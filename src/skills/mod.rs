//! Skills extracted from verified lessons (SPEC 7): the name and path rules (`name.rs`), the
//! front matter (`frontmatter.rs`) and the validator (`validate.rs`), the security scan
//! (`scan.rs`), the scaffold `extract-skill` writes, and the lifecycle of a skill from staging
//! to the folders the agents read (deploy, rollback, states, uses).
//!
//! This folder uses [`crate::verify`] for the PASS gate an extraction needs, [`crate::store`]
//! for the project's files and audit chain, [`crate::format`] and [`crate::redact`]; the
//! command line and `doctor` use it.

pub mod deploy;
pub mod extract;
pub mod frontmatter;
pub mod lifecycle;
pub mod name;
pub mod record;
pub mod scan;
pub mod validate;
