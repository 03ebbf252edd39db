//! `evolver status`: counts by kind and status, and what needs attention.

use std::collections::BTreeMap;
use std::io::Write;

use crate::cli::list::{Listed, collect};
use crate::cli::printer::{Printer, Style};
use crate::error::Result;
use crate::format::Kind;
use crate::store::Store;

/// One thing that needs attention: how many of what, and the entries, each an ID and what
/// follows it.
struct Attention<'a> {
    what: String,
    entries: Vec<(&'a str, String)>,
    separator: &'static str,
}

pub(super) fn status(store: &Store, out: &mut Printer<impl Write>) -> Result<()> {
    if !store.exists() {
        writeln!(
            out,
            "no .learnings/ in {}; run `evolver init` to start",
            store.root().display()
        )?;
        return Ok(());
    }
    let entries = collect(store, None)?;
    out.paint(Some(Style::Bold), &store.dir().display().to_string())?;
    writeln!(out)?;
    for kind in Kind::ALL {
        let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
        let mut total = 0;
        for e in entries.iter().filter(|e| e.kind == kind) {
            total += 1;
            *by_status
                .entry(e.status.clone().unwrap_or_else(|| "(none)".into()))
                .or_default() += 1;
        }
        write!(out, "{:<5}{total:>5}", kind.prefix())?;
        for (i, (status, n)) in by_status.iter().enumerate() {
            out.write_all(if i == 0 { b"  (" } else { b", " })?;
            out.paint(Style::of_status(status), status)?;
            write!(out, " {n}")?;
        }
        writeln!(out, "{}", if by_status.is_empty() { "" } else { ")" })?;
    }

    let open = |e: &&Listed| {
        e.status
            .as_deref()
            .is_some_and(|s| matches!(s.trim().to_lowercase().as_str(), "pending" | "in_progress"))
    };
    let urgent: Vec<(&str, String)> = entries
        .iter()
        .filter(open)
        .filter(|e| {
            e.priority
                .as_deref()
                .is_some_and(|p| matches!(p.trim().to_lowercase().as_str(), "high" | "critical"))
        })
        .map(|e| (e.id.as_str(), String::new()))
        .collect();
    let recurring: Vec<(&str, String)> = entries
        .iter()
        .filter(open)
        .filter(|e| e.recurrence_count.is_some_and(|n| n >= 3))
        .map(|e| {
            let n = e.recurrence_count.unwrap_or(0);
            (e.id.as_str(), format!(" ×{n}"))
        })
        .collect();
    let mut seen: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for e in &entries {
        seen.entry((e.file.as_str(), e.id.as_str()))
            .or_default()
            .push(e.line);
    }
    let duplicates: Vec<(&str, String)> = seen
        .iter()
        .filter(|(_, lines)| lines.len() > 1)
        .map(|((file, id), lines)| {
            let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
            (*id, format!(" ({file} lines {})", lines.join(", ")))
        })
        .collect();

    let attention: Vec<Attention> = [
        ("open at high or critical priority", urgent, ", "),
        ("open and recurring 3 times or more", recurring, ", "),
        ("duplicate IDs", duplicates, "; "),
    ]
    .into_iter()
    .filter(|(_, entries, _)| !entries.is_empty())
    .map(|(what, entries, separator)| Attention {
        what: format!("{} {what}", entries.len()),
        entries,
        separator,
    })
    .collect();
    if attention.is_empty() {
        out.paint(Some(Style::Green), "nothing needs attention")?;
        writeln!(out)?;
    } else {
        out.paint(Some(Style::Bold), "needs attention:")?;
        writeln!(out)?;
        for a in attention {
            write!(out, "  {}: ", a.what)?;
            for (i, (id, rest)) in a.entries.iter().enumerate() {
                if i > 0 {
                    out.write_all(a.separator.as_bytes())?;
                }
                out.paint(Some(Style::Bold), id)?;
                out.write_all(rest.as_bytes())?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}
