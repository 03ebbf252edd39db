//! `evolver review`, `evolver ingest` and `evolver doctor`: keeping the store in order.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::World;
use crate::cli::printer::{Printer, Style};
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

/// Prints what is ready to move: each group's title in bold, each entry's ID too.
pub(super) fn review(store: &Store, world: &World, out: &mut Printer<impl Write>) -> Result<()> {
    for line in crate::upkeep::review(store, world.now)? {
        if let Some(item) = line.strip_prefix("  ") {
            let (id, rest) = item.split_at(item.find(' ').unwrap_or(item.len()));
            out.write_all(b"  ")?;
            out.paint(Some(Style::Bold), id)?;
            writeln!(out, "{rest}")?;
        } else if line.ends_with(':') {
            out.paint(Some(Style::Bold), &line)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{line}")?;
        }
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

/// Prints one line per problem, in red, and what `--fix` put right, in green; exits 1 when
/// there are problems and `--fix` was not given.
pub(super) fn doctor(
    store: &Store,
    fix: bool,
    world: &World,
    out: &mut Printer<impl Write>,
) -> Result<u8> {
    let problems = crate::upkeep::doctor(store, fix, world.home.as_deref(), world.now)?;
    if problems.is_empty() {
        out.paint(Some(Style::Green), "no problems found")?;
        writeln!(out)?;
        return Ok(0);
    }
    for line in &problems {
        match line.strip_prefix("  fixed:") {
            Some(rest) => {
                out.write_all(b"  ")?;
                out.paint(Some(Style::Green), "fixed:")?;
                writeln!(out, "{rest}")?;
            }
            None => {
                out.paint(Some(Style::Red), line)?;
                writeln!(out)?;
            }
        }
    }
    Ok(u8::from(!fix))
}
