//! The `evolver` command line: a faithful parse of argv with clap, then one function per
//! command over the library. [`run`] takes its whole world as parameters so tests can call it
//! without a process.
//!
//! This file only parses and dispatches; each command or group of commands has its own file,
//! its clap types beside the code that runs it. The command line may use every folder of the
//! library, and nothing in the library uses it.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::cli::printer::Printer;
use crate::error::{Error, Result};
use crate::store::{RootEnv, Store, project_root};

mod audit;
mod completions;
pub mod extract;
mod init;
mod install;
mod list;
mod log;
mod merge;
mod openclaw;
mod printer;
mod promote;
mod resolve;
mod search;
mod skill;
mod status;
mod upkeep;
mod verify;

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
    /// The folders of `$PATH`, and `$CARGO_HOME`: where the installed hooks look for the
    /// executables, so `install` can say when they will not be found.
    pub path: Vec<PathBuf>,
    pub cargo_home: Option<PathBuf>,
    /// `$CODEX_HOME`, where Codex records its plugins.
    pub codex_home: Option<PathBuf>,
    /// Whether stdout is a terminal: then what is printed has its control characters
    /// escaped, and is coloured unless `no_color` or `--color never`.
    pub stdout_terminal: bool,
    /// Whether stderr is a terminal: then error messages have their control characters
    /// escaped too.
    pub stderr_terminal: bool,
    /// `NO_COLOR` is set and not empty (<https://no-color.org>): no colour unless
    /// `--color always`.
    pub no_color: bool,
}

impl World {
    /// This process's world: its working folder, environment, clock, `$HOME` (an empty or
    /// relative one is no home: `~/…` must never land in the working folder) and the folder
    /// of the running executable.
    pub fn from_process() -> World {
        World {
            cwd: std::env::current_dir().unwrap_or_else(|_| ".".into()),
            env: RootEnv::from_process(),
            now: chrono::Utc::now(),
            home: std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|h| h.is_absolute()),
            bin_dir: std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(ToOwned::to_owned)),
            path: std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
            cargo_home: std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .filter(|h| h.is_absolute()),
            codex_home: std::env::var_os("CODEX_HOME")
                .map(PathBuf::from)
                .filter(|h| h.is_absolute()),
            stdout_terminal: io::stdout().is_terminal(),
            stderr_terminal: io::stderr().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }
}

/// Parses `args` with clap; on `--help`, `--version` or a usage error, prints clap's text
/// (to `out` for help, exit 0; to `err` for a usage error, exit 2) and returns the code.
fn parse_args<T: Parser>(
    args: Vec<OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::result::Result<T, u8> {
    T::try_parse_from(args).map_err(|e| {
        let code = if e.use_stderr() { 2 } else { 0 };
        let text = e.render().to_string();
        let _ = if code == 0 {
            out.write_all(text.as_bytes())
        } else {
            err.write_all(text.as_bytes())
        };
        code
    })
}

/// The end of a command: its code, or its error as one line on `err` (a closed pipe is no
/// error).
fn finish(name: &str, result: Result<u8>, err: &mut dyn Write) -> u8 {
    match result {
        Ok(code) => code,
        Err(Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "{name}: {e}");
            e.exit_code()
        }
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "evolver",
    version,
    about = "Keep an agent's lessons in .learnings/, verify them, and promote only what passes"
)]
struct Cli {
    /// Colour the output: on a terminal unless NO_COLOR is set (auto), always, or never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    #[command(subcommand)]
    command: Command,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ColorWhen {
    Never,
    Auto,
    Always,
}

impl ColorWhen {
    /// Whether stdout is treated as a terminal (control characters escaped) and whether it
    /// is coloured. `always` is a terminal by the user's word: colour codes make sense only
    /// on one.
    fn stdout(self, world: &World) -> (bool, bool) {
        let terminal = world.stdout_terminal || self == ColorWhen::Always;
        let color = match self {
            ColorWhen::Never => false,
            ColorWhen::Auto => world.stdout_terminal && !world.no_color,
            ColorWhen::Always => true,
        };
        (terminal, color)
    }
}

/// The clap definition of `evolver`: its commands, options and help, as the completions, the
/// man page and `--help` are made from it.
pub fn command() -> clap::Command {
    Cli::command()
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create .learnings/ and its three logs (existing files are left as they are)
    Init,
    /// Append an entry and print its ID; an open entry with the same Pattern-Key is updated
    Log(log::LogArgs),
    /// List entries, newest last
    List(list::ListArgs),
    /// Print an entry exactly as it is in its file
    Show {
        /// The entry ID, e.g. LRN-20261122-001
        id: String,
    },
    /// Count entries by kind and status, and say what needs attention
    Status,
    /// Rank the lessons for a text as the activator does for a prompt, with their scores
    Search(search::SearchArgs),
    /// Change an entry's status; resolved and wont_fix add a Resolution block
    Resolve(resolve::ResolveArgs),
    /// Write or replace an entry's ### Verification Spec (a JSON object with `expected`)
    Spec(verify::SpecArgs),
    /// Run an entry's spec (or read its observations) and print PASS, FAIL or INDETERMINATE
    Verify(verify::VerifyArgs),
    /// Add a verified lesson to permanent memory; refused without a PASS receipt that holds
    Promote(promote::PromoteArgs),
    /// Take an entry's promoted blocks out again and return it to pending
    Rollback(promote::RollbackArgs),
    /// List what is ready to move: PASS not promoted, recurring patterns, skill candidates
    Review,
    /// Bring in learning candidates found by another tool
    Ingest(upkeep::IngestArgs),
    /// Find what has come apart: duplicate IDs, missing blocks, bad receipts, lost skills
    Doctor {
        /// Put right what can be put right safely
        #[arg(long)]
        fix: bool,
    },
    /// Verify the hash chain of .learnings/events.jsonl: the first broken line, or the head
    Audit,
    /// Validate, scan, deploy and roll back skills, and see their states and uses
    Skill(skill::SkillArgs),
    /// Wire the hooks into an agent (claude, codex, openclaw), or the merge driver into git
    Install(install::InstallArgs),
    /// Take out exactly what `install` added
    Uninstall(install::InstallArgs),
    /// Merge a .learnings/ file for git, entry by entry (registered by `evolver install git`)
    MergeDriver(merge::MergeArgs),
    /// Print the completion script for a shell (bash, zsh, fish) to stdout
    Completions(completions::CompletionsArgs),
    /// Print the man page of evolver (roff) to stdout
    Man,
}

fn name_of(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

/// Runs `evolver` with `args` (the first is the program name) and returns the exit code.
///
/// What goes to a terminal (or anywhere, under `--color always`) has its control characters
/// shown escaped, so text from the logs is never acted on by the terminal.
pub fn run(args: Vec<OsString>, world: &World, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let cli = match parse_args::<Cli>(args, out, err) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let (terminal, color) = cli.color.stdout(world);
    let mut out = Printer::new(out, terminal, color);
    let mut err = Printer::new(
        err,
        world.stderr_terminal || cli.color == ColorWhen::Always,
        false,
    );
    let result = dispatch(cli.command, world, &mut out, &mut err);
    // What the escaping held back goes out before any error line.
    let flushed = out.flush();
    let result = result.and_then(|code| flushed.map(|()| code).map_err(Error::from));
    finish("evolver", result, &mut err)
}

fn dispatch(
    command: Command,
    world: &World,
    out: &mut Printer<&mut dyn Write>,
    err: &mut dyn Write,
) -> Result<u8> {
    // These need no store: git runs the driver on temporary files, wherever the project is,
    // and the completions and the man page are made from the command line alone.
    match &command {
        Command::MergeDriver(args) => return merge::merge_driver(args, world, err),
        Command::Completions(args) => return completions::completions(args, out).map(|()| 0),
        Command::Man => return completions::man(out).map(|()| 0),
        _ => {}
    }
    let store = Store::open(project_root(&world.cwd, &world.env))?;
    match command {
        Command::Verify(args) => return verify::verify(&store, &args, world, out),
        Command::Init => init::init(&store, out),
        Command::Log(args) => log::log(&store, args, world.now, out, err),
        Command::List(args) => list::list(&store, &args, out),
        Command::Show { id } => list::show(&store, &id, out),
        Command::Status => status::status(&store, out),
        Command::Search(args) => search::search(&store, &args, out),
        Command::Resolve(args) => resolve::resolve(&store, &args, world.now, out),
        Command::Spec(args) => verify::spec(&store, &args, world, out),
        Command::Promote(args) => promote::promote(&store, &args, world, out),
        Command::Rollback(args) => promote::rollback(&store, &args, world, out),
        Command::Review => upkeep::review(&store, world, out),
        Command::Ingest(args) => upkeep::ingest(&store, &args, world, out),
        Command::Doctor { fix } => return upkeep::doctor(&store, fix, world, out),
        Command::Skill(args) => return skill::skill(&store, args, world, out),
        Command::Audit => audit::audit(&store, out),
        Command::Install(args) => install::install(&store, &args, world, out, true),
        Command::Uninstall(args) => install::install(&store, &args, world, out, false),
        Command::MergeDriver(_) | Command::Completions(_) | Command::Man => {
            unreachable!("handled before the store is opened")
        }
    }
    .map(|()| 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(dir: &std::path::Path, stdout_terminal: bool, no_color: bool) -> World {
        World {
            cwd: dir.to_owned(),
            env: RootEnv::default(),
            now: Utc::now(),
            home: None,
            bin_dir: None,
            path: Vec::new(),
            cargo_home: None,
            codex_home: None,
            stdout_terminal,
            stderr_terminal: false,
            no_color,
        }
    }

    #[test]
    fn terminal_mode_is_a_tty_or_always_and_colour_follows_no_color_in_auto() {
        let dir = std::path::Path::new("/");
        for (when, tty, no_color, expected) in [
            (ColorWhen::Auto, true, false, (true, true)),
            (ColorWhen::Auto, true, true, (true, false)),
            (ColorWhen::Auto, false, false, (false, false)),
            (ColorWhen::Never, true, false, (true, false)),
            (ColorWhen::Never, false, false, (false, false)),
            (ColorWhen::Always, false, true, (true, true)),
        ] {
            assert_eq!(
                when.stdout(&world(dir, tty, no_color)),
                expected,
                "{when:?} tty {tty} NO_COLOR {no_color}"
            );
        }
    }

    #[test]
    fn run_on_a_terminal_escapes_the_logs_and_paints_its_own() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".learnings")).unwrap();
        std::fs::write(
            dir.path().join(".learnings/ERRORS.md"),
            "## [ERR-20260101-001] x\n\n**Status**: resolved\n\n### Summary\nbad \x1b[2J\n\n---\n",
        )
        .unwrap();
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(
            args(&["evolver", "list"]),
            &world(dir.path(), true, false),
            &mut out,
            &mut err,
        );
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x1b[1mERR-20260101-001\x1b[0m   \x1b[32mresolved\x1b[0m    -        bad \\x1b[2J\n"
        );
        let mut out = Vec::new();
        run(
            args(&["evolver", "list"]),
            &world(dir.path(), false, false),
            &mut out,
            &mut err,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ERR-20260101-001   resolved    -        bad \x1b[2J\n"
        );
    }
}
