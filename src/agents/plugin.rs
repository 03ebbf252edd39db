//! Whether our plugin is enabled in an agent, so that `install` can warn before the hooks are
//! wired twice (each event would then run them twice, and a failure would count as two).

use std::path::Path;

use serde_json::Value;

use crate::agents::{Target, codex_dir, settings_files};

/// Plugin ids are `NAME@MARKETPLACE`; ours is named `capability-evolver` in any marketplace.
const PREFIX: &str = "capability-evolver@";

/// Whether the plugin is enabled for `target`: in Claude Code's user settings or the
/// project's (`enabledPlugins`), or in Codex's `config.toml` (`[plugins."…"] enabled`).
/// A file that cannot be read or parsed says no: this only decides a warning.
pub fn plugin_enabled(
    target: Target,
    home: Option<&Path>,
    codex_home: Option<&Path>,
    project: &Path,
) -> bool {
    match target {
        Target::Claude => settings_files(target, home, codex_home, project)
            .iter()
            .any(|f| claude_enables(f)),
        Target::Codex => {
            codex_dir(home, codex_home).is_some_and(|dir| codex_enables(&dir.join("config.toml")))
        }
    }
}

fn claude_enables(file: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    let Ok(settings) = serde_json::from_str::<Value>(&text) else {
        return false;
    };
    settings
        .get("enabledPlugins")
        .and_then(Value::as_object)
        .is_some_and(|plugins| {
            plugins
                .iter()
                .any(|(id, on)| id.starts_with(PREFIX) && on.as_bool() == Some(true))
        })
}

fn codex_enables(file: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    let Ok(config) = text.parse::<toml::Table>() else {
        return false;
    };
    config
        .get("plugins")
        .and_then(toml::Value::as_table)
        .is_some_and(|plugins| {
            plugins.iter().any(|(id, p)| {
                id.starts_with(PREFIX)
                    && p.get("enabled").and_then(toml::Value::as_bool) != Some(false)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_agents_record_of_enabled_plugins() {
        let dir = tempfile::tempdir().unwrap();
        let (home, project) = (dir.path().join("home"), dir.path().join("project"));
        std::fs::create_dir_all(home.join(".claude")).unwrap();
        std::fs::create_dir_all(home.join(".codex")).unwrap();
        std::fs::create_dir_all(&project).unwrap();
        let claude = |text: &str| {
            std::fs::write(home.join(".claude/settings.json"), text).unwrap();
            plugin_enabled(Target::Claude, Some(&home), None, &project)
        };
        assert!(claude(
            r#"{"enabledPlugins": {"capability-evolver@mine": true}}"#
        ));
        assert!(!claude(
            r#"{"enabledPlugins": {"capability-evolver@mine": false}}"#
        ));
        assert!(!claude(
            r#"{"enabledPlugins": {"other@capability-evolver": true}}"#
        ));
        assert!(!claude("not json"));
        let codex = |text: &str| {
            std::fs::write(home.join(".codex/config.toml"), text).unwrap();
            plugin_enabled(Target::Codex, Some(&home), None, &project)
        };
        assert!(codex(
            "[plugins.\"capability-evolver@x\"]\nenabled = true\n"
        ));
        assert!(!codex(
            "[plugins.\"capability-evolver@x\"]\nenabled = false\n"
        ));
        assert!(!codex("model = \"gpt-5\"\n"));
        assert!(!plugin_enabled(Target::Codex, None, None, &project));
        // $CODEX_HOME before ~/.codex, and the project's own Claude settings.
        let codex_home = dir.path().join("codex-home");
        std::fs::create_dir_all(&codex_home).unwrap();
        std::fs::write(
            codex_home.join("config.toml"),
            "[plugins.\"capability-evolver@y\"]\n",
        )
        .unwrap();
        std::fs::write(home.join(".codex/config.toml"), "").unwrap();
        assert!(plugin_enabled(
            Target::Codex,
            Some(&home),
            Some(&codex_home),
            &project
        ));
        std::fs::write(home.join(".claude/settings.json"), "{}").unwrap();
        std::fs::create_dir_all(project.join(".claude")).unwrap();
        std::fs::write(
            project.join(".claude/settings.local.json"),
            r#"{"enabledPlugins": {"capability-evolver@z": true}}"#,
        )
        .unwrap();
        assert!(plugin_enabled(Target::Claude, Some(&home), None, &project));
    }
}
