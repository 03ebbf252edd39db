//! `evolver doctor` (SPEC 9): what has come apart in the store, and what can be put right.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::Result;
use crate::format::{Entry, Kind};
use crate::hooks::guard;
use crate::store::Store;
use crate::store::index;
use crate::upkeep::seen::{Seen, entries};
use crate::verify::promotion::TARGETS;
use crate::verify::{receipt_id, receipt_path};

/// `evolver doctor`: one line per problem. With `fix`, what can be put right safely is: a
/// promoted entry whose block is gone from its target returns to pending, and an index that
/// is stale, damaged or missing is made anew.
pub fn doctor(
    store: &Store,
    fix: bool,
    home: Option<&std::path::Path>,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let all = entries(store)?;
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeMap::<&str, Vec<String>>::new();
    for e in &all {
        seen.entry(e.id.as_str())
            .or_default()
            .push(format!("{} line {}", e.file, e.line));
    }
    for (id, places) in &seen {
        if places.len() > 1 {
            problems.push(format!(
                "{id} appears {} times ({})",
                places.len(),
                places.join(", ")
            ));
        }
    }
    if fix && seen.values().any(|p| p.len() > 1) {
        // Renumbering changes what the other checks see: they run on the fixed store.
        for line in fix_duplicates(store, now)? {
            problems.push(format!("  fixed: {line}"));
        }
        problems.extend(doctor(store, fix, home, now)?);
        return Ok(problems);
    }
    let texts: Vec<(&str, String)> = TARGETS
        .iter()
        .filter_map(|(_, rel)| {
            fs_err::read_to_string(store.root().join(rel))
                .ok()
                .map(|t| (*rel, t))
        })
        .collect();
    for e in &all {
        if e.status == "promoted" {
            // A block promoted before a merge renumbered the entry carries its old ID.
            let markers: Vec<String> = std::iter::once(&e.id)
                .chain(&e.renumbered_from)
                .map(|id| format!("<!-- evolver:{id} "))
                .collect();
            let has_block = |target: &str| {
                texts.iter().any(|(rel, t)| {
                    *rel == target && markers.iter().any(|m| t.contains(m.as_str()))
                })
            };
            let missing: Vec<&String> = e.promoted.iter().filter(|t| !has_block(t)).collect();
            for target in &missing {
                problems.push(format!(
                    "{} is promoted but its block is missing from {target}",
                    e.id
                ));
            }
            // Only when no block is left anywhere: else pending would orphan the others.
            if fix && !missing.is_empty() && missing.len() == e.promoted.len() {
                store.update(&e.id, now, |entry| {
                    let text = entry.with_field("Status", "pending");
                    Ok(Entry::parse(&text)
                        .expect("an edit keeps the header")
                        .with_field("Verified", "false"))
                })?;
                problems.push(format!("  fixed: {} is pending again", e.id));
            }
        }
        if let Some(rid) = &e.receipt {
            let path = receipt_path(store.dir(), rid);
            match fs_err::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            {
                None => problems.push(format!("{}: receipt {rid} is missing or unreadable", e.id)),
                Some(r) if receipt_id(&r) != *rid => {
                    problems.push(format!(
                        "{}: receipt {rid} does not recompute (edited)",
                        e.id
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(skill) = &e.skill_path
            && !store.root().join(skill).exists()
        {
            problems.push(format!("{}: skill {skill} on record is gone", e.id));
        }
        if let Some(why) = guard::withheld(&e.summary) {
            problems.push(format!(
                "{}: {} line {}: its summary {why}, so the activator withholds it; rewrite it \
                 as a lesson, or set its status to wont_fix",
                e.id, e.file, e.line
            ));
        }
    }
    // Deployed skills whose folders are gone or changed since deploy.
    let places = crate::skills::deploy::Places {
        root: store.root().to_owned(),
        home: home.map(ToOwned::to_owned),
    };
    for p in crate::skills::lifecycle::doctor(store, &places, fix, now)? {
        problems.push(p.describe());
        if p.fixed {
            problems.push(format!(
                "  fixed: skill {} copied back from staging",
                p.name
            ));
        }
    }
    for kind in Kind::ALL {
        let Some(problem) = index::health(store.dir(), kind) else {
            continue;
        };
        // A missing or stale index is what every git checkout, merge or editor leaves: the
        // hooks read the log instead and the next write makes it anew, so it is no problem.
        // `--fix` makes it now.
        let damaged = problem.contains("damaged");
        if damaged {
            problems.push(format!("index: {problem}"));
        }
        if fix {
            store.write(|w| {
                w.reindex(kind);
                Ok(())
            })?;
            if damaged {
                let outcome = match index::health(store.dir(), kind) {
                    None => "made anew",
                    Some(_) => "could not be made now (the log is changing); run it again",
                };
                problems.push(format!(
                    "  fixed: the index of {} {outcome}",
                    kind.file_name()
                ));
            }
        }
    }
    for (rel, text) in &texts {
        for (at, _) in text.match_indices("<!-- evolver:") {
            let id: String = text[at + 13..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            let promoted_here = |e: &&Seen| {
                (e.id == id || e.renumbered_from.as_deref() == Some(id.as_str()))
                    && e.status == "promoted"
                    && e.promoted.iter().any(|t| t == rel)
            };
            if !all.iter().any(|e| promoted_here(&e)) {
                problems.push(format!(
                    "{rel} holds a block for {id}, which is not promoted there"
                ));
            }
        }
    }
    Ok(problems)
}

/// Puts right the IDs a merge made without the driver left twice: a later copy identical to
/// the first is removed, and a later entry that is another lesson gets the next free ID of
/// its date, with `- Renumbered-From` and an audit event saying so. One line per change.
fn fix_duplicates(store: &Store, now: DateTime<Utc>) -> Result<Vec<String>> {
    use crate::merge::renumber::{next_free, renumber_header};
    store.write(|w| {
        let mut done = Vec::new();
        let mut logs = Vec::new();
        for kind in Kind::ALL {
            logs.push(w.load(kind)?);
        }
        let mut used: std::collections::BTreeSet<String> = logs
            .iter()
            .flat_map(|l| l.doc.entries().iter().map(|s| s.id.to_string()))
            .collect();
        let mut first = std::collections::HashMap::<String, Vec<u8>>::new();
        for log in &mut logs {
            let mut i = 0;
            let mut changed = false;
            while i < log.doc.entries().len() {
                let span = log.doc.entries()[i].clone();
                let bytes = log.doc.entry_bytes(&span).to_vec();
                let id = span.id.to_string();
                let trimmed = |b: &[u8]| b.trim_ascii_end().to_vec();
                match first.get(&id) {
                    None => {
                        first.insert(id, trimmed(&bytes));
                        i += 1;
                    }
                    Some(kept) if *kept == trimmed(&bytes) => {
                        log.doc.replace_entry(i, b"");
                        changed = true;
                        done.push(format!(
                            "{id}: removed a second, identical copy from {}",
                            log.kind.file_name()
                        ));
                    }
                    Some(_) => {
                        let new = next_free(&used, &span.id).to_string();
                        used.insert(new.clone());
                        log.doc
                            .replace_entry(i, &renumber_header(&bytes, &id, &new));
                        changed = true;
                        w.record(
                            now,
                            "renumbered",
                            &new,
                            serde_json::json!({"from": id, "file": log.kind.file_name()}),
                        )?;
                        done.push(format!(
                            "{id}: the copy at {} line {} is another lesson, now {new}",
                            log.kind.file_name(),
                            span.line
                        ));
                        first.insert(new, Vec::new());
                        i += 1;
                    }
                }
            }
            if changed {
                w.replace(log)?;
            }
        }
        Ok(done)
    })
}
