//! `evolver search`: the activator's ranking for any text, with scores, so that a person can
//! see why a lesson was or was not shown.

use std::io::Write;

use clap::Args;
use serde::Serialize;

use crate::error::Result;
use crate::hooks::activator::{search as rank, threshold};
use crate::store::Store;

#[derive(Args, Debug)]
pub(super) struct SearchArgs {
    /// The text to rank lessons for, as a prompt would say it
    text: String,
    /// How many lessons to list
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print a JSON object
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Found {
    id: String,
    score: f64,
    shown: bool,
    matched: Vec<String>,
    summary: String,
}

#[derive(Serialize)]
struct Report {
    threshold: f64,
    lessons: Vec<Found>,
}

pub(super) fn search(store: &Store, args: &SearchArgs, out: &mut dyn Write) -> Result<()> {
    let min = threshold(store);
    let hits = rank(store, &args.text, args.limit)?;
    let mut shown = 0;
    let lessons: Vec<Found> = hits
        .iter()
        .map(|h| {
            let show = h.score >= min && shown < crate::hooks::activator::MAX_LESSONS;
            shown += usize::from(show);
            Found {
                id: h.id.clone(),
                score: f64::from(h.score) / 1000.0,
                shown: show,
                matched: h.matched.clone(),
                summary: h.summary.clone(),
            }
        })
        .collect();
    let report = Report {
        threshold: f64::from(min) / 1000.0,
        lessons,
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    if report.lessons.is_empty() {
        writeln!(out, "no lesson shares a word with this text")?;
        return Ok(());
    }
    writeln!(
        out,
        "threshold {:.2}; * marks what the activator shows (the best three at or above it)",
        report.threshold
    )?;
    for (found, hit) in report.lessons.iter().zip(&hits) {
        let mark = if found.shown { '*' } else { ' ' };
        let line = hit.line();
        let line = line.strip_prefix("- ").unwrap_or(&line);
        writeln!(out, "{mark} {:>6.2}  {line}", found.score)?;
        writeln!(out, "          matched: {}", found.matched.join(", "))?;
    }
    Ok(())
}
