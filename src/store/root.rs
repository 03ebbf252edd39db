//! Where the project is: the root that holds `.learnings/` (SPEC 3).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variables that move the project root (SPEC 3).
#[derive(Debug, Clone, Default)]
pub struct RootEnv {
    /// `$EVOLVER_ROOT`
    pub evolver_root: Option<OsString>,
    /// `$CLAUDE_PROJECT_DIR`
    pub claude_project_dir: Option<OsString>,
}

impl RootEnv {
    pub fn from_process() -> RootEnv {
        RootEnv {
            evolver_root: std::env::var_os("EVOLVER_ROOT"),
            claude_project_dir: std::env::var_os("CLAUDE_PROJECT_DIR"),
        }
    }
}

/// The project root: `$EVOLVER_ROOT`; else the nearest ancestor of `start` holding
/// `.learnings/`; else `$CLAUDE_PROJECT_DIR`; else the nearest ancestor holding `.git`; else
/// `start` itself.
pub fn project_root(start: &Path, env: &RootEnv) -> PathBuf {
    let set = |v: &Option<OsString>| v.as_ref().filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(root) = set(&env.evolver_root) {
        return root;
    }
    if let Some(dir) = start.ancestors().find(|d| d.join(".learnings").exists()) {
        return dir.to_owned();
    }
    if let Some(root) = set(&env.claude_project_dir) {
        return root;
    }
    if let Some(dir) = start.ancestors().find(|d| d.join(".git").exists()) {
        return dir.to_owned();
    }
    start.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_resolution_follows_the_spec_order() {
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path();
        let deep = top.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir(top.join(".git")).unwrap();
        let none = RootEnv::default();
        assert_eq!(project_root(&deep, &none), top);

        let claude = RootEnv {
            claude_project_dir: Some("/claude".into()),
            ..RootEnv::default()
        };
        assert_eq!(project_root(&deep, &claude), Path::new("/claude"));

        std::fs::create_dir(top.join("a/.learnings")).unwrap();
        assert_eq!(project_root(&deep, &claude), top.join("a"));

        let explicit = RootEnv {
            evolver_root: Some("/explicit".into()),
            ..claude
        };
        assert_eq!(project_root(&deep, &explicit), Path::new("/explicit"));
        let empty = RootEnv {
            evolver_root: Some("".into()),
            claude_project_dir: Some("".into()),
        };
        let bare = tempfile::tempdir().unwrap();
        assert_eq!(project_root(bare.path(), &empty), bare.path());
    }
}
