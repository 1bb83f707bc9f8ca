//! The configuration sections this version knows. Later features add their own sections;
//! unknown keys are errors, so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::duration::ConfigDuration;
use super::metrics::{PrometheusConfig, QueriesConfig, RulesConfig, ServiceConfig};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub ui: UiConfig,
    /// `[keys.<scope>] "<key>" = "<intent>"`; validated by the keymap.
    pub keys: BTreeMap<String, BTreeMap<String, String>>,
    /// `[contexts.<kube context name>]`: settings applied when that context is active.
    pub contexts: BTreeMap<String, ContextConfig>,
    pub log: LogConfig,
    pub audit: AuditConfig,
    pub prometheus: PrometheusConfig,
    pub queries: QueriesConfig,
    pub rules: RulesConfig,
    pub services: Vec<ServiceConfig>,
    pub approvals: ApprovalsConfig,
    pub auto_rollback: AutoRollbackConfig,
    pub flags: FlagsConfig,
    pub platform: PlatformConfig,
}

/// `[flags]`: the flag backends.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlagsConfig {
    pub flagd: FlagdConfig,
    pub unleash: UnleashConfig,
    /// Flag keys whose toggle needs the key typed.
    pub critical: Vec<String>,
}

/// `[flags.flagd]`: flagd definitions in ConfigMaps and OpenFeature `FeatureFlag` objects of
/// the namespaces in view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlagdConfig {
    pub enabled: bool,
}

impl Default for FlagdConfig {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// `[flags.unleash]`: an Unleash server's admin API (off while `url` is empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnleashConfig {
    pub url: String,
    /// A file holding an admin API token (never the token itself in the config).
    pub token_file: Option<PathBuf>,
    pub project: String,
    pub environments: Vec<String>,
    /// How often the features are polled (with ETag where the server supports it).
    pub interval: ConfigDuration,
}

impl Default for UnleashConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            token_file: None,
            project: "default".to_string(),
            environments: vec!["development".to_string(), "production".to_string()],
            interval: ConfigDuration::secs(10),
        }
    }
}

/// `[platform]`: the platform-wide switches.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlatformConfig {
    /// The flag (either backend) that puts the platform in read-only mode.
    pub read_only_flag: String,
}

/// `[approvals]`: the two-person rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApprovalsConfig {
    /// How long a first approval waits for the second before it expires.
    pub two_person_ttl: ConfigDuration,
}

impl Default for ApprovalsConfig {
    fn default() -> Self {
        Self {
            two_person_ttl: ConfigDuration::secs(30 * 60),
        }
    }
}

/// `[auto_rollback]`: the client-side safety net of services with `auto_rollback = true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoRollbackConfig {
    /// The countdown between the decision and the abort (Esc cancels).
    pub countdown: ConfigDuration,
    /// Consecutive metric intervals a critical alert must hold before the countdown.
    pub intervals: u32,
}

impl Default for AutoRollbackConfig {
    fn default() -> Self {
        Self {
            countdown: ConfigDuration::secs(30),
            intervals: 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    /// A built-in theme name (default, light, high-contrast, colorblind) or a path.
    pub theme: String,
    /// How often ages and clocks on screen advance.
    pub refresh: ConfigDuration,
    /// Upper bound on redraws per second.
    pub max_fps: u16,
    /// Draw ASCII symbols only, whatever the locale says.
    pub ascii: bool,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            theme: "default".to_string(),
            refresh: ConfigDuration::secs(1),
            max_fps: 30,
            ascii: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContextConfig {
    /// Open this context read-only, as if `--readonly` were given.
    pub read_only: bool,
    /// Namespaces to watch when no `-n`/`-A` is given.
    pub namespaces: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// Log file; default `$XDG_STATE_HOME/shipdeck/shipdeck.log`.
    pub path: Option<PathBuf>,
    /// error, warn, info, debug or trace (or a tracing filter such as `shipdeck=debug`).
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            path: None,
            level: "info".to_string(),
        }
    }
}

/// `[audit]`: where every action attempt is recorded.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// JSON Lines file; default `$XDG_STATE_HOME/shipdeck/audit.jsonl`.
    pub path: Option<PathBuf>,
}

impl Config {
    /// Checks that serde cannot express. Returns the dotted key and the message.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if self.ui.max_fps == 0 || self.ui.max_fps > 240 {
            return Err((
                "ui.max_fps".into(),
                format!("{} is out of range; expected 1 to 240", self.ui.max_fps),
            ));
        }
        if self.ui.refresh.0.as_millis() < 100 {
            return Err((
                "ui.refresh".into(),
                format!("{} is too short; expected at least 100ms", self.ui.refresh),
            ));
        }
        if self.auto_rollback.intervals == 0 {
            return Err((
                "auto_rollback.intervals".into(),
                "0 would roll back on the first bad interval; expected at least 1".into(),
            ));
        }
        if self.auto_rollback.countdown.0.as_secs() < 5 {
            return Err((
                "auto_rollback.countdown".into(),
                format!(
                    "{} leaves no time to cancel; expected at least 5s",
                    self.auto_rollback.countdown
                ),
            ));
        }
        if self.approvals.two_person_ttl.0.as_secs() < 60 {
            return Err((
                "approvals.two_person_ttl".into(),
                format!(
                    "{} leaves no time for a second person; expected at least 1m",
                    self.approvals.two_person_ttl
                ),
            ));
        }
        let level = self.log.level.as_str();
        let simple = ["error", "warn", "info", "debug", "trace", "off"];
        if !simple.contains(&level) && !level.contains('=') {
            return Err((
                "log.level".into(),
                format!(
                    "\"{level}\" is not a level; expected one of error, warn, info, debug, \
                     trace, off (or a filter such as \"shipdeck=debug\")"
                ),
            ));
        }
        for (name, ctx) in &self.contexts {
            if let Some(bad) = ctx.namespaces.iter().find(|n| !is_dns_label(n)) {
                return Err((
                    format!("contexts.{name}.namespaces"),
                    format!(
                        "\"{bad}\" is not a namespace name; expected lower-case letters, \
                         digits and '-' (at most 63)"
                    ),
                ));
            }
        }
        super::metrics::validate(&self.prometheus, &self.queries, &self.rules, &self.services)?;
        Ok(())
    }
}

/// RFC 1123 label, as Kubernetes requires of namespace names.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}
