//! `evolver merge-driver`: what git runs to merge a `.learnings/` file.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::cli::World;
use crate::error::Result;

#[derive(Args, Debug)]
pub(super) struct MergeArgs {
    /// The common ancestor's version (git's %O)
    base: PathBuf,
    /// Ours (git's %A); the merged file is written here
    ours: PathBuf,
    /// Theirs (git's %B)
    theirs: PathBuf,
    /// The file's path in the repository (git's %P)
    path: Option<String>,
}

/// Exit 0 for a clean merge, 1 when conflict markers were left for the user.
pub(super) fn merge_driver(a: &MergeArgs, world: &World, err: &mut dyn Write) -> Result<u8> {
    let path = a
        .path
        .clone()
        .unwrap_or_else(|| a.ours.to_string_lossy().into_owned());
    let report = crate::merge::driver(&a.base, &a.ours, &a.theirs, &path, world.now)?;
    for (old, new) in &report.renumbered {
        writeln!(
            err,
            "evolver: {path}: {old} was minted on both branches; theirs is now {new} (its references follow)"
        )?;
    }
    for what in &report.conflicts {
        writeln!(
            err,
            "evolver: {path}: conflict in {what}; edit the marked lines, then `git add {path}`"
        )?;
    }
    Ok(u8::from(!report.conflicts.is_empty()))
}
