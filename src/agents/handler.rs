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
/// Each candidate must be a regular executable file: bash's `command -v` also reports one
/// that is not executable, and `exec` of that, or of a folder, would be an error.
pub fn portable_command(exe: &str) -> String {
    format!(
        "p=$(command -v {exe} 2>/dev/null) && [ -f \"$p\" ] && [ -x \"$p\" ] && exec \"$p\"; \
         p=\"${{CARGO_HOME:-$HOME/.cargo}}/bin/{exe}\"; [ -f \"$p\" ] && [ -x \"$p\" ] && exec \"$p\"; \
         cat >/dev/null; exit 0"
    )
}

/// Whether a hook command runs our `exe`: it starts with the executable's path (as earlier
/// versions wrote it, from wherever it was installed), or it names `exe` as a word and
/// `exec`s (the portable command of any version, the plugin's, or a hand-made wrapper).
pub(crate) fn runs(command: &str, exe: &str, first_word: &str) -> bool {
    if first_word.rsplit('/').next() == Some(exe) {
        return true;
    }
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let named = command.match_indices(exe).any(|(i, _)| {
        let before = command[..i].chars().next_back();
        let after = command[i + exe.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    });
    named && command.split(|c: char| !word(c)).any(|w| w == "exec")
}
