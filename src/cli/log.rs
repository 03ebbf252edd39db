//! `evolver log`: how an agent logs a learning, an error or a feature request.

use std::io::Write;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};

use crate::cli::name_of;
use crate::error::{Error, Result};
use crate::format::Kind;
use crate::format::render::NewEntry;
use crate::hooks::command::snake_case;
use crate::store::{Logged, Store};

#[derive(Args, Debug)]
pub(super) struct LogArgs {
    /// What to log
    #[arg(value_enum)]
    kind: KindArg,
    /// One line saying what happened or what is wanted
    #[arg(long)]
    summary: String,
    /// Category of a learning
    #[arg(long, value_enum)]
    category: Option<Category>,
    /// Name of the failing command or wanted capability (made snake_case)
    #[arg(long)]
    name: Option<String>,
    #[arg(long, value_enum, default_value = "medium")]
    priority: Priority,
    #[arg(long, value_enum)]
    area: Option<Area>,
    /// Details (learning), the error output (error) or the user's context (feature)
    #[arg(long)]
    details: Option<String>,
    /// Suggested action, fix or implementation
    #[arg(long)]
    action: Option<String>,
    /// Comma-separated tags
    #[arg(long)]
    tags: Option<String>,
    /// Stable key of a recurring pattern, e.g. harden.input_validation
    #[arg(long)]
    pattern_key: Option<String>,
    /// Comma-separated paths
    #[arg(long)]
    related_files: Option<String>,
    /// Related entry IDs, comma-separated
    #[arg(long)]
    see_also: Option<String>,
    /// Complexity estimate of a feature
    #[arg(long, value_enum)]
    complexity: Option<Complexity>,
    /// Where the lesson came from
    #[arg(long, default_value = "conversation")]
    source: String,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum KindArg {
    #[value(alias = "lrn")]
    Learning,
    #[value(alias = "err")]
    Error,
    #[value(alias = "feat")]
    Feature,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Learning => Kind::Learning,
            KindArg::Error => Kind::Error,
            KindArg::Feature => Kind::Feature,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
#[value(rename_all = "snake_case")]
enum Category {
    Correction,
    Insight,
    KnowledgeGap,
    BestPractice,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Priority {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Area {
    Frontend,
    Backend,
    Infra,
    Tests,
    Docs,
    Config,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Complexity {
    Simple,
    Medium,
    Complex,
}

pub(super) fn log(
    store: &Store,
    a: LogArgs,
    now: DateTime<Utc>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let kind = Kind::from(a.kind);
    let tail = match (kind, a.category, &a.name) {
        (Kind::Learning, _, Some(_)) => {
            return Err(Error::Invalid(
                "--name is for errors and features; a learning takes --category".into(),
            ));
        }
        (Kind::Learning, category, None) => name_of(category.unwrap_or(Category::Insight)),
        (_, Some(_), _) => {
            return Err(Error::Invalid(
                "--category is for learnings; errors and features take --name".into(),
            ));
        }
        (_, None, Some(name)) => snake_case(name),
        (_, None, None) => snake_case(
            &a.summary
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" "),
        ),
    };
    if a.complexity.is_some() && kind != Kind::Feature {
        return Err(Error::Invalid("--complexity is for features".into()));
    }
    if a.summary.trim().is_empty() {
        return Err(Error::Invalid("--summary must not be empty".into()));
    }
    let mut entry = NewEntry {
        tail,
        priority: name_of(a.priority),
        status: "pending".into(),
        area: a.area.map(name_of).unwrap_or_default(),
        summary: a.summary,
        details: a.details.unwrap_or_default(),
        action: a.action.unwrap_or_default(),
        complexity: a.complexity.map(name_of).unwrap_or_default(),
        ..NewEntry::default()
    };
    entry.set_meta("Source", a.source);
    let optional = [
        ("Related Files", a.related_files),
        ("Tags", a.tags),
        ("See Also", a.see_also),
        ("Pattern-Key", a.pattern_key),
    ];
    for (key, value) in optional {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            entry.set_meta(key, v.trim());
        }
    }
    let logged = store.log(kind, entry, now)?;
    writeln!(out, "{}", logged.id())?;
    if let Logged::Recurred { count, .. } = logged {
        let _ = writeln!(
            err,
            "evolver: same Pattern-Key as an open entry; recorded recurrence {count}"
        );
    }
    Ok(())
}
