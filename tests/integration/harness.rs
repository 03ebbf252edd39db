//! A throwaway project per test, and `evolver` run inside it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const EVOLVER: &str = env!("CARGO_BIN_EXE_evolver");

pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// An empty project folder (with `.git`, so it is its own root).
    pub fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join(".git")).expect(".git");
        Project { dir }
    }

    /// A project with `.learnings/` initialised.
    pub fn init() -> Project {
        let p = Project::new();
        p.ok(&["init"]);
        p
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect(rel)
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, bytes).unwrap();
    }

    /// `evolver ARGS` in the project root, with the variables that move the root unset.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(EVOLVER);
        cmd.args(args)
            .current_dir(self.root())
            .env_remove("EVOLVER_ROOT")
            .env_remove("CLAUDE_PROJECT_DIR");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run evolver")
    }

    /// Runs and asserts exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "evolver {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs and asserts the exit code; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "evolver {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }

    /// Every file under `.learnings/` with its bytes, to show that nothing changed.
    pub fn snapshot_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        let dir = self.path(".learnings");
        if let Ok(read) = std::fs::read_dir(&dir) {
            for e in read.flatten() {
                if e.path().is_file() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    files.push((name, std::fs::read(e.path()).unwrap()));
                }
            }
        }
        files.sort();
        files
    }
}

/// Replaces what changes from run to run (dates, times, temporary paths) in user-visible
/// text, so snapshots show exactly what a user sees.
#[macro_export]
macro_rules! assert_text_snapshot {
    ($project:expr, $value:expr) => {{
        let root = $project.root().display().to_string();
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(&regex::escape(&root), "[ROOT]");
        settings.add_filter(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[TIME]");
        settings.add_filter(r"\d{4}-\d{2}-\d{2}", "[DAY]");
        settings.add_filter(r"(LRN|ERR|FEAT)-\d{8}-", "$1-[DATE]-");
        settings.bind(|| insta::assert_snapshot!($value));
    }};
}
