//! What the two hook executables share: their world, and the fail-open policy.
//!
//! A hook runs inside the agent's loop, so it must never get in the way: it always exits 0,
//! prints nothing the agent cannot use, says at most one short line on stderr when something
//! went wrong, and a panic is caught like any other failure. `EVOLVER_DISABLE=1` turns both
//! hooks off.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::hooks::payload::read_capped;
use crate::store::RootEnv;

/// What a hook needs from the outside world, passed in so tests can run it without a
/// process.
#[derive(Debug, Clone)]
pub struct HookWorld {
    /// The process's working directory; the payload's `cwd` wins when present.
    pub cwd: PathBuf,
    pub env: RootEnv,
    pub now: DateTime<Utc>,
    /// How long the detector waits for Codex to write a command's exit code.
    pub patience: Duration,
}

impl HookWorld {
    pub fn from_process() -> HookWorld {
        HookWorld {
            cwd: std::env::current_dir().unwrap_or_else(|_| ".".into()),
            env: RootEnv::from_process(),
            now: Utc::now(),
            patience: Duration::from_millis(250),
        }
    }
}

/// Runs a hook: reads stdin (capped), calls `hook` unless the hooks are disabled, prints what
/// it returns, turns an error into one line on stderr and swallows panics. The process then
/// exits 0, whatever happened.
pub fn fail_open(
    name: &str,
    hook: fn(&[u8], &HookWorld) -> Result<Option<String>>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) {
    let disabled = std::env::var_os("EVOLVER_DISABLE").is_some_and(|v| v == "1");
    let Some(input) = read_capped(stdin) else {
        return;
    };
    if disabled {
        return;
    }
    // The default panic message is long and multi-line; ours is one line.
    std::panic::set_hook(Box::new(|_| {}));
    let world = HookWorld::from_process();
    match std::panic::catch_unwind(|| hook(&input, &world)) {
        Ok(Ok(Some(text))) => {
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
        }
        Ok(Ok(None)) => {}
        Ok(Err(e)) => {
            let line = e.to_string();
            let line = line.lines().next().unwrap_or_default();
            let _ = writeln!(stderr, "{name}: {line}");
        }
        Err(_) => {
            let _ = writeln!(stderr, "{name}: internal error, nothing done");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panics(_: &[u8], _: &HookWorld) -> Result<Option<String>> {
        panic!("a bug")
    }

    fn fails(_: &[u8], _: &HookWorld) -> Result<Option<String>> {
        Err(crate::error::Error::Refused(
            "first line\nsecond line".into(),
        ))
    }

    #[test]
    fn a_panic_or_an_error_is_one_line_on_stderr_and_nothing_on_stdout() {
        for hook in [
            panics as fn(&[u8], &HookWorld) -> Result<Option<String>>,
            fails,
        ] {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            fail_open("h", hook, &mut &b"{}"[..], &mut out, &mut err);
            assert!(out.is_empty());
            let err = String::from_utf8(err).unwrap();
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.starts_with("h: "), "{err}");
        }
    }
}
