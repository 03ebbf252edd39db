//! Our own skill, `capability-evolver`, which teaches an agent the whole workflow. `evolver
//! install claude|codex` puts it where that agent reads skills, and `uninstall` takes it out
//! when it is still as we wrote it.
//!
//! It is compiled in from `plugin/skills/capability-evolver/SKILL.md`, so the binaries need nothing
//! beside them; a test keeps it valid and clear of the security scan.

use std::path::{Path, PathBuf};

use crate::agents::Target;
use crate::error::Result;

/// The skill's name, also its folder's.
pub const NAME: &str = "capability-evolver";
/// Its SKILL.md.
pub const SKILL_MD: &str = include_str!("../../plugin/skills/capability-evolver/SKILL.md");

/// The skill's folder for an agent, relative to the project root or to `$HOME`.
pub fn folder(target: Target) -> PathBuf {
    match target {
        Target::Claude => Path::new(".claude/skills").join(NAME),
        Target::Codex => Path::new(".agents/skills").join(NAME),
    }
}

/// What installing or removing the skill did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkillChange {
    /// Written; the SKILL.md that was there before, when it differed, kept at this path.
    Written {
        backup: Option<PathBuf>,
    },
    /// Already as we write it (install), or not there (uninstall).
    Unchanged,
    Removed,
    /// Uninstall put back the SKILL.md that install had replaced.
    Restored,
    /// Uninstall left it: someone changed it since.
    KeptChanged,
}

/// Writes the skill into `base` (the project root or `$HOME`).
pub fn install_skill(base: &Path, target: Target) -> Result<SkillChange> {
    let dir = base.join(folder(target));
    let path = dir.join("SKILL.md");
    let backup = match fs_err::read(&path) {
        Ok(old) if old == SKILL_MD.as_bytes() => return Ok(SkillChange::Unchanged),
        Ok(old) => {
            // A name no earlier backup has: someone's copy is never overwritten.
            let bak = (0..)
                .map(|n| match n {
                    0 => dir.join("SKILL.md.bak"),
                    n => dir.join(format!("SKILL.md.bak.{n}")),
                })
                .find(|p| !p.exists())
                .expect("a free name");
            fs_err::write(&bak, old)?;
            Some(bak)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    fs_err::create_dir_all(&dir)?;
    let tmp = dir.join(".SKILL.md.evolver-tmp");
    fs_err::write(&tmp, SKILL_MD)?;
    fs_err::rename(&tmp, &path)?;
    Ok(SkillChange::Written { backup })
}

/// Removes the skill from `base` when its SKILL.md is still ours, with the folders it leaves
/// empty (`skills/`, `.agents/`); when install kept a SKILL.md it replaced, that one is put
/// back instead.
pub fn uninstall_skill(base: &Path, target: Target) -> Result<SkillChange> {
    let dir = base.join(folder(target));
    let path = dir.join("SKILL.md");
    match fs_err::read(&path) {
        Ok(old) if old == SKILL_MD.as_bytes() => {
            // The SKILL.md install replaced, if any, goes back where it was.
            let bak = dir.join("SKILL.md.bak");
            if bak.is_file() {
                fs_err::rename(&bak, &path)?;
                return Ok(SkillChange::Restored);
            }
            fs_err::remove_file(&path)?;
            // Only empty folders go: anything else in them is someone's.
            for empty in dir.ancestors().take(3) {
                let _ = std::fs::remove_dir(empty);
            }
            Ok(SkillChange::Removed)
        }
        Ok(_) => Ok(SkillChange::KeptChanged),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SkillChange::Unchanged),
        Err(e) => Err(e.into()),
    }
}
