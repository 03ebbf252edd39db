//! `evolver install` and `evolver uninstall`: the hooks wired into an agent, and taken out.

use std::io::Write;
use std::path::Path;

use clap::{Args, ValueEnum};

use crate::cli::World;
use crate::error::{Error, Result};
use crate::store::Store;

#[derive(Args, Debug)]
pub(super) struct InstallArgs {
    /// The agent
    #[arg(value_enum)]
    agent: AgentArg,
    /// The settings in your home folder (all projects) instead of this project's
    #[arg(long, conflicts_with = "local")]
    global: bool,
    /// claude: .claude/settings.local.json, your own settings for this project, not committed
    #[arg(long)]
    local: bool,
    /// openclaw: the folder for the plugin (default: ~/.local/share/evolver/openclaw)
    #[arg(long, value_name = "DIR")]
    path: Option<std::path::PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum AgentArg {
    #[value(alias = "claude-code")]
    Claude,
    Codex,
    /// The OpenClaw plugin and internal hook (registered with `openclaw` when it is on PATH)
    #[value(name = "openclaw")]
    OpenClaw,
    /// The merge driver for .learnings/ (.gitattributes and this repository's git config)
    Git,
}

pub(super) fn install(
    store: &Store,
    a: &InstallArgs,
    world: &World,
    out: &mut dyn Write,
    add: bool,
) -> Result<()> {
    use crate::agents::{Change, Target};
    if a.local && !matches!(a.agent, AgentArg::Claude | AgentArg::Codex) {
        return Err(Error::Invalid(
            "--local is for claude: its settings.local.json".into(),
        ));
    }
    let target = match a.agent {
        AgentArg::Claude => Target::Claude,
        AgentArg::Codex => Target::Codex,
        AgentArg::Git => return install_git(store, a, world, out, add),
        AgentArg::OpenClaw => return super::openclaw::install(a.path.as_deref(), world, out, add),
    };
    if a.path.is_some() {
        return Err(Error::Invalid(
            "--path is for openclaw; claude and codex settings go where the agent reads them"
                .into(),
        ));
    }
    let base = if a.global {
        world
            .home
            .clone()
            .ok_or_else(|| Error::Refused("--global needs $HOME to be set".into()))?
    } else {
        store.root().to_owned()
    };
    let file = match (a.local, target) {
        (false, _) => target.file(),
        (true, Target::Claude) => crate::agents::CLAUDE_LOCAL_SETTINGS,
        (true, Target::Codex) => {
            return Err(Error::Invalid(
                "--local is for claude; Codex has no uncommitted project hooks file (--global writes $CODEX_HOME/hooks.json)".into(),
            ));
        }
    };
    let path = match (target, a.global) {
        (Target::Codex, true) => {
            crate::agents::codex_dir(world.home.as_deref(), world.codex_home.as_deref())
                .map_or_else(|| base.join(file), |c| c.join("hooks.json"))
        }
        _ => base.join(file),
    };
    // A file git does not see keeps no backup beside it, which git would see.
    let backup = !a.local;
    let change = if add {
        crate::agents::install(target, &path, bin_dir(world)?, backup)?
    } else {
        crate::agents::uninstall(&path, backup)?
    };
    let verb = if add { "installed in" } else { "removed from" };
    match change {
        Change::Unchanged if add => writeln!(out, "hooks already {verb} {}", path.display())?,
        Change::Unchanged => writeln!(out, "no evolver hooks in {}", path.display())?,
        Change::Written { backup } => {
            writeln!(out, "hooks {verb} {}", path.display())?;
            if let Some(bak) = backup {
                writeln!(out, "previous version kept in {}", bak.display())?;
            }
        }
    }
    if add {
        notes(target, &path, store.root(), world, out)?;
    }
    if a.local && add {
        use crate::merge::git::{Kept, kept};
        match kept(store.root(), file) {
            Kept::Out => {}
            Kept::Unignored => writeln!(
                out,
                "git does not ignore {file}: add it to .gitignore, it is meant for you alone"
            )?,
            Kept::Committed => writeln!(
                out,
                "{file} is committed: `git rm --cached {file}` and add it to .gitignore, it is meant for you alone"
            )?,
        }
    }
    if !a.local {
        skill(&base, target, add, out)?;
    } else if add {
        writeln!(
            out,
            "skill not written with --local (its folder is shared); `evolver install claude` adds it"
        )?;
    }
    if add
        && !a.global
        && crate::merge::git::in_repository(store.root())
        && !crate::merge::git::installed(store.root())
    {
        writeln!(
            out,
            "To merge .learnings/ across branches without conflicts: evolver install git"
        )?;
    }
    if add && target == Target::Codex {
        writeln!(
            out,
            "Codex runs new hooks only after you trust them: open Codex and review them in /hooks."
        )?;
    }
    Ok(())
}

/// What the new hooks will meet on this machine, said as notes: another copy of the binaries
/// found first or none at all, the plugin running them as well, or another settings file
/// running them by an older command.
fn notes(
    target: crate::agents::Target,
    written: &Path,
    root: &Path,
    world: &World,
    out: &mut dyn Write,
) -> Result<()> {
    use crate::agents::ACTIVATOR;
    let bin = bin_dir(world)?;
    match found_by_hooks(world, ACTIVATOR) {
        Some(found) if same_file(&found, &bin.join(ACTIVATOR)) => {}
        Some(found) => writeln!(
            out,
            "note: the hooks will run {}, found before the {} beside this evolver",
            found.display(),
            ACTIVATOR
        )?,
        None => writeln!(
            out,
            "note: the hooks run {ACTIVATOR} from PATH or ~/.cargo/bin, and {} is in neither; add it to the PATH the agent starts with, or the hooks will do nothing",
            bin.display()
        )?,
    }
    let (home, codex_home) = (world.home.as_deref(), world.codex_home.as_deref());
    if crate::agents::plugin_enabled(target, home, codex_home, root) {
        writeln!(
            out,
            "note: the capability-evolver plugin is enabled in this agent too, so every hook would run twice; keep one (disable the plugin, or `evolver uninstall`)"
        )?;
    }
    let others = crate::agents::settings_files(target, home, codex_home, root);
    for other in others {
        if !same_file(&other, written) && crate::agents::runs_ours_differently(&other) {
            writeln!(
                out,
                "note: {} runs the hooks by an older command, so they would run twice; install or uninstall there too",
                other.display()
            )?;
        }
    }
    Ok(())
}

/// The executable the installed command would run: the first regular executable file named
/// `exe` on `PATH`, else the one in cargo's bin folder.
fn found_by_hooks(world: &World, exe: &str) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let runnable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let cargo_bin = world
        .cargo_home
        .clone()
        .or_else(|| world.home.as_ref().map(|h| h.join(".cargo")))
        .map(|c| c.join("bin"));
    world
        .path
        .iter()
        .filter(|d| !d.as_os_str().is_empty())
        .chain(cargo_bin.iter())
        .map(|d| d.join(exe))
        .find(|p| runnable(p))
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Our own skill, put where the agent reads skills, or taken out.
fn skill(
    base: &std::path::Path,
    target: crate::agents::Target,
    add: bool,
    out: &mut dyn Write,
) -> Result<()> {
    use crate::agents::skill::{SkillChange, folder, install_skill, uninstall_skill};
    let path = base.join(folder(target));
    let change = if add {
        install_skill(base, target)?
    } else {
        uninstall_skill(base, target)?
    };
    match change {
        SkillChange::Written { backup } => {
            writeln!(out, "skill written to {}", path.display())?;
            if let Some(bak) = backup {
                writeln!(out, "the SKILL.md it replaced is kept in {}", bak.display())?;
            }
        }
        SkillChange::Unchanged if add => writeln!(out, "skill already in {}", path.display())?,
        SkillChange::Unchanged => {}
        SkillChange::Removed => writeln!(out, "skill removed from {}", path.display())?,
        SkillChange::Restored => writeln!(
            out,
            "the SKILL.md that install replaced is back in {}",
            path.display()
        )?,
        SkillChange::KeptChanged => writeln!(
            out,
            "skill left in {}: it was changed since install; remove it by hand if you want it gone",
            path.display()
        )?,
    }
    Ok(())
}

/// `evolver install git` / `uninstall git`: the merge driver, registered or taken out.
fn install_git(
    store: &Store,
    a: &InstallArgs,
    world: &World,
    out: &mut dyn Write,
    add: bool,
) -> Result<()> {
    if a.global {
        return Err(Error::Refused(
            "the merge driver is registered per repository; run it without --global".into(),
        ));
    }
    let root = store.root();
    let changed = if add {
        let exe = format!("evolver{}", std::env::consts::EXE_SUFFIX);
        crate::merge::git::install(root, &bin_dir(world)?.join(exe))?
    } else {
        crate::merge::git::uninstall(root)?
    };
    let file = changed.attributes_path.display();
    match (add, changed.attributes, changed.config) {
        (true, false, false) => writeln!(out, "the merge driver is already registered")?,
        (true, attrs, config) => {
            if attrs {
                writeln!(out, "merge driver lines added to {file} (commit it)")?;
            }
            if config {
                writeln!(out, "merge driver set in this repository's git config")?;
            }
            writeln!(
                out,
                "Each clone registers it once with `evolver install git`; until then git merges .learnings/ as text."
            )?;
        }
        (false, false, false) => writeln!(out, "no merge driver registered")?,
        (false, attrs, config) => {
            if attrs {
                writeln!(out, "merge driver lines removed from {file}")?;
            }
            if config {
                writeln!(
                    out,
                    "merge driver removed from this repository's git config"
                )?;
            }
        }
    }
    Ok(())
}

/// Where the running `evolver` and the hooks beside it are.
pub(super) fn bin_dir(world: &World) -> Result<&std::path::Path> {
    world.bin_dir.as_deref().ok_or_else(|| {
        Error::Refused("cannot tell where evolver is installed; run it by its full path".into())
    })
}
