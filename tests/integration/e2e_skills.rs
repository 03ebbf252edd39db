//! End to end with the real clients: a skill deployed by `evolver skill deploy` reaches the
//! model in the request each client sends, and each way a client uses it is counted: Claude
//! Code's `Skill` tool, and Codex reading the SKILL.md with a shell command. The failed command
//! right after Claude Code's use counts against the skill.

use serde_json::Value;

use crate::e2e::{clients, run_claude, run_codex};
use crate::harness::Project;
use crate::model_server::ModelServer;

const NAME: &str = "e2e-probe";
const DESCRIPTION: &str = "Probe skill for the end-to-end test. Use when asked to probe.";

fn project(agent: &str) -> Project {
    let p = Project::init();
    p.ok(&["install", agent]);
    p.write(
        &format!("skills/{NAME}/SKILL.md"),
        format!("---\nname: {NAME}\ndescription: {DESCRIPTION}\n---\n\n# Probe\n\nSay probed.\n"),
    );
    p.ok(&["skill", "deploy", NAME, "--agent", agent]);
    p
}

fn uses(p: &Project) -> Vec<(String, String)> {
    let json: Value = serde_json::from_str(&p.ok(&["skill", "list", "--json"])).unwrap();
    let skill = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == NAME)
        .cloned()
        .unwrap();
    let text = p.read(&format!(".learnings/skills/{NAME}/uses.jsonl"));
    println!("e2e skill record: {skill}\n{text}");
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["event"].as_str().unwrap().to_owned(),
                v["via"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The skill's name and description are in the first request the client sent.
fn listed(server: &ModelServer) {
    let first = server
        .requests()
        .first()
        .map(Value::to_string)
        .unwrap_or_default();
    assert!(
        first.contains(NAME) && first.contains(DESCRIPTION),
        "the deployed skill is listed for the model"
    );
    // Our own skill, put there by `evolver install`, is listed too.
    assert!(first.contains("capability-evolver"), "our skill is listed");
}

#[test]
fn claude_code_lists_the_deployed_skill_and_its_skill_tool_use_is_counted() {
    let Some(clients) = clients() else {
        return;
    };
    let p = project("claude");
    let server = ModelServer::start(&[&format!("skill:{NAME}"), "ls /definitely-missing-dir-xyz"]);
    run_claude(&clients, &p, &server);
    listed(&server);
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        uses(&p),
        [pair("use", "skill-tool"), pair("failure", "command")]
    );
}

#[test]
fn codex_lists_the_deployed_skill_and_reading_it_is_counted() {
    let Some(clients) = clients() else {
        return;
    };
    let p = project("codex");
    let read = format!("cat .agents/skills/{NAME}/SKILL.md");
    let server = ModelServer::start(&[&read, "echo done"]);
    run_codex(&clients, &p, &server);
    listed(&server);
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(uses(&p), [pair("use", "read")]);
}
