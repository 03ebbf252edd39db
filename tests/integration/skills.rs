//! Skills (SPEC 7): `extract-skill`'s name and path rules and its dry run, extraction from a
//! verified lesson behind the promotion gate, the validator on real public skills, and
//! deployment that a rollback undoes to the byte.

use std::path::Path;

use crate::harness::Project;

const SPEC: &str = r#"{"expected": {"valid_json": true, "matches_schema": true}}"#;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A learning with a spec and a PASS receipt.
fn verified(p: &Project) -> String {
    let id = p.ok(&[
        "log",
        "learning",
        "--summary",
        "Run the migrations before the test suite",
        "--details",
        "The suite reads a schema the migrations create; without them every test fails.",
        "--action",
        "Run `make migrate` before `make test`",
        "--area",
        "tests",
    ]);
    let id = id.trim().to_owned();
    p.ok(&["spec", &id, "--json", SPEC]);
    p.write(
        "result.json",
        r#"{"valid_json": true, "matches_schema": true}"#,
    );
    p.ok(&["verify", &id, "--result", "result.json"]);
    id
}

/// A minimal skill in staging.
fn stage(p: &Project, name: &str, body: &str) {
    p.write(
        &format!("skills/{name}/SKILL.md"),
        format!(
            "---\nname: {name}\ndescription: Does {name} things. Use when asked.\n---\n\n{body}\n"
        ),
    );
}

#[test]
fn names_and_folders_are_accepted_or_refused_with_nothing_written() {
    let p = Project::init();
    let long_ok = "a".repeat(64);
    for name in ["pdf", "fix-ci-2", long_ok.as_str()] {
        let out = p.extract(&[name]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(
            p.path(&format!("skills/{name}/SKILL.md")).is_file(),
            "{name}"
        );
    }
    let too_long = "a".repeat(65);
    let before = p.tree();
    for (args, code) in [
        (vec![too_long.as_str()], 2),
        (vec!["Pdf"], 2),
        (vec!["pdf--x"], 2),
        (vec!["--", "-pdf"], 2),
        (vec!["pdf-"], 2),
        (vec!["p_d"], 2),
        (vec!["../x"], 2),
        (vec!["ok", "--output-dir", "../elsewhere"], 2),
        (vec!["ok", "--output-dir", "a/../../b"], 2),
        (vec!["ok", "--output-dir", "/tmp/skills"], 2),
        // Exists already.
        (vec!["pdf"], 1),
    ] {
        let out = p.extract(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(p.tree(), before, "{args:?} wrote something");
    }
}

#[cfg(unix)]
#[test]
fn a_folder_that_links_out_of_the_project_is_refused() {
    let p = Project::init();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path("out")).unwrap();
    std::fs::create_dir_all(p.path("skills")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path("skills/linked")).unwrap();
    let before = p.tree();
    for args in [vec!["pdf", "--output-dir", "out"], vec!["linked"]] {
        let out = p.extract(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(p.tree(), before, "{args:?}");
    }
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn a_dry_run_prints_every_file_and_leaves_the_file_system_as_it_was() {
    // Not even `.learnings/` or its lock: a project that never used evolver stays bare.
    let p = Project::new();
    let before = p.tree();
    let out = p.extract(&["pdf-forms", "--dry-run", "--output-dir", "agent/skills"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(p.tree(), before);
    let text = stdout(&out);
    assert!(
        text.contains("--- agent/skills/pdf-forms/SKILL.md ("),
        "{text}"
    );
    assert!(text.contains("name: pdf-forms\n"), "{text}");
    assert!(
        text.contains("validate: agent/skills/pdf-forms: valid (0 errors"),
        "{text}"
    );
    // The next steps name the folder given, not the default.
    assert!(
        text.contains("evolver skill validate agent/skills/pdf-forms")
            && text.contains("evolver skill deploy pdf-forms --staging agent/skills"),
        "{text}"
    );
    let p = Project::init();
    let id = verified(&p);
    let before = p.tree();
    let out = p.extract(&["migrations", "--from", &id, "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(p.tree(), before);
    assert!(stdout(&out).contains("Run `make migrate` before `make test`"));
}

#[test]
fn extraction_from_a_lesson_needs_its_pass_and_is_recorded() {
    let p = Project::init();
    let unverified = p.ok(&["log", "learning", "--summary", "Not verified yet"]);
    let before = p.tree();
    let out = p.extract(&["nope", "--from", unverified.trim()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no PASS receipt"), "{}", stderr(&out));
    assert_eq!(p.tree(), before);

    let id = verified(&p);
    let out = p.extract(&["migrations", "--from", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let skill = p.read("skills/migrations/SKILL.md");
    assert!(
        skill.starts_with(
            "---\nname: migrations\ndescription: \"Run the migrations before the test suite\"\n"
        ),
        "{skill}"
    );
    for part in [
        "## When to use",
        "- Area: tests",
        "## Background\n\nThe suite reads a schema",
        "## Instructions\n\n- Run `make migrate` before `make test`",
        "## Check",
        "\"matches_schema\": true",
        &format!("Extracted from {id}"),
    ] {
        assert!(skill.contains(part), "{part:?} not in\n{skill}");
    }
    let shown = p.ok(&["show", &id]);
    assert!(shown.contains("**Status**: promoted_to_skill"), "{shown}");
    assert!(
        shown.contains("**Skill-Path**: skills/migrations"),
        "{shown}"
    );
    let events = p.read(".learnings/events.jsonl");
    assert!(events.contains("\"promoted_to_skill\""), "{events}");
    p.ok(&["audit"]);
    // What it wrote passes our own validator.
    let v = p.run(&["skill", "validate", "skills/migrations"]);
    assert!(v.status.success(), "{}", stdout(&v));
    // Once extracted, the gate refuses it again, even with --force.
    let out = p.extract(&["again", "--from", &id, "--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("promoted_to_skill"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn force_replaces_an_existing_folder_and_only_with_force() {
    let p = Project::init();
    p.write("skills/pdf/notes.md", "old\n");
    p.write("skills/pdf/SKILL.md", "old\n");
    let out = p.extract(&["pdf"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(p.read("skills/pdf/notes.md"), "old\n");
    let out = p.extract(&["pdf", "--force", "--description", "Fill PDF forms."]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!p.path("skills/pdf/notes.md").exists());
    assert!(
        p.read("skills/pdf/SKILL.md")
            .contains("description: \"Fill PDF forms.\"")
    );
    let out = p.extract(&["pdf2", "--description", "Uses <b>tags</b>"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A row of `tests/skills/public/SOURCES.tsv`: the folder and the errors expected.
fn public_skills() -> Vec<(String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/skills/public");
    let text = std::fs::read_to_string(dir.join("SOURCES.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<_> = l.split('\t').collect();
            let expect = match cols[5] {
                "valid" => Vec::new(),
                list => list.split(';').map(str::to_owned).collect(),
            };
            (cols[0].to_owned(), expect)
        })
        .collect()
}

/// Validates a stored SKILL.md under the folder name it had (the last `__` part).
fn validate_copy(p: &Project, from: &Path, folder: &str) -> (Option<i32>, serde_json::Value) {
    let name = folder.rsplit("__").next().unwrap();
    let dst = p.path(&format!("copies/{folder}/{name}"));
    std::fs::create_dir_all(&dst).unwrap();
    std::fs::copy(from.join("SKILL.md"), dst.join("SKILL.md")).unwrap();
    let rel = format!("copies/{folder}/{name}");
    let out = p.run(&["skill", "validate", &rel, "--json"]);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{folder}: {e}: {}", stderr(&out)));
    (out.status.code(), json)
}

fn errors_of(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "error")
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_validator_passes_real_public_skills_and_flags_their_real_breaks() {
    let p = Project::init();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/skills/public");
    let skills = public_skills();
    assert!(skills.len() >= 12, "{}", skills.len());
    let mut block_scalars = 0;
    for (folder, expect) in &skills {
        let text = std::fs::read(dir.join(folder).join("SKILL.md")).unwrap();
        if String::from_utf8_lossy(&text).contains("description: >")
            || String::from_utf8_lossy(&text).contains("description: |")
        {
            block_scalars += 1;
        }
        let (code, json) = validate_copy(&p, &dir.join(folder), folder);
        let mut errors = errors_of(&json);
        errors.dedup();
        assert_eq!(&errors, expect, "{folder}: {json:#}");
        assert_eq!(code, Some(i32::from(!expect.is_empty())), "{folder}");
        for f in json["findings"].as_array().unwrap() {
            assert!(f["line"].as_u64().is_some(), "{folder}: {f}");
        }
        if expect.is_empty() {
            assert!(
                json["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{folder}"
            );
        }
    }
    assert!(block_scalars >= 2, "{block_scalars}");
}

#[test]
fn the_validator_reads_the_corpus_of_real_skills_when_it_is_there() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/skills");
    if !corpus.is_dir() {
        println!(
            "corpus of real skills absent ({}): skipped",
            corpus.display()
        );
        return;
    }
    let p = Project::init();
    let mut seen = 0;
    for entry in std::fs::read_dir(&corpus).unwrap().flatten() {
        if !entry.path().join("SKILL.md").is_file() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        let (_, json) = validate_copy(&p, &entry.path(), &folder);
        let errors = errors_of(&json);
        println!("corpus skill {folder}: errors {errors:?}");
        if folder.ends_with("__hook-development") {
            // A name with capitals and a space, different from its folder.
            assert!(
                errors.contains(&"name-invalid".to_owned())
                    && errors.contains(&"name-mismatch".to_owned()),
                "{folder}: {json:#}"
            );
        } else {
            assert!(errors.is_empty(), "{folder}: {json:#}");
        }
        seen += 1;
    }
    println!("corpus of real skills: {seen} validated");
    assert!(seen >= 10, "{seen}");
}

/// Every file under the agents' skill folders, with its bytes.
fn agent_folders(p: &Project) -> Vec<(String, Vec<u8>)> {
    p.tree()
        .into_iter()
        .filter(|(path, _)| path.starts_with(".claude") || path.starts_with(".agents"))
        .collect()
}

#[test]
fn deploy_then_rollback_leaves_both_folders_as_they_were_across_versions() {
    let p = Project::init();
    // Someone's own skill of the same name, and a neighbour that must not be touched.
    p.write(".claude/skills/pdf/SKILL.md", "hand-made\n");
    p.write(".claude/skills/other/SKILL.md", "other\n");
    let before = agent_folders(&p);

    stage(&p, "pdf", "# v1");
    p.write("skills/pdf/scripts/fill.py", "print('fill')\n");
    let out = p.ok(&["skill", "deploy", "pdf"]);
    assert!(
        out.contains(".claude/skills/pdf, .agents/skills/pdf"),
        "{out}"
    );
    assert!(p.read(".claude/skills/pdf/SKILL.md").contains("# v1"));
    assert_eq!(
        p.read(".agents/skills/pdf/scripts/fill.py"),
        "print('fill')\n"
    );
    let v1 = agent_folders(&p);
    // Twice is once.
    assert!(
        p.ok(&["skill", "deploy", "pdf"])
            .contains("already deployed")
    );

    stage(&p, "pdf", "# v2");
    std::fs::remove_file(p.path("skills/pdf/scripts/fill.py")).unwrap();
    p.ok(&["skill", "deploy", "pdf"]);
    assert!(p.read(".agents/skills/pdf/SKILL.md").contains("# v2"));
    assert!(!p.path(".agents/skills/pdf/scripts").exists());

    let out = p.ok(&["skill", "rollback", "pdf"]);
    assert!(out.contains("experimental"), "{out}");
    assert_eq!(agent_folders(&p), v1, "back to v1");
    let out = p.ok(&["skill", "rollback", "pdf"]);
    assert!(out.contains("draft"), "{out}");
    assert_eq!(agent_folders(&p), before, "back to before the first deploy");
    assert!(
        !p.path(".agents").exists(),
        "the folders deploy created are gone"
    );
    let err = p.fails(&["skill", "rollback", "pdf"], 1);
    assert!(err.contains("no deployment left"), "{err}");
    p.ok(&["audit"]);
}

#[test]
fn rollback_refuses_to_clobber_an_edit_unless_forced() {
    let p = Project::init();
    stage(&p, "pdf", "# v1");
    p.ok(&["skill", "deploy", "pdf", "--agent", "claude"]);
    assert!(!p.path(".agents").exists());
    p.write(".claude/skills/pdf/SKILL.md", "edited by hand\n");
    let before = p.tree();
    let err = p.fails(&["skill", "rollback", "pdf"], 1);
    assert!(
        err.contains("changed: SKILL.md") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(p.tree(), before);
    p.ok(&["skill", "rollback", "pdf", "--force"]);
    assert!(!p.path(".claude").exists());
}

#[test]
fn global_deployment_goes_to_the_users_folders() {
    let p = Project::init();
    let home = tempfile::tempdir().unwrap();
    stage(&p, "pdf", "# v1");
    let out = p
        .command(&["skill", "deploy", "pdf", "--global"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for folder in [
        ".claude/skills/pdf",
        ".agents/skills/pdf",
        ".openclaw/skills/pdf",
    ] {
        assert!(
            home.path().join(folder).join("SKILL.md").is_file(),
            "{folder}"
        );
    }
    assert!(!p.path(".claude").exists());
    let out = p
        .command(&["skill", "rollback", "pdf"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
}

#[test]
fn deploy_refuses_what_does_not_validate_and_states_follow_by_hand() {
    let p = Project::init();
    p.write(
        "skills/bad/SKILL.md",
        "---\nname: other\ndescription: x\n---\nbody\n",
    );
    let before = p.tree();
    let err = p.fails(&["skill", "deploy", "bad"], 1);
    assert!(
        err.contains("does not validate") && err.contains("line 2"),
        "{err}"
    );
    assert_eq!(p.tree(), before);
    let err = p.fails(&["skill", "deploy", "missing"], 1);
    assert!(err.contains("extract-skill missing"), "{err}");

    stage(&p, "pdf", "# v1");
    p.ok(&["skill", "state", "pdf", "rejected", "--why", "wrong advice"]);
    let err = p.fails(&["skill", "deploy", "pdf"], 1);
    assert!(err.contains("rejected"), "{err}");
    p.ok(&["skill", "state", "pdf", "draft"]);
    p.ok(&["skill", "deploy", "pdf"]);
    let list = p.ok(&["skill", "list"]);
    assert!(
        list.contains("pdf") && list.contains("experimental"),
        "{list}"
    );
    assert!(list.contains("bad") && list.contains("draft"), "{list}");
    let json: serde_json::Value =
        serde_json::from_str(&p.ok(&["skill", "list", "--json"])).unwrap();
    let pdf = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "pdf")
        .unwrap();
    assert_eq!(pdf["state"], "experimental");
    assert_eq!(pdf["deployed_to"][0], ".claude/skills/pdf");
}

#[test]
fn doctor_finds_a_deployed_skill_that_is_gone_and_puts_it_back() {
    let p = Project::init();
    stage(&p, "pdf", "# v1");
    p.ok(&["skill", "deploy", "pdf", "--agent", "claude"]);
    let out = p.ok(&["skill", "doctor"]);
    assert!(out.contains("as it was deployed"), "{out}");
    std::fs::remove_dir_all(p.path(".claude/skills/pdf")).unwrap();
    let out = p.run(&["skill", "doctor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(".claude/skills/pdf is gone"),
        "{}",
        stdout(&out)
    );
    let out = p.ok(&["skill", "doctor", "--fix"]);
    assert!(out.contains("fixed"), "{out}");
    assert_eq!(
        p.read(".claude/skills/pdf/SKILL.md"),
        p.read("skills/pdf/SKILL.md")
    );
    p.write(".claude/skills/pdf/SKILL.md", "edited\n");
    let out = p.run(&["skill", "doctor", "--fix"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("changed: SKILL.md"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn evolver_doctor_reports_a_deployed_skill_that_is_gone() {
    let p = Project::init();
    stage(&p, "pdf", "# v1");
    p.ok(&["skill", "deploy", "pdf", "--agent", "codex"]);
    assert!(p.ok(&["doctor"]).contains("no problems found"));
    std::fs::remove_dir_all(p.path(".agents/skills/pdf")).unwrap();
    let out = p.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("skill pdf: .agents/skills/pdf is gone"),
        "{}",
        stdout(&out)
    );
    let out = p.ok(&["doctor", "--fix"]);
    assert!(out.contains("fixed: skill pdf copied back"), "{out}");
    assert!(p.ok(&["doctor"]).contains("no problems found"));
}

#[test]
fn our_own_skill_validates_scans_clean_and_install_puts_it_where_each_agent_reads() {
    let p = Project::init();
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin/skills/capability-evolver");
    let out = p.run(&["skill", "validate", ours.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    let out = p.run(&["skill", "scan", ours.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let scan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(scan["findings"], serde_json::json!([]), "{scan:#}");

    let text = std::fs::read_to_string(ours.join("SKILL.md")).unwrap();
    // It teaches the whole workflow.
    for command in [
        "evolver log learning",
        "evolver spec",
        "evolver verify",
        "evolver promote",
        "evolver rollback",
        "extract-skill",
        "evolver skill deploy",
    ] {
        assert!(text.contains(command), "{command}");
    }
    let before = p.tree();
    p.ok(&["install", "codex"]);
    p.ok(&["install", "claude"]);
    assert_eq!(p.read(".agents/skills/capability-evolver/SKILL.md"), text);
    assert_eq!(p.read(".claude/skills/capability-evolver/SKILL.md"), text);
    // Twice is once, and uninstall takes out exactly what install added.
    let once = p.tree();
    p.ok(&["install", "codex"]);
    p.ok(&["install", "claude"]);
    assert_eq!(p.tree(), once);
    p.ok(&["uninstall", "codex"]);
    p.ok(&["uninstall", "claude"]);
    let skills = |tree: Vec<(String, Vec<u8>)>| -> Vec<String> {
        tree.into_iter()
            .map(|(path, _)| path)
            .filter(|path| path.starts_with(".agents") || path.starts_with(".claude/skills"))
            .collect()
    };
    assert_eq!(skills(p.tree()), skills(before));
    assert!(!p.path(".agents").exists());
}

#[test]
fn uninstall_keeps_our_skill_when_someone_changed_it() {
    let p = Project::init();
    p.ok(&["install", "claude"]);
    p.write(".claude/skills/capability-evolver/SKILL.md", "mine now\n");
    let out = p.ok(&["uninstall", "claude"]);
    assert!(out.contains("it was changed since install"), "{out}");
    assert_eq!(
        p.read(".claude/skills/capability-evolver/SKILL.md"),
        "mine now\n"
    );
    // Installing again puts ours back and keeps theirs beside it; uninstall gives theirs back.
    let out = p.ok(&["install", "claude"]);
    assert!(out.contains("SKILL.md.bak"), "{out}");
    assert_eq!(
        p.read(".claude/skills/capability-evolver/SKILL.md.bak"),
        "mine now\n"
    );
    let out = p.ok(&["uninstall", "claude"]);
    assert!(out.contains("is back"), "{out}");
    assert_eq!(
        p.read(".claude/skills/capability-evolver/SKILL.md"),
        "mine now\n"
    );
    assert!(
        !p.path(".claude/skills/capability-evolver/SKILL.md.bak")
            .exists()
    );
}

#[test]
fn a_deploy_that_cannot_finish_changes_nothing_and_backups_are_never_lost() {
    let p = Project::init();
    p.write(".claude/skills/pdf/SKILL.md", "HANDMADE\n");
    // The second target is a file: refused before any folder is touched.
    p.write(".agents/skills/pdf", "a file\n");
    stage(&p, "pdf", "# v1");
    let before = p.tree();
    let err = p.fails(&["skill", "deploy", "pdf"], 1);
    assert!(err.contains("is a file"), "{err}");
    assert_eq!(p.tree(), before);
    std::fs::remove_file(p.path(".agents/skills/pdf")).unwrap();
    p.ok(&["skill", "deploy", "pdf"]);
    // A rollback whose backup went missing refuses before removing anything.
    let backups = p.path(".learnings/skills/pdf/backups");
    let kept = std::fs::read_dir(&backups)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let aside = p.path("aside");
    std::fs::rename(&kept, &aside).unwrap();
    let before = p.tree();
    let err = p.fails(&["skill", "rollback", "pdf"], 1);
    assert!(err.contains("backup") && err.contains("missing"), "{err}");
    assert_eq!(p.tree(), before);
    std::fs::rename(&aside, &kept).unwrap();
    p.ok(&["skill", "rollback", "pdf"]);
    assert_eq!(p.read(".claude/skills/pdf/SKILL.md"), "HANDMADE\n");
}

#[test]
fn an_edited_record_cannot_lead_a_rollback_elsewhere() {
    let p = Project::init();
    stage(&p, "pdf", "# v1");
    p.write("victim/keep.txt", "mine\n");
    p.ok(&["skill", "deploy", "pdf", "--agent", "claude"]);
    let path = ".learnings/skills/pdf/record.json";
    let record = p.read(path);
    for (from, to) in [
        ("\"path\": \".claude/skills/pdf\"", "\"path\": \"victim\""),
        ("\"backup\": null", "\"backup\": \"../../../victim\""),
    ] {
        assert!(record.contains(from), "{record}");
        p.write(path, record.replace(from, to));
        let before = p.tree();
        let err = p.fails(&["skill", "rollback", "pdf", "--force"], 1);
        assert!(err.contains("no deployment writes"), "{err}");
        assert_eq!(p.tree(), before);
    }
    assert_eq!(p.read("victim/keep.txt"), "mine\n");
}

#[test]
fn a_rejection_outlives_a_rollback_and_an_empty_home_is_no_home() {
    let p = Project::init();
    stage(&p, "pdf", "# v1");
    p.ok(&["skill", "deploy", "pdf", "--agent", "claude"]);
    p.ok(&["skill", "state", "pdf", "rejected"]);
    let out = p.ok(&["skill", "rollback", "pdf"]);
    assert!(out.contains("it is rejected"), "{out}");
    assert!(p.fails(&["skill", "deploy", "pdf"], 1).contains("rejected"));
    p.ok(&["skill", "state", "pdf", "draft"]);
    let before = p.tree();
    let out = p
        .command(&["skill", "deploy", "pdf", "--global"])
        .env("HOME", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("HOME"), "{}", stderr(&out));
    assert_eq!(p.tree(), before);
}

#[test]
fn force_replaces_only_a_skill_and_never_under_learnings() {
    let p = Project::init();
    let id = verified(&p);
    p.write("src/main.rs", "fn main() {}\n");
    let before = p.tree();
    for (args, code) in [
        (vec!["receipts", "--output-dir", ".learnings", "--force"], 2),
        (vec!["x", "--output-dir", "a/.git", "--force"], 2),
        (vec!["src", "--output-dir", ".", "--force"], 1),
    ] {
        let out = p.extract(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert_eq!(p.tree(), before, "{args:?}");
    }
    // A lesson promoted to memory is not made a skill as well.
    p.ok(&["promote", &id, "--to", "CLAUDE.md"]);
    let out = p.extract(&["migrations", "--from", &id]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("promoted to memory"),
        "{}",
        stderr(&out)
    );
}
