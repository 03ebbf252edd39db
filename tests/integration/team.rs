//! Teams: `.learnings/` across git branches, with the real `git` and the driver that
//! `evolver install git` registers. Two branches from one base, each written by several
//! `evolver` processes and hooks at once, are merged both ways, rebased and cherry-picked;
//! after each, every entry of both sides is there once, IDs are unique, references point at
//! the right lesson, and `evolver audit` and `evolver doctor` are clean.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::harness::{DETECTOR, EVOLVER, evolver_in};

const SPEC: &str = r#"{"expected": {"valid_json": true}}"#;

struct Repo {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_default()
    }

    /// git with nothing of this machine's configuration.
    fn git_output(&self, args: &[&str]) -> Output {
        Command::new("git")
            .args(args)
            .current_dir(self.root())
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_EDITOR", "true")
            .env_remove("EVOLVER_ROOT")
            .env_remove("CLAUDE_PROJECT_DIR")
            .output()
            .expect("run git")
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A repository with `.learnings/`, the driver registered, and a first commit.
    fn with_driver() -> Repo {
        let r = Repo::new();
        r.ok(&["init"]);
        r.ok(&["install", "git"]);
        r.commit("base");
        r
    }

    /// `evolver log learning --summary SUMMARY [ARGS]`, and the ID it printed.
    fn log(&self, summary: &str, args: &[&str]) -> String {
        let mut all = vec!["log", "learning", "--summary", summary];
        all.extend_from_slice(args);
        self.ok(&all).trim().to_owned()
    }

    /// A spec for `id`, and a PASS on it.
    fn pass(&self, id: &str) {
        self.ok(&["spec", id, "--json", SPEC]);
        std::fs::write(self.path("result.json"), r#"{"valid_json": true}"#).unwrap();
        self.ok(&["verify", id, "--result", "result.json"]);
        std::fs::remove_file(self.path("result.json")).unwrap();
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn command(&self, args: &[&str]) -> Command {
        evolver_in(self.root(), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        assert!(
            out.status.success(),
            "evolver {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn entries(&self) -> Vec<Value> {
        serde_json::from_str(&self.ok(&["list", "--json"])).unwrap()
    }

    fn id_of(&self, summary: &str) -> String {
        self.entries()
            .iter()
            .find(|e| e["summary"] == summary)
            .unwrap_or_else(|| panic!("no entry {summary:?}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A failed shell command, as Claude Code reports it to the error detector.
    fn failure(&self, command: &str) -> std::process::Child {
        use std::io::Write;
        // Each branch is worked on in sessions of its own.
        let branch = self.git(&["branch", "--show-current"]);
        let payload = serde_json::json!({
            "session_id": format!("s-{command}-{}", branch.trim()), "cwd": self.root(),
            "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
            "tool_input": {"command": command},
            "error": format!("Exit code 1\n{command}: failed"), "is_interrupt": false
        });
        let mut child = Command::new(DETECTOR)
            .current_dir(self.root())
            .env_remove("EVOLVER_ROOT")
            .env_remove("CLAUDE_PROJECT_DIR")
            .env_remove("EVOLVER_DISABLE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(payload.to_string().as_bytes())
            .unwrap();
        child
    }

    /// Several `evolver log` processes and error-detector hooks writing at once.
    fn at_once(&self, learnings: &[&str], failures: &[&str]) {
        let mut children: Vec<std::process::Child> = learnings
            .iter()
            .map(|s| {
                self.command(&["log", "learning", "--summary", s, "--action", "Do it"])
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        children.extend(failures.iter().map(|c| self.failure(c)));
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
    }

    /// What the store holds, by summary: the number of entries with it, and their IDs.
    fn by_summary(&self) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::<String, Vec<String>>::new();
        for e in self.entries() {
            out.entry(e["summary"].as_str().unwrap().to_owned())
                .or_default()
                .push(e["id"].as_str().unwrap().to_owned());
        }
        out
    }
}

/// A base, and two branches that each logged, failed, changed a shared entry and (one of
/// them) promoted, minting the same IDs as the other.
fn two_branches() -> Repo {
    let r = Repo::new();
    r.ok(&["init"]);
    let out = r.ok(&["install", "git"]);
    assert!(out.contains(".gitattributes"), "{out}");
    r.ok(&[
        "log",
        "learning",
        "--summary",
        "shared lesson",
        "--action",
        "Keep it",
    ]);
    r.at_once(&[], &["cargo build"]);
    r.commit("base");
    let shared = r.id_of("shared lesson");

    r.git(&["checkout", "-q", "-b", "a"]);
    r.at_once(&["a one", "a two", "a three"], &["make a", "cargo build"]);
    r.commit("a: logged");
    r.ok(&["resolve", &shared, "--notes", "done on a"]);
    r.at_once(&["a four"], &["npm test a"]);
    r.commit("a: resolved the shared lesson");

    r.git(&["checkout", "-q", "main"]);
    r.git(&["checkout", "-q", "-b", "b"]);
    r.at_once(&["b one", "b two"], &["make b", "cargo build"]);
    r.commit("b: logged");
    r.ok(&["spec", &shared, "--json", SPEC]);
    // A lesson verified and promoted on b, and one that refers to it.
    let promoted = r
        .ok(&[
            "log",
            "learning",
            "--summary",
            "b promoted",
            "--action",
            "Validate JSON",
        ])
        .trim()
        .to_owned();
    r.pass(&promoted);
    r.ok(&["promote", &promoted, "--to", "CLAUDE.md"]);
    r.ok(&[
        "log",
        "learning",
        "--summary",
        "b refers",
        "--see-also",
        &promoted,
    ]);
    r.commit("b: specified, promoted, referred");
    r
}

/// Everything the merged store must be: both sides' entries once each, unique IDs, the
/// reference and the promotion on the right lesson, a chain and a doctor that are clean.
fn check_merged(r: &Repo, a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>) {
    let merged = r.by_summary();
    let mut wanted: Vec<&String> = a.keys().chain(b.keys()).collect();
    wanted.sort();
    wanted.dedup();
    assert_eq!(merged.keys().collect::<Vec<_>>(), wanted);
    for (summary, ids) in &merged {
        assert_eq!(ids.len(), 1, "{summary} is there {} times", ids.len());
    }
    let mut ids: Vec<&String> = merged.values().flatten().collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "IDs are unique");

    let promoted = &merged["b promoted"][0];
    let refers = r.ok(&["show", &merged["b refers"][0]]);
    assert!(
        refers.contains(&format!("- See Also: {promoted}\n")),
        "{refers}"
    );
    let shown = r.ok(&["show", promoted]);
    assert!(shown.contains("**Status**: promoted"), "{shown}");
    let shared = r.ok(&["show", &merged["shared lesson"][0]]);
    assert!(shared.contains("**Status**: resolved"), "{shared}");
    assert!(shared.contains("### Verification Spec"), "{shared}");
    // The failure both branches saw again: once in the base, once on each side.
    let build = r.ok(&["show", &merged["`cargo build` exited with code 1"][0]]);
    assert!(build.contains("- Recurrence-Count: 3\n"), "{build}");

    let audit = r.ok(&["audit"]);
    assert!(audit.starts_with("ok: "), "{audit}");
    let doctor = r.command(&["doctor"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&doctor.stdout),
        "no problems found\n",
        "{}",
        String::from_utf8_lossy(&doctor.stderr)
    );
    // The promotion still belongs to its lesson: rolling it back takes its block out.
    r.ok(&["rollback", promoted, "--reason", "check"]);
    assert!(!r.read("CLAUDE.md").contains("<!-- evolver:"));
    r.git(&["checkout", "-q", "--", "."]);
}

fn summaries_at(r: &Repo, branch: &str) -> BTreeMap<String, Vec<String>> {
    r.git(&["checkout", "-q", branch]);
    r.by_summary()
}

#[test]
fn branches_merge_both_ways_rebase_and_cherry_pick_without_conflicts() {
    let r = two_branches();
    let a = summaries_at(&r, "a");
    let b = summaries_at(&r, "b");
    // Both branches minted the same IDs for different lessons.
    assert_eq!(a["a one"].len() + b["b one"].len(), 2);
    let a_ids: Vec<&String> = a.values().flatten().collect();
    assert!(
        b.values()
            .flatten()
            .any(|id| a_ids.contains(&id) && b["shared lesson"][0] != *id)
    );

    let cases: [(&str, &str, &[&str]); 4] = [
        ("merge b into a", "a", &["merge", "-q", "--no-edit", "b"]),
        ("merge a into b", "b", &["merge", "-q", "--no-edit", "a"]),
        ("rebase b onto a", "b", &["rebase", "-q", "a"]),
        ("cherry-pick b onto a", "a", &["cherry-pick", "main..b"]),
    ];
    for (name, start, op) in cases {
        r.git(&["checkout", "-q", "-B", "work", start]);
        let out = r.git_output(op);
        assert!(
            out.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let status = r.git(&["status", "--porcelain"]);
        assert_eq!(status, "", "{name}: clean worktree");
        check_merged(&r, &a, &b);
    }
}

#[test]
fn a_true_conflict_stays_inside_its_entry_and_git_reports_it() {
    let r = Repo::new();
    r.ok(&["init"]);
    r.ok(&["install", "git"]);
    let one = r.log("one", &[]);
    r.ok(&["log", "learning", "--summary", "two"]);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "a"]);
    r.ok(&["resolve", &one, "--status", "wont_fix"]);
    r.ok(&["log", "learning", "--summary", "a new"]);
    r.commit("a");
    r.git(&["checkout", "-q", "-b", "b", "main"]);
    r.ok(&["resolve", &one, "--status", "in_progress"]);
    r.ok(&["log", "learning", "--summary", "b new"]);
    r.commit("b");
    r.git(&["checkout", "-q", "a"]);
    let out = r.git_output(&["merge", "--no-edit", "b"]);
    assert!(!out.status.success());
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(&format!("conflict in {one}")), "{said}");
    assert!(
        said.contains("CONFLICT (content): Merge conflict in .learnings/LEARNINGS.md"),
        "{said}"
    );
    let text = r.read(".learnings/LEARNINGS.md");
    assert_eq!(text.matches("<<<<<<< ").count(), 1, "{text}");
    let conflict = &text[text.find("<<<<<<< ").unwrap()..text.find(">>>>>>> ").unwrap()];
    assert!(
        conflict.contains("**Status**: wont_fix\n=======\n**Status**: in_progress\n"),
        "{conflict}"
    );
    // Everything else merged: both new lessons, the untouched one, and the chain.
    assert!(text.contains("### Summary\na new\n") && text.contains("### Summary\nb new\n"));
    assert!(r.ok(&["audit"]).starts_with("ok: "));
}

#[test]
fn install_git_is_idempotent_and_uninstall_takes_out_exactly_what_it_added() {
    let r = Repo::new();
    // A CRLF file, and a key of the person's own in the driver's section.
    std::fs::write(r.path(".gitattributes"), "*.png binary\r\n").unwrap();
    r.git(&["config", "--local", "merge.evolver.recursive", "binary"]);
    r.ok(&["install", "git"]);
    let attrs = r.read(".gitattributes");
    let config = r.git(&["config", "--local", "--get-regexp", "^merge\\."]);
    assert!(
        attrs.starts_with("*.png binary\r\n")
            && attrs.contains(".learnings/events.jsonl merge=evolver\n")
    );
    assert!(config.contains("merge-driver %O %A %B %P"), "{config}");
    assert!(r.ok(&["install", "git"]).contains("already registered"));
    assert_eq!(r.read(".gitattributes"), attrs);
    r.ok(&["uninstall", "git"]);
    assert_eq!(r.read(".gitattributes"), "*.png binary\r\n");
    assert_eq!(
        r.git(&["config", "--local", "--get-regexp", "^merge\\."]),
        "merge.evolver.recursive binary\n"
    );
    // Where install made the file, uninstall takes it away again.
    std::fs::remove_file(r.path(".gitattributes")).unwrap();
    r.ok(&["install", "git"]);
    r.ok(&["uninstall", "git"]);
    assert!(!r.path(".gitattributes").exists());
    // A project that was not a repository is told so, in one line.
    let plain = tempfile::tempdir().unwrap();
    let out = Command::new(EVOLVER)
        .args(["install", "git"])
        .current_dir(plain.path())
        .env("GIT_CEILING_DIRECTORIES", plain.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in a git repository"));
}

mod random_histories {
    //! Random histories on two branches, merged with the library: the merged log holds
    //! exactly the union of both sides' entries, and which side is ours changes only the IDs
    //! theirs' new entries get.

    use std::collections::BTreeMap;

    use evolver::merge::merge_log;
    use evolver::{Document, Entry};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        /// A new lesson, with the next ID of this branch (the other branch mints it too).
        Add,
        /// A status set on a base entry.
        Status(usize, &'static str),
        /// A section added to a base entry.
        Section(usize),
        /// A recurrence of a base entry.
        Recur(usize),
        /// A new lesson that refers to the newest lesson of this branch.
        Refer,
        /// A status set on the last entry of the file (often one this branch added).
        StatusLast(&'static str),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => Just(Op::Add),
            1 => (0usize..4, prop::sample::select(vec!["resolved", "wont_fix", "in_progress"]))
                .prop_map(|(i, s)| Op::Status(i, s)),
            1 => (0usize..4).prop_map(Op::Section),
            1 => (0usize..4).prop_map(Op::Recur),
            1 => Just(Op::Refer),
            1 => prop::sample::select(vec!["resolved", "wont_fix", "in_progress"]).prop_map(Op::StatusLast),
        ]
    }

    fn entry(seq: usize, summary: &str, see_also: Option<&str>) -> String {
        let meta = see_also.map_or(String::new(), |s| format!("- See Also: {s}\n"));
        format!(
            "## [LRN-20261203-{seq:03}] insight\n\n**Logged**: 2026-12-03T10:00:00Z\n**Priority**: medium\n**Status**: pending\n\n### Summary\n{summary}\n\n### Metadata\n- Source: conversation\n{meta}- Recurrence-Count: 1\n\n---\n"
        )
    }

    fn base(n: usize) -> String {
        let mut s = "# Learnings\n\n---\n".to_owned();
        for i in 0..n {
            s.push('\n');
            s.push_str(&entry(i + 1, &format!("base {i}"), None));
        }
        s
    }

    /// Applies a branch's history; returns its file and what each base entry ended as.
    fn apply(file: &str, name: &str, ops: &[Op], n_base: usize) -> String {
        let mut text = file.to_owned();
        let mut added = 0;
        let mut newest: Option<String> = None;
        for op in ops {
            let doc = Document::parse(text.clone().into_bytes());
            // The next ID of this branch: one past the highest it holds.
            let next = doc
                .entries()
                .iter()
                .filter_map(|e| e.id.seq_number())
                .max()
                .unwrap_or(0) as usize
                + 1;
            let edit = |i: usize, f: &dyn Fn(&Entry<'_>) -> String| -> String {
                let span = &doc.entries()[i];
                let old = std::str::from_utf8(doc.entry_bytes(span)).unwrap();
                let new = f(&Entry::parse(old).unwrap());
                let mut d = doc.clone();
                d.replace_entry(i, new.as_bytes());
                String::from_utf8(d.into_bytes()).unwrap()
            };
            text = match op {
                Op::Add | Op::Refer => {
                    added += 1;
                    let summary = format!("{name} {added}");
                    let see = matches!(op, Op::Refer).then_some(newest.clone()).flatten();
                    let e = entry(next, &summary, see.as_deref());
                    newest = Some(format!("LRN-20261203-{next:03}"));
                    format!("{text}\n{e}")
                }
                Op::Status(i, s) if *i < n_base => edit(*i, &|e| e.with_field("Status", s)),
                Op::StatusLast(s) if !doc.entries().is_empty() => {
                    edit(doc.entries().len() - 1, &|e| e.with_field("Status", s))
                }
                Op::Section(i) if *i < n_base => edit(*i, &|e| {
                    e.with_section(&format!("Notes {name}"), &format!("from {name}"))
                }),
                Op::Recur(i) if *i < n_base => edit(*i, &|e| {
                    let n = e.meta_number("Recurrence-Count").unwrap_or(1) + 1;
                    e.with_meta("Recurrence-Count", &n.to_string())
                }),
                _ => text,
            };
        }
        text
    }

    /// Each entry by its summary: its text without the lines a renumbering changes, and the
    /// summaries of the lessons it refers to.
    fn by_summary(text: &str) -> BTreeMap<String, (String, Vec<String>)> {
        let doc = Document::parse(text.as_bytes().to_vec());
        let summary_of: BTreeMap<String, String> = doc
            .entries()
            .iter()
            .map(|s| {
                let t = std::str::from_utf8(doc.entry_bytes(s)).unwrap();
                (
                    s.id.to_string(),
                    Entry::parse(t).unwrap().summary().to_owned(),
                )
            })
            .collect();
        let mut out = BTreeMap::new();
        for s in doc.entries() {
            let t = std::str::from_utf8(doc.entry_bytes(s)).unwrap();
            let e = Entry::parse(t).unwrap();
            let refers: Vec<String> = e
                .meta("See Also")
                .map(|v| {
                    v.split(',')
                        .map(|id| summary_of[id.trim()].clone())
                        .collect()
                })
                .unwrap_or_default();
            let body: String = t
                .trim_end()
                .lines()
                .skip(1)
                .filter(|l| !l.starts_with("- Renumbered-From") && !l.starts_with("- See Also"))
                .collect::<Vec<_>>()
                .join("\n");
            let had = out.insert(e.summary().to_owned(), (body, refers));
            assert!(had.is_none(), "{} is there twice", e.summary());
        }
        out
    }

    fn statuses(text: &str) -> BTreeMap<String, String> {
        let doc = Document::parse(text.as_bytes().to_vec());
        doc.entries()
            .iter()
            .map(|s| {
                let e = Entry::parse(std::str::from_utf8(doc.entry_bytes(s)).unwrap()).unwrap();
                (e.summary().to_owned(), e.status().unwrap_or("").to_owned())
            })
            .collect()
    }

    proptest! {
        // MERGE_CASES=N runs more.
        #![proptest_config(ProptestConfig {
            cases: std::env::var("MERGE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
            ..ProptestConfig::default()
        })]

        #[test]
        fn the_merge_is_the_union_and_does_not_depend_on_which_side_is_ours(
            n_base in 0usize..4,
            ours in prop::collection::vec(op(), 0..8),
            theirs in prop::collection::vec(op(), 0..8),
            ours2 in prop::collection::vec(op(), 0..6),
            theirs2 in prop::collection::vec(op(), 0..6),
        ) {
            let o = base(n_base);
            let a = apply(&o, "ours", &ours, n_base);
            let b = apply(&o, "theirs", &theirs, n_base);
            let ab = merge_log(o.as_bytes(), a.as_bytes(), b.as_bytes());
            let ba = merge_log(o.as_bytes(), b.as_bytes(), a.as_bytes());
            // A conflict only where both sides set one entry's status differently.
            let status = |text: &str, i: usize| -> String {
                let doc = Document::parse(text.as_bytes().to_vec());
                let span = &doc.entries()[i];
                let t = std::str::from_utf8(doc.entry_bytes(span)).unwrap();
                Entry::parse(t).unwrap().status().unwrap_or("").to_owned()
            };
            let fought: Vec<String> = (0..n_base)
                .filter(|&i| {
                    let (so, sa, sb) = (status(&o, i), status(&a, i), status(&b, i));
                    sa != so && sb != so && sa != sb
                })
                .map(|i| format!("LRN-20261203-{:03}", i + 1))
                .collect();
            prop_assert_eq!(&ab.conflicts, &fought);
            prop_assert_eq!(&ba.conflicts, &fought);
            if !fought.is_empty() {
                return Ok(());
            }
            let (ab_text, ba_text) = (
                String::from_utf8(ab.bytes).unwrap(),
                String::from_utf8(ba.bytes).unwrap(),
            );
            // Ours' bytes are the start of the merge when theirs changed no entry of ours'.
            if theirs.iter().all(|op| matches!(op, Op::Add | Op::Refer)) {
                prop_assert!(ab_text.starts_with(&a));
            }
            let merged = by_summary(&ab_text);
            let mut wanted: Vec<String> = by_summary(&a).into_keys().collect();
            wanted.extend(by_summary(&b).into_keys());
            wanted.sort();
            wanted.dedup();
            prop_assert_eq!(merged.keys().cloned().collect::<Vec<_>>(), wanted);
            prop_assert_eq!(&merged, &by_summary(&ba_text));
            // Every reference names the lesson it named on its own branch.
            for side in [&a, &b] {
                for (summary, (_, refers)) in by_summary(side) {
                    prop_assert_eq!(&merged[&summary].1, &refers, "{}", summary);
                }
            }
            // IDs are unique, and every recurrence of both sides is counted.
            let doc = Document::parse(ab_text.clone().into_bytes());
            let mut ids: Vec<String> = doc.entries().iter().map(|s| s.id.to_string()).collect();
            let n = ids.len();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), n);
            // A second round: both go on, and theirs is merged again (the base is now
            // theirs' first state, which ours holds). Each lesson is still itself.
            let a2 = apply(&ab_text, "ours2", &ours2, n_base);
            let b2 = apply(&b, "theirs2", &theirs2, n_base);
            let again = merge_log(b.as_bytes(), a2.as_bytes(), b2.as_bytes());
            if again.conflicts.is_empty() {
                let text = String::from_utf8(again.bytes).unwrap();
                let merged2 = by_summary(&text);
                let mut wanted: Vec<String> = by_summary(&a2).into_keys().collect();
                wanted.extend(by_summary(&b2).into_keys());
                wanted.sort();
                wanted.dedup();
                prop_assert_eq!(merged2.keys().cloned().collect::<Vec<_>>(), wanted);
                for side in [&a2, &b2] {
                    for (summary, (_, refers)) in by_summary(side) {
                        prop_assert_eq!(&merged2[&summary].1, &refers, "{}", summary);
                    }
                }
                // Each lesson's status is the one the side that changed it set.
                let (so, sa, sb, sm) = (statuses(&b), statuses(&a2), statuses(&b2), statuses(&text));
                for (summary, got) in &sm {
                    let (o, a, b) = (so.get(summary), sa.get(summary), sb.get(summary));
                    let want = match (a, b) {
                        (Some(a), Some(b)) if a == b || o == Some(b) => a,
                        (Some(_), Some(b)) => b,
                        (Some(a), None) => a,
                        (None, Some(b)) => b,
                        (None, None) => unreachable!(),
                    };
                    prop_assert_eq!(got, want, "{}", summary);
                }
            }
            for i in 0..n_base {
                let recurs = |ops: &[Op]| ops.iter().filter(|op| matches!(op, Op::Recur(j) if *j == i)).count();
                // The same change on both sides is one change (what a cherry-pick looks
                // like); recurrences in other sessions differ, and add up.
                let text_of = |t: &str| by_summary(t)[&format!("base {i}")].0.clone();
                let want = if text_of(&a) == text_of(&b) {
                    1 + recurs(&ours)
                } else {
                    1 + recurs(&ours) + recurs(&theirs)
                };
                let (body, _) = &merged[&format!("base {i}")];
                let count_line = format!("- Recurrence-Count: {want}");
                prop_assert!(body.contains(&count_line), "{}", body);
            }
        }
    }
}

#[test]
fn doctor_makes_unique_the_ids_a_merge_without_the_driver_left_twice() {
    let r = Repo::new();
    r.ok(&["init"]);
    r.ok(&["log", "learning", "--summary", "base"]);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "a"]);
    r.ok(&["log", "learning", "--summary", "a lesson"]);
    r.ok(&["log", "learning", "--summary", "the same on both"]);
    r.commit("a");
    r.git(&["checkout", "-q", "-b", "b", "main"]);
    r.ok(&["log", "learning", "--summary", "b lesson"]);
    r.commit("b");
    r.git(&["checkout", "-q", "a"]);
    // No driver: git conflicts, and the person keeps both sides: ours' file, theirs' new
    // entry after it, and (while at it) one entry pasted twice.
    assert!(!r.git_output(&["merge", "--no-edit", "b"]).status.success());
    let log = ".learnings/LEARNINGS.md";
    let entry_of = |text: &str, summary: &str| -> String {
        let doc = evolver::Document::parse(text.as_bytes().to_vec());
        let span = doc
            .entries()
            .iter()
            .find(|s| String::from_utf8_lossy(doc.entry_bytes(s)).contains(summary))
            .unwrap();
        String::from_utf8_lossy(doc.entry_bytes(span)).into_owned()
    };
    let ours = r.git(&["show", &format!("a:{log}")]);
    let theirs = r.git(&["show", &format!("b:{log}")]);
    let kept = format!(
        "{ours}\n{}\n{}",
        entry_of(&theirs, "b lesson"),
        entry_of(&ours, "the same on both")
    );
    std::fs::write(r.path(log), kept).unwrap();

    let before = r.command(&["doctor"]).output().unwrap();
    assert_eq!(before.status.code(), Some(1));
    let said = String::from_utf8(before.stdout).unwrap();
    assert!(said.contains("appears 2 times"), "{said}");
    let fixed = r.ok(&["doctor", "--fix"]);
    assert!(
        fixed.contains("removed a second, identical copy"),
        "{fixed}"
    );
    assert!(fixed.contains("is another lesson, now LRN-"), "{fixed}");
    let by = r.by_summary();
    assert_eq!(
        by.keys().collect::<Vec<_>>(),
        ["a lesson", "b lesson", "base", "the same on both"]
    );
    assert!(by.values().all(|ids| ids.len() == 1), "{by:?}");
    let text = r.read(log);
    assert_eq!(text.matches("- Renumbered-From: ").count(), 1, "{text}");
    assert!(
        r.read(".learnings/events.jsonl")
            .contains("\"action\":\"renumbered\"")
    );
    let after = r.command(&["doctor"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&after.stdout),
        "no problems found\n"
    );
}

#[test]
fn install_claude_offers_the_driver_in_a_git_repository() {
    let r = Repo::new();
    let out = r.ok(&["install", "claude"]);
    assert!(out.contains("evolver install git"), "{out}");
    r.ok(&["install", "git"]);
    assert!(!r.ok(&["install", "codex"]).contains("evolver install git"));
}

#[test]
fn tampering_on_a_branch_before_the_merge_is_still_found_after_it() {
    let r = Repo::new();
    r.ok(&["init"]);
    r.ok(&["install", "git"]);
    r.ok(&["log", "learning", "--summary", "base"]);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "b"]);
    r.ok(&["log", "learning", "--summary", "b one"]);
    r.ok(&["log", "learning", "--summary", "b two"]);
    let events = ".learnings/events.jsonl";
    // b's own first event (the second line) edited by hand.
    let text = r.read(events);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replace("\"action\":\"created\"", "\"action\":\"forged!\"");
    std::fs::write(r.path(events), lines.join("\n") + "\n").unwrap();
    r.commit("b, with its second event edited");
    r.git(&["checkout", "-q", "main"]);
    r.ok(&["log", "learning", "--summary", "main one"]);
    r.commit("main");
    r.git(&["merge", "-q", "--no-edit", "b"]);
    let out = r.command(&["audit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    // main's two lines, then b's: its edited one is the third.
    assert!(
        said.contains("events.jsonl line 3: its hash does not match"),
        "{said}"
    );
}

/// The status of the entry with this summary.
fn status_of(r: &Repo, summary: &str) -> String {
    r.entries()
        .iter()
        .find(|e| e["summary"] == summary)
        .unwrap_or_else(|| panic!("no {summary}"))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn clean(r: &Repo, what: &str) {
    assert!(r.ok(&["audit"]).starts_with("ok: "), "{what}");
    let doctor = r.command(&["doctor"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&doctor.stdout),
        "no problems found\n",
        "{what}"
    );
    let by = r.by_summary();
    assert!(by.values().all(|ids| ids.len() == 1), "{what}: {by:?}");
}

#[test]
fn a_lesson_renumbered_by_one_merge_is_still_itself_in_the_next() {
    let r = Repo::with_driver();
    r.git(&["checkout", "-q", "-b", "feat"]);
    let f = r.log("feat lesson", &[]);
    r.commit("feat: logged");
    r.git(&["checkout", "-q", "main"]);
    let m = r.log("main lesson", &[]);
    r.ok(&[
        "log",
        "learning",
        "--summary",
        "main refers",
        "--see-also",
        &m,
    ]);
    r.commit("main: logged");
    assert_eq!(f, m, "both branches minted one ID");
    r.git(&["merge", "-q", "--no-edit", "feat"]);
    clean(&r, "first merge");
    // feat goes on with its lesson under the ID it knows, and is merged again.
    r.git(&["checkout", "-q", "feat"]);
    r.ok(&["resolve", &f, "--status", "wont_fix"]);
    r.commit("feat: wont_fix");
    r.git(&["checkout", "-q", "main"]);
    r.git(&["merge", "-q", "--no-edit", "feat"]);
    assert_eq!(status_of(&r, "feat lesson"), "wont_fix");
    assert_eq!(status_of(&r, "main lesson"), "pending");
    clean(&r, "second merge");
    // feat goes on, takes main in (main's lessons are renumbered there), then main takes
    // feat in: each side keeps its IDs, and each lesson stays itself.
    r.git(&["checkout", "-q", "feat"]);
    r.ok(&["log", "learning", "--summary", "feat two"]);
    r.commit("feat: two");
    r.git(&["merge", "-q", "--no-edit", "main"]);
    assert_eq!(r.id_of("feat lesson"), f, "feat keeps its IDs");
    assert_ne!(
        r.id_of("main lesson"),
        m,
        "main's lesson has another ID on feat"
    );
    clean(&r, "back-merge");
    r.ok(&[
        "resolve",
        &r.id_of("main lesson"),
        "--status",
        "in_progress",
    ]);
    r.commit("feat: main's lesson in progress");
    r.git(&["checkout", "-q", "main"]);
    // (Had main not changed its log since, git would fast-forward it to feat's IDs.)
    r.ok(&["log", "learning", "--summary", "main two"]);
    r.commit("main: two");
    r.git(&["merge", "-q", "--no-edit", "feat"]);
    assert_eq!(r.id_of("main lesson"), m, "main keeps its IDs");
    assert_eq!(status_of(&r, "main lesson"), "in_progress");
    assert_eq!(status_of(&r, "feat lesson"), "wont_fix");
    let refers = r.ok(&["show", &r.id_of("main refers")]);
    assert!(refers.contains(&format!("- See Also: {m}\n")), "{refers}");
    clean(&r, "merge after the back-merge");
}

#[test]
fn syncing_both_ways_copies_no_event_twice() {
    let r = Repo::with_driver();
    r.git(&["branch", "feat"]);
    let mut logged = 0;
    for round in 0..6 {
        for branch in ["main", "feat"] {
            r.git(&["checkout", "-q", branch]);
            r.ok(&["log", "learning", "--summary", &format!("{branch} {round}")]);
            logged += 1;
            r.commit(&format!("{branch} {round}"));
            let other = if branch == "main" { "feat" } else { "main" };
            r.git(&["merge", "-q", "--no-edit", other]);
            clean(&r, &format!("{branch} after round {round}"));
        }
    }
    // One event per entry, and one per merge that brought something new: no copies.
    let events = r.read(".learnings/events.jsonl");
    let created = events.matches("\"action\":\"created\"").count();
    let merges = events.matches("\"action\":\"merge\"").count();
    assert_eq!(created, logged, "{events}");
    assert!(merges <= 12, "{merges} merges");
    assert_eq!(events.lines().count(), created + merges);
}

#[test]
fn a_rebase_and_a_cherry_pick_change_the_lesson_they_changed() {
    let r = Repo::with_driver();
    r.git(&["checkout", "-q", "-b", "feat"]);
    let f = r.log("feat lesson", &[]);
    r.commit("feat: logged");
    r.ok(&["resolve", &f, "--status", "wont_fix"]);
    r.commit("feat: wont_fix");
    r.git(&["checkout", "-q", "main"]);
    r.ok(&["log", "learning", "--summary", "main lesson"]);
    r.commit("main: logged");
    r.git(&["checkout", "-q", "-B", "work", "feat"]);
    r.git(&["rebase", "-q", "main"]);
    assert_eq!(status_of(&r, "feat lesson"), "wont_fix");
    assert_eq!(status_of(&r, "main lesson"), "pending");
    clean(&r, "rebase");
    // main takes feat's first commit alone, then all of feat: the lesson is there once. Its
    // status differs on the two sides and no common version of it is at hand (git's own
    // merge has none either), so that line, and only it, is left to the person.
    r.git(&["checkout", "-q", "main"]);
    r.git(&["cherry-pick", "feat~1"]);
    let out = r.git_output(&["merge", "-q", "--no-edit", "feat"]);
    assert!(!out.status.success());
    let text = r.read(".learnings/LEARNINGS.md");
    assert_eq!(
        text.matches("### Summary\nfeat lesson\n").count(),
        1,
        "{text}"
    );
    assert_eq!(text.matches("<<<<<<< ").count(), 1, "{text}");
    assert!(
        text.contains(
            "<<<<<<< ours\n**Status**: pending\n=======\n**Status**: wont_fix\n>>>>>>> theirs\n"
        ),
        "{text}"
    );
}

#[test]
fn a_promotion_brought_in_through_a_merge_of_merges_belongs_to_its_lesson() {
    let r = Repo::with_driver();
    r.git(&["branch", "x"]);
    r.git(&["checkout", "-q", "-b", "y"]);
    let y = r
        .ok(&[
            "log",
            "learning",
            "--summary",
            "y lesson",
            "--action",
            "Do y",
        ])
        .trim()
        .to_owned();
    r.pass(&y);
    r.ok(&["promote", &y, "--to", "CLAUDE.md"]);
    r.commit("y: promoted");
    r.git(&["checkout", "-q", "x"]);
    r.ok(&["log", "learning", "--summary", "x lesson"]);
    r.commit("x: logged");
    r.git(&["checkout", "-q", "y"]);
    r.git(&["merge", "-q", "--no-edit", "x"]);
    r.git(&["checkout", "-q", "main"]);
    let m = r.log("main lesson", &[]);
    r.commit("main: logged");
    r.git(&["merge", "-q", "--no-edit", "y"]);
    clean(&r, "merge of a merge");
    assert_eq!(r.id_of("main lesson"), m);
    let promoted = r.id_of("y lesson");
    assert_ne!(promoted, y, "renumbered on main");
    // Rolling back main's own lesson touches nothing; rolling back y's takes its block out.
    let refused = r.command(&["rollback", &m]).output().unwrap();
    assert!(r.read("CLAUDE.md").contains("Do y"), "{refused:?}");
    r.ok(&["rollback", &promoted, "--reason", "check"]);
    assert!(!r.read("CLAUDE.md").contains("<!-- evolver:"));
}

#[test]
fn a_lesson_verified_on_its_branch_is_promoted_after_a_merge_renumbered_it() {
    let r = Repo::with_driver();
    r.git(&["checkout", "-q", "-b", "feat"]);
    let q = r
        .ok(&[
            "log",
            "learning",
            "--summary",
            "feat lesson",
            "--action",
            "Do q",
        ])
        .trim()
        .to_owned();
    r.pass(&q);
    r.commit("feat: verified");
    r.git(&["checkout", "-q", "main"]);
    r.ok(&["log", "learning", "--summary", "main lesson"]);
    r.commit("main: logged");
    r.git(&["merge", "-q", "--no-edit", "feat"]);
    let renumbered = r.id_of("feat lesson");
    assert_ne!(renumbered, q);
    // The receipt names the ID it was issued for on feat; the entry's Renumbered-From says
    // it is this lesson's, and the audit chain says it is its latest.
    r.ok(&["promote", &renumbered, "--to", "CLAUDE.md"]);
    assert!(r.read("CLAUDE.md").contains("- Do q\n"));
    clean(&r, "promoted after the merge");
}
