//! A skill's name and where its folder may be (SPEC 7): the name is what both agents call the
//! skill, and the folder is where `extract-skill` writes, so neither may lead anywhere else.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// The longest name the Agent Skills rules allow.
pub const MAX_NAME: usize = 64;

/// Why `name` is not a skill name (1–64 of `a-z`, `0-9` in hyphen-joined runs), or `None`.
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a skill name may not be empty".into());
    }
    if name.len() > MAX_NAME {
        return Some(format!(
            "a skill name has at most {MAX_NAME} characters; {name:?} has {}",
            name.chars().count()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "a skill name holds only lowercase letters a-z, digits and hyphens; {name:?} holds {c:?}"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some(format!(
            "a skill name may not start or end with a hyphen: {name:?}"
        ));
    }
    if name.contains("--") {
        return Some(format!(
            "a skill name may not hold two hyphens in a row: {name:?}"
        ));
    }
    None
}

/// Checks a name as a usage error.
pub fn check_name(name: &str) -> Result<()> {
    match name_problem(name) {
        Some(problem) => Err(Error::Invalid(problem)),
        None => Ok(()),
    }
}

/// Checks an output folder given on the command line: relative, without `..`, and not in
/// `.learnings/` or `.git/`, whose files a `--force` must never replace.
pub fn check_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Err(Error::Invalid("the output folder may not be empty".into()));
    }
    for part in dir.components() {
        match part {
            Component::Prefix(_) | Component::RootDir => {
                return Err(Error::Invalid(format!(
                    "the output folder must be relative to the project: {}",
                    dir.display()
                )));
            }
            Component::ParentDir => {
                return Err(Error::Invalid(format!(
                    "the output folder may not hold `..`: {}",
                    dir.display()
                )));
            }
            Component::Normal(name) if name == ".learnings" || name == ".git" => {
                return Err(Error::Invalid(format!(
                    "the output folder may not be in {}: {}",
                    name.to_string_lossy(),
                    dir.display()
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// `root/dir/name`, refused when any part of it that exists is a link leading out of the
/// project, or when the skill's own folder is a link at all (a write would land elsewhere).
pub fn skill_folder(root: &Path, dir: &Path, name: &str) -> Result<PathBuf> {
    check_name(name)?;
    check_dir(dir)?;
    let folder = root.join(dir).join(name);
    let real_root = root.canonicalize()?;
    if fs_err::symlink_metadata(&folder).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::Refused(format!(
            "{} is a symbolic link; a skill folder must be a real folder in the project",
            folder.display()
        )));
    }
    let mut at = root.to_path_buf();
    for part in dir.components() {
        at.push(part);
        match at.canonicalize() {
            Ok(real) if !real.starts_with(&real_root) => {
                return Err(Error::Refused(format!(
                    "{} leads to {}, outside the project; choose a folder inside it",
                    at.display(),
                    real.display()
                )));
            }
            Ok(_) => {}
            // A dangling link would be followed by a create.
            Err(_) if fs_err::symlink_metadata(&at).is_ok() => {
                return Err(Error::Refused(format!(
                    "{} is a link to nothing; choose a real folder inside the project",
                    at.display()
                )));
            }
            Err(_) => break,
        }
    }
    Ok(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["a", "pdf", "fix-ci-2", &"a".repeat(64), "0-9"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in [
            "",
            &"a".repeat(65),
            "Pdf",
            "pdf--x",
            "-pdf",
            "pdf-",
            "p_d",
            "p d",
            "ü",
            "../x",
            "a/b",
        ] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn dirs() {
        assert!(check_dir(Path::new("skills")).is_ok());
        assert!(check_dir(Path::new("a/b/./c")).is_ok());
        assert!(check_dir(Path::new("/tmp/x")).is_err());
        assert!(check_dir(Path::new("a/../b")).is_err());
        assert!(check_dir(Path::new("..")).is_err());
        assert!(check_dir(Path::new("")).is_err());
        assert!(check_dir(Path::new(".learnings")).is_err());
        assert!(check_dir(Path::new("a/.git/b")).is_err());
    }
}
