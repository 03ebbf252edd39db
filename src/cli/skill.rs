//! `evolver skill validate | scan | deploy | rollback | list | state | doctor` (SPEC 7).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use crate::cli::World;
use crate::error::{Error, Result};
use crate::skills::deploy::{self, Agent, Deploy, Places};
use crate::skills::record::State;
use crate::skills::validate::Level;
use crate::skills::{lifecycle, scan, validate};
use crate::store::Store;

#[derive(Args, Debug)]
pub(super) struct SkillArgs {
    #[command(subcommand)]
    command: SkillCommand,
}

#[derive(Subcommand, Debug)]
enum SkillCommand {
    /// Check a skill folder against the Agent Skills rules and the clients' own; exit 1 on an error
    Validate {
        /// The skill folder (holding SKILL.md)
        path: PathBuf,
        /// Print a JSON object
        #[arg(long)]
        json: bool,
    },
    /// Scan every file of a skill for what must not reach an agent; exit 1 on a hard block
    Scan {
        /// The skill folder
        path: PathBuf,
        /// Print a JSON object
        #[arg(long)]
        json: bool,
    },
    /// Copy a staged skill to where the agents read skills, after validation and the scan
    Deploy(DeployArgs),
    /// Take the latest deployment out and put back what was there before it
    Rollback {
        /// The skill's name
        name: String,
        /// Remove files changed since the deployment too
        #[arg(long)]
        force: bool,
    },
    /// Every skill in staging or on record, with its state and uses
    List {
        /// The staging folder
        #[arg(long, default_value = "skills")]
        staging: PathBuf,
        /// Print a JSON array
        #[arg(long)]
        json: bool,
    },
    /// Set a skill's state by hand: rejected, archived, or draft to allow it again
    State {
        /// The skill's name
        name: String,
        state: ManualState,
        /// Why (kept in the record's history)
        #[arg(long, default_value = "set by hand")]
        why: String,
    },
    /// Find deployed skills whose files are gone or changed
    Doctor {
        /// Copy back from staging what is gone, when staging holds what was deployed
        #[arg(long)]
        fix: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ManualState {
    Rejected,
    Archived,
    Draft,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum AgentArg {
    Claude,
    Codex,
    Openclaw,
    All,
}

#[derive(Args, Debug)]
struct DeployArgs {
    /// The skill's name (its folder in staging)
    name: String,
    /// The staging folder, relative to the project
    #[arg(long, default_value = "skills")]
    staging: PathBuf,
    /// The agents to deploy to (repeatable)
    #[arg(long, value_enum, default_value = "all")]
    agent: Vec<AgentArg>,
    /// The user's own skill folders instead of the project's
    #[arg(long)]
    global: bool,
}

fn agents(args: &[AgentArg]) -> Vec<Agent> {
    if args.contains(&AgentArg::All) {
        return Agent::ALL.to_vec();
    }
    let mut out = Vec::new();
    for a in args {
        let agent = match a {
            AgentArg::Claude => Agent::Claude,
            AgentArg::Codex => Agent::Codex,
            AgentArg::Openclaw => Agent::OpenClaw,
            AgentArg::All => unreachable!("handled above"),
        };
        if !out.contains(&agent) {
            out.push(agent);
        }
    }
    out
}

fn places(store: &Store, world: &World) -> Places {
    Places {
        root: store.root().to_owned(),
        home: world.home.clone(),
    }
}

/// A skill folder given on the command line, read from where the command runs.
fn given(world: &World, path: &Path) -> Result<PathBuf> {
    let folder = if path.is_absolute() {
        path.to_owned()
    } else {
        world.cwd.join(path)
    };
    if !folder.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is not a folder",
            path.display()
        )));
    }
    Ok(folder)
}

fn json(out: &mut dyn Write, value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    writeln!(out, "{text}").map_err(Error::from)
}

pub(super) fn skill(store: &Store, a: SkillArgs, world: &World, out: &mut dyn Write) -> Result<u8> {
    match a.command {
        SkillCommand::Validate {
            path,
            json: as_json,
        } => {
            let folder = given(world, &path)?;
            let v = validate::validate_dir(&folder)?;
            if as_json {
                json(out, &v)?;
            } else {
                print_validation(out, &path, &v, "")?;
            }
            Ok(u8::from(v.errors() > 0))
        }
        SkillCommand::Scan {
            path,
            json: as_json,
        } => {
            let folder = given(world, &path)?;
            let report = scan::scan_dir(&folder)?;
            if as_json {
                json(out, &report)?;
            } else {
                print_scan(out, &path, &report, "")?;
            }
            Ok(u8::from(report.blocked()))
        }
        SkillCommand::Deploy(d) => {
            let agents = agents(&d.agent);
            let done = deploy::deploy(
                store,
                &places(store, world),
                &Deploy {
                    name: &d.name,
                    staging: &d.staging,
                    agents: &agents,
                    global: d.global,
                },
                world.now,
            )?;
            let names: Vec<_> = agents.iter().map(|a| a.as_str()).collect();
            if done.unchanged {
                writeln!(
                    out,
                    "{} is already deployed to {} as staged; nothing changed",
                    d.name,
                    done.folders.join(", ")
                )?;
            } else {
                writeln!(
                    out,
                    "{} deployed to {} (for {}); it is experimental until it has been used cleanly",
                    d.name,
                    done.folders.join(", "),
                    names.join(", ")
                )?;
            }
            if done.warnings > 0 {
                writeln!(
                    out,
                    "{} warning(s), scan score {}: `evolver skill validate` and `evolver skill scan` show them",
                    done.warnings, done.score
                )?;
            }
            writeln!(out, "undo: evolver skill rollback {}", d.name)?;
            Ok(0)
        }
        SkillCommand::Rollback { name, force } => {
            let done = deploy::rollback(store, &places(store, world), &name, force, world.now)?;
            let restored = if done.restored.is_empty() {
                String::new()
            } else {
                format!("; put back what was in {}", done.restored.join(", "))
            };
            writeln!(
                out,
                "{name} rolled back from {}{restored}; it is {}",
                done.folders.join(", "),
                done.state
            )?;
            Ok(0)
        }
        SkillCommand::List {
            staging,
            json: as_json,
        } => {
            for (name, to, why) in lifecycle::settle_all(store, world.now)? {
                if !as_json {
                    writeln!(out, "{name} is now {to}: {why}")?;
                }
            }
            let listed = lifecycle::list(store, &staging)?;
            if as_json {
                json(out, &listed)?;
                return Ok(0);
            }
            if listed.is_empty() {
                writeln!(
                    out,
                    "no skills in {} or on record; `extract-skill NAME --from ID` makes one from a verified lesson",
                    staging.display()
                )?;
                return Ok(0);
            }
            writeln!(
                out,
                "{:<32} {:<12} {:>5} {:>8}  deployed to",
                "skill", "state", "uses", "failures"
            )?;
            for s in listed {
                let to = if s.deployed_to.is_empty() {
                    "-".to_owned()
                } else {
                    s.deployed_to.join(", ")
                };
                writeln!(
                    out,
                    "{:<32} {:<12} {:>5} {:>8}  {to}",
                    s.name,
                    s.state.as_str(),
                    s.tally.uses,
                    s.tally.failures
                )?;
            }
            Ok(0)
        }
        SkillCommand::State { name, state, why } => {
            let to = match state {
                ManualState::Rejected => State::Rejected,
                ManualState::Archived => State::Archived,
                ManualState::Draft => State::Draft,
            };
            let from = lifecycle::set_state(store, &name, to, &why, world.now)?;
            writeln!(out, "{name}: {from} -> {to}")?;
            Ok(0)
        }
        SkillCommand::Doctor { fix } => {
            let problems = lifecycle::doctor(store, &places(store, world), fix, world.now)?;
            for p in &problems {
                let mark = if p.fixed {
                    " (fixed: copied back from staging)"
                } else {
                    ""
                };
                writeln!(out, "{}{mark}", p.describe())?;
            }
            let left = problems.iter().filter(|p| !p.fixed).count();
            if problems.is_empty() {
                writeln!(out, "every deployed skill is as it was deployed")?;
            }
            Ok(u8::from(left > 0))
        }
    }
}

/// Prints what validation found, each finding with its line, then the verdict after `label`.
pub(super) fn print_validation(
    out: &mut dyn Write,
    path: &Path,
    v: &validate::Validation,
    label: &str,
) -> Result<()> {
    for f in &v.findings {
        let level = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        writeln!(
            out,
            "{}:{}: {level} [{}] {}",
            path.join("SKILL.md").display(),
            f.line,
            f.rule,
            f.message
        )?;
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    writeln!(
        out,
        "{label}{}: {} ({} error{}, {} warning{})",
        path.display(),
        if v.errors() == 0 { "valid" } else { "invalid" },
        v.errors(),
        plural(v.errors()),
        v.warnings(),
        plural(v.warnings()),
    )?;
    Ok(())
}

/// Prints a scan report: each finding with its file and line, then the verdict after `label`.
pub(super) fn print_scan(
    out: &mut dyn Write,
    path: &Path,
    report: &scan::Report,
    label: &str,
) -> Result<()> {
    for f in &report.findings {
        let what = match f.severity {
            scan::Severity::Block => "block".to_owned(),
            scan::Severity::Warning => format!("warning +{}", f.score),
        };
        writeln!(
            out,
            "{}:{}: {what} [{}] {}",
            path.join(&f.file).display(),
            f.line,
            f.rule,
            f.message
        )?;
        if !f.excerpt.is_empty() {
            writeln!(out, "    {}", f.excerpt)?;
        }
    }
    let blocks = report
        .findings
        .iter()
        .filter(|f| f.severity == scan::Severity::Block)
        .count();
    writeln!(
        out,
        "{label}{}: {} ({blocks} hard block{}, {} warning{}, score {}, {} file{} scanned)",
        path.display(),
        if blocks > 0 { "BLOCKED" } else { "clear" },
        if blocks == 1 { "" } else { "s" },
        report.findings.len() - blocks,
        if report.findings.len() - blocks == 1 {
            ""
        } else {
            "s"
        },
        report.score(),
        report.files,
        if report.files == 1 { "" } else { "s" },
    )?;
    Ok(())
}
