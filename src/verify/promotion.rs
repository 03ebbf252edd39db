//! Promotion and rollback (SPEC 6.4, 6.5): a lesson enters permanent memory only with a PASS
//! receipt that still holds, as a marked block that can be taken out exactly.
//!
//! The block is
//! ```text
//! <!-- evolver:LRN-20261122-001 receipt=sha256:… -->
//! - the rule
//! <!-- /evolver:LRN-20261122-001 -->
//! ```
//! and its SHA-256 goes into the audit chain, so a rollback can tell a block edited by hand
//! from the one it wrote.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::format::Entry;
use crate::store::Store;
use crate::verify::{Spec, receipt_id, receipt_path, spec_text};

/// The memory files a lesson can be promoted to, by the name `--to` takes.
pub const TARGETS: [(&str, &str); 5] = [
    ("CLAUDE.md", "CLAUDE.md"),
    ("AGENTS.md", "AGENTS.md"),
    ("SOUL.md", "SOUL.md"),
    ("TOOLS.md", "TOOLS.md"),
    ("copilot", ".github/copilot-instructions.md"),
];

fn target_path(name: &str) -> Result<&'static str> {
    TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| *p)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "unknown target {name}; use one of CLAUDE.md, AGENTS.md, SOUL.md, TOOLS.md, copilot"
            ))
        })
}

/// The target file, refused when it resolves outside the project (a link out of it).
fn resolve(root: &Path, rel: &str) -> Result<PathBuf> {
    let path = root.join(rel);
    let real_root = root.canonicalize()?;
    // Where a write would land: through a link, even one whose target does not exist yet.
    let lands = match std::fs::read_link(&path) {
        Ok(link) => path.parent().unwrap_or(root).join(link),
        Err(_) => path.clone(),
    };
    let real = match lands.canonicalize() {
        Ok(p) => p,
        Err(_) => lands
            .parent()
            .and_then(|d| d.canonicalize().ok())
            .map_or_else(
                || lands.clone(),
                |d| d.join(lands.file_name().unwrap_or_default()),
            ),
    };
    if !real.starts_with(&real_root) || real.starts_with(real_root.join(".learnings")) {
        return Err(Error::Refused(format!(
            "{} leads to {}, outside the project's memory files; promote only into the project's own files",
            path.display(),
            real.display()
        )));
    }
    Ok(path)
}

fn open_marker(id: &str) -> String {
    format!("<!-- evolver:{id} ")
}

fn close_marker(id: &str) -> String {
    format!("<!-- /evolver:{id} -->")
}

/// What the audit chain says of an entry: its latest receipt, and the blocks promoted for it.
#[derive(Debug, Default)]
struct History {
    latest_receipt: Option<String>,
    /// (block SHA-256, what was inserted before the block) of every promotion.
    blocks: Vec<(String, String)>,
    /// The chain does not verify.
    broken: Option<String>,
}

fn history(store: &Store, id: &str) -> History {
    let (events, broken) = crate::store::audit::history(store.dir(), id);
    let mut h = History {
        broken: broken.map(|b| format!("events.jsonl line {}: {}", b.line, b.reason)),
        ..History::default()
    };
    for e in events {
        match e["action"].as_str() {
            Some("verified") => {
                h.latest_receipt = e["data"]["receipt_id"].as_str().map(str::to_owned)
            }
            Some("promoted") => {
                if let Some(hash) = e["data"]["block_sha256"].as_str() {
                    let before = e["data"]["inserted_before"].as_str().unwrap_or("\n");
                    h.blocks.push((hash.to_owned(), before.to_owned()));
                }
            }
            _ => {}
        }
    }
    h
}

/// The entry's receipt id when its latest receipt holds; else why not, and what to do. The
/// one gate before anything leaves the logs: promotion, and extraction into a skill.
pub fn gate(store: &Store, id: &str, e: &Entry<'_>) -> std::result::Result<String, String> {
    let Some(rid) = e
        .field("receipt id")
        .map(str::trim)
        .filter(|r| !r.is_empty())
    else {
        return Err(format!(
            "{id} has no PASS receipt; run `evolver verify {id}` first"
        ));
    };
    if !e
        .field("verified")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return Err(format!(
            "{id} is not verified (Verified is not true); run `evolver verify {id}`"
        ));
    }
    let status = e.status().unwrap_or("").trim().to_lowercase();
    if matches!(status.as_str(), "wont_fix" | "promoted_to_skill") {
        return Err(format!("{id} is {status}; it is not promoted to memory"));
    }
    // The audit chain says which receipt `evolver verify` issued last; a Receipt ID edited
    // back to an older PASS, or to a receipt written by hand, is not it.
    let history = history(store, id);
    if let Some(broken) = history.broken {
        return Err(format!(
            "the audit chain does not verify ({broken}); restore it, then run `evolver verify {id}`"
        ));
    }
    if history.latest_receipt.as_deref() != Some(rid) {
        return Err(format!(
            "the receipt {rid} is not the latest `evolver verify` issued for {id}; run `evolver verify {id}`"
        ));
    }
    let path = receipt_path(store.dir(), rid);
    let Ok(text) = fs_err::read(&path) else {
        return Err(format!(
            "the receipt {rid} of {id} is missing from .learnings/receipts/; run `evolver verify {id}` again"
        ));
    };
    let Ok(receipt) = serde_json::from_slice::<Value>(&text) else {
        return Err(format!(
            "the receipt {rid} is not valid JSON; run `evolver verify {id}` again"
        ));
    };
    if receipt_id(&receipt) != rid || receipt["receipt_id"] != rid {
        return Err(format!(
            "the receipt {rid} does not recompute to its id (it was edited); run `evolver verify {id}` again"
        ));
    }
    // A receipt issued on a branch before a merge renumbered the entry names its old ID.
    let old_id = e.renumbered_from();
    if receipt["entry_id"] != id
        && old_id
            .as_ref()
            .is_none_or(|old| receipt["entry_id"] != old.as_str())
    {
        return Err(format!(
            "the receipt {rid} is for {}, not {id}; run `evolver verify {id}`",
            receipt["entry_id"]
        ));
    }
    if receipt["verdict"] != "PASS" {
        return Err(format!(
            "the latest receipt of {id} says {}, not PASS; fix what it reports and run `evolver verify {id}`",
            receipt["verdict"].as_str().unwrap_or("nothing")
        ));
    }
    let spec = e
        .section("verification spec")
        .map(spec_text)
        .and_then(|t| Spec::parse(t).ok());
    if spec.map(|s| s.sha256()).as_deref() != receipt["spec_sha256"].as_str() {
        return Err(format!(
            "the spec of {id} changed after its PASS; run `evolver verify {id}` again"
        ));
    }
    Ok(rid.to_owned())
}

/// Promotes an entry into a memory file (SPEC 6.4). Returns the target's path. The gate,
/// the write and the entry's update happen under one lock, so no verify can come between.
pub fn promote(
    store: &Store,
    id: &str,
    to: &str,
    rule: Option<&str>,
    now: DateTime<Utc>,
) -> Result<PathBuf> {
    let rel = target_path(to)?;
    store.write(|w| {
        let path = resolve(store.root(), rel)?;
        let (_, text) = w.entry_text(id)?;
        let entry = Entry::parse(&text).ok_or_else(|| Error::UnknownId(id.into()))?;
        let rid = gate(store, id, &entry).map_err(Error::Refused)?;
        let rule = match rule {
            Some(r) => r.to_owned(),
            None => [
                "suggested action",
                "suggested fix",
                "suggested implementation",
            ]
            .iter()
            .find_map(|s| entry.section(s))
            .and_then(|s| s.lines().map(str::trim).find(|l| !l.is_empty()))
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::Refused(format!(
                    "{id} has no Suggested Action to promote; give the rule with --rule"
                ))
            })?,
        };
        let rule = crate::format::render::one_line(rule.trim_start_matches("- "));
        let block = format!(
            "{}receipt={rid} -->\n- {rule}\n{}\n",
            open_marker(id),
            close_marker(id)
        );
        let old = match fs_err::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e.into()),
        };
        if old.contains(&open_marker(id)) {
            return Err(Error::Refused(format!(
                "{id} is already promoted to {rel}; `evolver rollback {id}` takes it out"
            )));
        }
        // What goes before the block: a line break the file lacked, and a blank line.
        let before = match (old.is_empty(), old.ends_with('\n')) {
            (true, _) => "",
            (false, true) => "\n",
            (false, false) => "\n\n",
        };
        write_atomic(&path, &format!("{old}{before}{block}"))?;
        let data = serde_json::json!({
            "target": rel,
            "receipt_id": rid,
            "block_sha256": crate::store::sha256_hex(block.as_bytes()),
            "inserted_before": before,
        });
        w.record(now, "promoted", id, data)?;
        w.update(id, now, |e| {
            let promoted = e.field("promoted").unwrap_or("").trim();
            let list = if promoted.is_empty() {
                rel.to_owned()
            } else {
                format!("{promoted}, {rel}")
            };
            let text = e.with_field("Status", "promoted");
            Ok(Entry::parse(&text)
                .expect("an edit keeps the header")
                .with_field("Promoted", &list))
        })?;
        Ok(path)
    })
}

/// What a rollback did.
#[derive(Debug, Default)]
pub struct RolledBack {
    pub removed: Vec<String>,
    /// Blocks left in place because they were edited after promotion.
    pub kept: Vec<String>,
}

/// Takes an entry's blocks out of every target and returns it to pending (SPEC 6.5). Every
/// target is checked before any is written: a refused rollback changes nothing.
pub fn rollback(
    store: &Store,
    id: &str,
    reason: &str,
    force: bool,
    now: DateTime<Utc>,
) -> Result<RolledBack> {
    let at = now.format("%Y-%m-%dT%H:%M:%SZ");
    store.write(|w| {
        let (_, text) = w.entry_text(id)?;
        // A block promoted on a branch before a merge renumbered the entry has its old ID.
        let old_id = Entry::parse(&text).and_then(|e| e.renumbered_from());
        let written = history(store, id).blocks;
        let mut done = RolledBack::default();
        let mut edits: Vec<(PathBuf, String)> = Vec::new();
        for (_, rel) in TARGETS {
            let Ok(path) = resolve(store.root(), rel) else {
                continue;
            };
            let Ok(text) = fs_err::read_to_string(&path) else {
                continue;
            };
            let hash_of = |(start, end): (usize, usize)| {
                crate::store::sha256_hex(&text.as_bytes()[start..end])
            };
            let mut blocks = find_blocks(&text, id);
            if let Some(old) = &old_id {
                blocks.extend(find_blocks(&text, old.as_str()));
            }
            // The block this entry's promotion wrote; else, with --force, the one under its ID.
            let Some((start, end)) = blocks
                .iter()
                .copied()
                .find(|b| written.iter().any(|(h, _)| *h == hash_of(*b)))
                .or_else(|| find_blocks(&text, id).first().copied())
            else {
                continue;
            };
            let hash = hash_of((start, end));
            let ours = written.iter().find(|(h, _)| *h == hash);
            if ours.is_none() && !force {
                done.kept.push(rel.to_owned());
                continue;
            }
            // Take out what promotion put before the block too, when it is still there.
            let before = ours.map_or("", |(_, b)| b.as_str());
            let cut = if text[..start].ends_with(before) { start - before.len() } else { start };
            edits.push((path, format!("{}{}", &text[..cut], &text[end..])));
            done.removed.push(rel.to_owned());
        }
        if !done.kept.is_empty() {
            return Err(Error::Refused(format!(
                "the block of {id} in {} was edited after promotion; look at it, then run `evolver rollback {id} --force`",
                done.kept.join(", ")
            )));
        }
        for (path, text) in &edits {
            write_atomic(path, text)?;
        }
        let data = serde_json::json!({"removed": done.removed, "reason": reason});
        w.record(now, "rolled_back", id, data)?;
        w.update(id, now, |e| {
            let text = e.with_field("Status", "pending");
            let text = Entry::parse(&text)
                .expect("an edit keeps the header")
                .with_field("Verified", "false");
            let receipt = e.field("receipt id").unwrap_or("none").trim().to_owned();
            let line = format!("- {at} rolled back ({receipt}): {}", crate::format::render::one_line(reason));
            let parsed = Entry::parse(&text).expect("an edit keeps the header");
            let old = parsed.section("counter-evidence").unwrap_or("").trim_end();
            let body = if old.is_empty() { line } else { format!("{old}\n{line}") };
            Ok(parsed.with_section("Counter-Evidence", &body))
        })?;
        Ok(done)
    })
}

/// The blocks of `id` in a target's text, each from its opening marker to the end of the line
/// holding its closing marker. After a merge two entries may have promoted under one ID.
fn find_blocks(text: &str, id: &str) -> Vec<(usize, usize)> {
    let (open, close) = (open_marker(id), close_marker(id));
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find(&open).map(|s| from + s) {
        let Some(at) = text[start..].find(&close).map(|c| start + c) else {
            break;
        };
        let end = text[at..].find('\n').map_or(text.len(), |nl| at + nl + 1);
        out.push((start, end));
        from = end;
    }
    out
}

fn write_atomic(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs_err::create_dir_all(dir)?;
    }
    crate::store::write_atomic(path, text.as_bytes())
}
