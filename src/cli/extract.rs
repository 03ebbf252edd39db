//! The `extract-skill` command (SPEC 7): its own binary, run by a person or an agent.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::Parser;

use crate::cli::World;
use crate::cli::skill::{print_scan, print_validation};
use crate::error::Result;
use crate::skills::extract::{Extract, extract, next_steps};
use crate::store::{Store, project_root};

#[derive(Parser, Debug)]
#[command(
    name = "extract-skill",
    version,
    about = "Scaffold a skill folder, or fill one from a verified lesson, ready to validate and deploy"
)]
struct ExtractArgs {
    /// The skill's name: 1-64 of a-z, 0-9 and single hyphens
    name: String,
    /// Print every file with its content and write nothing
    #[arg(long)]
    dry_run: bool,
    /// The staging folder, relative to the project; the skill goes in DIR/NAME
    #[arg(long, value_name = "DIR", default_value = "skills")]
    output_dir: PathBuf,
    /// Fill the skill from this entry; it needs a PASS receipt that still holds
    #[arg(long, value_name = "ID")]
    from: Option<String>,
    /// The skill's description (default: the entry's summary)
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// Replace the folder when it exists
    #[arg(long)]
    force: bool,
}

/// Runs `extract-skill` with `args` (the first is the program name); returns the exit code.
pub fn run(args: Vec<OsString>, world: &World, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match super::parse_args::<ExtractArgs>(args, out, err) {
        Ok(a) => super::finish("extract-skill", go(&a, world, out), err),
        Err(code) => code,
    }
}

fn go(a: &ExtractArgs, world: &World, out: &mut dyn Write) -> Result<u8> {
    let store = Store::open(project_root(&world.cwd, &world.env))?;
    let x = Extract {
        name: &a.name,
        dir: &a.output_dir,
        from: a.from.as_deref(),
        description: a.description.as_deref(),
        force: a.force,
        dry_run: a.dry_run,
    };
    let done = extract(&store, &x, world.now)?;
    if a.dry_run {
        writeln!(out, "dry run: nothing was written")?;
        for (name, content) in &done.files {
            let path = done.folder.join(name);
            writeln!(out, "--- {} ({} bytes)", path.display(), content.len())?;
            out.write_all(content.as_bytes())?;
            if !content.ends_with('\n') {
                writeln!(out)?;
            }
            writeln!(out, "--- end of {}", path.display())?;
        }
    } else {
        for (name, _) in &done.files {
            writeln!(
                out,
                "wrote {}",
                store.root().join(&done.folder).join(name).display()
            )?;
        }
        if let (Some(id), Some(receipt)) = (&a.from, &done.receipt) {
            writeln!(
                out,
                "{id} is promoted_to_skill (Skill-Path: {}), under receipt {receipt}",
                done.folder.display()
            )?;
        }
    }
    print_validation(out, &done.folder, &done.validation, "validate: ")?;
    print_scan(out, &done.folder, &done.scan, "scan: ")?;
    writeln!(out, "next:")?;
    for (i, step) in next_steps(&x, &done).iter().enumerate() {
        writeln!(out, "  {}. {step}", i + 1)?;
    }
    Ok(u8::from(
        done.validation.errors() > 0 || done.scan.blocked(),
    ))
}
