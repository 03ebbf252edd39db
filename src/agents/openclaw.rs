//! OpenClaw (SPEC 8): its hooks run in-process as JavaScript, so what we install is a plugin
//! folder (written from the repository's `hooks/openclaw/`, carried inside this binary) that
//! runs our hook binaries, and the `openclaw` commands that register it.
//!
//! The folder holds the plugin (`package.json`, `openclaw.plugin.json`, `index.js`,
//! `evolver.js`), the internal hook for `openclaw hooks enable` (`hook/HOOK.md`,
//! `hook/handler.js`) and `bin.json`, which tells the plugin where the binaries are.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Result;

/// The plugin's id (`openclaw.plugin.json`).
pub const PLUGIN_ID: &str = "evolver";
/// The internal hook's name (`hook/HOOK.md`).
pub const HOOK_NAME: &str = "evolver-reminder";
/// The internal hook's folder inside the plugin folder.
pub const HOOK_DIR: &str = "hook";

/// The plugin's files, as the repository holds them.
const FILES: [(&str, &str); 6] = [
    (
        "package.json",
        include_str!("../../hooks/openclaw/package.json"),
    ),
    (
        "openclaw.plugin.json",
        include_str!("../../hooks/openclaw/openclaw.plugin.json"),
    ),
    ("index.js", include_str!("../../hooks/openclaw/index.js")),
    (
        "evolver.js",
        include_str!("../../hooks/openclaw/evolver.js"),
    ),
    (
        "hook/HOOK.md",
        include_str!("../../hooks/openclaw/hook/HOOK.md"),
    ),
    (
        "hook/handler.js",
        include_str!("../../hooks/openclaw/hook/handler.js"),
    ),
];

/// Where the binaries are, for the plugin.
const BIN_FILE: &str = "bin.json";

/// Where the plugin goes when no `--path` is given: `$XDG_DATA_HOME/evolver/openclaw`, else
/// `~/.local/share/evolver/openclaw`. Not under `~/.openclaw/extensions/`: OpenClaw loads
/// what is there as its own copy, and refuses to link a plugin from there.
pub fn default_dir(home: &Path, xdg_data_home: Option<&Path>) -> PathBuf {
    xdg_data_home
        .filter(|p| p.is_absolute())
        .map_or_else(|| home.join(".local/share"), Path::to_owned)
        .join("evolver/openclaw")
}

/// The files `write` puts in the folder: each path relative to it, and its bytes.
fn contents(bin_dir: &Path) -> Vec<(&'static str, String)> {
    let mut bin = serde_json::to_string_pretty(&serde_json::json!({
        "binDir": bin_dir.to_string_lossy(),
    }))
    .expect("a JSON object serialises");
    bin.push('\n');
    FILES
        .iter()
        .map(|(path, text)| (*path, (*text).to_owned()))
        .chain([(BIN_FILE, bin)])
        .collect()
}

/// Writes the plugin folder; whether any file was new or different. A file that already holds
/// the same bytes is not touched; the others are replaced atomically.
pub fn write(dir: &Path, bin_dir: &Path) -> Result<bool> {
    let mut changed = false;
    for (rel, text) in contents(bin_dir) {
        let path = dir.join(rel);
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("evolver-tmp");
        let mut file = fs_err::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs_err::rename(&tmp, &path)?;
        changed = true;
    }
    Ok(changed)
}

/// Removes the files `write` wrote, then the folders it made if nothing else is left in them;
/// whether anything was removed. Files of the user's beside ours stay, and so do their folders.
pub fn remove(dir: &Path) -> Result<bool> {
    let mut removed = false;
    for (rel, _) in FILES.iter().copied().chain([(BIN_FILE, "")]) {
        match fs_err::remove_file(dir.join(rel)) {
            Ok(()) => removed = true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    for folder in [dir.join(HOOK_DIR), dir.to_owned()] {
        // Only an empty folder is removed; a folder with anything else in it stays.
        let _ = std::fs::remove_dir(folder);
    }
    Ok(removed)
}

/// The `openclaw` commands that register the folder: link the plugin (both flags are needed),
/// let its prompt hook read the prompt, link the internal hook and enable it.
pub fn register_commands(dir: &Path) -> Vec<Vec<String>> {
    let dir = dir.to_string_lossy().into_owned();
    let hook = format!("{dir}/{HOOK_DIR}");
    let access = format!("plugins.entries.{PLUGIN_ID}.hooks.allowConversationAccess");
    [
        vec![
            "plugins",
            "install",
            "-l",
            &dir,
            "--force",
            "--accept-capabilities",
        ],
        vec!["config", "set", &access, "true", "--strict-json"],
        vec!["plugins", "install", "-l", &hook, "--force"],
        vec!["hooks", "enable", HOOK_NAME],
    ]
    .iter()
    .map(|c| c.iter().map(|s| (*s).to_owned()).collect())
    .collect()
}

/// The `openclaw` commands that take the registration out again: the plugin's settings, load
/// path and install record (`plugins uninstall` leaves `enabled: false` behind, so its entry
/// goes too), then the internal hook's entry. (The hook folder's entry in
/// `hooks.internal.load.extraDirs` is taken out by reading the list: see `without_dir`.)
pub fn unregister_commands() -> Vec<Vec<String>> {
    let plugin = format!("plugins.entries.{PLUGIN_ID}");
    let hook = format!("hooks.internal.entries.{HOOK_NAME}");
    [
        vec!["plugins", "uninstall", PLUGIN_ID, "--force", "--keep-files"],
        vec!["config", "unset", &plugin],
        vec!["config", "unset", &hook],
    ]
    .iter()
    .map(|c| c.iter().map(|s| (*s).to_owned()).collect())
    .collect()
}

/// The config key that lists linked hook folders.
pub const EXTRA_DIRS_KEY: &str = "hooks.internal.load.extraDirs";

/// What `hooks.internal.load.extraDirs` should become.
#[derive(Debug, PartialEq, Eq)]
pub enum ExtraDirs {
    /// Our hook folder is not in it.
    Untouched,
    /// The list without our hook folder.
    Without(Vec<String>),
    /// No list could be read in the text.
    Unreadable,
}

/// `hooks.internal.load.extraDirs`, as `openclaw config get --json` prints it, without our
/// hook folder.
pub fn without_dir(list_json: &str, dir: &Path) -> ExtraDirs {
    let ours = dir.join(HOOK_DIR);
    // The list alone: from the first line that opens one, should log lines come first.
    let list = list_json
        .lines()
        .scan(0, |at, line| {
            let here = *at;
            *at += line.len() + 1;
            Some((here, line))
        })
        .filter(|(_, line)| line.trim_start().starts_with('['))
        .find_map(|(at, _)| serde_json::from_str::<Vec<String>>(list_json[at..].trim()).ok());
    let Some(list) = list else {
        return ExtraDirs::Unreadable;
    };
    let kept: Vec<String> = list
        .iter()
        .filter(|d| Path::new(d) != ours)
        .cloned()
        .collect();
    if kept.len() < list.len() {
        ExtraDirs::Without(kept)
    } else {
        ExtraDirs::Untouched
    }
}

/// The commands as a person would type them, one a line.
pub fn shell_lines(commands: &[Vec<String>]) -> String {
    commands
        .iter()
        .map(|c| {
            let words: Vec<String> = c.iter().map(|w| super::settings::shell_quote(w)).collect();
            format!("openclaw {}\n", words.join(" "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `dir` holds our plugin.
    fn installed(dir: &Path) -> bool {
        dir.join("openclaw.plugin.json").is_file() && dir.join("index.js").is_file()
    }

    #[test]
    fn writes_once_and_removes_only_its_own() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("plugin");
        assert!(write(&dir, Path::new("/opt/bin")).unwrap());
        assert!(!write(&dir, Path::new("/opt/bin")).unwrap(), "twice = once");
        assert!(installed(&dir));
        let bin = fs_err::read_to_string(dir.join("bin.json")).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&bin).unwrap()["binDir"],
            "/opt/bin"
        );
        assert!(
            write(&dir, Path::new("/elsewhere")).unwrap(),
            "a new bin dir"
        );
        fs_err::write(dir.join("notes.txt"), "mine").unwrap();
        assert!(remove(&dir).unwrap());
        assert!(!installed(&dir));
        assert!(!dir.join(HOOK_DIR).exists(), "our emptied folder goes");
        assert_eq!(
            fs_err::read_to_string(dir.join("notes.txt")).unwrap(),
            "mine"
        );
        fs_err::remove_file(dir.join("notes.txt")).unwrap();
        assert!(!remove(&dir).unwrap());
    }

    #[test]
    fn the_default_folder_is_outside_openclaws_own() {
        let home = Path::new("/home/u");
        assert_eq!(
            default_dir(home, None),
            Path::new("/home/u/.local/share/evolver/openclaw")
        );
        assert_eq!(
            default_dir(home, Some(Path::new("/data"))),
            Path::new("/data/evolver/openclaw")
        );
        assert_eq!(
            default_dir(home, Some(Path::new("rel"))),
            Path::new("/home/u/.local/share/evolver/openclaw")
        );
    }

    #[test]
    fn our_hook_folder_is_taken_out_of_the_list() {
        let dir = Path::new("/p/evolver");
        let list = r#"["/a", "/p/evolver/hook", "/b"]"#;
        assert_eq!(
            without_dir(list, dir),
            ExtraDirs::Without(vec!["/a".to_owned(), "/b".to_owned()])
        );
        assert_eq!(without_dir(r#"["/a"]"#, dir), ExtraDirs::Untouched);
        assert_eq!(without_dir("not json", dir), ExtraDirs::Unreadable);
        assert_eq!(
            without_dir("[plugins] loaded [3]\n[\n  \"/p/evolver/hook\"\n]\n", dir),
            ExtraDirs::Without(Vec::new())
        );
    }

    #[test]
    fn commands_read_as_typed() {
        let lines = shell_lines(&register_commands(Path::new("/x y/evolver")));
        assert!(lines.starts_with(
            "openclaw plugins install -l '/x y/evolver' --force --accept-capabilities\n"
        ));
        assert!(lines.contains("openclaw hooks enable evolver-reminder\n"));
        assert!(lines.contains("plugins.entries.evolver.hooks.allowConversationAccess true"));
    }

    #[test]
    fn the_manifest_and_the_hook_name_agree_with_the_constants() {
        let manifest: serde_json::Value = serde_json::from_str(FILES[1].1).unwrap();
        assert_eq!(manifest["id"], PLUGIN_ID);
        assert!(FILES[4].1.contains(&format!("name: {HOOK_NAME}\n")));
        let package: serde_json::Value = serde_json::from_str(FILES[0].1).unwrap();
        assert_eq!(package["openclaw"]["extensions"][0], "./index.js");
    }
}
