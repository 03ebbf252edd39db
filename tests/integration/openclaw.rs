//! OpenClaw: the envelope our plugin sends, read by both binaries; `evolver install openclaw`
//! with and without `openclaw` on PATH; and the plugin's own tests under Node.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::harness::{ACTIVATOR, DETECTOR, EVOLVER, Project, script};

/// The envelope for one `exec` call, as `hooks/openclaw/evolver.js` builds it.
fn exec_envelope(
    p: &Project,
    command: &str,
    exit_code: Option<i64>,
    error: Option<&str>,
) -> String {
    let mut e = json!({
        "agent": "openclaw",
        "hook_event_name": "after_tool_call",
        "session_id": "87609150-2cd3-42b7-bd6d-c1311890d496",
        "session_key": "agent:main:main",
        "tool_name": "exec",
        "tool_use_id": "call_0",
        "tool_input": {"command": command},
        "tool_response": "ls: cannot access '/nope': No such file or directory\n\n(Command exited with code 2)",
        "cwd": p.root().display().to_string(),
    });
    if let Some(code) = exit_code {
        e["exit_code"] = code.into();
    }
    if let Some(error) = error {
        e["error"] = error.into();
        e["tool_response"] = "Command timed out after 1 seconds.".into();
    }
    e.to_string()
}

#[test]
fn the_detector_reads_the_envelope() {
    let p = Project::new();
    let out = p.hook(DETECTOR, exec_envelope(&p, "ls /nope", Some(2), None));
    assert!(out.status.success());
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        reply["hookSpecificOutput"]["hookEventName"],
        "after_tool_call"
    );
    let errors = p.read(".learnings/ERRORS.md");
    assert!(
        errors.contains("`ls /nope` exited with code 2\n"),
        "{errors}"
    );
    assert!(errors.contains("- Agent: openclaw\n"), "{errors}");
    assert!(errors.contains("- Session: 87609150-"), "{errors}");

    let quiet = Project::new();
    let out = quiet.hook(DETECTOR, exec_envelope(&quiet, "ls /", Some(0), None));
    assert!(out.status.success() && out.stdout.is_empty());
    assert!(
        !quiet.path(".learnings").exists(),
        "a success writes nothing"
    );
}

#[test]
fn a_tool_that_failed_by_itself_is_logged_with_its_reason() {
    let p = Project::new();
    let out = p.hook(
        DETECTOR,
        exec_envelope(&p, "sleep 5", None, Some("timed out")),
    );
    assert!(out.status.success() && !out.stdout.is_empty());
    let errors = p.read(".learnings/ERRORS.md");
    assert!(errors.contains("`sleep 5` failed: timed out\n"), "{errors}");
    assert!(
        errors.contains("```\nCommand timed out after 1 seconds.\n```"),
        "{errors}"
    );
    assert!(
        errors.contains("The tool failed before the command could finish"),
        "{errors}"
    );
    assert!(!errors.contains("could not be started"), "{errors}");
}

#[test]
fn the_activator_reads_the_envelope_and_the_bootstrap_event() {
    let p = Project::init();
    p.ok(&[
        "log",
        "learning",
        "--summary",
        "Use ripgrep for searching the tree",
    ]);
    let prompt = json!({"agent": "openclaw", "hook_event_name": "before_prompt_build",
        "prompt": "searching the tree with ripgrep", "cwd": p.root().display().to_string()});
    let out = String::from_utf8(p.hook(ACTIVATOR, prompt.to_string()).stdout).unwrap();
    assert!(out.starts_with("evolver: "), "{out}");
    assert!(out.contains("Use ripgrep"), "{out}");

    let boot = json!({"agent": "openclaw", "hook_event_name": "agent:bootstrap",
        "cwd": p.root().display().to_string(), "session_key": "agent:main:main"});
    let out = String::from_utf8(p.hook(ACTIVATOR, boot.to_string()).stdout).unwrap();
    assert!(out.starts_with("evolver: "), "{out}");
    assert!(out.contains("1 pending"), "{out}");
    assert!(!out.contains("Use ripgrep"), "no prompt, no lessons: {out}");

    // Only our plugin sends that event.
    let claude =
        json!({"hook_event_name": "agent:bootstrap", "cwd": p.root().display().to_string()});
    assert!(p.hook(ACTIVATOR, claude.to_string()).stdout.is_empty());
}

/// `evolver` with HOME in `home` and PATH of `path` only.
fn evolver(home: &Path, path: &str, args: &[&str]) -> std::process::Output {
    Command::new(EVOLVER)
        .args(args)
        .current_dir(home)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env("PATH", path)
        .output()
        .expect("run evolver")
}

fn text(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn install_without_openclaw_writes_the_folder_and_prints_the_commands() {
    let home = tempfile::tempdir().unwrap();
    let out = text(&evolver(
        home.path(),
        "/usr/bin:/bin",
        &["install", "openclaw"],
    ));
    let dir = home.path().join(".local/share/evolver/openclaw");
    assert!(
        out.contains(&format!("OpenClaw plugin written to {}", dir.display())),
        "{out}"
    );
    assert!(out.contains("openclaw is not on PATH"), "{out}");
    let lines = [
        format!("openclaw plugins install -l {} --force --accept-capabilities", dir.display()),
        "openclaw config set plugins.entries.evolver.hooks.allowConversationAccess true --strict-json".to_owned(),
        format!("openclaw plugins install -l {}/hook --force", dir.display()),
        "openclaw hooks enable evolver-reminder".to_owned(),
    ];
    for line in &lines {
        assert!(out.contains(&format!("{line}\n")), "{line} in {out}");
    }
    assert_eq!(
        files(&dir),
        [
            "bin.json",
            "evolver.js",
            "hook/HOOK.md",
            "hook/handler.js",
            "index.js",
            "openclaw.plugin.json",
            "package.json"
        ]
    );
    let bin: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("bin.json")).unwrap()).unwrap();
    assert_eq!(
        bin["binDir"],
        Path::new(EVOLVER).parent().unwrap().display().to_string()
    );
    // The files are the repository's.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/openclaw");
    for rel in files(&repo) {
        assert_eq!(
            std::fs::read(dir.join(&rel)).unwrap(),
            std::fs::read(repo.join(&rel)).unwrap(),
            "{rel}"
        );
    }

    let again = text(&evolver(
        home.path(),
        "/usr/bin:/bin",
        &["install", "openclaw"],
    ));
    assert!(again.contains("OpenClaw plugin already in"), "{again}");

    std::fs::write(dir.join("notes.md"), "mine").unwrap();
    let out = text(&evolver(
        home.path(),
        "/usr/bin:/bin",
        &["uninstall", "openclaw"],
    ));
    assert!(
        out.contains("openclaw plugins uninstall evolver --force --keep-files\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "take {}/hook out of hooks.internal.load.extraDirs",
            dir.display()
        )),
        "{out}"
    );
    assert!(out.contains("OpenClaw plugin removed from"), "{out}");
    assert_eq!(files(&dir), ["notes.md"], "only ours is removed");
    let out = text(&evolver(
        home.path(),
        "/usr/bin:/bin",
        &["uninstall", "openclaw"],
    ));
    assert!(out.contains("no OpenClaw plugin in"), "{out}");
}

#[test]
fn install_takes_a_path_and_xdg_data_home() {
    let home = tempfile::tempdir().unwrap();
    text(&evolver(
        home.path(),
        "/usr/bin:/bin",
        &["install", "openclaw", "--path", "plug"],
    ));
    assert!(home.path().join("plug/index.js").is_file());
    let xdg = home.path().join("data");
    let out = Command::new(EVOLVER)
        .args(["install", "openclaw"])
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &xdg)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    text(&out);
    assert!(xdg.join("evolver/openclaw/index.js").is_file());
    let wrong = evolver(
        home.path(),
        "/usr/bin:/bin",
        &["install", "claude", "--path", "x"],
    );
    assert_eq!(wrong.status.code(), Some(2));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--path is for openclaw"), "{err}");
}

/// A stand-in `openclaw` that records its arguments, one call a line, and answers
/// `config get hooks.internal.load.extraDirs --json` with `extra_dirs`.
fn fake_openclaw(bin: &Path, log: &Path, extra_dirs: &str) {
    let text = format!(
        "#!/bin/sh\necho \"$*\" >> '{log}'\nif [ \"$1 $2\" = 'config get' ]; then echo '{extra_dirs}'; fi\n",
        log = log.display()
    );
    script(&bin.join("openclaw"), &text);
}

#[test]
fn install_registers_with_openclaw_and_uninstall_takes_out_only_ours() {
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin");
    let log = home.path().join("calls.log");
    let dir = home.path().join(".local/share/evolver/openclaw");
    let hook = format!("{}/hook", dir.display());
    fake_openclaw(&bin, &log, &format!(r#"["/theirs", "{hook}"]"#));
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let out = text(&evolver(home.path(), &path, &["install", "openclaw"]));
    assert!(out.contains("registered with openclaw"), "{out}");
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls,
        format!(
            "plugins install -l {d} --force --accept-capabilities\n\
             config set plugins.entries.evolver.hooks.allowConversationAccess true --strict-json\n\
             plugins install -l {hook} --force\n\
             hooks enable evolver-reminder\n",
            d = dir.display()
        )
    );
    std::fs::remove_file(&log).unwrap();
    text(&evolver(home.path(), &path, &["uninstall", "openclaw"]));
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls,
        "plugins uninstall evolver --force --keep-files\n\
         config unset plugins.entries.evolver\n\
         config unset hooks.internal.entries.evolver-reminder\n\
         config get hooks.internal.load.extraDirs --json\n\
         config set hooks.internal.load.extraDirs [\"/theirs\"] --strict-json\n"
    );
    assert!(!dir.exists());
}

#[test]
fn a_failing_openclaw_command_is_one_line_and_exit_1() {
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin");
    script(
        &bin.join("openclaw"),
        "#!/bin/sh\necho 'Install cancelled; rerun with --force' >&2\nexit 1\n",
    );
    let out = evolver(
        home.path(),
        &format!("{}:/usr/bin:/bin", bin.display()),
        &["install", "openclaw"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("`openclaw plugins install -l"), "{err}");
    assert!(
        err.contains("Install cancelled; rerun with --force"),
        "{err}"
    );
}

/// `node` on PATH, or `None` after saying so (a failure under `EVOLVER_E2E=1`).
fn node() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("node"))
            .find(|n| n.is_file())
    });
    let required = std::env::var_os("EVOLVER_E2E").is_some_and(|v| v == "1");
    match (found, required) {
        (Some(node), _) => Some(node),
        (None, true) => panic!("EVOLVER_E2E=1 but node is not on PATH"),
        (None, false) => {
            println!("openclaw plugin tests: skipped, node is not on PATH");
            None
        }
    }
}

#[test]
fn the_plugin_passes_its_node_tests() {
    let Some(node) = node() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(node)
        // TAP, whatever the Node version's default reporter; the file named, not its folder.
        .args(["--test", "--test-reporter=tap"])
        .arg(root.join("tests/openclaw/plugin.test.mjs"))
        .env("EVOLVER_TEST_BIN_DIR", Path::new(EVOLVER).parent().unwrap())
        .env_remove("EVOLVER_BIN_DIR")
        .env_remove("EVOLVER_ROOT")
        .env_remove("CLAUDE_PROJECT_DIR")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run node --test");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Vec<&str> = said.lines().filter(|l| l.starts_with("# ")).collect();
    println!("openclaw plugin tests under node: {}", summary.join(", "));
    assert!(
        said.contains("# fail 0") && said.contains("# skipped 0"),
        "{said}"
    );
}
