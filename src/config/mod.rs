//! Configuration: one TOML file, found in `--config`, `$SHIPDECK_CONFIG`,
//! `$XDG_CONFIG_HOME/shipdeck/config.toml` or `~/.config/shipdeck/config.toml`; none found
//! means built-in defaults. Errors name file, line, column and key before the terminal is
//! touched. `config show` prints every effective value with where it came from.

mod duration;
mod error;
pub mod metrics;
mod model;
mod show;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use duration::ConfigDuration;
pub use error::{ConfigError, line_col};
pub use metrics::{PrometheusConfig, QueriesConfig, RulesConfig, ServiceConfig};
pub use model::{
    ApprovalsConfig, AuditConfig, AutoRollbackConfig, Config, ContextConfig, FlagdConfig,
    FlagsConfig, LogConfig, PlatformConfig, UiConfig, UnleashConfig, is_dns_label,
};
pub use show::render_show;

/// The parts of the environment config lookup reads (passed in, so tests control them).
#[derive(Debug, Clone, Default)]
pub struct EnvLookup {
    pub shipdeck_config: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    pub xdg_state_home: Option<PathBuf>,
    pub home: Option<PathBuf>,
}

impl EnvLookup {
    pub fn from_process() -> Self {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Self {
            shipdeck_config: var("SHIPDECK_CONFIG"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            xdg_state_home: var("XDG_STATE_HOME"),
            home: var("HOME"),
        }
    }

    /// `$XDG_STATE_HOME/shipdeck` or `~/.local/state/shipdeck`.
    pub fn state_dir(&self) -> Option<PathBuf> {
        self.xdg_state_home
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".local/state")))
            .map(|d| d.join("shipdeck"))
    }
}

/// How the config file was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundVia {
    Flag,
    EnvVar,
    XdgConfigHome,
    Home,
}

impl FoundVia {
    pub fn label(self) -> &'static str {
        match self {
            Self::Flag => "--config",
            Self::EnvVar => "$SHIPDECK_CONFIG",
            Self::XdgConfigHome => "$XDG_CONFIG_HOME",
            Self::Home => "~/.config",
        }
    }
}

/// A loaded configuration, with what is needed to explain it.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub config: Config,
    pub file: Option<(PathBuf, FoundVia)>,
    /// Dotted key → (line, column) in the file.
    pub spans: BTreeMap<String, (usize, usize)>,
    /// Dotted key → the flag that overrode it (`--theme`).
    pub overrides: BTreeMap<String, String>,
}

impl LoadedConfig {
    /// An error for a key found invalid after parsing (theme, keymap), placed at the key's
    /// line when the file has it.
    pub fn error_at(&self, key: &str, message: impl Into<String>) -> ConfigError {
        let (file, (line, column)) = match &self.file {
            Some((path, _)) => {
                let pos = self.position_of(key).unwrap_or((1, 1));
                (path.display().to_string(), pos)
            }
            None => ("built-in defaults".to_string(), (1, 1)),
        };
        if self.overrides.contains_key(key) {
            let flag = self.overrides.get(key).cloned().unwrap_or_default();
            return ConfigError::Invalid {
                file: format!("command line ({flag})"),
                line: 1,
                column: 1,
                key: key.to_string(),
                message: message.into(),
            };
        }
        ConfigError::Invalid {
            file,
            line,
            column,
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// The position of a key, or of its nearest parent present in the file.
    pub fn position_of(&self, key: &str) -> Option<(usize, usize)> {
        let mut k = key;
        loop {
            if let Some(p) = self.spans.get(k) {
                return Some(*p);
            }
            k = &k[..k.rfind(['.', '['])?];
        }
    }

    /// Records a command-line override of a config value.
    pub fn set_override(&mut self, key: &str, flag: &str) {
        self.overrides.insert(key.to_string(), flag.to_string());
    }
}

/// Finds the config file: the flag, then `$SHIPDECK_CONFIG` (both must exist), then the
/// XDG and home locations (used when present).
pub fn locate(
    flag: Option<&Path>,
    env: &EnvLookup,
) -> Result<Option<(PathBuf, FoundVia)>, ConfigError> {
    let must_exist = |p: &Path, via: FoundVia| {
        if p.is_file() {
            Ok(Some((p.to_path_buf(), via)))
        } else {
            Err(ConfigError::Read {
                path: p.to_path_buf(),
                reason: format!("no such file (given by {})", via.label()),
            })
        }
    };
    if let Some(p) = flag {
        return must_exist(p, FoundVia::Flag);
    }
    if let Some(p) = &env.shipdeck_config {
        return must_exist(p, FoundVia::EnvVar);
    }
    let candidates = [
        env.xdg_config_home
            .as_ref()
            .map(|d| (d.join("shipdeck/config.toml"), FoundVia::XdgConfigHome)),
        env.home
            .as_ref()
            .map(|h| (h.join(".config/shipdeck/config.toml"), FoundVia::Home)),
    ];
    Ok(candidates.into_iter().flatten().find(|(p, _)| p.is_file()))
}

/// Locates and parses the configuration.
pub fn load(flag: Option<&Path>, env: &EnvLookup) -> Result<LoadedConfig, ConfigError> {
    let Some((path, via)) = locate(flag, env)? else {
        return Ok(LoadedConfig::default());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let (config, spans) = parse(&path.display().to_string(), &text)?;
    Ok(LoadedConfig {
        config,
        file: Some((path, via)),
        spans,
        overrides: BTreeMap::new(),
    })
}

type Spans = BTreeMap<String, (usize, usize)>;

/// Parses config text; `file` only labels errors.
pub fn parse(file: &str, text: &str) -> Result<(Config, Spans), ConfigError> {
    let invalid = |span: Option<std::ops::Range<usize>>, key: String, message: String| {
        let (line, column) = span.map_or((1, 1), |s| line_col(text, s.start));
        ConfigError::Invalid {
            file: file.to_string(),
            line,
            column,
            key,
            message,
        }
    };
    let table = toml::de::DeTable::parse(text)
        .map_err(|e| invalid(e.span(), String::new(), first_line(e.message())))?;
    let mut spans = Spans::new();
    collect_spans(table.get_ref(), "", text, &mut spans);
    let de = toml::de::Deserializer::parse(text)
        .map_err(|e| invalid(e.span(), String::new(), first_line(e.message())))?;
    let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
        let mut key = e.path().to_string();
        if key == "." {
            key.clear();
        }
        let inner = e.into_inner();
        let message = first_line(inner.message());
        if let Some(field) = unknown_field(&message).filter(|f| !key.ends_with(f.as_str())) {
            key = if key.is_empty() {
                field
            } else {
                format!("{key}.{field}")
            };
        }
        let span = inner.span();
        match (span, spans.get(&key)) {
            (Some(s), _) => invalid(Some(s), key, message),
            (None, Some((line, column))) => ConfigError::Invalid {
                file: file.to_string(),
                line: *line,
                column: *column,
                key,
                message,
            },
            (None, None) => invalid(None, key, message),
        }
    })?;
    if let Err((key, message)) = config.validate() {
        let (line, column) = spans.get(&key).copied().unwrap_or((1, 1));
        return Err(ConfigError::Invalid {
            file: file.to_string(),
            line,
            column,
            key,
            message,
        });
    }
    Ok((config, spans))
}

fn first_line(msg: &str) -> String {
    msg.lines().next().unwrap_or(msg).trim().to_string()
}

/// `unknown field `thme`, expected …` → `thme`.
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

fn collect_spans(table: &toml::de::DeTable<'_>, prefix: &str, text: &str, out: &mut Spans) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        out.insert(key.clone(), line_col(text, k.span().start));
        collect_value(v.get_ref(), &key, text, out);
    }
}

fn collect_value(v: &toml::de::DeValue<'_>, key: &str, text: &str, out: &mut Spans) {
    match v {
        toml::de::DeValue::Table(t) => collect_spans(t, key, text, out),
        toml::de::DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let k = format!("{key}[{i}]");
                out.insert(k.clone(), line_col(text, item.span().start));
                collect_value(item.get_ref(), &k, text, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
