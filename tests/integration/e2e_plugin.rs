//! The plugin, end to end: this repository added as a marketplace and the plugin installed by
//! the real clients' own non-interactive commands into a throwaway home, a session against the
//! scripted model, then uninstall. And the promise to a teammate without the binaries: the
//! plugin and the committed settings stay silent, with no hook error, in the real Claude Code.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::e2e::{
    CODEX_EXEC, REMINDER, SCRIPT, bare_path, check, claude, claude_session, clients, codex,
    codex_config, path, project, run,
};
use crate::model_server::ModelServer;

const PLUGIN: &str = "capability-evolver@capability-evolver";
const NOTICE: &str = "capability-evolver: its hooks do nothing until";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, with its text when it is text.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in read.flatten() {
        let p = e.path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(files(&p));
        } else {
            out.push((p.clone(), std::fs::read_to_string(&p).unwrap_or_default()));
        }
    }
    out
}

/// A copy of the marketplace alone (its manifest and the plugin folder), as a clone holds it
/// before anything is built: the plugin can find no binaries of its own.
fn marketplace_copy(dir: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let (f, t) = (e.path(), to.join(e.file_name()));
            if f.is_dir() {
                copy(&f, &t);
            } else {
                std::fs::copy(&f, &t).unwrap();
            }
        }
    }
    copy(&repo().join(".claude-plugin"), &dir.join(".claude-plugin"));
    copy(&repo().join("plugin"), &dir.join("plugin"));
}

#[test]
fn claude_code_validates_the_marketplace_and_the_plugin_strictly() {
    let Some(clients) = clients() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    for dir in [repo(), repo().join("plugin")] {
        let mut cmd = claude(&clients, home.path(), &path(&clients));
        cmd.args(["plugin", "validate", "--strict"]).arg(&dir);
        let out = String::from_utf8_lossy(&run(cmd).stdout).into_owned();
        assert!(out.contains("Validation passed"), "{out}");
    }
}

#[test]
fn claude_code_installs_the_plugin_its_hooks_work_and_uninstall_leaves_no_trace() {
    let Some(clients) = clients() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let with_bins = path(&clients);
    let plugin = |args: &[&str]| {
        let mut cmd = claude(&clients, home.path(), &with_bins);
        cmd.arg("plugin").args(args);
        run(cmd);
    };
    plugin(&["marketplace", "add", repo().to_str().unwrap()]);
    plugin(&["install", PLUGIN]);

    let p = project();
    let server = ModelServer::start(SCRIPT);
    run(claude_session(
        &clients,
        home.path(),
        &with_bins,
        &p,
        &server,
    ));
    // The plugin's hooks alone did it: the project has no settings of its own.
    assert!(!p.path(".claude").exists());
    check(&p, &server);
    let first: String = server.requests()[0].to_string();
    assert!(
        first.contains("capability-evolver:capability-evolver"),
        "the skill is listed"
    );

    plugin(&["uninstall", PLUGIN]);
    plugin(&["marketplace", "remove", "capability-evolver"]);
    let claude_dir = home.path().join(".claude");
    for (file, text) in files(&claude_dir) {
        let rel = file.strip_prefix(&claude_dir).unwrap().to_string_lossy();
        if rel.starts_with("projects/") {
            continue; // the session's own transcript
        }
        if rel.starts_with("plugins/cache/capability-evolver/") {
            // Claude Code keeps an uninstalled plugin's copy marked as orphaned, and deletes
            // it itself later.
            let version = file.ancestors().nth(
                file.strip_prefix(
                    claude_dir.join("plugins/cache/capability-evolver/capability-evolver"),
                )
                .unwrap()
                .components()
                .count()
                    - 1,
            );
            assert!(
                version.unwrap().join(".orphaned_at").is_file(),
                "{rel} left behind and not marked orphaned"
            );
            continue;
        }
        assert!(
            !rel.contains("capability-evolver") && !text.contains("capability-evolver"),
            "{rel} still names the plugin"
        );
    }
}

#[test]
fn codex_installs_the_plugin_its_hooks_work_and_remove_leaves_no_trace() {
    let Some(clients) = clients() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let codex_home = tempfile::tempdir().unwrap();
    let server = ModelServer::start(SCRIPT);
    codex_config(codex_home.path(), &server, None);
    let config_before = std::fs::read_to_string(codex_home.path().join("config.toml")).unwrap();
    let with_bins = path(&clients);
    let plugin = |args: &[&str]| {
        let mut cmd = codex(&clients, home.path(), codex_home.path(), &with_bins);
        cmd.arg("plugin").args(args);
        run(cmd);
    };
    plugin(&["marketplace", "add", repo().to_str().unwrap()]);
    plugin(&["add", PLUGIN]);
    assert!(
        codex_home.path().join("plugins/cache").is_dir(),
        "Codex copied the plugin"
    );

    let p = project();
    let mut cmd = codex(&clients, home.path(), codex_home.path(), &with_bins);
    // Plugin hooks run once trusted; this run trusts them as a person would in /hooks.
    cmd.args(["exec", "--dangerously-bypass-hook-trust"])
        .args(CODEX_EXEC)
        .current_dir(p.root());
    run(cmd);
    assert!(!p.path(".codex").exists());
    check(&p, &server);

    plugin(&["remove", PLUGIN]);
    plugin(&["marketplace", "remove", "capability-evolver"]);
    assert_eq!(
        std::fs::read_to_string(codex_home.path().join("config.toml")).unwrap(),
        config_before
    );
    for (file, text) in files(codex_home.path()) {
        let rel = file
            .strip_prefix(codex_home.path())
            .unwrap()
            .to_string_lossy();
        if rel.starts_with("sessions/") {
            continue; // the session's own transcript
        }
        assert!(
            !rel.contains("capability-evolver") && !text.contains("capability-evolver"),
            "{rel} still names the plugin"
        );
    }
}

/// At least `min` requests reached the model, and none held the reminder or the notice.
fn model_saw_nothing_of_ours(server: &ModelServer, min: usize) {
    let requests: Vec<String> = server.requests().iter().map(Value::to_string).collect();
    assert!(requests.len() >= min, "{} requests", requests.len());
    for r in &requests {
        assert!(
            !r.contains(REMINDER) && !r.contains(NOTICE),
            "the model saw nothing of ours"
        );
    }
}

/// The `hook_response` events of a `stream-json` run.
fn hook_responses(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["subtype"] == "hook_response")
        .collect()
}

#[test]
fn a_teammate_without_the_binaries_gets_no_hook_error_and_one_notice() {
    let Some(clients) = clients() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let market = tempfile::tempdir().unwrap();
    marketplace_copy(market.path());
    let bare = bare_path(&clients);
    let plugin = |args: &[&str]| {
        let mut cmd = claude(&clients, home.path(), &bare);
        cmd.arg("plugin").args(args);
        run(cmd);
    };
    plugin(&["marketplace", "add", market.path().to_str().unwrap()]);
    plugin(&["install", PLUGIN]);
    // The project's committed settings, written on a machine that has the binaries.
    let p = project();
    p.ok(&["install", "claude"]);
    let before = p.tree();

    let server = ModelServer::start(SCRIPT);
    let mut notices = 0;
    for _ in 0..2 {
        let mut cmd = claude_session(&clients, home.path(), &bare, &p, &server);
        cmd.args(["--output-format", "stream-json", "--verbose"])
            .arg("--include-hook-events");
        let out = run(cmd);
        let responses = hook_responses(&out.stdout);
        // Both the plugin's and the settings' handlers ran for all three events, and none
        // failed.
        assert!(responses.len() >= 6, "{responses:#?}");
        for r in &responses {
            assert_eq!(r["exit_code"], 0, "{r}");
            assert_eq!(r["outcome"], "success", "{r}");
            assert_eq!(r["stderr"], "", "{r}");
        }
        notices += responses
            .iter()
            .filter(|r| r["stdout"].as_str().unwrap_or("").contains(NOTICE))
            .count();
    }
    assert_eq!(notices, 1, "told once, across sessions");
    model_saw_nothing_of_ours(&server, 6);
    assert!(p.tree() == before, "nothing was logged or changed");
}

#[test]
fn codex_without_the_binaries_keeps_the_plugin_silent() {
    let Some(clients) = clients() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let codex_home = tempfile::tempdir().unwrap();
    let market = tempfile::tempdir().unwrap();
    marketplace_copy(market.path());
    let server = ModelServer::start(SCRIPT);
    codex_config(codex_home.path(), &server, None);
    let bare = bare_path(&clients);
    let plugin = |args: &[&str]| {
        let mut cmd = codex(&clients, home.path(), codex_home.path(), &bare);
        cmd.arg("plugin").args(args);
        run(cmd);
    };
    plugin(&["marketplace", "add", market.path().to_str().unwrap()]);
    plugin(&["add", PLUGIN]);
    let p = project();
    let before = p.tree();
    let mut cmd = codex(&clients, home.path(), codex_home.path(), &bare);
    cmd.args(["exec", "--dangerously-bypass-hook-trust"])
        .args(CODEX_EXEC)
        .current_dir(p.root());
    run(cmd);
    model_saw_nothing_of_ours(&server, 3);
    assert!(p.tree() == before, "nothing was logged or changed");
    assert!(
        codex_home
            .path()
            .join("plugins/data/capability-evolver-capability-evolver/told-binaries-missing")
            .is_file(),
        "the hook ran, found no binaries and noted that it told the user"
    );
}
