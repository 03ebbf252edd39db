//! The reader against real-world shapes: our own fixtures (tests/fixtures/logs/, with their
//! expected entries stated by hand in EXPECTED) always, and the real corpus in
//! ../shared/corpus/real/ when that folder exists.

use std::path::{Path, PathBuf};

use evolver::{Document, Entry};
use regex::Regex;

use crate::harness::Project;

/// An independent count of entry headers: a second, regex-based reading of SPEC 4.2.
fn independent_count(text: &str) -> Vec<(String, usize)> {
    let header =
        Regex::new(r"^#{2,3} \[((?:LRN|ERR|FEAT)-[0-9]{8}-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)\]")
            .unwrap();
    let fence = Regex::new(r"^ {0,3}(`{3,}|~{3,})(.*)$").unwrap();
    let mut found = Vec::new();
    let mut open: Option<String> = None;
    let mut comment = false;
    for (i, raw) in text.split('\n').enumerate() {
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        if i == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        if let Some(marker) = &open {
            if let Some(c) = fence.captures(line) {
                let run = &c[1];
                let same = run.starts_with(&marker[..1]) && run.len() >= marker.len();
                let rest = c[2].trim();
                if same && rest.is_empty() {
                    open = None;
                } else if same && let Some(h) = header.captures(&c[2]) {
                    found.push((h[1].to_owned(), i + 1));
                    open = None;
                }
            }
            continue;
        }
        if comment {
            comment = !line.contains("-->");
            continue;
        }
        if let Some(h) = header.captures(line) {
            found.push((h[1].to_owned(), i + 1));
        } else if let Some(c) = fence.captures(line) {
            if !(c[1].starts_with('`') && c[2].contains('`')) {
                open = Some(c[1].to_owned());
            }
        } else {
            let t = line.trim_start_matches(' ');
            let indent = line.len() - t.len();
            if indent <= 3 && t.starts_with("<!--") && !t[4..].contains("-->") {
                comment = true;
            }
        }
    }
    found
}

fn parsed(bytes: &[u8]) -> Vec<(String, usize)> {
    Document::parse(bytes.to_vec())
        .entries()
        .iter()
        .map(|s| (s.id.to_string(), s.line))
        .collect()
}

/// Every guarantee of SPEC 4.3 for one file; returns the number of entries.
fn check_file(path: &Path, expected: Option<&[(String, usize)]>) -> usize {
    let name = path.display();
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let entries = parsed(&bytes);
    assert_eq!(
        entries,
        independent_count(&text),
        "{name}: independent count"
    );
    if let Some(expected) = expected {
        assert_eq!(entries, expected, "{name}: hand-stated entries");
    }

    let doc = Document::parse(bytes.clone());
    assert_eq!(doc.clone().into_bytes(), bytes, "{name}: round trip");

    // A status edit of each entry changes only that entry's bytes.
    for (i, span) in doc.entries().iter().enumerate() {
        let old = std::str::from_utf8(doc.entry_bytes(span)).unwrap();
        let entry = Entry::parse(old).unwrap();
        let new = entry.with_field("Status", "edited_by_test");
        let mut edited = doc.clone();
        edited.replace_entry(i, new.as_bytes());
        let out = edited.bytes();
        assert_eq!(
            &out[..span.range.start],
            &bytes[..span.range.start],
            "{name} #{i}: before"
        );
        assert_eq!(
            &out[span.range.start + new.len()..],
            &bytes[span.range.end..],
            "{name} #{i}: after"
        );
        let ids = |v: Vec<(String, usize)>| v.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
        assert_eq!(
            ids(parsed(out)),
            ids(entries.clone()),
            "{name} #{i}: entries after the edit"
        );
        let reread = Entry::parse(&new).unwrap();
        assert_eq!(reread.status(), Some("edited_by_test"), "{name} #{i}");
        let changed_lines = old.lines().zip(new.lines()).filter(|(a, b)| a != b).count();
        assert!(
            changed_lines <= 1 || entry.status().is_none(),
            "{name} #{i}: {changed_lines} lines"
        );
    }
    entries.len()
}

/// Puts the file in a project and resolves its first unique entry with the real binary:
/// only that entry's bytes may change.
fn check_cli_resolve(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let file = ["LEARNINGS.md", "ERRORS.md", "FEATURE_REQUESTS.md"]
        .into_iter()
        .find(|f| path.to_string_lossy().ends_with(f))
        .expect("file kind from its name");
    let doc = Document::parse(bytes.clone());
    let Some(span) = doc
        .entries()
        .iter()
        .find(|s| doc.find(s.id.as_str()).count() == 1 && s.id.kind().file_name() == file)
    else {
        return;
    };
    let p = Project::init();
    p.write(&format!(".learnings/{file}"), &bytes);
    p.ok(&[
        "resolve",
        span.id.as_str(),
        "--status",
        "wont_fix",
        "--notes",
        "test",
    ]);
    let after = std::fs::read(p.path(&format!(".learnings/{file}"))).unwrap();
    let tail = bytes.len() - span.range.end;
    assert_eq!(
        &after[..span.range.start],
        &bytes[..span.range.start],
        "{}",
        path.display()
    );
    assert_eq!(
        &after[after.len() - tail..],
        &bytes[span.range.end..],
        "{}",
        path.display()
    );
}

/// The activator ranks the same from the logs and from the index it makes of them, for
/// prompts in each language the logs are written in and for the file's own first summary.
fn check_ranking(path: &Path) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let log = ["LEARNINGS.md", "ERRORS.md", "FEATURE_REQUESTS.md"]
        .into_iter()
        .find(|k| name.ends_with(k))
        .unwrap_or_else(|| panic!("{name}: not a log"));
    let (_guard, store) = crate::relevance::store_of(&[(path.to_path_buf(), log.to_owned())]);
    let bytes = std::fs::read(path).unwrap();
    let own = evolver::format::Document::parse(bytes.clone())
        .entries()
        .first()
        .and_then(|span| {
            let text = std::str::from_utf8(&bytes[span.range.clone()]).ok()?;
            Some(evolver::format::Entry::parse(text)?.summary().to_owned())
        })
        .unwrap_or_default();
    for prompt in [
        "the build fails again after the update",
        "部署失败，接口报错",
        "erro ao salvar a planilha",
        "Fehler beim Speichern der Datei",
        own.as_str(),
    ] {
        let _ = std::fs::remove_dir_all(store.dir().join(".index"));
        let from_logs = evolver::hooks::activator::block(&store, prompt).unwrap();
        crate::relevance::settle(&store);
        let from_index = evolver::hooks::activator::indexed_block(&store, prompt);
        assert_eq!(
            from_index.as_deref(),
            Some(from_logs.as_str()),
            "{name}: {prompt}"
        );
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs")
}

#[test]
fn own_fixtures_give_the_hand_stated_entries() {
    let expected = std::fs::read_to_string(fixtures().join("EXPECTED")).unwrap();
    let mut files = 0;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let (file, ids) = line.split_once(':').unwrap();
        let want: Vec<(String, usize)> = ids
            .split_whitespace()
            .map(|t| {
                let (id, n) = t.split_once('@').unwrap();
                (id.to_owned(), n.parse().unwrap())
            })
            .collect();
        let path = fixtures().join(file.trim());
        check_file(&path, Some(&want));
        check_cli_resolve(&path);
        check_ranking(&path);
        files += 1;
    }
    let on_disk = std::fs::read_dir(fixtures())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("__")
        })
        .count();
    assert_eq!(files, on_disk, "every fixture is listed in EXPECTED");
}

#[test]
fn real_corpus_when_present() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let Ok(read) = std::fs::read_dir(&dir) else {
        println!("real corpus absent at {}; skipped", dir.display());
        return;
    };
    let mut paths: Vec<PathBuf> = read.map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut entries = 0;
    for path in &paths {
        entries += check_file(path, None);
        check_cli_resolve(path);
        check_ranking(path);
    }
    assert!(paths.len() >= 47, "{} files", paths.len());
    println!(
        "real corpus: {} files, {entries} entries, all round-tripped and ranked alike from \
         the logs and the index",
        paths.len()
    );
}
