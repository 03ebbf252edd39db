//! The `evolver` command line: a faithful parse of argv with clap, then one function per
//! command over the library. [`run`] takes its whole world as parameters so tests can call it
//! without a process.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::format::render::NewEntry;
use crate::format::{Entry, Kind};
use crate::hooks::command::snake_case;
use crate::store::{Logged, RootEnv, Store, project_root};
use crate::{Error, Result};

/// What `run` needs from the outside world.
#[derive(Debug, Clone)]
pub struct World {
    /// Where the command runs; the project root is found from here.
    pub cwd: PathBuf,
    pub env: RootEnv,
    pub now: DateTime<Utc>,
    /// `$HOME`, for `install --global`.
    pub home: Option<PathBuf>,
    /// Where the hook executables are: beside the running `evolver`.
    pub bin_dir: Option<PathBuf>,
}

#[derive(Parser, Debug)]
#[command(
    name = "evolver",
    version,
    about = "Keep an agent's lessons in .learnings/, verify them, and promote only what passes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create .learnings/ and its three logs (existing files are left as they are)
    Init,
    /// Append an entry and print its ID; an open entry with the same Pattern-Key is updated
    Log(LogArgs),
    /// List entries, newest last
    List(ListArgs),
    /// Print an entry exactly as it is in its file
    Show {
        /// The entry ID, e.g. LRN-20261122-001
        id: String,
    },
    /// Count entries by kind and status, and say what needs attention
    Status,
    /// Change an entry's status; resolved and wont_fix add a Resolution block
    Resolve(ResolveArgs),
    /// Write or replace an entry's ### Verification Spec (a JSON object with `expected`)
    Spec(SpecArgs),
    /// Run an entry's spec (or read its observations) and print PASS, FAIL or INDETERMINATE
    Verify(VerifyArgs),
    /// Add a verified lesson to permanent memory; refused without a PASS receipt that holds
    Promote(PromoteArgs),
    /// Take an entry's promoted blocks out again and return it to pending
    Rollback(RollbackArgs),
    /// List what is ready to move: PASS not promoted, recurring patterns, skill candidates
    Review,
    /// Bring in learning candidates found by another tool
    Ingest(IngestArgs),
    /// Find what has come apart: duplicate IDs, missing blocks, bad receipts, lost skills
    Doctor {
        /// Put right what can be put right safely
        #[arg(long)]
        fix: bool,
    },
    /// Verify the hash chain of .learnings/events.jsonl: the first broken line, or the head
    Audit,
    /// Wire the hooks into an agent (Claude Code: .claude/settings.json; Codex: .codex/hooks.json)
    Install(InstallArgs),
    /// Take out exactly the hooks `install` added
    Uninstall(InstallArgs),
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["json", "file"])))]
struct SpecArgs {
    /// The entry ID
    id: String,
    /// The spec as JSON text
    #[arg(long)]
    json: Option<String>,
    /// A file holding the spec
    #[arg(long)]
    file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct VerifyArgs {
    /// The entry ID
    id: String,
    /// Take the observations from this JSON object instead of running the spec
    #[arg(long)]
    result: Option<PathBuf>,
    /// Ask an external verifier: a command that reads the task on stdin and prints a SAR v0.1 receipt
    #[arg(long, requires = "keys")]
    external: Option<String>,
    /// Allow sending the (redacted) observations to the external verifier
    #[arg(long, requires = "external")]
    approve: bool,
    /// The key registry (sar-keys.json) the external receipt is checked against
    #[arg(long, requires = "external")]
    keys: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct IngestArgs {
    /// Where the candidates come from
    #[arg(value_enum)]
    source: IngestSource,
    /// The task summary JSON
    file: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum IngestSource {
    SimplifyAndHarden,
}

#[derive(Args, Debug)]
struct PromoteArgs {
    /// The entry ID
    id: String,
    /// CLAUDE.md, AGENTS.md, SOUL.md, TOOLS.md or copilot (.github/copilot-instructions.md)
    #[arg(long)]
    to: String,
    /// The rule to write (default: the first line of Suggested Action)
    #[arg(long)]
    rule: Option<String>,
}

#[derive(Args, Debug)]
struct RollbackArgs {
    /// The entry ID
    id: String,
    /// Why it is rolled back (kept in Counter-Evidence)
    #[arg(long, default_value = "rolled back by hand")]
    reason: String,
    /// Remove blocks even when they were edited after promotion
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
struct InstallArgs {
    /// The agent
    #[arg(value_enum)]
    agent: AgentArg,
    /// The settings in your home folder (all projects) instead of this project's
    #[arg(long)]
    global: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum AgentArg {
    #[value(alias = "claude-code")]
    Claude,
    Codex,
}

#[derive(Args, Debug)]
struct LogArgs {
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

#[derive(Args, Debug)]
struct ListArgs {
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

#[derive(Args, Debug)]
struct ResolveArgs {
    /// The entry ID
    id: String,
    #[arg(long, value_enum, default_value = "resolved")]
    status: ResolveStatus,
    /// What was done
    #[arg(long)]
    notes: Option<String>,
    /// The commit or pull request that fixed it
    #[arg(long)]
    commit: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum KindArg {
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
#[value(rename_all = "snake_case")]
enum ResolveStatus {
    Resolved,
    InProgress,
    WontFix,
    Pending,
}

fn name_of(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

/// Runs `evolver` with `args` (the first is the program name) and returns the exit code.
pub fn run(args: Vec<OsString>, world: &World, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if code == 0 {
                out.write_all(text.as_bytes())
            } else {
                err.write_all(text.as_bytes())
            };
            return code;
        }
    };
    match dispatch(cli.command, world, out, err) {
        Ok(code) => code,
        Err(Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "evolver: {e}");
            e.exit_code()
        }
    }
}

fn dispatch(
    command: Command,
    world: &World,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let store = Store::open(project_root(&world.cwd, &world.env))?;
    match command {
        Command::Verify(args) => return verify(&store, &args, world, out),
        Command::Init => init(&store, out),
        Command::Log(args) => log(&store, args, world.now, out, err),
        Command::List(args) => list(&store, &args, out),
        Command::Show { id } => show(&store, &id, out),
        Command::Status => status(&store, out),
        Command::Resolve(args) => resolve(&store, &args, world.now, out),
        Command::Spec(args) => spec(&store, &args, world, out),
        Command::Promote(a) => {
            let path = crate::verify::promotion::promote(
                &store,
                &a.id,
                &a.to,
                a.rule.as_deref(),
                world.now,
            )?;
            writeln!(out, "{} promoted to {}", a.id, path.display()).map_err(Error::from)
        }
        Command::Rollback(a) => {
            let done =
                crate::verify::promotion::rollback(&store, &a.id, &a.reason, a.force, world.now)?;
            let from = if done.removed.is_empty() {
                "no target".to_owned()
            } else {
                done.removed.join(", ")
            };
            writeln!(out, "{} rolled back from {from}; it is pending again", a.id)
                .map_err(Error::from)
        }
        Command::Review => {
            for line in crate::upkeep::review(&store, world.now)? {
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
        Command::Ingest(a) => {
            let IngestSource::SimplifyAndHarden = a.source;
            for line in crate::upkeep::ingest(&store, &world.cwd.join(&a.file), world.now)? {
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
        Command::Doctor { fix } => {
            let problems = crate::upkeep::doctor(&store, fix, world.now)?;
            if problems.is_empty() {
                writeln!(out, "no problems found")?;
                return Ok(0);
            }
            for line in &problems {
                writeln!(out, "{line}")?;
            }
            return Ok(u8::from(!fix));
        }
        Command::Audit => audit(&store, out),
        Command::Install(args) => install(&store, &args, world, out, true),
        Command::Uninstall(args) => install(&store, &args, world, out, false),
    }
    .map(|()| 0)
}

fn spec(store: &Store, a: &SpecArgs, world: &World, out: &mut dyn Write) -> Result<()> {
    let json = match (&a.json, &a.file) {
        (Some(json), _) => json.clone(),
        (None, Some(file)) => fs_err::read_to_string(world.cwd.join(file))?,
        (None, None) => return Err(Error::Invalid("give the spec with --json or --file".into())),
    };
    crate::verify::record::set_spec(store, &a.id, &json, world.now)?;
    writeln!(out, "{} spec written; run `evolver verify {}`", a.id, a.id)?;
    Ok(())
}

/// Prints the verdict and the receipt id; exits 0 on PASS, 1 otherwise (SPEC 6.3).
fn verify(store: &Store, a: &VerifyArgs, world: &World, out: &mut dyn Write) -> Result<u8> {
    let result = a.result.as_ref().map(|r| world.cwd.join(r));
    let keys = a.keys.as_ref().map(|k| world.cwd.join(k));
    let external = match (&a.external, &keys) {
        (Some(_), _) if !a.approve => {
            return Err(Error::Refused(format!(
                "nothing was sent: an external verifier gets the redacted observations of {}; add --approve to send them",
                a.id
            )));
        }
        (Some(command), Some(keys)) => Some(crate::verify::record::External { command, keys }),
        _ => None,
    };
    let v = crate::verify::record::verify(
        store,
        &a.id,
        result.as_deref(),
        external.as_ref(),
        world.now,
    )?;
    writeln!(out, "{} {}", v.verdict.as_str(), v.receipt_id)?;
    for reason in &v.reasons {
        writeln!(out, "  {reason}")?;
    }
    match &v.rolled_back {
        Some(Ok(from)) => writeln!(
            out,
            "{} failed after promotion and was rolled back from {}",
            a.id,
            from.join(", ")
        )?,
        Some(Err(why)) => writeln!(
            out,
            "{} failed after promotion; rollback refused: {why}",
            a.id
        )?,
        None => {}
    }
    Ok(u8::from(v.verdict != crate::verify::Verdict::Pass))
}

fn audit(store: &Store, out: &mut dyn Write) -> Result<()> {
    let path = store.dir().join(crate::store::audit::EVENTS);
    let text = match fs_err::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    match crate::store::audit::verify(&text) {
        Ok(head) => {
            writeln!(out, "ok: {} events, head {}", head.count, head.hash)?;
            Ok(())
        }
        Err(broken) => Err(Error::Refused(format!(
            "{} line {}: {}; the chain breaks there, restore the file from version control",
            path.display(),
            broken.line,
            broken.reason
        ))),
    }
}

fn install(
    store: &Store,
    a: &InstallArgs,
    world: &World,
    out: &mut dyn Write,
    add: bool,
) -> Result<()> {
    use crate::agents::{Change, Target};
    let target = match a.agent {
        AgentArg::Claude => Target::Claude,
        AgentArg::Codex => Target::Codex,
    };
    let base = if a.global {
        world
            .home
            .clone()
            .ok_or_else(|| Error::Refused("--global needs $HOME to be set".into()))?
    } else {
        store.root().to_owned()
    };
    let path = base.join(target.file());
    let change = if add {
        let bin_dir = world.bin_dir.as_deref().ok_or_else(|| {
            Error::Refused("cannot tell where evolver is installed; run it by its full path".into())
        })?;
        crate::agents::install(target, &path, bin_dir)?
    } else {
        crate::agents::uninstall(&path)?
    };
    let verb = if add { "installed in" } else { "removed from" };
    match change {
        Change::Unchanged if add => writeln!(out, "hooks already {verb} {}", path.display())?,
        Change::Unchanged => writeln!(out, "no evolver hooks in {}", path.display())?,
        Change::Written { backup } => {
            writeln!(out, "hooks {verb} {}", path.display())?;
            if let Some(bak) = backup {
                writeln!(out, "previous version kept in {}", bak.display())?;
            }
        }
    }
    if add && target == Target::Codex {
        writeln!(
            out,
            "Codex runs new hooks only after you trust them: open Codex and review them in /hooks."
        )?;
    }
    Ok(())
}

fn init(store: &Store, out: &mut dyn Write) -> Result<()> {
    let created = store.init()?;
    if created.is_empty() {
        writeln!(out, "{} is ready; nothing to create", store.dir().display())?;
    }
    for path in created {
        writeln!(out, "created {}", path.display())?;
    }
    Ok(())
}

fn log(
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

/// One entry as `list --json` prints it.
#[derive(Serialize, Debug)]
struct Listed {
    id: String,
    kind: Kind,
    tail: String,
    status: Option<String>,
    priority: Option<String>,
    area: Option<String>,
    summary: String,
    logged: Option<String>,
    file: String,
    line: usize,
    pattern_key: Option<String>,
    recurrence_count: Option<u64>,
}

fn collect(store: &Store, only: Option<Kind>) -> Result<Vec<Listed>> {
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

fn list(store: &Store, a: &ListArgs, out: &mut dyn Write) -> Result<()> {
    let mut entries = collect(store, a.kind.map(Kind::from))?;
    if let Some(want) = &a.status {
        let want = want.trim().to_lowercase();
        entries.retain(|e| {
            e.status
                .as_deref()
                .is_some_and(|s| s.trim().to_lowercase() == want)
        });
    }
    let mut out = io::BufWriter::new(out);
    if a.json {
        serde_json::to_writer_pretty(&mut out, &entries).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        for e in &entries {
            writeln!(
                out,
                "{:<18} {:<11} {:<8} {}",
                e.id,
                e.status.as_deref().unwrap_or("-"),
                e.priority.as_deref().unwrap_or("-"),
                e.summary
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

fn show(store: &Store, id: &str, out: &mut dyn Write) -> Result<()> {
    let found = store.find(id)?;
    if found.is_empty() {
        return Err(Error::UnknownId(id.into()));
    }
    for (_, _, text) in found {
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

fn status(store: &Store, out: &mut dyn Write) -> Result<()> {
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

fn resolve(store: &Store, a: &ResolveArgs, now: DateTime<Utc>, out: &mut dyn Write) -> Result<()> {
    let closing = matches!(a.status, ResolveStatus::Resolved | ResolveStatus::WontFix);
    if !closing && (a.notes.is_some() || a.commit.is_some()) {
        return Err(Error::Invalid(
            "--notes and --commit go with --status resolved or wont_fix".into(),
        ));
    }
    let status = name_of(a.status);
    store.update(&a.id, now, |e| {
        let current = e.status().unwrap_or("").trim().to_lowercase();
        if current == "promoted" || current == "promoted_to_skill" {
            return Err(Error::Refused(format!(
                "{} is {current}; take it back with `evolver rollback {}` instead",
                a.id, a.id
            )));
        }
        let text = e.with_field("Status", &status);
        if !closing {
            return Ok(text);
        }
        let mut block = format!("- **Resolved**: {}", now.format("%Y-%m-%dT%H:%M:%SZ"));
        if let Some(commit) = &a.commit {
            block.push_str(&format!(
                "\n- **Commit/PR**: {}",
                crate::format::render::one_line(commit)
            ));
        }
        if let Some(notes) = &a.notes {
            block.push_str(&format!(
                "\n- **Notes**: {}",
                crate::format::render::one_line(notes)
            ));
        }
        Ok(Entry::parse(&text)
            .expect("an edit keeps the header")
            .with_section("Resolution", &block))
    })?;
    writeln!(out, "{} {status}", a.id)?;
    Ok(())
}
