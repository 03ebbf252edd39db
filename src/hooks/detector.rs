//! The error detector (SPEC 5.2): payload → did a shell command fail? → ERR entry → store.
//!
//! Most calls are successes and must cost next to nothing: a Claude Code `PostToolUse` is a
//! success by definition and is dismissed before any file is touched; nothing compiles a
//! regular expression unless a failure's output holds something that looks like a secret.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::format::Kind;
use crate::format::render::{NewEntry, longest_backticks};
use crate::hooks::HookWorld;
use crate::hooks::command::{Invocation, exit_candidates, invocation};
use crate::hooks::payload::{Agent, Payload};
use crate::hooks::skill_use;
use crate::hooks::transcript;
use crate::redact::redact;
use crate::store::{Logged, Store, project_root};
use crate::store::{command_hash, pass_key};

/// The Error section keeps the last this many lines of output…
const MAX_LINES: usize = 60;
/// …and at most this many bytes of them.
const MAX_BYTES: usize = 8 * 1024;

/// How long the detector waits for another writer before it gives up on this entry. Writers
/// hold the lock for milliseconds; only a rewrite of a huge log takes longer.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A failed shell command, as the payload reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub command: String,
    /// `None` when the command could not be started at all.
    pub exit_code: Option<i64>,
    pub output: String,
}

/// The hook: returns the JSON line to print when something was logged.
pub fn run(input: &[u8], world: &HookWorld) -> Result<Option<String>> {
    let Some(payload) = Payload::parse(input) else {
        return Ok(None);
    };
    let start = payload
        .cwd
        .as_deref()
        .map_or(world.cwd.clone(), PathBuf::from);
    if payload.tool_name.as_deref() == Some("Skill") {
        let root = project_root(&start, &world.env);
        skill_use::skill_tool(&root.join(".learnings"), &payload, world.now);
        return Ok(None);
    }
    let failure = match outcome(&payload, world) {
        None => return Ok(None),
        Some(Outcome::Passed(command)) => {
            let root = project_root(&start, &world.env);
            skill_use::after_command(
                &root.join(".learnings"),
                &payload,
                &command,
                false,
                world.now,
            );
            return passed(&payload, &command, &start, root, world);
        }
        Some(Outcome::Failed(failure)) => failure,
    };
    let root = project_root(&start, &world.env);
    // Only a real project gets a log: never a stray `.learnings/` in /tmp or $HOME.
    if !root.join(".learnings").is_dir() && !root.join(".git").exists() {
        return Ok(None);
    }
    let store = Store::open(root)?.with_lock_wait(LOCK_WAIT);
    // Everything is read from the redacted command, so that not even a header can carry a
    // secret.
    let command = redact(&failure.command).into_owned();
    let Some(invocation) = invocation(&command) else {
        return Ok(None);
    };
    // A benign exit (grep finding nothing) is no failure of a skill used just before either.
    let benign = is_benign(&command, failure.exit_code, &store.config().detector.benign);
    skill_use::after_command(store.dir(), &payload, &failure.command, !benign, world.now);
    if benign {
        return Ok(None);
    }
    let entry = entry(
        &payload,
        &failure,
        &command,
        &invocation,
        &start,
        store.root(),
    );
    let summary = entry.summary.clone();
    let logged =
        store.log_in_session(Kind::Error, entry, world.now, payload.session_id.as_deref())?;
    let context = match &logged {
        Logged::Created(id) => format!(
            "Logged {id} ({summary}) in .learnings/ERRORS.md. Once you know the cause, record it: \
             `evolver resolve {id} --notes \"…\"`."
        ),
        Logged::Recurred {
            id,
            count,
            sessions,
        } => {
            let sessions = sessions.map_or(String::new(), |n| {
                format!(" in {n} session{}", if n == 1 { "" } else { "s" })
            });
            format!(
                "{id} recurred ({summary}; seen {count} times{sessions}). Read what is known \
                 before retrying: `evolver show {id}`."
            )
        }
    };
    let reply = serde_json::json!({
        "hookSpecificOutput": {
            "hookEventName": payload.event,
            "additionalContext": context,
        }
    });
    Ok(Some(format!("{reply}\n")))
}

/// A command that passed: if it failed before in the same working directory and that
/// failure is still open, the entry records the pass and the agent is asked, once per
/// session, to write down the fix.
fn passed(
    p: &Payload,
    command: &str,
    start: &Path,
    root: PathBuf,
    world: &HookWorld,
) -> Result<Option<String>> {
    if !root.join(".learnings").is_dir() {
        return Ok(None);
    }
    let command = redact(command);
    let Some(invocation) = invocation(&command) else {
        return Ok(None);
    };
    // The command as the entry's Context gives it: redacted, on one line.
    let one_line = command.replace(['\n', '\r'], " ");
    let key = pass_key(&invocation.key(), &one_line);
    let hash = command_hash(&key, &redact(&workdir(start, &root)));
    let store = Store::open(root)?.with_lock_wait(LOCK_WAIT);
    if !store.may_have_open_failure(hash) {
        return Ok(None);
    }
    let Some(pass) = store.record_pass(hash, p.session_id.as_deref(), world.now)? else {
        return Ok(None);
    };
    // The command is the one the agent just ran: no text from the log reaches the model.
    let context = format!(
        "{ran} passes now, and failed before ({id}). While the fix is fresh, record what caused \
         it and what fixed it: `evolver resolve {id} --notes \"…\"` (or \
         `evolver log learning --see-also {id} …` for a lesson worth keeping).",
        ran = code_span(&shorten(&command)),
        id = pass.id,
    );
    let reply = serde_json::json!({
        "hookSpecificOutput": {
            "hookEventName": p.event,
            "additionalContext": context,
        }
    });
    Ok(Some(format!("{reply}\n")))
}

/// What a shell command did, as far as the detector cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Failed(Failure),
    /// It exited 0; the command line.
    Passed(String),
}

/// Whether the payload reports a failed shell command (SPEC 5.2), before the benign list.
pub fn failure(p: &Payload, world: &HookWorld) -> Option<Failure> {
    match outcome(p, world)? {
        Outcome::Failed(f) => Some(f),
        Outcome::Passed(_) => None,
    }
}

/// What the payload says of a shell command: failed, passed, or nothing we can tell.
pub fn outcome(p: &Payload, world: &HookWorld) -> Option<Outcome> {
    let tool = p.tool_name.as_deref().unwrap_or("");
    let shell = [
        "bash",
        "powershell",
        "shell",
        "exec",
        "exec_command",
        "local_shell",
    ]
    .iter()
    .any(|t| tool.eq_ignore_ascii_case(t));
    if !shell || p.is_interrupt {
        return None;
    }
    let command = p.command.clone().filter(|c| !c.trim().is_empty())?;
    let (exit_code, output) = match (p.agent, p.event.as_str()) {
        // Claude Code reports a failure as PostToolUseFailure: PostToolUse is a success.
        (Agent::ClaudeCode, "PostToolUse") => (Some(0), String::new()),
        (Agent::ClaudeCode, "PostToolUseFailure") => {
            let error = p.error.as_deref()?;
            let (first, rest) = error.split_once('\n').unwrap_or((error, ""));
            match first.trim().strip_prefix("Exit code ") {
                Some(n) => (Some(n.trim().parse().ok()?), rest.to_owned()),
                None => (None, error.to_owned()),
            }
        }
        (Agent::Codex, "PostToolUse") => {
            // The transcript first: a command's own output may well say "Exit code: 3" of
            // something else, while the transcript's record is Codex's own.
            let output = p.output();
            let recorded = p
                .transcript_path
                .as_deref()
                .zip(p.tool_use_id.as_deref())
                .and_then(|(path, id)| transcript::exit_code(Path::new(path), id, world.patience));
            let code = recorded.or_else(|| transcript::exit_line(&output))?;
            (Some(code), output)
        }
        (Agent::OpenClaw, _) => match (&p.error, p.exit_code) {
            (_, Some(code)) => (Some(code), p.error.clone().unwrap_or_else(|| p.output())),
            // The reason, then what the tool said about it.
            (Some(error), None) => {
                let said = p.output();
                let output = if said.trim().is_empty() {
                    error.clone()
                } else if said.contains(error.as_str()) {
                    said
                } else {
                    format!("{error}\n{said}")
                };
                (None, output)
            }
            (None, None) => return None,
        },
        _ => return None,
    };
    if exit_code == Some(0) {
        return Some(Outcome::Passed(command));
    }
    Some(Outcome::Failed(Failure {
        command,
        exit_code,
        output,
    }))
}

/// The first line of a tool's error, redacted and cut to 80 characters.
fn reason(error: &str) -> String {
    let line = error.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line = redact(line.trim());
    if line.chars().count() > 80 {
        line.chars().take(79).chain(['…']).collect()
    } else {
        line.into_owned()
    }
}

/// A command cut to 100 characters.
fn shorten(command: &str) -> String {
    if command.chars().count() > 100 {
        command.chars().take(99).chain(['…']).collect()
    } else {
        command.to_owned()
    }
}

/// The working directory as an entry names it: relative to the project root (`.` for the
/// root itself), or whole when outside it.
fn workdir(cwd: &Path, root: &Path) -> String {
    match cwd.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => cwd.display().to_string(),
    }
}

/// Exit 1 of a command that answers "no" that way (grep found nothing, diff found a change),
/// wherever in the line it stands to give the exit status: `ps aux | grep x` and
/// `[ -f .env ] && cat .env` exit 1 without anything having failed.
fn is_benign(command: &str, exit_code: Option<i64>, benign: &[String]) -> bool {
    exit_code == Some(1)
        && exit_candidates(command).iter().any(|i| {
            benign.iter().any(|b| {
                let b = b.trim();
                b == i.program || b == i.words()
            })
        })
}

/// The ERR entry for a failure: everything captured is redacted before it is kept.
fn entry(
    p: &Payload,
    f: &Failure,
    command: &str,
    inv: &Invocation,
    cwd: &Path,
    root: &Path,
) -> NewEntry {
    let output = error_text(&f.output);
    // OpenClaw reports a tool that failed by itself (a refused host, a time limit) with an
    // error and no exit code; elsewhere no exit code means the command never started.
    let tool_failure = match (f.exit_code, p.agent) {
        (None, Agent::OpenClaw) => p.error.as_deref().map(reason),
        _ => None,
    };
    let what = match (f.exit_code, &tool_failure) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(reason)) => format!("failed: {reason}"),
        (None, None) => "could not be started".to_owned(),
    };
    let short = shorten(command);
    let workdir = workdir(cwd, root);
    let mut context = vec![
        format!("Command: {}", code_span(command)),
        format!("Working directory: {}", code_span(&redact(&workdir))),
        format!("Agent: {}", p.agent.name()),
    ];
    if let Some(session) = &p.session_id {
        context.push(format!("Session: {}", redact(session)));
    }
    let action = if tool_failure.is_some() {
        "The tool failed before the command could finish: check the reason above (a time \
         limit, a host the session may not use) before running it again."
            .to_owned()
    } else if f.exit_code == Some(127) || f.exit_code.is_none() {
        format!(
            "`{}` was not found or could not run: install it, or fix its name or the PATH.",
            inv.program
        )
    } else {
        "Not analysed yet: find the cause, fix it, and note the fix with `evolver resolve`; \
         a lesson worth keeping goes to `evolver log learning`."
            .to_owned()
    };
    let mut e = NewEntry {
        tail: inv.name(),
        priority: "medium".into(),
        status: "pending".into(),
        summary: format!("{} {what}", code_span(&short)),
        details: output,
        context,
        action,
        ..NewEntry::default()
    };
    e.set_meta("Source", "error-detector");
    e.set_meta("Reproducible", "unknown");
    e.set_meta("Pattern-Key", pattern_key(inv, f));
    e
}

/// `cmd.<program>[.<subcommand>].<signature>`: the signature hashes the first line that looks
/// like an error, with what varies between occurrences (numbers, paths, hex, quoted names)
/// normalised away, so the same failure in another file or on another line keys the same.
pub fn pattern_key(inv: &Invocation, f: &Failure) -> String {
    let line = error_line(&f.output).map_or_else(
        || format!("exit {}", f.exit_code.unwrap_or(-1)),
        |l| normalise(&redact(l)),
    );
    let sig = &crate::store::sha256_hex(line.as_bytes())[..8];
    format!("cmd.{}.{sig}", inv.key())
}

const ERROR_WORDS: &[&str] = &[
    "error",
    "fail",
    "fatal",
    "exception",
    "panic",
    "cannot",
    "can't",
    "not found",
    "no such",
    "denied",
    "refused",
    "invalid",
    "traceback",
    "unable",
    "abort",
    "missing",
    "undefined",
    "unexpected",
    "not recognized",
];

/// Only the start of a line is read for its signature: enough to tell failures apart, and
/// a bound on the work for output with megabyte-long lines.
const SIGNATURE_BYTES: usize = 512;

/// The first line that reads like an error, else the first non-empty line; cut to
/// [`SIGNATURE_BYTES`].
fn error_line(output: &str) -> Option<&str> {
    let mut first = None;
    for line in output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(2000)
    {
        let line = &line[..floor_char(line, SIGNATURE_BYTES.min(line.len()))];
        first.get_or_insert(line);
        let lower = line.to_lowercase();
        if ERROR_WORDS.iter().any(|w| lower.contains(w)) {
            return Some(line);
        }
    }
    first
}

/// Lower case, quoted text → `Q`, words with a path separator → `P`, hex runs → `H`, digit
/// runs → `N`, single spaces.
fn normalise(line: &str) -> String {
    let line = line.to_lowercase();
    let mut unquoted = String::with_capacity(line.len());
    let mut i = 0;
    while let Some(c) = line[i..].chars().next() {
        let after = i + c.len_utf8();
        let close = match c {
            '\'' | '"' | '`' => c,
            '‘' => '’',
            '“' => '”',
            _ => {
                unquoted.push(c);
                i = after;
                continue;
            }
        };
        match line[after..].find(close) {
            Some(end) => {
                unquoted.push('Q');
                i = after + end + close.len_utf8();
            }
            None => {
                unquoted.push(c);
                i = after;
            }
        }
    }
    let words: Vec<String> = unquoted
        .split_whitespace()
        .map(|w| {
            if w.contains('/') || w.contains('\\') {
                return "P".to_owned();
            }
            let core = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let hex = core.len() >= 7
                && core.chars().all(|c| c.is_ascii_hexdigit())
                && core.chars().any(|c| c.is_ascii_digit());
            if hex || core.starts_with("0x") && core.len() > 2 {
                return "H".to_owned();
            }
            let mut out = String::with_capacity(w.len());
            for c in w.chars() {
                if c.is_ascii_digit() {
                    if !out.ends_with('N') {
                        out.push('N');
                    }
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect();
    words.join(" ")
}

/// The Error section: redacted, then cut to its last lines and bytes, with a note when cut.
fn error_text(output: &str) -> String {
    let output = output.trim_end();
    // Redact a generous window rather than all of a huge output, unless a private key
    // block could start before the window and end inside it.
    // The window starts at a line, so that no secret is cut in two before redaction: with no
    // line break near the cut, the whole output is redacted.
    let window_start = if output.len() > 4 * MAX_BYTES
        && memchr::memmem::find(output.as_bytes(), b"PRIVATE KEY").is_none()
    {
        let cut = floor_char(output, output.len() - 4 * MAX_BYTES);
        output[cut..]
            .find('\n')
            .filter(|&nl| nl < 2 * MAX_BYTES)
            .map_or(0, |nl| cut + nl + 1)
    } else {
        0
    };
    let redacted = redact(&output[window_start..]);
    let text: &str = &redacted;
    let total_lines = output.lines().count();
    let mut start = 0;
    if let Some((i, _)) = text
        .match_indices('\n')
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .nth(MAX_LINES - 1)
    {
        start = i + 1;
    }
    if text.len() - start > MAX_BYTES {
        start = floor_char(text, text.len() - MAX_BYTES);
        if let Some(nl) = text[start..].find('\n').filter(|&nl| nl < 200) {
            start += nl + 1;
        }
    }
    let kept = &text[start..];
    if window_start == 0 && start == 0 {
        return kept.to_owned();
    }
    let kept_lines = kept.lines().count();
    let cut = total_lines.saturating_sub(kept_lines);
    let note = if cut > 0 {
        format!("[… {cut} earlier lines cut]")
    } else {
        "[… the start of this line was cut]".to_owned()
    };
    format!("{note}\n{kept}")
}

/// The largest char boundary at or below `at`.
fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Inline code that no backtick inside can end.
fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = longest_backticks(&text);
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(command: &str, output: &str) -> String {
        let f = Failure {
            command: command.into(),
            exit_code: Some(1),
            output: output.into(),
        };
        pattern_key(&invocation(command).unwrap(), &f)
    }

    #[test]
    fn the_same_failure_elsewhere_keys_the_same() {
        let a = key(
            "cargo build",
            "   Compiling x v0.1.0\nerror[E0425]: cannot find value `foo` in this scope\n --> src/a.rs:10:5",
        );
        let b = key(
            "cargo build",
            "error[E0425]: cannot find value `bar` in this scope\n --> src/b.rs:99:1",
        );
        assert_eq!(a, b);
        assert!(a.starts_with("cmd.cargo.build."), "{a}");
        assert_ne!(a, key("cargo build", "error: linker `cc` not found"));
        assert_ne!(
            a,
            key(
                "cargo test",
                "error[E0425]: cannot find value `x` in this scope"
            )
        );
    }

    #[test]
    fn regression_only_the_start_of_a_long_line_is_normalised() {
        // Normalising once copied the rest of the line at every quote: seconds for 200 KB.
        let line = format!("error {}", "'".repeat(200_000));
        let picked = error_line(&line).unwrap();
        assert_eq!(picked.len(), SIGNATURE_BYTES);
        assert!(normalise(picked).len() <= SIGNATURE_BYTES);
    }

    #[test]
    fn normalising_keeps_the_words() {
        assert_eq!(
            normalise("ls: cannot access '/tmp/x': No such file or directory"),
            "ls: cannot access Q: no such file or directory"
        );
        assert_eq!(
            normalise("/bin/bash: line 12: foo: command not found"),
            "P line N: foo: command not found"
        );
        assert_eq!(
            normalise("commit 4f2a9c1e failed at 0x7ffe"),
            "commit H failed at H"
        );
    }

    #[test]
    fn long_output_keeps_its_last_lines() {
        let output: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let text = error_text(&output);
        assert!(
            text.starts_with("[… 40 earlier lines cut]\nline 41\n"),
            "{text}"
        );
        assert!(text.ends_with("line 100"));
        let wide = "x".repeat(20_000);
        let text = error_text(&wide);
        assert!(text.len() <= MAX_BYTES + 64);
        assert!(text.starts_with("[… the start of this line was cut]\n"));
    }

    #[test]
    fn code_spans_outlast_backticks() {
        assert_eq!(code_span("ls"), "`ls`");
        assert_eq!(code_span("echo `x`"), "`` echo `x` ``");
    }
}
