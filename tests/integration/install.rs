//! `evolver install | uninstall claude|codex`: merged, never clobbered, idempotent.

use serde_json::{Value, json};

use crate::assert_text_snapshot;
use crate::harness::{ACTIVATOR, DETECTOR, Project};

fn json_at(p: &Project, rel: &str) -> Value {
    serde_json::from_str(&p.read(rel)).expect("valid JSON")
}

/// The commands `install` writes: they name no folder of this machine (the settings are
/// committed), find the executable on PATH or in cargo's bin folder, and are silent without it.
const RUN_ACTIVATOR: &str = "p=$(command -v evolver-activator 2>/dev/null) && [ -f \"$p\" ] && [ -x \"$p\" ] && exec \"$p\"; \
     p=\"${CARGO_HOME:-$HOME/.cargo}/bin/evolver-activator\"; [ -f \"$p\" ] && [ -x \"$p\" ] && exec \"$p\"; \
     cat >/dev/null; exit 0";
const RUN_DETECTOR: &str = "p=$(command -v evolver-error-detector 2>/dev/null) && [ -f \"$p\" ] && [ -x \"$p\" ] && exec \"$p\"; \
     p=\"${CARGO_HOME:-$HOME/.cargo}/bin/evolver-error-detector\"; [ -f \"$p\" ] && [ -x \"$p\" ] && exec \"$p\"; \
     cat >/dev/null; exit 0";

fn dir_of(exe: &str) -> String {
    std::path::Path::new(exe)
        .parent()
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn claude_gets_the_three_hooks_with_portable_commands() {
    let p = Project::init();
    let out = p.ok(&["install", "claude"]);
    assert!(out.contains("hooks installed in"), "{out}");
    let s = json_at(&p, ".claude/settings.json");
    assert_eq!(
        s,
        json!({"hooks": {
            "UserPromptSubmit": [{"hooks": [{"type": "command", "command": RUN_ACTIVATOR}]}],
            "PostToolUse": [{"matcher": "Bash|Skill", "hooks": [{"type": "command", "command": RUN_DETECTOR}]}],
            "PostToolUseFailure": [{"matcher": "Bash", "hooks": [{"type": "command", "command": RUN_DETECTOR}]}]
        }})
    );
    assert!(!p.read(".claude/settings.json").contains(&dir_of(ACTIVATOR)));
    // Our skill, where Claude Code reads skills, as compiled in.
    assert_eq!(
        p.read(".claude/skills/capability-evolver/SKILL.md"),
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("plugin/skills/capability-evolver/SKILL.md")
        )
        .unwrap()
    );
    assert!(
        !p.path(".claude/settings.json.bak").exists(),
        "no old file, no backup"
    );
}

#[test]
fn codex_gets_its_own_file_and_is_told_about_trust() {
    let p = Project::init();
    // With the binaries on PATH, as after install.sh: no note that the hooks miss them.
    let out = p
        .command(&["install", "codex"])
        .env("PATH", format!("{}:/usr/bin:/bin", dir_of(ACTIVATOR)))
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("/hooks"), "{out}");
    assert!(!out.contains("note:"), "{out}");
    let s = json_at(&p, ".codex/hooks.json");
    assert_eq!(
        s,
        json!({"hooks": {
            "UserPromptSubmit": [{"hooks": [{"type": "command", "command": RUN_ACTIVATOR}]}],
            "PostToolUse": [{"matcher": "^Bash$", "hooks": [{"type": "command", "command": RUN_DETECTOR}]}]
        }})
    );
    assert!(!p.path(".claude").exists());
    assert_text_snapshot!(p, out.replace(&dir_of(ACTIVATOR), "[BIN]"));
}

const THEIRS: &str = r#"{
    "model": "opus",
    "permissions": {
        "allow": ["Bash(npm test)"]
    },
    "hooks": {
        "PostToolUse": [
            {
                "matcher": "Edit",
                "hooks": [{"type": "command", "command": "prettier --write"}]
            }
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]
    },
    "zeta": true
}
"#;

#[test]
fn a_merge_keeps_every_other_key_hook_order_and_indentation() {
    let p = Project::init();
    p.write(".claude/settings.json", THEIRS);
    let out = p.ok(&["install", "claude"]);
    assert!(out.contains("previous version kept in"), "{out}");
    assert_eq!(p.read(".claude/settings.json.bak"), THEIRS);
    let text = p.read(".claude/settings.json");
    assert!(
        text.contains("\n    \"model\": \"opus\",\n"),
        "four-space indent kept:\n{text}"
    );
    let s: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["model", "permissions", "hooks", "zeta"]);
    let events: Vec<&String> = s["hooks"].as_object().unwrap().keys().collect();
    assert_eq!(
        events,
        [
            "PostToolUse",
            "Stop",
            "UserPromptSubmit",
            "PostToolUseFailure"
        ]
    );
    let post = s["hooks"]["PostToolUse"].as_array().unwrap();
    assert_eq!(post.len(), 2);
    assert_eq!(post[0]["matcher"], "Edit", "theirs first, untouched");
    assert_eq!(post[1]["hooks"][0]["command"], RUN_DETECTOR);
    assert_eq!(
        s["hooks"]["Stop"][0]["hooks"][0]["command"],
        "notify-send done"
    );

    // Uninstall gives back exactly what was there.
    p.ok(&["uninstall", "claude"]);
    let back: Value = serde_json::from_str(&p.read(".claude/settings.json")).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(THEIRS).unwrap());
}

#[test]
fn install_twice_is_install_once() {
    let p = Project::init();
    p.write(".claude/settings.json", THEIRS);
    p.ok(&["install", "claude"]);
    let once = p.read(".claude/settings.json");
    let bak = p.read(".claude/settings.json.bak");
    let out = p.ok(&["install", "claude"]);
    assert!(out.contains("already"), "{out}");
    assert_eq!(p.read(".claude/settings.json"), once);
    assert_eq!(
        p.read(".claude/settings.json.bak"),
        bak,
        "the backup is of the user's file"
    );
}

#[test]
fn an_install_with_absolute_paths_is_upgraded_in_place() {
    let p = Project::init();
    p.write(
        ".claude/settings.json",
        r#"{"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": "/old/bin/evolver-activator"}, {"type": "command", "command": "mine"}]}]}}"#,
    );
    p.ok(&["install", "claude"]);
    let s = json_at(&p, ".claude/settings.json");
    let groups = s["hooks"]["UserPromptSubmit"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(
        groups[0]["hooks"],
        json!([{"type": "command", "command": "mine"}])
    );
    assert_eq!(groups[1]["hooks"][0]["command"], RUN_ACTIVATOR);
    assert!(!p.read(".claude/settings.json").contains("/old/bin"));
    // And the upgraded file is what a fresh install would say: a second run changes nothing.
    assert!(p.ok(&["install", "claude"]).contains("already"));
}

#[test]
fn a_settings_file_that_is_not_json_is_left_alone() {
    let p = Project::init();
    for bad in ["{\"hooks\": {", "// comment\n{}", "[1]", "{\"hooks\": []}"] {
        p.write(".claude/settings.json", bad);
        let err = p.fails(&["install", "claude"], 1);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
        assert_eq!(p.read(".claude/settings.json"), bad);
        assert!(!p.path(".claude/settings.json.bak").exists());
    }
}

#[test]
fn uninstall_without_our_hooks_changes_nothing() {
    let p = Project::init();
    p.write(".codex/hooks.json", THEIRS);
    let out = p.ok(&["uninstall", "codex"]);
    assert!(out.contains("no evolver hooks"), "{out}");
    assert_eq!(p.read(".codex/hooks.json"), THEIRS);
    p.ok(&["uninstall", "claude"]);
    assert!(!p.path(".claude").exists());
}

#[test]
fn global_goes_to_the_home_folder() {
    let p = Project::init();
    let home = tempfile::tempdir().unwrap();
    let out = p
        .command(&["install", "claude", "--global"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(home.path().join(".claude/settings.json").is_file());
    assert!(!p.path(".claude").exists());
}

#[test]
fn the_examples_in_hooks_are_what_install_writes() {
    for (agent, file, example) in [
        (
            "claude",
            ".claude/settings.json",
            "hooks/claude/settings.json",
        ),
        ("codex", ".codex/hooks.json", "hooks/codex/hooks.json"),
    ] {
        let p = Project::init();
        p.ok(&["install", agent]);
        let written = p.read(file);
        let example =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(example))
                .unwrap();
        assert_eq!(written, example, "{agent}");
    }
}

#[test]
fn install_refuses_without_the_hook_binaries_beside_it() {
    let p = Project::init();
    let lonely = tempfile::tempdir().unwrap();
    let exe = lonely.path().join("evolver");
    std::fs::copy(crate::harness::EVOLVER, &exe).unwrap();
    let out = crate::harness::output_of_fresh_copy(
        std::process::Command::new(&exe)
            .args(["install", "claude"])
            .current_dir(p.root()),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("evolver-activator is not in") && err.contains("install.sh"),
        "{err}"
    );
    assert!(!p.path(".claude").exists());
}

#[test]
fn regression_a_quote_in_the_install_path_broke_idempotence_and_uninstall() {
    let p = Project::init();
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("it's bin");
    std::fs::create_dir(&bin).unwrap();
    for exe in [crate::harness::EVOLVER, ACTIVATOR, DETECTOR] {
        let name = std::path::Path::new(exe).file_name().unwrap();
        std::fs::copy(exe, bin.join(name)).unwrap();
    }
    let run = |args: &[&str]| {
        let out = crate::harness::output_of_fresh_copy(
            std::process::Command::new(bin.join("evolver"))
                .args(args)
                .current_dir(p.root()),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["install", "claude"]);
    let once = p.read(".claude/settings.json");
    assert!(run(&["install", "claude"]).contains("already"));
    assert_eq!(p.read(".claude/settings.json"), once);
    assert!(!once.contains("it's"), "no folder in the commands: {once}");
    run(&["uninstall", "claude"]);
    assert_eq!(json_at(&p, ".claude/settings.json"), json!({}));
}

#[test]
fn a_symlinked_settings_file_is_written_through_and_its_mode_kept() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::init();
    let dotfiles = tempfile::tempdir().unwrap();
    let real = dotfiles.path().join("settings.json");
    std::fs::write(&real, "{\"env\": {\"ANTHROPIC_API_KEY\": \"x\"}}\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::create_dir_all(p.path(".claude")).unwrap();
    std::os::unix::fs::symlink(&real, p.path(".claude/settings.json")).unwrap();
    p.ok(&["install", "claude"]);
    let link = std::fs::symlink_metadata(p.path(".claude/settings.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link survives");
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(
        s["hooks"]["PostToolUse"][0]["hooks"][0]["command"],
        RUN_DETECTOR
    );
    assert_eq!(s["env"]["ANTHROPIC_API_KEY"], "x");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&real), 0o600);
    assert_eq!(mode(&p.path(".claude/settings.json.bak")), 0o600);
}

#[test]
fn local_writes_the_uncommitted_settings_and_no_shared_file() {
    let p = Project::init();
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(p.root())
        .status()
        .unwrap();
    let out = p.ok(&["install", "claude", "--local"]);
    assert!(out.contains("settings.local.json"), "{out}");
    assert!(out.contains("add it to .gitignore"), "{out}");
    let s = json_at(&p, ".claude/settings.local.json");
    assert_eq!(
        s["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"],
        RUN_ACTIVATOR
    );
    assert!(!p.path(".claude/settings.json").exists());
    assert!(!p.path(".claude/skills").exists(), "{out}");
    // Ignored by git: no advice.
    p.write(".gitignore", ".claude/settings.local.json\n");
    std::fs::remove_file(p.path(".claude/settings.local.json")).unwrap();
    let out = p.ok(&["install", "claude", "--local"]);
    assert!(!out.contains(".gitignore"), "{out}");
    let out = p.ok(&["uninstall", "claude", "--local"]);
    assert!(!out.contains("skill"), "{out}");
    assert_eq!(json_at(&p, ".claude/settings.local.json"), json!({}));
    // Its own keys, in a file git does not see: no backup beside it, which git would see.
    p.write(
        ".claude/settings.local.json",
        r#"{"env": {"API_KEY": "sk-123"}}"#,
    );
    p.ok(&["install", "claude", "--local"]);
    assert!(!p.path(".claude/settings.local.json.bak").exists());
    // Committed by mistake: said how to take it out.
    std::process::Command::new("git")
        .args(["add", "-f", ".claude/settings.local.json"])
        .current_dir(p.root())
        .status()
        .unwrap();
    std::fs::remove_file(p.path(".claude/settings.local.json")).unwrap();
    let out = p.ok(&["install", "claude", "--local"]);
    assert!(out.contains("is committed: `git rm --cached"), "{out}");
    for args in [
        &["install", "codex", "--local"][..],
        &["install", "git", "--local"],
        &["install", "openclaw", "--local"],
    ] {
        let err = p.fails(args, 2);
        assert!(err.contains("--local is for claude"), "{err}");
    }
    let err = p.fails(&["install", "claude", "--local", "--global"], 2);
    assert!(err.contains("--global"), "{err}");
}

/// One machine's binaries: `evolver` and both hooks copied into `HOME/.cargo/bin`.
fn machine_with_binaries(home: &std::path::Path) -> std::path::PathBuf {
    let bin = home.join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    for exe in [crate::harness::EVOLVER, ACTIVATOR, DETECTOR] {
        let name = std::path::Path::new(exe).file_name().unwrap();
        std::fs::copy(exe, bin.join(name)).unwrap();
    }
    bin
}

/// Runs a hook command from a settings file as the agents do (through `sh -c`, the payload on
/// stdin), with only `HOME` and `PATH` from the machine. A copied binary can be briefly busy
/// (another test's fork may still hold it open for writing): then it runs again.
fn run_hook(
    p: &Project,
    command: &str,
    home: &std::path::Path,
    path: &str,
) -> std::process::Output {
    for _ in 0..100 {
        let out = run_hook_once(p, command, home, path);
        if !String::from_utf8_lossy(&out.stderr).contains("Text file busy") {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the copied hook stayed busy");
}

fn run_hook_once(
    p: &Project,
    command: &str,
    home: &std::path::Path,
    path: &str,
) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new("sh")
        .args(["-c", command])
        .current_dir(p.root())
        .env_clear()
        .env("HOME", home)
        .env("PATH", path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let payload = json!({"hook_event_name": "UserPromptSubmit", "session_id": "s", "cwd": p.root(), "prompt": "how do I run the steps"});
    let _ = child
        .stdin
        .take()
        .unwrap()
        .write_all(payload.to_string().as_bytes());
    child.wait_with_output().unwrap()
}

#[test]
fn settings_written_on_one_machine_work_unchanged_on_another() {
    // A project with one lesson, "Run the steps from the project root".
    let p = crate::e2e::project();
    let a = tempfile::tempdir().unwrap();
    let a_bin = machine_with_binaries(a.path());
    // Installed on machine A, from A's cargo bin folder.
    let out = crate::harness::output_of_fresh_copy(
        std::process::Command::new(a_bin.join("evolver"))
            .args(["install", "claude"])
            .current_dir(p.root())
            .env("HOME", a.path())
            .env_remove("CARGO_HOME"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("note:"));
    let text = p.read(".claude/settings.json");
    assert!(!text.contains(&a.path().display().to_string()), "{text}");
    let s: Value = serde_json::from_str(&text).unwrap();
    let command = s["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"]
        .as_str()
        .unwrap()
        .to_owned();
    let system = "/usr/local/bin:/usr/bin:/bin";

    // Machine B: another home, binaries in its own ~/.cargo/bin, not on PATH.
    let b = tempfile::tempdir().unwrap();
    machine_with_binaries(b.path());
    drop(a);
    let out = run_hook(&p, &command, b.path(), system);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("evolver: "),
        "the activator ran on B: {stdout}"
    );
    assert!(
        stdout.contains("Run the steps from the project root"),
        "{stdout}"
    );

    // Machine C: the binaries on PATH under another install root, nothing in ~/.cargo.
    let c = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let c_bin = machine_with_binaries(root.path());
    let out = run_hook(
        &p,
        &command,
        c.path(),
        &format!("{}:{system}", c_bin.display()),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("evolver: "));

    // A teammate without the binaries: nothing at all, exit 0.
    let d = tempfile::tempdir().unwrap();
    let out = run_hook(&p, &command, d.path(), system);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

#[test]
fn install_says_when_the_hooks_would_not_find_the_binaries() {
    let p = Project::init();
    let home = tempfile::tempdir().unwrap();
    let out = p
        .command(&["install", "claude"])
        .env("HOME", home.path())
        .env_remove("CARGO_HOME")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("note: the hooks run evolver-activator from PATH or ~/.cargo/bin")
            && stdout.contains(&dir_of(ACTIVATOR)),
        "{stdout}"
    );
    let out = p
        .command(&["install", "claude"])
        .env("HOME", home.path())
        .env("PATH", format!("{}:/usr/bin:/bin", dir_of(ACTIVATOR)))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("note:"));
}

#[test]
fn install_warns_when_the_plugin_already_runs_the_hooks() {
    let p = Project::init();
    let home = tempfile::tempdir().unwrap();
    let install = |agent: &str| {
        let out = p
            .command(&["install", agent])
            .env("HOME", home.path())
            .env_remove("CODEX_HOME")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(!install("claude").contains("plugin"));
    std::fs::create_dir_all(home.path().join(".claude")).unwrap();
    std::fs::write(
        home.path().join(".claude/settings.json"),
        r#"{"enabledPlugins": {"capability-evolver@capability-evolver": true}}"#,
    )
    .unwrap();
    assert!(install("claude").contains("plugin is enabled in this agent too"));
    std::fs::create_dir_all(home.path().join(".codex")).unwrap();
    std::fs::write(
        home.path().join(".codex/config.toml"),
        "[plugins.\"capability-evolver@capability-evolver\"]\nenabled = true\n",
    )
    .unwrap();
    assert!(install("codex").contains("plugin is enabled in this agent too"));
}

#[test]
fn hooks_wired_by_another_form_of_our_command_are_replaced_not_doubled() {
    let p = Project::init();
    let edited =
        "command -v evolver-activator >/dev/null 2>&1 && exec evolver-activator; cat >/dev/null";
    p.write(
        ".claude/settings.json",
        json!({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": edited}]}]}}).to_string(),
    );
    p.ok(&["install", "claude"]);
    let s = json_at(&p, ".claude/settings.json");
    let groups = s["hooks"]["UserPromptSubmit"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{s}");
    assert_eq!(groups[0]["hooks"][0]["command"], RUN_ACTIVATOR);
    p.ok(&["uninstall", "claude"]);
    assert_eq!(json_at(&p, ".claude/settings.json"), json!({}));
}

#[test]
fn install_names_the_other_files_and_copies_the_hooks_would_meet() {
    let p = Project::init();
    let home = tempfile::tempdir().unwrap();
    // An older install in the user's settings, by absolute path.
    std::fs::create_dir_all(home.path().join(".claude")).unwrap();
    std::fs::write(
        home.path().join(".claude/settings.json"),
        json!({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": "/old/bin/evolver-activator"}]}]}}).to_string(),
    )
    .unwrap();
    // Another copy of the activator, first on PATH.
    let other = tempfile::tempdir().unwrap();
    crate::harness::script(&other.path().join("evolver-activator"), "#!/bin/sh\n");
    let out = p
        .command(&["install", "claude"])
        .env("HOME", home.path())
        .env(
            "PATH",
            format!(
                "{}:{}:/usr/bin:/bin",
                other.path().display(),
                dir_of(ACTIVATOR)
            ),
        )
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.contains(&format!(
            "note: the hooks will run {}/evolver-activator, found before",
            other.path().display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "note: {}/.claude/settings.json runs the hooks by an older command",
            home.path().display()
        )),
        "{out}"
    );
    // The same command in both files is no note: the agent runs it once.
    let out = p
        .command(&["install", "claude", "--global"])
        .env("HOME", home.path())
        .env("PATH", format!("{}:/usr/bin:/bin", dir_of(ACTIVATOR)))
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("note:"));
}

#[test]
fn codex_global_follows_codex_home() {
    let p = Project::init();
    let home = tempfile::tempdir().unwrap();
    let codex_home = tempfile::tempdir().unwrap();
    let out = p
        .command(&["install", "codex", "--global"])
        .env("HOME", home.path())
        .env("CODEX_HOME", codex_home.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(codex_home.path().join("hooks.json").is_file());
    assert!(!home.path().join(".codex").exists());
    // Codex's user skills folder is still ~/.agents/skills.
    assert!(
        home.path()
            .join(".agents/skills/capability-evolver/SKILL.md")
            .is_file()
    );
}
