//! A throwaway project per test, and `evolver` run inside it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const EVOLVER: &str = env!("CARGO_BIN_EXE_evolver");

/// `evolver ARGS` run in `dir`, with the variables that move the project root unset.
pub fn evolver_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(EVOLVER);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("EVOLVER_ROOT")
        .env_remove("CLAUDE_PROJECT_DIR");
    cmd
}

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
        evolver_in(self.root(), args)
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

pub const ACTIVATOR: &str = env!("CARGO_BIN_EXE_evolver-activator");
pub const DETECTOR: &str = env!("CARGO_BIN_EXE_evolver-error-detector");

/// A file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// The Codex transcript excerpt captured with the payloads.
pub fn transcript() -> PathBuf {
    fixture("payloads/codex-0.169.0/transcript-excerpt.jsonl")
}

impl Project {
    /// A captured payload with its paths moved into this project: `cwd` is the project root
    /// and Codex's `transcript_path` is the captured excerpt.
    pub fn payload(&self, rel: &str) -> String {
        let text = std::fs::read_to_string(fixture(&format!("payloads/{rel}"))).expect(rel);
        let mut value: serde_json::Value = serde_json::from_str(&text).expect("fixture JSON");
        value["cwd"] = self.root().display().to_string().into();
        if rel.starts_with("codex") {
            value["transcript_path"] = transcript().display().to_string().into();
        }
        value.to_string()
    }

    /// Runs a hook executable in the project with `stdin`, with the variables that move the
    /// root or disable the hooks unset.
    pub fn hook(&self, exe: &str, stdin: impl AsRef<[u8]>) -> Output {
        self.hook_with(exe, stdin, &[])
    }

    pub fn hook_with(&self, exe: &str, stdin: impl AsRef<[u8]>, env: &[(&str, &str)]) -> Output {
        use std::io::Write;
        let mut cmd = Command::new(exe);
        cmd.current_dir(self.root())
            .env_remove("EVOLVER_ROOT")
            .env_remove("CLAUDE_PROJECT_DIR")
            .env_remove("EVOLVER_DISABLE")
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("start hook");
        let mut input = child.stdin.take().expect("stdin");
        // The hook may stop reading early; a broken pipe here is its right.
        let _ = input.write_all(stdin.as_ref());
        drop(input);
        child.wait_with_output().expect("hook output")
    }

    /// Every file under the project with its bytes (`.git` aside), to show nothing changed.
    pub fn tree(&self) -> Vec<(String, Vec<u8>)> {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, Vec<u8>)>) {
            let Ok(read) = std::fs::read_dir(dir) else {
                return;
            };
            for e in read.flatten() {
                let path = e.path();
                let rel = path.strip_prefix(base).unwrap().display().to_string();
                if rel == ".git" {
                    continue;
                }
                if path.is_dir() {
                    out.push((format!("{rel}/"), Vec::new()));
                    walk(&path, base, out);
                } else {
                    out.push((rel, std::fs::read(&path).unwrap_or_default()));
                }
            }
        }
        let mut files = Vec::new();
        walk(self.root(), self.root(), &mut files);
        files.sort();
        files
    }

    /// `evolver list --json`, parsed.
    pub fn entries(&self) -> Vec<serde_json::Value> {
        let out = self.ok(&["list", "--json"]);
        serde_json::from_str::<Vec<serde_json::Value>>(&out).expect("list --json")
    }
}

impl Project {
    /// A Claude Code `PostToolUseFailure` payload for `command`, in this project, with the
    /// `error` text as the client sends it (`Exit code N` and the output).
    pub fn failure(&self, command: &str, error: &str) -> String {
        serde_json::json!({
            "session_id": "s", "cwd": self.root(), "hook_event_name": "PostToolUseFailure",
            "tool_name": "Bash", "tool_input": {"command": command},
            "error": error, "is_interrupt": false
        })
        .to_string()
    }
}

/// Runs a program the test has just copied. While the copy is written, another test thread
/// may fork a child that holds the write descriptor until its own exec, and running the copy
/// then fails with "Text file busy" (ETXTBSY). That window is brief, so the run is retried.
pub fn output_of_fresh_copy(command: &mut Command) -> Output {
    const ETXTBSY: i32 = 26;
    for _ in 0..200 {
        match command.output() {
            Err(e) if e.raw_os_error() == Some(ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            result => return result.expect("run the copied program"),
        }
    }
    panic!("the copied program stayed busy for 2 s");
}

/// Writes `text` as an executable script at `path` (its folder made if missing): a stand-in
/// for a program a test puts on PATH.
pub fn script(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("script folder");
    std::fs::write(path, text).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

pub const EXTRACT_SKILL: &str = env!("CARGO_BIN_EXE_extract-skill");

impl Project {
    /// `extract-skill ARGS` in the project root.
    pub fn extract(&self, args: &[&str]) -> Output {
        Command::new(EXTRACT_SKILL)
            .args(args)
            .current_dir(self.root())
            .env_remove("EVOLVER_ROOT")
            .env_remove("CLAUDE_PROJECT_DIR")
            .output()
            .expect("run extract-skill")
    }
}
