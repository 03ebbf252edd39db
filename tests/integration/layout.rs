//! The source layout keeps its one direction of dependencies (docs/architecture.md): a folder
//! uses only the layers below it, never a sibling or a layer above, so no two folders can
//! form a cycle. Every `crate::…` path in a folder's files counts, doc links included.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each unit of `src/` (a folder, or a file at the top) and its layer: a unit may use units of
/// a lower layer only. Units on one layer are siblings and may not use each other.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("redact", 0),
    ("format", 1),
    ("store", 2),
    ("hooks", 3),
    ("verify", 3),
    ("agents", 3),
    ("upkeep", 4),
    ("cli", 5),
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

/// Every unit each file's `crate::` paths name.
fn uses(text: &str) -> Result<BTreeSet<String>, String> {
    let mut used = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        if at > 0 && text.as_bytes()[at - 1] == b'$' {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            // `crate::{Error, Result}`: a group at the root.
            Some(group) => group[..group.find('}').unwrap_or(group.len())]
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect(),
            None => vec![rest],
        };
        for name in names {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // The crate root's re-exports would hide which unit a file depends on.
            if name.starts_with(char::is_uppercase) || name.is_empty() {
                return Err(format!("`crate::{name}`; use its unit's path"));
            }
            used.insert(name);
        }
    }
    Ok(used)
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
    for targets in graph.values_mut() {
        targets.retain(|t| LAYERS.iter().any(|(n, _)| n == t));
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
fn every_folder_opens_with_what_it_owns_and_may_use() {
    for (unit, _) in LAYERS {
        let dir = src().join(unit);
        if !dir.is_dir() {
            continue;
        }
        let text = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
        assert!(
            text.starts_with("//! "),
            "src/{unit}/mod.rs must open with a paragraph on what it owns and may use"
        );
    }
}

#[test]
fn the_check_catches_a_use_against_the_layers() {
    assert_eq!(
        uses("use crate::store::Store;\n/// see [`crate::error::Error`]").unwrap(),
        BTreeSet::from(["store".to_owned(), "error".to_owned()])
    );
    assert!(uses("use crate::{Entry, Store};").is_err());
    assert!(uses("use crate::{Error, Result};").is_err());
    assert_eq!(
        uses("use crate::{format, store};").unwrap(),
        BTreeSet::from(["format".to_owned(), "store".to_owned()])
    );
    assert!(uses("let s: crate::Store;").is_err());
    assert_eq!(
        uses("macro_rules! m { () => { $crate::x } }").unwrap(),
        BTreeSet::new()
    );
}
