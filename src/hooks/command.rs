//! What a shell command line runs: the program and subcommand that name an ERR entry
//! (`cargo test --release` → `cargo_test`) and decide whether an exit is benign.
//!
//! This is a reading, not a shell parser. An agent's command is often a chain
//! (`cd app && npm test`, `make 2>&1 | tail`): the step that names it is the last one in the
//! chain that is not set-up (`cd`, `export`, `source`, …), and in a pipeline the first
//! command, whose failure the pipeline reports under `pipefail` and whose output is shown.

/// Steps that prepare the shell rather than do the work.
const SETUP: &[&str] = &[
    "cd", "pushd", "popd", "export", "source", ".", "set", "unset", "alias", "exit", "true",
    "shopt", "ulimit", "umask",
];

/// Words that run the next word as the command.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "time", "nohup", "nice", "command", "exec", "builtin", "stdbuf",
];

/// Programs whose second word names what they do.
const WITH_SUBCOMMANDS: &[&str] = &[
    "apt",
    "apt-get",
    "brew",
    "bun",
    "bundle",
    "cargo",
    "composer",
    "conda",
    "deno",
    "docker",
    "dotnet",
    "flutter",
    "gh",
    "git",
    "go",
    "gradle",
    "helm",
    "kubectl",
    "make",
    "mix",
    "mvn",
    "npm",
    "npx",
    "pip",
    "pip3",
    "pnpm",
    "poetry",
    "podman",
    "rails",
    "rake",
    "rustup",
    "swift",
    "systemctl",
    "terraform",
    "uv",
    "yarn",
    "zig",
];

/// The program and subcommand of a command line, as written (not yet snake_case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub program: String,
    pub subcommand: Option<String>,
}

impl Invocation {
    /// `cargo test` → `cargo_test`; the header tail of an ERR entry.
    pub fn name(&self) -> String {
        match &self.subcommand {
            Some(sub) => snake_case(&format!("{} {sub}", self.program)),
            None => snake_case(&self.program),
        }
    }

    /// `cargo.test`; the front of a Pattern-Key.
    pub fn key(&self) -> String {
        match &self.subcommand {
            Some(sub) => format!("{}.{}", snake_case(&self.program), snake_case(sub)),
            None => snake_case(&self.program),
        }
    }

    /// `program` or `program subcommand`, for matching the benign list.
    pub fn words(&self) -> String {
        match &self.subcommand {
            Some(sub) => format!("{} {sub}", self.program),
            None => self.program.clone(),
        }
    }
}

/// Reads the command line; `None` when no program can be found in it.
pub fn invocation(command: &str) -> Option<Invocation> {
    let steps = split_steps(command);
    let step = steps
        .iter()
        .rev()
        .find(|s| s.first().is_some_and(|stage| !is_setup(stage)))
        .or_else(|| steps.last())?;
    stage(step.first()?)
}

/// Every command whose exit status the whole line may report: without `pipefail` a
/// pipeline exits with its last command, and a `&&` chain with whichever step failed.
pub fn exit_candidates(command: &str) -> Vec<Invocation> {
    let mut out = Vec::new();
    for step in split_steps(command) {
        for s in [step.first(), step.last()].into_iter().flatten() {
            if let Some(i) = stage(s)
                && !out.contains(&i)
            {
                out.push(i);
            }
        }
    }
    out
}

fn is_setup(stage: &str) -> bool {
    words(stage)
        .first()
        .is_some_and(|w| SETUP.contains(&w.as_str()))
}

/// The program and subcommand of one simple command.
fn stage(text: &str) -> Option<Invocation> {
    let words = words(text);
    let mut rest = words.iter().map(String::as_str).peekable();
    // Skip `VAR=value` assignments and wrappers (with `timeout`'s duration).
    let program = loop {
        let word = rest.next()?;
        if is_assignment(word) || WRAPPERS.contains(&word) || word.starts_with('-') {
            continue;
        }
        if word == "timeout" {
            rest.next_if(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()));
            continue;
        }
        break word.rsplit('/').next().unwrap_or(word).to_owned();
    };
    if program.is_empty() {
        return None;
    }
    let next = rest.next();
    let subcommand = if program.starts_with("python") && next == Some("-m") {
        rest.next().map(str::to_owned)
    } else if WITH_SUBCOMMANDS.contains(&program.as_str()) {
        next.filter(|w| is_word(w)).map(str::to_owned)
    } else {
        None
    };
    Some(Invocation {
        program,
        subcommand,
    })
}

/// The steps of a chain (`&&`, `||`, `;`, newlines), each split into its pipeline's stages.
fn split_steps(command: &str) -> Vec<Vec<String>> {
    let mut steps = Vec::new();
    let mut stages: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_) | None, '\\') => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, ';' | '\n') => end_step(&mut steps, &mut stages, &mut current),
            // `&&` and `||` end a step.
            (None, '&' | '|') if chars.peek() == Some(&c) => {
                chars.next();
                end_step(&mut steps, &mut stages, &mut current);
            }
            (None, '|') => end_stage(&mut stages, &mut current),
            (None, c) => current.push(c),
        }
    }
    end_step(&mut steps, &mut stages, &mut current);
    steps
}

fn end_stage(stages: &mut Vec<String>, current: &mut String) {
    if !current.trim().is_empty() {
        stages.push(std::mem::take(current));
    }
    current.clear();
}

fn end_step(steps: &mut Vec<Vec<String>>, stages: &mut Vec<String>, current: &mut String) {
    end_stage(stages, current);
    if !stages.is_empty() {
        steps.push(std::mem::take(stages));
    }
}

/// Shell words, with quotes removed and redirections dropped.
fn words(step: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in step.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    words.retain(|w| !is_redirection(w));
    words
}

fn is_redirection(word: &str) -> bool {
    let t = word.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
    t.starts_with('>') || t.starts_with('<')
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// A plain subcommand word: lower-case letters, digits, `-`, `_` or `:`, starting with a
/// letter (not a flag, path, file name or value).
fn is_word(word: &str) -> bool {
    word.len() <= 32
        && word.starts_with(|c: char| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | ':'))
}

/// Lower case; every run of other characters becomes one underscore.
pub fn snake_case(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        "unnamed".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(command: &str) -> String {
        invocation(command).map(|i| i.name()).unwrap_or_default()
    }

    #[test]
    fn names_the_working_step() {
        assert_eq!(name("cargo test --release"), "cargo_test");
        assert_eq!(name("cd app && npm run build"), "npm_run");
        assert_eq!(
            name("RUST_LOG=debug cargo build 2>&1 | tail -20"),
            "cargo_build"
        );
        assert_eq!(name("ls /definitely-missing-dir-xyz"), "ls");
        assert_eq!(name("/usr/bin/python3 -m pytest -x"), "python3_pytest");
        assert_eq!(name("sudo timeout 30 git push origin main"), "git_push");
        assert_eq!(name("printf \"a; b\\n\"; exit 4"), "printf");
        assert_eq!(name("echo x >&2; false"), "false");
        assert_eq!(
            name("nonexistent-command-xyz --flag"),
            "nonexistent_command_xyz"
        );
        assert_eq!(name("git diff --no-index a b"), "git_diff");
        assert_eq!(name("cargo --version"), "cargo");
        assert_eq!(name("   "), "");
    }

    #[test]
    fn every_command_that_may_give_the_exit_status_is_a_candidate() {
        let words =
            |c: &str| -> Vec<String> { exit_candidates(c).iter().map(Invocation::words).collect() };
        assert_eq!(words("ps aux | grep nginx"), ["ps", "grep"]);
        assert_eq!(words("[ -f .env ] && cat .env"), ["[", "cat"]);
        assert_eq!(words("git diff | head | wc -l"), ["git diff", "wc"]);
    }
}
