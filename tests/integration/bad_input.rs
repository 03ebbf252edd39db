//! Bad input gets one clear line on stderr, a non-zero exit, and changes nothing.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;

use crate::assert_text_snapshot;
use crate::harness::Project;

const LOG: [&str; 5] = ["log", "learning", "--summary", "x", "--pattern-key"];

fn log_args(key: &str) -> Vec<&str> {
    let mut v = LOG.to_vec();
    v.push(key);
    v
}

#[test]
fn learnings_that_is_a_file() {
    let p = Project::new();
    p.write(".learnings", "not a folder\n");
    for args in [log_args("k"), vec!["list"], vec!["status"], vec!["init"]] {
        let err = p.fails(&args, 1);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(".learnings is not a directory"), "{err}");
    }
    assert_text_snapshot!(p, p.fails(&["init"], 1));
    assert_eq!(p.read(".learnings"), "not a folder\n");
}

#[test]
fn read_only_learnings_directory() {
    let p = Project::init();
    p.ok(&log_args("k"));
    let before = p.snapshot_files();
    let dir = p.path(".learnings");
    std::fs::set_permissions(p.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores permissions, so run as an unprivileged user when we are root.
    let as_user = |args: &[&str]| {
        let mut cmd = p.command(args);
        if std::fs::metadata(p.root()).unwrap().uid() == 0 {
            cmd.uid(65534).gid(65534);
        }
        cmd.output().unwrap()
    };
    for args in [
        log_args("k"),
        log_args("other"),
        vec!["resolve", "LRN-20260101-001"],
    ] {
        let out = as_user(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("Permission denied") || err.contains("no entry"),
            "{err}"
        );
    }
    // Reading still works in a read-only checkout.
    let out = as_user(&["list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(p.snapshot_files(), before);
}

#[test]
fn a_log_that_is_not_utf8() {
    let p = Project::init();
    let bytes =
        b"# Errors\n\n## [ERR-20260101-001] x\n**Status**: pending \xff\xfe\n---\n".to_vec();
    p.write(".learnings/ERRORS.md", &bytes);
    let before = p.snapshot_files();
    for args in [
        vec!["log", "error", "--summary", "y"],
        vec!["list"],
        vec!["resolve", "ERR-20260101-001"],
        vec!["show", "ERR-20260101-001"],
    ] {
        let err = p.fails(&args, 1);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert_text_snapshot!(p, p.fails(&["list"], 1));
    assert_eq!(p.snapshot_files(), before);
    // The other logs still work.
    p.ok(&["log", "learning", "--summary", "fine"]);
}

#[test]
fn a_50_mb_log_is_appended_to_without_rewriting_it() {
    let p = Project::init();
    let mut text = String::from("# Errors\n\nCommand failures and integration errors.\n\n---\n");
    let mut n = 0;
    while text.len() < 50 * 1024 * 1024 {
        n += 1;
        text.push_str(&format!(
            "\n## [ERR-20250101-{n:03}] npm_install\n\n**Logged**: 2025-01-01T00:00:00Z\n**Priority**: low\n**Status**: resolved\n\n### Summary\n`npm install` exited with code 1\n\n### Error\n```\nnpm ERR! code ERESOLVE {n}\n```\n\n### Metadata\n- Source: error-detector\n\n---\n"
        ));
    }
    p.write(".learnings/ERRORS.md", &text);
    let id = p.ok(&["log", "error", "--summary", "`make` exited with code 2"]);
    let after = p.read(".learnings/ERRORS.md");
    assert!(after.starts_with(&text), "the old bytes are untouched");
    assert!(after[text.len()..].starts_with(&format!("\n## [{}]", id.trim())));
    let json: serde_json::Value =
        serde_json::from_str(&p.ok(&["list", "--kind", "err", "--json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), n + 1);
}

#[test]
fn a_log_over_the_size_limit_is_refused() {
    let p = Project::init();
    p.write(".learnings/config.toml", "max_log_bytes = 1000\n");
    p.write(
        ".learnings/LEARNINGS.md",
        format!("# Learnings\n{}", "x".repeat(2000)),
    );
    let before = p.snapshot_files();
    let err = p.fails(&log_args("k"), 1);
    assert_text_snapshot!(p, err);
    p.fails(&["list"], 1);
    assert_eq!(p.snapshot_files(), before);
}

#[test]
fn a_broken_config_is_named() {
    let p = Project::init();
    p.write(".learnings/config.toml", "max_log_bytes = \"lots\"\n");
    let err = p.fails(&["list"], 1);
    assert!(
        err.contains("config.toml") && err.lines().count() == 1,
        "{err}"
    );
}
