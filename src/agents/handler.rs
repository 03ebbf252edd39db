//! What we add to an agent's settings: handlers that run our two hook executables.
//!
//! The settings files are committed and shared, so a handler names no folder of this machine.
//! It is a short POSIX shell command (both Claude Code and Codex run hook commands through the
//! shell) that runs the executable found on `PATH`, else in cargo's bin folder
//! (`${CARGO_HOME:-$HOME/.cargo}/bin`), and otherwise reads its input and exits 0: on a
//! teammate's machine without the binaries the hooks do nothing, rather than report an error
//! on every prompt and command.

pub const ACTIVATOR: &str = "evolver-activator";
pub const DETECTOR: &str = "evolver-error-detector";

/// One handler we add: (event, matcher, executable).
pub(crate) type Handler = (&'static str, Option<&'static str>, &'static str);

/// The hook command that runs `exe` wherever this machine has it, and is silent without it.
pub fn portable_command(exe: &str) -> String {
    format!(
        "command -v {exe} >/dev/null 2>&1 && exec {exe}; \
         b=\"${{CARGO_HOME:-$HOME/.cargo}}/bin/{exe}\"; [ -x \"$b\" ] && exec \"$b\"; \
         cat >/dev/null; exit 0"
    )
}
