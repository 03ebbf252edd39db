//! `evolver install git`: the merge driver registered with git. Two places hold it: lines in
//! the project's `.gitattributes` (committed, so the whole team's git knows which files the
//! driver merges) and a `merge.evolver` section in the repository's own git config (not
//! committed: each clone says where its `evolver` is). Both are written only when missing,
//! and uninstall takes out exactly those lines and that section.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// The driver's name in `.gitattributes` and git's config.
pub const DRIVER: &str = "evolver";

const COMMENT: &str = "# evolver: .learnings/ merges entry by entry (evolver install git)";

/// The files the driver merges, as `.gitattributes` names them from the project root.
pub const FILES: [&str; 4] = [
    ".learnings/LEARNINGS.md",
    ".learnings/ERRORS.md",
    ".learnings/FEATURE_REQUESTS.md",
    ".learnings/events.jsonl",
];

/// The lines install adds to `.gitattributes`.
fn attribute_lines() -> Vec<String> {
    std::iter::once(COMMENT.to_owned())
        .chain(FILES.iter().map(|f| format!("{f} merge={DRIVER}")))
        .collect()
}

/// What install or uninstall changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub attributes: bool,
    pub config: bool,
    pub attributes_path: PathBuf,
}

fn git(root: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| Error::Refused(format!("cannot run git ({e}); is git installed?")))
}

/// Whether `root` is inside a git repository (and git is there to say so).
pub fn in_repository(root: &Path) -> bool {
    git(root, &["rev-parse", "--git-dir"]).is_ok_and(|o| o.status.success())
}

/// How git sees `file` (relative to `root`), for a file that must stay out of commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// No repository, or the file is ignored: nothing to say.
    Out,
    /// Neither ignored nor committed: the next `git add .` takes it.
    Unignored,
    /// Already committed.
    Committed,
}

pub fn kept(root: &Path, file: &str) -> Kept {
    if !in_repository(root) {
        return Kept::Out;
    }
    let tracked =
        git(root, &["ls-files", "--error-unmatch", "--", file]).is_ok_and(|o| o.status.success());
    if tracked {
        return Kept::Committed;
    }
    let ignored = git(root, &["check-ignore", "-q", "--", file]).is_ok_and(|o| o.status.success());
    if ignored { Kept::Out } else { Kept::Unignored }
}

fn check_repository(root: &Path) -> Result<()> {
    let out = git(root, &["rev-parse", "--git-dir"])?;
    if !out.status.success() {
        return Err(Error::Refused(format!(
            "{} is not in a git repository; run `git init` first",
            root.display()
        )));
    }
    Ok(())
}

/// The driver command git runs, with `evolver` given by its full path (git's config is not
/// shared, so the path of this machine belongs there).
fn command(evolver: &Path) -> String {
    let path = evolver.to_string_lossy();
    let quoted = if path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+".contains(&b))
    {
        path.into_owned()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    };
    format!("{quoted} merge-driver %O %A %B %P")
}

fn config_get(root: &Path, key: &str) -> Result<Option<String>> {
    let out = git(root, &["config", "--local", "--get", key])?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim_end().to_owned()))
}

fn config_set(root: &Path, key: &str, value: &str) -> Result<()> {
    let out = git(root, &["config", "--local", key, value])?;
    if !out.status.success() {
        return Err(Error::Refused(format!(
            "git config {key} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Whether both halves are in place.
pub fn installed(root: &Path) -> bool {
    let attrs = fs_err::read_to_string(root.join(".gitattributes")).unwrap_or_default();
    let has_lines = attribute_lines()
        .iter()
        .all(|l| attrs.lines().any(|x| x == l));
    has_lines
        && matches!(
            config_get(root, &format!("merge.{DRIVER}.driver")),
            Ok(Some(_))
        )
}

/// Registers the driver for the project at `root`; `evolver` is the binary git will run.
pub fn install(root: &Path, evolver: &Path) -> Result<Changed> {
    check_repository(root)?;
    let path = root.join(".gitattributes");
    let old = match fs_err::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e.into()),
    };
    let missing: Vec<String> = attribute_lines()
        .into_iter()
        .filter(|l| !old.lines().any(|x| x == l))
        .collect();
    let attributes = !missing.is_empty();
    if attributes {
        let mut text = old.clone();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        for l in &missing {
            text.push_str(l);
            text.push('\n');
        }
        crate::store::write_atomic(&path, text.as_bytes())?;
    }
    let key = format!("merge.{DRIVER}.driver");
    let wanted = command(evolver);
    let config = config_get(root, &key)?.as_deref() != Some(wanted.as_str());
    if config {
        config_set(
            root,
            &format!("merge.{DRIVER}.name"),
            "evolver: .learnings/ entry by entry",
        )?;
        config_set(root, &key, &wanted)?;
    }
    Ok(Changed {
        attributes,
        config,
        attributes_path: path,
    })
}

/// Takes out the lines and the config section install added.
pub fn uninstall(root: &Path) -> Result<Changed> {
    check_repository(root)?;
    let path = root.join(".gitattributes");
    let ours = attribute_lines();
    let mut attributes = false;
    if let Ok(old) = fs_err::read_to_string(&path) {
        // Line by line with each line's own ending, so a CRLF file stays CRLF.
        let kept: String = old
            .split_inclusive('\n')
            .filter(|l| !ours.iter().any(|o| o == l.trim_end_matches(['\n', '\r'])))
            .collect();
        if kept.len() != old.len() {
            attributes = true;
            if kept.is_empty() {
                fs_err::remove_file(&path)?;
            } else {
                crate::store::write_atomic(&path, kept.as_bytes())?;
            }
        }
    }
    // Only the two keys install sets: anything else a person put in the section stays.
    let mut config = false;
    for key in ["driver", "name"] {
        let key = format!("merge.{DRIVER}.{key}");
        if config_get(root, &key)?.is_some() {
            git(root, &["config", "--local", "--unset", &key])?;
            config = true;
        }
    }
    Ok(Changed {
        attributes,
        config,
        attributes_path: path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_driver_path_is_quoted_for_the_shell_only_when_it_needs_it() {
        assert_eq!(
            command(Path::new("/home/a/.cargo/bin/evolver")),
            "/home/a/.cargo/bin/evolver merge-driver %O %A %B %P"
        );
        assert_eq!(
            command(Path::new("/My Tools/it's/evolver")),
            r"'/My Tools/it'\''s/evolver' merge-driver %O %A %B %P"
        );
    }
}
