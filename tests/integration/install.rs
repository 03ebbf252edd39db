//! `evolver install | uninstall claude|codex`: merged, never clobbered, idempotent.

use serde_json::{Value, json};

use crate::assert_text_snapshot;
use crate::harness::{ACTIVATOR, DETECTOR, Project};

fn json_at(p: &Project, rel: &str) -> Value {
    serde_json::from_str(&p.read(rel)).expect("valid JSON")
}

fn dir_of(exe: &str) -> String {
    std::path::Path::new(exe)
        .parent()
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn claude_gets_the_three_hooks_with_absolute_paths() {
    let p = Project::init();
    let out = p.ok(&["install", "claude"]);
    assert!(out.contains("hooks installed in"), "{out}");
    let s = json_at(&p, ".claude/settings.json");
    assert_eq!(
        s,
        json!({"hooks": {
            "UserPromptSubmit": [{"hooks": [{"type": "command", "command": ACTIVATOR}]}],
            "PostToolUse": [{"matcher": "Bash|Skill", "hooks": [{"type": "command", "command": DETECTOR}]}],
            "PostToolUseFailure": [{"matcher": "Bash", "hooks": [{"type": "command", "command": DETECTOR}]}]
        }})
    );
    assert!(ACTIVATOR.starts_with('/') && dir_of(ACTIVATOR) == dir_of(DETECTOR));
    // Our skill, where Claude Code reads skills, as compiled in.
    assert_eq!(
        p.read(".claude/skills/capability-evolver/SKILL.md"),
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("skills/capability-evolver/SKILL.md")
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
    let out = p.ok(&["install", "codex"]);
    assert!(out.contains("/hooks"), "{out}");
    let s = json_at(&p, ".codex/hooks.json");
    assert_eq!(
        s,
        json!({"hooks": {
            "UserPromptSubmit": [{"hooks": [{"type": "command", "command": ACTIVATOR}]}],
            "PostToolUse": [{"matcher": "^Bash$", "hooks": [{"type": "command", "command": DETECTOR}]}]
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
    assert_eq!(post[1]["hooks"][0]["command"], DETECTOR);
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
fn a_reinstall_from_another_place_replaces_the_old_paths() {
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
    assert_eq!(groups[1]["hooks"][0]["command"], ACTIVATOR);
    assert!(!p.read(".claude/settings.json").contains("/old/bin"));
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
        let written = p
            .read(file)
            .replace(&dir_of(ACTIVATOR), "/home/you/.cargo/bin");
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
    let s = json_at(&p, ".claude/settings.json");
    let command = s["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"]
        .as_str()
        .unwrap();
    assert!(
        command.starts_with('\'') && command.contains(r"'\''"),
        "{command}"
    );
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
        DETECTOR
    );
    assert_eq!(s["env"]["ANTHROPIC_API_KEY"], "x");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&real), 0o600);
    assert_eq!(mode(&p.path(".claude/settings.json.bak")), 0o600);
}
