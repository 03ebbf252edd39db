//! The plugin's files without a client: its manifests agree with the crate, its hooks are the
//! ones `evolver install` wires, and `plugin/hooks/run` finds the binaries wherever the docs
//! say, or stays silent and tells the user once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::harness::{ACTIVATOR, Project};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json(rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join(rel)).unwrap()).expect(rel)
}

#[test]
fn the_manifests_name_the_crates_version_and_the_plugin_folder() {
    let market = json(".claude-plugin/marketplace.json");
    let plugin = json("plugin/.claude-plugin/plugin.json");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(plugin["version"], version);
    assert_eq!(plugin["name"], "capability-evolver");
    let listed = &market["plugins"][0];
    assert_eq!(listed["name"], plugin["name"]);
    assert_eq!(listed["version"], version);
    assert_eq!(listed["source"], "./plugin");
    assert!(
        repo()
            .join("plugin/skills/capability-evolver/SKILL.md")
            .is_file()
    );
}

#[test]
fn the_plugin_hooks_the_events_and_matchers_install_wires() {
    let hooks = json("plugin/hooks/hooks.json");
    let p = Project::init();
    p.ok(&["install", "claude"]);
    let settings: Value = serde_json::from_str(&p.read(".claude/settings.json")).unwrap();
    let shape = |h: &Value| -> Vec<(String, Value, String)> {
        let mut out = Vec::new();
        for (event, groups) in h["hooks"].as_object().unwrap() {
            for g in groups.as_array().unwrap() {
                let command = g["hooks"][0]["command"].as_str().unwrap();
                let exe = ["evolver-activator", "evolver-error-detector"]
                    .into_iter()
                    .find(|e| command.contains(e))
                    .unwrap();
                out.push((event.clone(), g["matcher"].clone(), exe.to_owned()));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    };
    assert_eq!(shape(&hooks), shape(&settings));
}

/// Runs `sh plugin/hooks/run NAME` as the plugin's hooks fall back to it, with only the given
/// environment, a payload on stdin.
fn run(root: &Path, env: &[(&str, &Path)]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new("sh")
        .arg(root.join("hooks/run"))
        .arg("evolver-activator")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .env("CLAUDE_PLUGIN_ROOT", root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let payload = serde_json::json!({"hook_event_name": "UserPromptSubmit", "prompt": "hi", "cwd": "/nonexistent"});
    // Large, to show the input is read even when nothing runs.
    let mut input = payload.to_string().into_bytes();
    input.extend(std::iter::repeat_n(b' ', 1 << 20));
    child.stdin.take().unwrap().write_all(&input).unwrap();
    child.wait_with_output().unwrap()
}

/// The plugin folder copied under `dir/market/plugin`, as a clone or a cache holds it.
fn plugin_copy(dir: &Path) -> PathBuf {
    let root = dir.join("market/plugin");
    std::fs::create_dir_all(root.join("hooks")).unwrap();
    std::fs::copy(repo().join("plugin/hooks/run"), root.join("hooks/run")).unwrap();
    root
}

fn put_activator(folder: &Path) {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::copy(ACTIVATOR, folder.join("evolver-activator")).unwrap();
}

fn ran(out: &std::process::Output) -> bool {
    String::from_utf8_lossy(&out.stdout).starts_with("evolver: ")
}

#[test]
fn run_finds_the_binaries_where_the_docs_say() {
    let dir = tempfile::tempdir().unwrap();
    let root = plugin_copy(dir.path());
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    // In the plugin's own bin/.
    put_activator(&root.join("bin"));
    assert!(ran(&run(&root, &[("HOME", &home)])));
    std::fs::remove_dir_all(root.join("bin")).unwrap();
    // In the release build of the checkout it sits in.
    put_activator(&dir.path().join("market/target/release"));
    assert!(ran(&run(&root, &[("HOME", &home)])));
    std::fs::remove_dir_all(dir.path().join("market/target")).unwrap();
    // In cargo's bin folder, by $CARGO_HOME or by $HOME.
    let cargo = dir.path().join("cargo");
    put_activator(&cargo.join("bin"));
    assert!(ran(&run(&root, &[("HOME", &home), ("CARGO_HOME", &cargo)])));
    put_activator(&home.join(".cargo/bin"));
    assert!(ran(&run(&root, &[("HOME", &home)])));
}

#[test]
fn without_the_binaries_run_is_silent_and_tells_the_user_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = plugin_copy(dir.path());
    let home = dir.path().join("home");
    let data = dir.path().join("it's \"data\"");
    // A folder named like the binary is not the binary.
    std::fs::create_dir_all(home.join(".cargo/bin/evolver-activator")).unwrap();
    let env = [
        ("HOME", home.as_path()),
        ("CLAUDE_PLUGIN_DATA", data.as_path()),
    ];
    let first = run(&root, &env);
    assert_eq!(first.status.code(), Some(0));
    assert!(first.stderr.is_empty(), "{first:?}");
    let told: Value = serde_json::from_slice(&first.stdout).expect("one JSON object");
    let message = told["systemMessage"].as_str().unwrap();
    assert!(
        message.starts_with("capability-evolver: its hooks do nothing until evolver-activator")
            && message.contains("install.sh"),
        "{message}"
    );
    assert!(data.join("told-binaries-missing").is_file());
    let second = run(&root, &env);
    assert_eq!(second.status.code(), Some(0));
    assert!(
        second.stdout.is_empty() && second.stderr.is_empty(),
        "{second:?}"
    );
    // Inside a checkout, the message names the command that installs from it.
    let checkout = tempfile::tempdir().unwrap();
    let root = plugin_copy(checkout.path());
    std::fs::write(checkout.path().join("market/Cargo.toml"), "").unwrap();
    let out = run(&root, &[("HOME", &home)]);
    let told: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let market = checkout.path().join("market").canonicalize().unwrap();
    assert!(
        told["systemMessage"].as_str().unwrap().contains(&format!(
            "cargo install --locked --path '{}'",
            market.display()
        )),
        "{told}"
    );
}
