//! End to end with the real clients: Claude Code and Codex, installed from npm by
//! `tests/e2e/install-clients.sh`, driven by the scripted model server in a temporary project
//! wired by `evolver install`.
//!
//! When the clients are not installed these tests say so and pass, unless `EVOLVER_E2E=1`
//! (as in CI), where a missing client is a failure.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

use crate::harness::Project;
use crate::model_server::ModelServer;

pub(crate) const SCRIPT: &[&str] = &["ls /definitely-missing-dir-xyz", "echo hello"];
pub(crate) const REMINDER: &str = "evolver: Log corrections, errors and feature requests";

/// The folder holding the `claude` and `codex` launchers, or `None` (after saying why) when
/// they are not installed and not required.
pub(crate) fn clients() -> Option<PathBuf> {
    let dir = std::env::var_os("EVOLVER_E2E_CLIENTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-clients/node_modules/.bin"),
        PathBuf::from,
    );
    let present = dir.join("claude").exists() && dir.join("codex").exists();
    let required = std::env::var_os("EVOLVER_E2E").is_some_and(|v| v == "1");
    match (present, required) {
        (true, _) => {
            println!("e2e: clients in {}", dir.display());
            Some(dir)
        }
        (false, true) => panic!(
            "EVOLVER_E2E=1 but no clients in {}; run tests/e2e/install-clients.sh",
            dir.display()
        ),
        (false, false) => {
            println!(
                "e2e: skipped, the clients are not installed (run tests/e2e/install-clients.sh)"
            );
            None
        }
    }
}

/// A PATH with node, the basic tools and our binaries (where the installed hooks find them),
/// nothing of the caller's.
pub(crate) fn path(clients: &std::path::Path) -> String {
    format!("{}:{}", bare_path(clients), bin_dir().display())
}

/// The same without our binaries: a teammate who never installed them.
pub(crate) fn bare_path(clients: &std::path::Path) -> String {
    format!("{}:/usr/local/bin:/usr/bin:/bin", clients.display())
}

/// Where the test build put `evolver` and the hooks.
pub(crate) fn bin_dir() -> PathBuf {
    std::path::Path::new(crate::harness::ACTIVATOR)
        .parent()
        .unwrap()
        .to_owned()
}

pub(crate) fn run(mut cmd: Command) -> Output {
    let out = cmd.output().expect("start the client");
    assert!(
        out.status.success(),
        "client failed: {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// What every client run must show: one ERR entry, for the failing command only, and both
/// hooks' text in the model requests.
pub(crate) fn check(p: &Project, server: &ModelServer) {
    let entries = p.entries();
    let errors: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "err").collect();
    assert_eq!(errors.len(), 1, "{entries:#?}");
    assert_eq!(errors[0]["tail"], "ls");
    assert_eq!(
        errors[0]["summary"],
        "`ls /definitely-missing-dir-xyz` exited with code 2"
    );
    let log = p.read(".learnings/ERRORS.md");
    assert!(!log.contains("echo hello"), "a success is not logged");
    let requests: Vec<String> = server.requests().iter().map(Value::to_string).collect();
    assert!(requests.len() >= 3, "{} requests", requests.len());
    let conversation = |i: usize| {
        let r = &server.requests()[i];
        let items = r.get("messages").or_else(|| r.get("input")).cloned();
        let items = items
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        items
            .iter()
            .map(|m| {
                let t = m.to_string();
                t.chars().take(300).collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        requests[0].contains(REMINDER),
        "activator text in the first request: {}",
        conversation(0)
    );
    let id = errors[0]["id"].as_str().unwrap();
    let logged = format!("Logged {id} (");
    let first = requests.iter().position(|r| r.contains(&logged));
    assert!(
        matches!(first, Some(i) if i >= 1),
        "the detector's context reaches the request after the failure: {first:?}"
    );
}

pub(crate) fn project() -> Project {
    let p = Project::init();
    p.ok(&[
        "log",
        "learning",
        "--summary",
        "Run the steps from the project root",
    ]);
    p
}

/// Runs Claude Code in the project against the server, with the project's hooks.
pub(crate) fn run_claude(clients: &std::path::Path, p: &Project, server: &ModelServer) {
    let home = tempfile::tempdir().unwrap();
    run(claude_session(
        clients,
        home.path(),
        &path(clients),
        p,
        server,
    ));
}

/// `claude -p` in the project against the server, with `home` and `path`.
pub(crate) fn claude_session(
    clients: &std::path::Path,
    home: &std::path::Path,
    path: &str,
    p: &Project,
    server: &ModelServer,
) -> Command {
    let mut cmd = claude(clients, home, path);
    cmd.args(["-p", "run the steps", "--dangerously-skip-permissions"])
        .current_dir(p.root())
        .env(
            "ANTHROPIC_BASE_URL",
            format!("http://127.0.0.1:{}", server.port),
        );
    cmd
}

/// `claude` with nothing of the caller's environment but what it needs: `home`, `path`, a
/// fake key, and the switches that keep it from calling home.
pub(crate) fn claude(clients: &std::path::Path, home: &std::path::Path, path: &str) -> Command {
    let mut cmd = Command::new(clients.join("claude"));
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("ANTHROPIC_API_KEY", "test")
        // Claude Code refuses to skip permissions as root outside a sandbox.
        .env("IS_SANDBOX", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("DISABLE_TELEMETRY", "1")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs Codex in the project against the server, with the project's hooks; returns its
/// home, which holds the session transcripts.
pub(crate) fn run_codex(
    clients: &std::path::Path,
    p: &Project,
    server: &ModelServer,
) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let codex_home = tempfile::tempdir().unwrap();
    let root = p.root().canonicalize().unwrap();
    // Codex runs project hooks only in a trusted project and with hook trust bypassed.
    codex_config(codex_home.path(), server, Some(&root));
    let mut cmd = codex(clients, home.path(), codex_home.path(), &path(clients));
    cmd.args(["exec", "--dangerously-bypass-hook-trust"])
        .args(CODEX_EXEC)
        .current_dir(&root);
    run(cmd);
    codex_home
}

/// What follows `codex exec` (and its hook-trust switch) in every run.
pub(crate) const CODEX_EXEC: &[&str] = &[
    "-s",
    "danger-full-access",
    "--skip-git-repo-check",
    "run the steps",
];

/// Codex's `config.toml`: the scripted server as its model, and `trusted` as a trusted project.
pub(crate) fn codex_config(
    codex_home: &std::path::Path,
    server: &ModelServer,
    trusted: Option<&std::path::Path>,
) {
    let mut text = format!(
        "model = \"gpt-5\"\nmodel_provider = \"mock\"\n\n\
         [model_providers.mock]\nname = \"mock\"\nbase_url = \"http://127.0.0.1:{}/v1\"\n\
         wire_api = \"responses\"\nenv_key = \"MOCK_API_KEY\"\n\
         request_max_retries = 0\nstream_max_retries = 0\n",
        server.port
    );
    if let Some(root) = trusted {
        text.push_str(&format!(
            "\n[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
            root.display()
        ));
    }
    std::fs::write(codex_home.join("config.toml"), text).unwrap();
}

/// `codex` with nothing of the caller's environment but `home`, `codex_home` and `path`.
pub(crate) fn codex(
    clients: &std::path::Path,
    home: &std::path::Path,
    codex_home: &std::path::Path,
    path: &str,
) -> Command {
    let mut cmd = Command::new(clients.join("codex"));
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("CODEX_HOME", codex_home)
        .env("MOCK_API_KEY", "test")
        .stdin(std::process::Stdio::null());
    cmd
}

#[test]
fn claude_code_logs_the_failure_and_both_hooks_reach_the_model() {
    let Some(clients) = clients() else {
        return;
    };
    let p = project();
    p.ok(&["install", "claude"]);
    let server = ModelServer::start(SCRIPT);
    run_claude(&clients, &p, &server);
    check(&p, &server);
}

#[test]
fn codex_logs_the_failure_with_its_exit_code_from_the_transcript() {
    let Some(clients) = clients() else {
        return;
    };
    let p = project();
    let out = p.ok(&["install", "codex"]);
    assert!(out.contains("/hooks"));
    let server = ModelServer::start(SCRIPT);
    let codex_home = run_codex(&clients, &p, &server);
    // Codex's own record agrees with the entry: that exit code came from its transcript.
    let sessions = codex_home.path().join("sessions");
    assert!(sessions.is_dir(), "Codex wrote a transcript");
    check(&p, &server);
}

/// The model runs a command that fails, "fixes" it with another command, and runs the first
/// again, which passes.
const FIX_SCRIPT: &[&str] = &[
    "ls made-by-the-fix",
    "mkdir made-by-the-fix",
    "ls made-by-the-fix",
];

/// What a fix run must show: the ERR entry of the failure records the pass, the fix itself
/// (a different command) changed nothing, and the request after the pass holds the nudge.
fn check_fix(p: &Project, server: &ModelServer) {
    let entries = p.entries();
    let errors: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "err").collect();
    assert_eq!(errors.len(), 1, "{entries:#?}");
    let id = errors[0]["id"].as_str().unwrap();
    let shown = p.ok(&["show", id]);
    assert!(shown.contains("- Passed-After-Failure: "), "{shown}");
    assert!(shown.contains("- Pass-Count: 1\n"), "{shown}");
    assert!(
        !p.read(".learnings/ERRORS.md").contains("mkdir"),
        "the fix is not logged"
    );
    let requests: Vec<String> = server.requests().iter().map(Value::to_string).collect();
    let logged = requests
        .iter()
        .position(|r| r.contains(&format!("Logged {id} (")));
    let nudge = format!("passes now, and failed before ({id})");
    let nudged = requests.iter().position(|r| r.contains(&nudge));
    assert!(
        matches!((logged, nudged), (Some(l), Some(n)) if n > l),
        "the nudge follows the failure: {logged:?} {nudged:?}"
    );
}

#[test]
fn claude_code_asks_for_the_fix_when_the_failed_command_passes() {
    let Some(clients) = clients() else {
        return;
    };
    let p = project();
    p.ok(&["install", "claude"]);
    let server = ModelServer::start(FIX_SCRIPT);
    run_claude(&clients, &p, &server);
    check_fix(&p, &server);
}

#[test]
fn codex_asks_for_the_fix_when_the_failed_command_passes() {
    let Some(clients) = clients() else {
        return;
    };
    let p = project();
    p.ok(&["install", "codex"]);
    let server = ModelServer::start(FIX_SCRIPT);
    run_codex(&clients, &p, &server);
    check_fix(&p, &server);
}
