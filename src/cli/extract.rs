//! The `extract-skill` command (SPEC 7): its own binary, run by a person or an agent.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::Parser;

use crate::cli::World;
use crate::cli::skill::print_scan;
use crate::error::{Error, Result};
use crate::skills::extract::{Extract, extract, next_steps};
use crate::skills::validate::Level;
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
    let a = match ExtractArgs::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if code == 0 {
                out.write_all(text.as_bytes())
            } else {
                err.write_all(text.as_bytes())
            };
            return code;
        }
    };
    match go(&a, world, out) {
        Ok(code) => code,
        Err(Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "extract-skill: {e}");
            e.exit_code()
        }
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
    let v = &done.validation;
    for f in &v.findings {
        let level = if f.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        writeln!(
            out,
            "{}:{}: {level} [{}] {}",
            done.folder.join("SKILL.md").display(),
            f.line,
            f.rule,
            f.message
        )?;
    }
    writeln!(
        out,
        "validate: {} ({} errors, {} warnings)",
        if v.errors() == 0 { "valid" } else { "invalid" },
        v.errors(),
        v.warnings()
    )?;
    write!(out, "scan: ")?;
    print_scan(out, &done.folder, &done.scan)?;
    writeln!(out, "next:")?;
    for (i, step) in next_steps(&x, &done).iter().enumerate() {
        writeln!(out, "  {}. {step}", i + 1)?;
    }
    Ok(u8::from(v.errors() > 0 || done.scan.blocked()))
}
