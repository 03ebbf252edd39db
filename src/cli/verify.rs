//! `evolver spec` and `evolver verify` (SPEC 6.1–6.3).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::cli::World;
use crate::cli::printer::{Printer, Style};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::verify::Verdict;

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["json", "file"])))]
pub(super) struct SpecArgs {
    /// The entry ID
    id: String,
    /// The spec as JSON text
    #[arg(long)]
    json: Option<String>,
    /// A file holding the spec
    #[arg(long)]
    file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(super) struct VerifyArgs {
    /// The entry ID
    id: String,
    /// Take the observations from this JSON object instead of running the spec
    #[arg(long)]
    result: Option<PathBuf>,
    /// Ask an external verifier: a command that reads the task on stdin and prints a SAR v0.1 receipt
    #[arg(long, requires = "keys")]
    external: Option<String>,
    /// Allow sending the (redacted) observations to the external verifier
    #[arg(long, requires = "external")]
    approve: bool,
    /// The key registry (sar-keys.json) the external receipt is checked against
    #[arg(long, requires = "external")]
    keys: Option<PathBuf>,
}

pub(super) fn spec(store: &Store, a: &SpecArgs, world: &World, out: &mut dyn Write) -> Result<()> {
    let json = match (&a.json, &a.file) {
        (Some(json), _) => json.clone(),
        (None, Some(file)) => fs_err::read_to_string(world.cwd.join(file))?,
        (None, None) => return Err(Error::Invalid("give the spec with --json or --file".into())),
    };
    crate::verify::record::set_spec(store, &a.id, &json, world.now)?;
    writeln!(out, "{} spec written; run `evolver verify {}`", a.id, a.id)?;
    Ok(())
}

/// Prints the verdict (PASS green, FAIL red, INDETERMINATE yellow) and the receipt id; exits
/// 0 on PASS, 1 otherwise (SPEC 6.3).
pub(super) fn verify(
    store: &Store,
    a: &VerifyArgs,
    world: &World,
    out: &mut Printer<impl Write>,
) -> Result<u8> {
    let result = a.result.as_ref().map(|r| world.cwd.join(r));
    let keys = a.keys.as_ref().map(|k| world.cwd.join(k));
    let external = match (&a.external, &keys) {
        (Some(_), _) if !a.approve => {
            return Err(Error::Refused(format!(
                "nothing was sent: an external verifier gets the redacted observations of {}; add --approve to send them",
                a.id
            )));
        }
        (Some(command), Some(keys)) => Some(crate::verify::record::External { command, keys }),
        _ => None,
    };
    let v = crate::verify::record::verify(
        store,
        &a.id,
        result.as_deref(),
        external.as_ref(),
        world.now,
    )?;
    let style = match v.verdict {
        Verdict::Pass => Style::Green,
        Verdict::Fail => Style::Red,
        Verdict::Indeterminate => Style::Yellow,
    };
    out.paint(Some(style), v.verdict.as_str())?;
    writeln!(out, " {}", v.receipt_id)?;
    for reason in &v.reasons {
        writeln!(out, "  {reason}")?;
    }
    match &v.rolled_back {
        Some(Ok(from)) => writeln!(
            out,
            "{} failed after promotion and was rolled back from {}",
            a.id,
            from.join(", ")
        )?,
        Some(Err(why)) => writeln!(
            out,
            "{} failed after promotion; rollback refused: {why}",
            a.id
        )?,
        None => {}
    }
    Ok(u8::from(v.verdict != Verdict::Pass))
}
