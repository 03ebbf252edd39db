//! `evolver review`, `evolver ingest` and `evolver doctor`: keeping the store in order.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::World;
use crate::error::Result;
use crate::store::Store;

#[derive(Args, Debug)]
pub(super) struct IngestArgs {
    /// Where the candidates come from
    #[arg(value_enum)]
    source: IngestSource,
    /// The task summary JSON
    file: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum IngestSource {
    SimplifyAndHarden,
}

/// Prints what is ready to move.
pub(super) fn review(store: &Store, world: &World, out: &mut dyn Write) -> Result<()> {
    for line in crate::upkeep::review(store, world.now)? {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Brings in the candidates of a task summary.
pub(super) fn ingest(
    store: &Store,
    a: &IngestArgs,
    world: &World,
    out: &mut dyn Write,
) -> Result<()> {
    let IngestSource::SimplifyAndHarden = a.source;
    for line in crate::upkeep::ingest(store, &world.cwd.join(&a.file), world.now)? {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Prints one line per problem; exits 1 when there are problems and `--fix` was not given.
pub(super) fn doctor(store: &Store, fix: bool, world: &World, out: &mut dyn Write) -> Result<u8> {
    let problems = crate::upkeep::doctor(store, fix, world.home.as_deref(), world.now)?;
    if problems.is_empty() {
        writeln!(out, "no problems found")?;
        return Ok(0);
    }
    for line in &problems {
        writeln!(out, "{line}")?;
    }
    Ok(u8::from(!fix))
}
