//! `evolver promote` and `evolver rollback` (SPEC 6.4, 6.5).

use std::io::Write;

use clap::Args;

use crate::cli::World;
use crate::error::{Error, Result};
use crate::store::Store;

#[derive(Args, Debug)]
pub(super) struct PromoteArgs {
    /// The entry ID
    id: String,
    /// CLAUDE.md, AGENTS.md, SOUL.md, TOOLS.md or copilot (.github/copilot-instructions.md)
    #[arg(long)]
    to: String,
    /// The rule to write (default: the first line of Suggested Action)
    #[arg(long)]
    rule: Option<String>,
}

#[derive(Args, Debug)]
pub(super) struct RollbackArgs {
    /// The entry ID
    id: String,
    /// Why it is rolled back (kept in Counter-Evidence)
    #[arg(long, default_value = "rolled back by hand")]
    reason: String,
    /// Remove blocks even when they were edited after promotion
    #[arg(long)]
    force: bool,
}

/// Adds the entry to TARGET as a marked block; refused without a PASS receipt that holds.
pub(super) fn promote(
    store: &Store,
    a: &PromoteArgs,
    world: &World,
    out: &mut dyn Write,
) -> Result<()> {
    let path =
        crate::verify::promotion::promote(store, &a.id, &a.to, a.rule.as_deref(), world.now)?;
    writeln!(out, "{} promoted to {}", a.id, path.display()).map_err(Error::from)
}

/// Takes the entry's blocks out of every target and returns it to pending.
pub(super) fn rollback(
    store: &Store,
    a: &RollbackArgs,
    world: &World,
    out: &mut dyn Write,
) -> Result<()> {
    let done = crate::verify::promotion::rollback(store, &a.id, &a.reason, a.force, world.now)?;
    let from = if done.removed.is_empty() {
        "no target".to_owned()
    } else {
        done.removed.join(", ")
    };
    writeln!(out, "{} rolled back from {from}; it is pending again", a.id).map_err(Error::from)
}
