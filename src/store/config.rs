//! `.learnings/config.toml`: optional settings, every key with a default.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Settings read from `config.toml`. Unknown keys are ignored so that newer files still load.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Largest log file the tools will read or change. A larger file is refused with a clear
    /// error rather than slowing every hook: archive old entries instead.
    pub max_log_bytes: u64,
    /// `[detector]`: how the error detector reads exit codes.
    pub detector: DetectorConfig,
    /// `[activator]`: which lessons the activator shows.
    pub activator: ActivatorConfig,
    /// `[skills]`: when a deployed skill becomes trusted, demoted or archived.
    pub skills: SkillsConfig,
    /// A promoted entry is rolled back once this many verifications since its promotion
    /// failed (SPEC 6.5).
    pub rollback_threshold: u64,
    /// Who asks an external verifier: `{wallet_address}:capability-evolver`.
    pub agent_id: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_log_bytes: 256 * 1024 * 1024,
            detector: DetectorConfig::default(),
            activator: ActivatorConfig::default(),
            skills: SkillsConfig::default(),
            rollback_threshold: 1,
            agent_id: "local:capability-evolver".into(),
        }
    }
}

/// `[detector]` in `config.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DetectorConfig {
    /// Commands whose exit code 1 means "no" rather than "failed" (`grep` found nothing,
    /// `diff` found differences). A program (`rg`) or a program and subcommand (`git diff`).
    /// Setting it replaces the default list.
    pub benign: Vec<String>,
}

impl Default for DetectorConfig {
    fn default() -> DetectorConfig {
        let benign = [
            "grep", "egrep", "fgrep", "rg", "git grep", "diff", "cmp", "git diff", "test", "[",
        ];
        DetectorConfig {
            benign: benign.into_iter().map(str::to_owned).collect(),
        }
    }
}

/// `[activator]` in `config.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ActivatorConfig {
    /// The least relevance score of a lesson worth showing (`evolver search` shows scores).
    /// Higher is quieter: fewer lessons for prompts they do not fit, and fewer for those
    /// they do.
    pub min_score: f64,
}

impl Default for ActivatorConfig {
    fn default() -> ActivatorConfig {
        ActivatorConfig {
            min_score: f64::from(crate::relevance::MIN_SCORE) / 1000.0,
        }
    }
}

impl ActivatorConfig {
    /// [`ActivatorConfig::min_score`] in thousandths, as scores are kept.
    pub fn min_thousandths(&self) -> u32 {
        (self.min_score.max(0.0) * 1000.0)
            .round()
            .min(f64::from(u32::MAX)) as u32
    }
}

/// `[skills]` in `config.toml`: the thresholds of a skill's lifecycle (SPEC 7).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SkillsConfig {
    /// An experimental skill becomes trusted after this many uses with no failure after them.
    pub trust_after: u32,
    /// A skill is demoted when more than this share of its uses since deploy failed…
    pub demote_rate: f64,
    /// …once it has been used at least this many times.
    pub demote_min_uses: u32,
    /// A deployed skill unused for this many days is archived (0: never).
    pub archive_after_days: u32,
}

impl Default for SkillsConfig {
    fn default() -> SkillsConfig {
        SkillsConfig {
            trust_after: 5,
            demote_rate: 0.3,
            demote_min_uses: 3,
            archive_after_days: 90,
        }
    }
}

impl Config {
    /// Reads the file when it exists; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Config> {
        let text = match fs_err::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e.into()),
        };
        toml::from_str(&text).map_err(|e| Error::Config {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })
    }
}
