//! `evolver install openclaw` / `uninstall openclaw`: the plugin folder written or removed,
//! and registered with `openclaw` itself when it is on PATH (else the commands are printed).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::agents::openclaw;
use crate::cli::World;
use crate::error::{Error, Result};

pub(super) fn install(
    path: Option<&Path>,
    world: &World,
    out: &mut dyn Write,
    add: bool,
) -> Result<()> {
    let dir = match path {
        Some(p) if p.is_absolute() => p.to_owned(),
        Some(p) => world.cwd.join(p),
        None => {
            let home = world.home.as_deref().ok_or_else(|| {
                Error::Refused("$HOME is not set; give the plugin's folder with --path".into())
            })?;
            let xdg = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from);
            openclaw::default_dir(home, xdg.as_deref())
        }
    };
    let cli = find_openclaw();
    if add {
        let bin_dir = super::install::bin_dir(world)?;
        let changed = openclaw::write(&dir, bin_dir)?;
        // OpenClaw records the folder as it resolves it; so do we, for uninstall to find it.
        let dir = fs_err::canonicalize(&dir)?;
        let verb = if changed { "written to" } else { "already in" };
        writeln!(out, "OpenClaw plugin {verb} {}", dir.display())?;
        let commands = openclaw::register_commands(&dir);
        match cli {
            Some(exe) => {
                for args in &commands {
                    run(&exe, args)?;
                }
                writeln!(
                    out,
                    "registered with openclaw: plugin `{}`, hook `{}` (a running Gateway picks them up on restart)",
                    openclaw::PLUGIN_ID,
                    openclaw::HOOK_NAME
                )?;
            }
            None => {
                writeln!(out, "openclaw is not on PATH; register the plugin with:")?;
                out.write_all(openclaw::shell_lines(&commands).as_bytes())?;
            }
        }
        return Ok(());
    }
    // As install recorded it, when the folder is still there.
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    match cli {
        Some(exe) => {
            // Each step is undone if it was done; one already undone is not an error.
            for args in &openclaw::unregister_commands() {
                let _ = run(&exe, args);
            }
            let key = openclaw::EXTRA_DIRS_KEY;
            let listed = output(&exe, &["config", "get", key, "--json"]);
            let kept = match listed
                .as_deref()
                .map(|text| openclaw::without_dir(text, &dir))
            {
                Some(openclaw::ExtraDirs::Without(kept)) => Some(kept),
                // Not set at all, or without ours.
                None | Some(openclaw::ExtraDirs::Untouched) => None,
                Some(openclaw::ExtraDirs::Unreadable) => {
                    writeln!(
                        out,
                        "could not read {key}; take {}/{} out of it by hand",
                        dir.display(),
                        openclaw::HOOK_DIR
                    )?;
                    None
                }
            };
            if let Some(kept) = kept {
                let args: Vec<String> = if kept.is_empty() {
                    vec!["config".into(), "unset".into(), key.into()]
                } else {
                    let list = serde_json::to_string(&kept).map_err(std::io::Error::from)?;
                    vec![
                        "config".into(),
                        "set".into(),
                        key.into(),
                        list,
                        "--strict-json".into(),
                    ]
                };
                run(&exe, &args)?;
            }
            writeln!(out, "unregistered from openclaw")?;
        }
        None => {
            writeln!(out, "openclaw is not on PATH; unregister the plugin with:")?;
            out.write_all(openclaw::shell_lines(&openclaw::unregister_commands()).as_bytes())?;
            writeln!(
                out,
                "and take {}/{} out of {} (`openclaw config get {0} --json`, then `config set`)",
                dir.display(),
                openclaw::HOOK_DIR,
                openclaw::EXTRA_DIRS_KEY
            )?;
        }
    }
    if openclaw::remove(&dir)? {
        writeln!(out, "OpenClaw plugin removed from {}", dir.display())?;
    } else {
        writeln!(out, "no OpenClaw plugin in {}", dir.display())?;
    }
    Ok(())
}

/// `openclaw` on PATH.
fn find_openclaw() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(format!("openclaw{}", std::env::consts::EXE_SUFFIX)))
        .find(|exe| exe.is_file())
}

/// Runs one `openclaw` command; its failure is an error naming the command and its last line.
fn run(exe: &Path, args: &[String]) -> Result<()> {
    let result = Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()?;
    if result.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&result.stderr).to_string()
        + &String::from_utf8_lossy(&result.stdout);
    let last = said
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Err(Error::Refused(format!(
        "`{}` failed ({}): {}",
        openclaw::shell_lines(&[args.to_vec()]).trim_end(),
        result.status,
        last.trim()
    )))
}

/// What one `openclaw` command printed on stdout, when it succeeded.
fn output(exe: &Path, args: &[&str]) -> Option<String> {
    let result = Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    result
        .status
        .success()
        .then(|| String::from_utf8_lossy(&result.stdout).into_owned())
}
