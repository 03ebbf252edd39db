//! The source layout keeps its one direction of dependencies (docs/architecture.md): a folder
//! uses only the layers below it, never a sibling or a layer above, so no two folders can
//! form a cycle. Every `crate::…` path in a folder's files counts, doc links included.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each unit of `src/` (a folder, or a file at the top) and its layer: a unit may use units of
/// a lower layer only. Units on one layer are siblings and may not use each other.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("format", 1),
    ("redact", 1),
    ("relevance", 1),
    ("store", 2),
    ("hooks", 3),
    ("verify", 3),
    ("agents", 3),
    ("merge", 3),
    ("skills", 4),
    ("upkeep", 5),
    ("cli", 6),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The unit a file of `src/` belongs to, or `None` for the crate root and the binaries.
fn unit_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    match first.as_str() {
        "lib.rs" | "bin" => None,
        name => Some(name.trim_end_matches(".rs").to_owned()),
    }
}

/// The items of a group `{a, b::{c, d}, e}` at the start of `text`, split at its top-level
/// commas; `None` when the braces do not close.
fn group_items(text: &str) -> Option<Vec<&str>> {
    let mut depth = 0;
    let mut start = 1;
    let mut items = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    items.push(&text[start..i]);
                    return Some(items.into_iter().map(str::trim).collect());
                }
            }
            ',' if depth == 1 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// Every unit a file's `crate::` paths name. Each path must start with a unit: the crate
/// root's re-exports (`crate::Store`, `crate::project_root`) would hide which unit a file
/// depends on, and paths that climb with `super::super` or rename the crate escape the check.
fn uses(text: &str) -> Result<BTreeSet<String>, String> {
    if text.contains("super::super::") || text.contains("crate as ") {
        return Err("a path that climbs with `super::super` or renames the crate".into());
    }
    let mut used = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c == '$' || c == '_' || c.is_alphanumeric()) {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let items = match rest.starts_with('{') {
            true => group_items(rest).ok_or("an unclosed `crate::{` group")?,
            false => vec![rest],
        };
        for item in items.into_iter().filter(|i| !i.is_empty()) {
            let name: String = item
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !LAYERS.iter().any(|(unit, _)| *unit == name) {
                return Err(format!(
                    "`crate::{name}` is not a unit; use its unit's path"
                ));
            }
            used.insert(name);
        }
    }
    Ok(used)
}

/// The units of `src/`: its folders and top-level files, but the crate root and binaries.
fn units() -> BTreeSet<String> {
    std::fs::read_dir(src())
        .unwrap()
        .filter_map(|e| unit_of(&e.unwrap().path()))
        .collect()
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(unit) = unit_of(&file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let used = uses(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        graph.entry(unit.clone()).or_default().extend(used);
    }
    graph
}

fn layer(unit: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(n, _)| *n == unit)
        .unwrap_or_else(|| panic!("src/{unit} has no layer in LAYERS and docs/architecture.md"))
        .1
}

#[test]
fn every_folder_uses_only_the_layers_below_it() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (unit, targets) in &graph {
        for target in targets {
            if target != unit && layer(target) >= layer(unit) {
                wrong.push(format!("{unit} uses {target}"));
            }
        }
    }
    assert!(wrong.is_empty(), "against the layers: {wrong:?}");
    // The check sees real edges: the hooks write through the store.
    assert!(graph["hooks"].contains("store"), "{graph:?}");
}

#[test]
fn every_unit_has_a_layer_and_every_folder_says_what_it_owns() {
    for unit in units() {
        layer(&unit);
        let dir = src().join(&unit);
        if dir.is_dir() {
            let text = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
            assert!(
                text.starts_with("//! "),
                "src/{unit}/mod.rs must open with a paragraph on what it owns and may use"
            );
        }
    }
    assert!(units().contains("store"), "{:?}", units());
}

#[test]
fn the_check_reads_every_shape_of_path() {
    let units = |text: &str| uses(text).map(|u| u.into_iter().collect::<Vec<_>>());
    assert_eq!(
        units("use crate::store::Store;\n/// see [`crate::error::Error`]"),
        Ok(vec!["error".to_owned(), "store".to_owned()])
    );
    assert_eq!(
        units("use crate::{format::{Entry, Kind}, store::Store, verify::Verdict};"),
        Ok(vec![
            "format".to_owned(),
            "store".to_owned(),
            "verify".to_owned()
        ])
    );
    assert_eq!(
        units("macro_rules! m { () => { $crate::x } }\n// my_crate::Thing"),
        Ok(vec![])
    );
    for hidden in [
        "use crate::{Entry, Store};",
        "use crate::{Error, Result};",
        "let s: crate::Store;",
        "crate::project_root(&p, &e)",
        "use super::super::cli::run;",
        "use crate as c;",
        "use crate::{store::Store",
    ] {
        assert!(uses(hidden).is_err(), "{hidden}");
    }
}
