//! `evolver list` and `evolver show`.

use std::io::{self, Write};

use clap::Args;
use serde::Serialize;

use crate::cli::log::KindArg;
use crate::cli::printer::{Printer, Style};
use crate::error::{Error, Result};
use crate::format::{Entry, Kind};
use crate::store::Store;

#[derive(Args, Debug)]
pub(super) struct ListArgs {
    /// Only this kind
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Only entries with this status (as written in the file, any case)
    #[arg(long)]
    status: Option<String>,
    /// Print a JSON array
    #[arg(long)]
    json: bool,
}

/// One entry as `list --json` prints it.
#[derive(Serialize, Debug)]
pub(super) struct Listed {
    pub(super) id: String,
    pub(super) kind: Kind,
    pub(super) tail: String,
    pub(super) status: Option<String>,
    pub(super) priority: Option<String>,
    pub(super) area: Option<String>,
    pub(super) summary: String,
    pub(super) logged: Option<String>,
    pub(super) file: String,
    pub(super) line: usize,
    pub(super) pattern_key: Option<String>,
    pub(super) recurrence_count: Option<u64>,
}

pub(super) fn collect(store: &Store, only: Option<Kind>) -> Result<Vec<Listed>> {
    let mut all = Vec::new();
    for kind in Kind::ALL {
        if only.is_some_and(|k| k != kind) {
            continue;
        }
        let Some(doc) = store.read(kind)? else {
            continue;
        };
        let file = format!(".learnings/{}", kind.file_name());
        for span in doc.entries() {
            // The store only hands out UTF-8 documents.
            let text = std::str::from_utf8(doc.entry_bytes(span)).unwrap_or_default();
            let Some(e) = Entry::parse(text) else {
                continue;
            };
            let owned = |v: Option<&str>| v.map(str::to_owned);
            all.push(Listed {
                id: span.id.to_string(),
                kind: span.id.kind(),
                tail: e.tail().to_owned(),
                status: owned(e.status()),
                priority: owned(e.priority()),
                area: owned(e.area()),
                summary: e.summary().to_owned(),
                logged: owned(e.field("logged")),
                file: file.clone(),
                line: span.line,
                pattern_key: owned(e.pattern_key()),
                recurrence_count: e.meta_number("Recurrence-Count"),
            });
        }
    }
    Ok(all)
}

pub(super) fn list(store: &Store, a: &ListArgs, out: &mut Printer<impl Write>) -> Result<()> {
    let mut entries = collect(store, a.kind.map(Kind::from))?;
    if let Some(want) = &a.status {
        let want = want.trim().to_lowercase();
        entries.retain(|e| {
            e.status
                .as_deref()
                .is_some_and(|s| s.trim().to_lowercase() == want)
        });
    }
    let mut out = out.buffered()?;
    if a.json {
        serde_json::to_writer_pretty(&mut out, &entries).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        for e in &entries {
            // As `{:<18} {:<11} {:<8} {}`, the columns padded outside the colour.
            out.paint_padded(Some(Style::Bold), &e.id, 18)?;
            out.write_all(b" ")?;
            let status = e.status.as_deref().unwrap_or("-");
            out.paint_padded(Style::of_status(status), status, 11)?;
            out.write_all(b" ")?;
            let priority = e.priority.as_deref().unwrap_or("-");
            out.paint_padded(Style::of_priority(priority), priority, 8)?;
            writeln!(out, " {}", e.summary)?;
        }
    }
    out.flush()?;
    Ok(())
}

pub(super) fn show(store: &Store, id: &str, out: &mut dyn Write) -> Result<()> {
    let found = store.find(id)?;
    if found.is_empty() {
        return Err(Error::UnknownId(id.into()));
    }
    for (_, _, text) in found {
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}
