//! `evolver status`: counts by kind and status, and what needs attention.

use std::collections::BTreeMap;
use std::io::Write;

use crate::cli::list::{Listed, collect};
use crate::error::Result;
use crate::format::Kind;
use crate::store::Store;

pub(super) fn status(store: &Store, out: &mut dyn Write) -> Result<()> {
    if !store.exists() {
        writeln!(
            out,
            "no .learnings/ in {}; run `evolver init` to start",
            store.root().display()
        )?;
        return Ok(());
    }
    let entries = collect(store, None)?;
    writeln!(out, "{}", store.dir().display())?;
    for kind in Kind::ALL {
        let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
        let mut total = 0;
        for e in entries.iter().filter(|e| e.kind == kind) {
            total += 1;
            *by_status
                .entry(e.status.clone().unwrap_or_else(|| "(none)".into()))
                .or_default() += 1;
        }
        let counts: Vec<String> = by_status.iter().map(|(s, n)| format!("{s} {n}")).collect();
        let counts = if counts.is_empty() {
            String::new()
        } else {
            format!("  ({})", counts.join(", "))
        };
        writeln!(out, "{:<5}{total:>5}{counts}", kind.prefix())?;
    }

    let open = |e: &&Listed| {
        e.status
            .as_deref()
            .is_some_and(|s| matches!(s.trim().to_lowercase().as_str(), "pending" | "in_progress"))
    };
    let urgent: Vec<&str> = entries
        .iter()
        .filter(open)
        .filter(|e| {
            e.priority
                .as_deref()
                .is_some_and(|p| matches!(p.trim().to_lowercase().as_str(), "high" | "critical"))
        })
        .map(|e| e.id.as_str())
        .collect();
    let recurring: Vec<String> = entries
        .iter()
        .filter(open)
        .filter(|e| e.recurrence_count.is_some_and(|n| n >= 3))
        .map(|e| format!("{} ×{}", e.id, e.recurrence_count.unwrap_or(0)))
        .collect();
    let mut seen: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for e in &entries {
        seen.entry((e.file.as_str(), e.id.as_str()))
            .or_default()
            .push(e.line);
    }
    let duplicates: Vec<String> = seen
        .iter()
        .filter(|(_, lines)| lines.len() > 1)
        .map(|((file, id), lines)| {
            let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
            format!("{id} ({file} lines {})", lines.join(", "))
        })
        .collect();

    let mut attention = Vec::new();
    if !urgent.is_empty() {
        attention.push(format!(
            "{} open at high or critical priority: {}",
            urgent.len(),
            urgent.join(", ")
        ));
    }
    if !recurring.is_empty() {
        attention.push(format!(
            "{} open and recurring 3 times or more: {}",
            recurring.len(),
            recurring.join(", ")
        ));
    }
    if !duplicates.is_empty() {
        attention.push(format!(
            "{} duplicate IDs: {}",
            duplicates.len(),
            duplicates.join("; ")
        ));
    }
    if attention.is_empty() {
        writeln!(out, "nothing needs attention")?;
    } else {
        writeln!(out, "needs attention:")?;
        for line in attention {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}
