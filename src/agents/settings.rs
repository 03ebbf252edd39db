//! `evolver install | uninstall claude|codex` (SPEC 8): our hooks merged into the agent's
//! settings file, and taken out again.
//!
//! The file belongs to the user, so the merge is careful: every other key and hook stays as
//! it was and in its order, the file's indentation is kept, a file that is not valid JSON is
//! refused untouched, nothing is written when nothing changes (so a second install is a
//! no-op), and before a change the old file is copied to `<file>.bak`. Our handlers are
//! recognised by the executable they run, so an install that wrote absolute paths (as earlier
//! versions did) or ran from another folder is replaced in place rather than doubled.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::agents::handler::{ACTIVATOR, DETECTOR, Handler, portable_command};
use crate::agents::{claude, codex};
use crate::error::{Error, Result};

/// The agents we can wire into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Claude,
    Codex,
}

impl Target {
    /// The settings file, relative to the project root or to `$HOME` (`--global`).
    pub fn file(self) -> &'static str {
        match self {
            Target::Claude => claude::SETTINGS,
            Target::Codex => codex::HOOKS,
        }
    }

    /// (event, matcher, executable) for every handler we add.
    fn handlers(self) -> &'static [Handler] {
        match self {
            Target::Claude => claude::HANDLERS,
            Target::Codex => codex::HANDLERS,
        }
    }
}

/// Codex's own folder: `$CODEX_HOME`, else `~/.codex`.
pub fn codex_dir(home: Option<&Path>, codex_home: Option<&Path>) -> Option<PathBuf> {
    codex_home
        .map(Path::to_owned)
        .or_else(|| home.map(|h| h.join(".codex")))
}

/// Every settings file in which the agent reads hooks for `project`: the user's, the
/// project's, and for Claude Code the project's local one. The agent runs them all.
pub fn settings_files(
    target: Target,
    home: Option<&Path>,
    codex_home: Option<&Path>,
    project: &Path,
) -> Vec<PathBuf> {
    let files = match target {
        Target::Claude => [
            home.map(|h| h.join(claude::SETTINGS)),
            Some(project.join(claude::SETTINGS)),
            Some(project.join(claude::LOCAL_SETTINGS)),
        ],
        Target::Codex => [
            codex_dir(home, codex_home).map(|c| c.join("hooks.json")),
            Some(project.join(codex::HOOKS)),
            None,
        ],
    };
    files.into_iter().flatten().collect()
}

/// What an install or uninstall did to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The file already said what it should; nothing was written.
    Unchanged,
    /// The file was written; `backup` holds the old bytes when there were any.
    Written { backup: Option<PathBuf> },
}

/// Merges our hooks into the settings file at `path`. The executables must be in `bin_dir`
/// (beside the running `evolver`), but the handlers name no folder: see [`portable_command`].
/// `backup`: copy the old file to `<file>.bak` first (not for a file kept out of git, whose
/// copy would not be).
pub fn install(target: Target, path: &Path, bin_dir: &Path, backup: bool) -> Result<Change> {
    for exe in [ACTIVATOR, DETECTOR] {
        if !bin_dir.join(exe).is_file() {
            return Err(Error::Refused(format!(
                "{exe} is not in {} beside evolver; install all the binaries with install/install.sh",
                bin_dir.display()
            )));
        }
    }
    edit(path, backup, |settings| {
        let hooks = hooks_object(settings, path)?;
        remove_ours(hooks);
        for &(event, matcher, exe) in target.handlers() {
            let command = portable_command(exe);
            let mut group = Map::new();
            if let Some(m) = matcher {
                group.insert("matcher".into(), Value::from(m));
            }
            group.insert(
                "hooks".into(),
                json!([{ "type": "command", "command": command }]),
            );
            let list = hooks
                .entry(event)
                .or_insert_with(|| Value::Array(Vec::new()));
            list.as_array_mut()
                .ok_or_else(|| not_shaped(path, event))?
                .push(Value::Object(group));
        }
        Ok(())
    })
}

/// Takes out exactly the handlers `install` adds, and the groups and events left empty by
/// that; `backup` as for [`install`].
pub fn uninstall(path: &Path, backup: bool) -> Result<Change> {
    if !path.exists() {
        return Ok(Change::Unchanged);
    }
    edit(path, backup, |settings| {
        let Some(hooks) = settings.get_mut("hooks") else {
            return Ok(());
        };
        let Some(hooks) = hooks.as_object_mut() else {
            return Err(not_shaped(path, "hooks"));
        };
        remove_ours(hooks);
        if hooks.is_empty() {
            settings.shift_remove("hooks");
        }
        Ok(())
    })
}

/// Whether the settings at `path` run our hooks by another command than `install` writes
/// now (an absolute path of an earlier version, a hand edit): the agent would run those
/// besides the current ones, since it merges its settings files and runs each distinct
/// command. A file that cannot be read or parsed says no.
pub fn runs_ours_differently(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(settings) = serde_json::from_str::<Value>(&text) else {
        return false;
    };
    let current = [portable_command(ACTIVATOR), portable_command(DETECTOR)];
    let Some(events) = settings.get("hooks").and_then(Value::as_object) else {
        return false;
    };
    events
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|group| group.get("hooks").and_then(Value::as_array))
        .flatten()
        .any(|h| {
            is_ours(h)
                && !h
                    .get("command")
                    .and_then(Value::as_str)
                    .is_some_and(|c| current.iter().any(|p| p == c))
        })
}

fn hooks_object<'m>(
    settings: &'m mut Map<String, Value>,
    path: &Path,
) -> Result<&'m mut Map<String, Value>> {
    settings
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| not_shaped(path, "hooks"))
}

/// Removes our handlers from every event; a group or event emptied by that goes too.
fn remove_ours(hooks: &mut Map<String, Value>) {
    let mut emptied_events = Vec::new();
    for (event, groups) in hooks.iter_mut() {
        let Some(groups) = groups.as_array_mut() else {
            // Not ours to judge: leave whatever shape it has alone.
            continue;
        };
        let before = groups.len();
        let mut removed_any = false;
        groups.retain_mut(|group| {
            let Some(list) = group.get_mut("hooks").and_then(Value::as_array_mut) else {
                return true;
            };
            let n = list.len();
            list.retain(|h| !is_ours(h));
            if list.len() == n {
                return true;
            }
            removed_any = true;
            !list.is_empty()
        });
        if removed_any && groups.is_empty() && before > 0 {
            emptied_events.push(event.clone());
        }
    }
    for event in emptied_events {
        hooks.shift_remove(&event);
    }
}

/// A handler that runs one of our executables, in any form we ever wrote.
fn is_ours(handler: &Value) -> bool {
    let Some(command) = handler.get("command").and_then(Value::as_str) else {
        return false;
    };
    let first = first_word(command);
    [ACTIVATOR, DETECTOR]
        .iter()
        .any(|exe| crate::agents::handler::runs(command, exe, &first))
}

/// The first shell word of a command, with its quoting undone (`'it'\''s'` is `it's`).
fn first_word(command: &str) -> String {
    let mut word = String::new();
    let mut quote = None;
    let mut chars = command.trim_start().chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => break,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => word.extend(chars.next()),
            (_, c) => word.push(c),
        }
    }
    word
}

/// A path as a shell word: bare when it is plain, else in single quotes.
pub(super) fn shell_quote(path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ':'));
    if plain {
        path.to_owned()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

fn not_shaped(path: &Path, key: &str) -> Error {
    Error::Refused(format!(
        "{}: `{key}` is not shaped as the agent expects; fix it by hand, nothing was changed",
        path.display()
    ))
}

/// Reads the settings (an empty object when the file is missing), lets `f` change them, and
/// writes them back atomically in the file's own indentation when they changed.
fn edit(
    path: &Path,
    keep_backup: bool,
    f: impl FnOnce(&mut Map<String, Value>) -> Result<()>,
) -> Result<Change> {
    let old = match fs_err::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let mut settings = match &old {
        Some(bytes) if !bytes.iter().all(u8::is_ascii_whitespace) => {
            match serde_json::from_slice::<Value>(bytes) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    return Err(Error::Refused(format!(
                        "{} does not hold a JSON object; fix it or move it aside, nothing was changed",
                        path.display()
                    )));
                }
                Err(e) => {
                    return Err(Error::Refused(format!(
                        "{} is not valid JSON ({e}); fix it or move it aside, nothing was changed",
                        path.display()
                    )));
                }
            }
        }
        _ => Map::new(),
    };
    let before = settings.clone();
    f(&mut settings)?;
    if old.is_some() && settings == before {
        return Ok(Change::Unchanged);
    }
    let indent = old.as_deref().map_or_else(|| b"  ".to_vec(), detect_indent);
    let mut text = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(&indent);
    let mut ser = serde_json::Serializer::with_formatter(&mut text, formatter);
    Value::Object(settings)
        .serialize(&mut ser)
        .map_err(std::io::Error::from)?;
    text.push(b'\n');
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent)?;
    }
    // The settings may hold keys: the backup and the new file get the old one's permissions.
    let permissions = std::fs::metadata(path).ok().map(|m| m.permissions());
    let backup = match &old {
        Some(bytes) if keep_backup => {
            let bak = PathBuf::from(format!("{}.bak", path.display()));
            fs_err::write(&bak, bytes)?;
            if let Some(p) = &permissions {
                fs_err::set_permissions(&bak, p.clone())?;
            }
            Some(bak)
        }
        _ => None,
    };
    // Write through a symbolic link (a dotfiles checkout), not over it.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let tmp = PathBuf::from(format!("{}.evolver-tmp", target.display()));
    let mut file = fs_err::File::create(&tmp)?;
    file.write_all(&text)?;
    file.sync_all()?;
    if let Some(p) = permissions {
        file.set_permissions(p)?;
    }
    drop(file);
    fs_err::rename(&tmp, &target)?;
    Ok(Change::Written { backup })
}

/// The indentation of the first indented line, else two spaces.
fn detect_indent(bytes: &[u8]) -> Vec<u8> {
    bytes
        .split(|&b| b == b'\n')
        .skip(1)
        .find_map(|line| {
            let n = line
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            (n > 0 && n < line.len()).then(|| line[..n].to_vec())
        })
        .unwrap_or_else(|| b"  ".to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_our_handlers_wherever_installed() {
        assert!(is_ours(&json!({"command": "/a/b/evolver-activator"})));
        assert!(is_ours(
            &json!({"command": "'/my dir/evolver-error-detector' --x"})
        ));
        assert!(!is_ours(&json!({"command": "/a/b/other-hook"})));
        assert!(!is_ours(&json!({"type": "command"})));
        assert!(is_ours(&json!({"command": portable_command(DETECTOR)})));
        assert!(!is_ours(
            &json!({"command": "command -v other && exec other"})
        ));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/usr/bin/x"), "/usr/bin/x");
        assert_eq!(shell_quote("/my dir/x"), "'/my dir/x'");
        assert_eq!(shell_quote("/it's/x"), r"'/it'\''s/x'");
    }

    #[test]
    fn indentation_is_detected() {
        assert_eq!(detect_indent(b"{\n    \"a\": 1\n}"), b"    ");
        assert_eq!(detect_indent(b"{\n\t\"a\": 1\n}"), b"\t");
        assert_eq!(detect_indent(b"{\"a\": 1}"), b"  ");
    }
}
