//! Uses of deployed skills seen by the hooks (SPEC 7), fed the payloads the real clients send:
//! Claude Code's `Skill` tool, a `/NAME` prompt, and a Codex command reading SKILL.md; then a
//! failed command or a correction right after a use counts against the skill, and the
//! thresholds in `config.toml` move it to trusted or demoted.

use crate::harness::{ACTIVATOR, DETECTOR, Project};

/// The skill name in the captured `Skill` payload.
const NAME: &str = "json-check";
const SESSION: &str = "8c848a8c-ebc5-4918-abcc-5b48f96856ee";

/// A project where `json-check` is deployed for both agents.
fn deployed() -> Project {
    let p = Project::init();
    p.write(
        &format!("skills/{NAME}/SKILL.md"),
        format!("---\nname: {NAME}\ndescription: Check JSON files. Use before committing JSON.\n---\n\nRun jq.\n"),
    );
    p.ok(&["skill", "deploy", NAME]);
    p
}

/// A captured payload moved into the project, in one session, with `edit` applied.
fn payload(p: &Project, rel: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value: serde_json::Value = serde_json::from_str(&p.payload(rel)).unwrap();
    value["session_id"] = SESSION.into();
    edit(&mut value);
    value.to_string()
}

fn uses(p: &Project) -> Vec<serde_json::Value> {
    let path = p.path(&format!(".learnings/skills/{NAME}/uses.jsonl"));
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn events(p: &Project) -> Vec<(String, String)> {
    uses(p)
        .iter()
        .map(|u| {
            (
                u["event"].as_str().unwrap().to_owned(),
                u["via"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(event: &str, via: &str) -> (String, String) {
    (event.to_owned(), via.to_owned())
}

fn skill_tool(p: &Project) {
    let out = p.hook(
        DETECTOR,
        payload(p, "claude-code-2.1.328/post-tool-use-skill.json", |_| {}),
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "a use says nothing to the agent");
}

fn failed_ls(p: &Project) {
    let out = p.hook(
        DETECTOR,
        payload(
            p,
            "claude-code-2.1.328/post-tool-use-failure-ls.json",
            |_| {},
        ),
    );
    assert!(out.status.success());
}

fn prompt(p: &Project, text: &str) {
    let out = p.hook(
        ACTIVATOR,
        payload(p, "claude-code-2.1.328/user-prompt-submit.json", |v| {
            v["prompt"] = text.into();
        }),
    );
    assert!(out.status.success());
}

#[test]
fn claude_codes_skill_tool_is_a_use_and_a_failed_command_after_it_counts_against_it() {
    let p = deployed();
    skill_tool(&p);
    assert_eq!(events(&p), [pair("use", "skill-tool")]);
    let first = &uses(&p)[0];
    assert_eq!(first["agent"], "claude");
    assert_eq!(first["session"].as_str().unwrap().len(), 16);
    failed_ls(&p);
    assert_eq!(
        events(&p),
        [pair("use", "skill-tool"), pair("failure", "command")]
    );
    // Only the command right after a use judges it.
    failed_ls(&p);
    assert_eq!(events(&p).len(), 2);
    // The failure was logged as an error too, as any failure is.
    assert!(
        p.read(".learnings/ERRORS.md")
            .contains("definitely-missing-dir-xyz")
    );
}

#[test]
fn a_plugins_skill_or_one_never_deployed_is_not_counted() {
    let p = deployed();
    let out = p.hook(
        DETECTOR,
        payload(
            &p,
            "claude-code-2.1.328/post-tool-use-skill-plugin.json",
            |_| {},
        ),
    );
    assert!(out.status.success());
    let out = p.hook(
        DETECTOR,
        payload(&p, "claude-code-2.1.328/post-tool-use-skill.json", |v| {
            v["tool_input"]["skill"] = "never-deployed".into();
        }),
    );
    assert!(out.status.success());
    assert!(uses(&p).is_empty());
    assert!(!p.path(".learnings/skills/never-deployed").exists());
    // After a rollback, the skill is not deployed any more: its uses are not counted.
    p.ok(&["skill", "rollback", NAME]);
    skill_tool(&p);
    assert!(uses(&p).is_empty());
}

#[test]
fn a_slash_command_is_a_use_and_a_correction_in_the_next_prompt_counts_against_it() {
    let p = deployed();
    prompt(&p, &format!("/{NAME} data/config.json"));
    assert_eq!(events(&p), [pair("use", "slash-command")]);
    prompt(&p, "no, that's wrong: the file is YAML, not JSON");
    assert_eq!(
        events(&p),
        [pair("use", "slash-command"), pair("failure", "correction")]
    );
    // An ordinary prompt after a use leaves it clean.
    prompt(&p, &format!("/{NAME} again"));
    prompt(&p, "thanks, now commit it");
    assert_eq!(events(&p).len(), 3);
    // A slash command that is not a deployed skill is not one.
    prompt(&p, "/compact");
    assert_eq!(events(&p).len(), 3);
}

#[test]
fn a_codex_command_reading_the_skill_is_a_use() {
    let p = deployed();
    let read = payload(&p, "codex-0.169.0/post-tool-use-echo.json", |v| {
        v["tool_input"]["command"] =
            format!("sed -n '1,200p' .agents/skills/{NAME}/SKILL.md").into();
    });
    let out = p.hook(DETECTOR, read);
    assert!(out.status.success());
    assert_eq!(events(&p), [pair("use", "read")]);
    assert_eq!(uses(&p)[0]["agent"], "codex");
}

#[test]
fn clean_uses_make_a_skill_trusted_and_failures_demote_it() {
    let p = deployed();
    p.write(
        ".learnings/config.toml",
        "[skills]\ntrust_after = 2\ndemote_rate = 0.3\ndemote_min_uses = 3\n",
    );
    skill_tool(&p);
    prompt(&p, "looks good");
    skill_tool(&p);
    let out = p.ok(&["skill", "list"]);
    assert!(out.contains(&format!("{NAME} is now trusted")), "{out}");
    assert!(out.contains("trusted"), "{out}");
    skill_tool(&p);
    failed_ls(&p);
    // 3 uses, 1 failure: 33 % > 30 %.
    let out = p.ok(&["skill", "list"]);
    assert!(out.contains(&format!("{NAME} is now demoted")), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&p.ok(&["skill", "list", "--json"])).unwrap();
    assert_eq!(json[0]["state"], "demoted");
    assert_eq!(
        (json[0]["uses"].as_u64(), json[0]["failures"].as_u64()),
        (Some(3), Some(1))
    );
    let record = p.read(&format!(".learnings/skills/{NAME}/record.json"));
    assert!(
        record.contains("\"demoted\"") && record.contains("\"trusted\""),
        "{record}"
    );
    p.ok(&["audit"]);
}

#[test]
fn hooks_running_at_once_lose_no_use() {
    let p = deployed();
    let input = payload(&p, "claude-code-2.1.328/post-tool-use-skill.json", |_| {});
    std::thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| {
                let out = p.hook(DETECTOR, &input);
                assert!(out.status.success());
            });
        }
    });
    assert_eq!(uses(&p).len(), 16);
}

#[test]
fn a_benign_exit_after_a_use_is_no_failure_of_the_skill() {
    let p = deployed();
    skill_tool(&p);
    let grep = payload(
        &p,
        "claude-code-2.1.328/post-tool-use-failure-ls.json",
        |v| {
            v["tool_input"]["command"] = "grep -q needle notes.txt".into();
            v["error"] = "Exit code 1\n".into();
        },
    );
    assert!(p.hook(DETECTOR, grep).status.success());
    assert_eq!(events(&p), [pair("use", "skill-tool")]);
}
