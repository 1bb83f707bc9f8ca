//! Everything checked before the terminal is touched: the config (with CLI overrides), the
//! keymap and the theme. Any problem is one named error and exit status 2.

use std::path::{Path, PathBuf};

use crate::cli::GlobalArgs;
use crate::config::{self, ConfigError, EnvLookup, LoadedConfig};
use crate::input::{KeyMap, KeymapError};
use crate::theme::{ColorDepth, Theme};

/// A validated configuration, ready to start a session.
pub struct Prepared {
    pub loaded: LoadedConfig,
    pub keymap: KeyMap,
    pub theme: Theme,
    /// Where logs go, if anywhere.
    pub log_path: Option<PathBuf>,
    /// Where every action attempt is recorded.
    pub audit_path: PathBuf,
}

/// Loads the config, applies the flags, and validates keys and theme.
pub fn prepare(
    flags: &GlobalArgs,
    config_path: Option<&Path>,
    env: &EnvLookup,
    depth: ColorDepth,
) -> Result<Prepared, ConfigError> {
    let mut loaded = config::load(config_path.or(flags.config.as_deref()), env)?;
    if let Some(theme) = &flags.theme {
        loaded.config.ui.theme = theme.clone();
        loaded.set_override("ui.theme", "--theme");
    }
    if let Some(path) = &flags.log_file {
        loaded.config.log.path = Some(path.clone());
        loaded.set_override("log.path", "--log-file");
    }
    if flags.ascii {
        loaded.config.ui.ascii = true;
        loaded.set_override("ui.ascii", "--ascii");
    }
    let keymap = KeyMap::with_overrides(&loaded.config.keys)
        .map_err(|e: KeymapError| loaded.error_at(e.path(), e.to_string()))?;
    let theme = Theme::load(&loaded.config.ui.theme, depth)
        .map_err(|e| loaded.error_at("ui.theme", e.to_string()))?;
    let log_path = loaded
        .config
        .log
        .path
        .clone()
        .or_else(|| env.state_dir().map(|d| d.join("shipdeck.log")));
    let audit_path = loaded
        .config
        .audit
        .path
        .clone()
        .or_else(|| env.state_dir().map(|d| d.join("audit.jsonl")))
        .unwrap_or_else(|| std::env::temp_dir().join("shipdeck-audit.jsonl"));
    Ok(Prepared {
        loaded,
        keymap,
        theme,
        log_path,
        audit_path,
    })
}

/// `shipdeck config validate [PATH]`: the message to print on success.
pub fn validate(
    flags: &GlobalArgs,
    path: Option<&Path>,
    env: &EnvLookup,
) -> Result<String, ConfigError> {
    let prepared = prepare(flags, path, env, ColorDepth::TrueColor)?;
    Ok(match &prepared.loaded.file {
        Some((p, via)) => format!("{}: valid (found via {})", p.display(), via.label()),
        None => "no config file found; the built-in defaults are valid".to_string(),
    })
}

/// `shipdeck config show`.
pub fn show(flags: &GlobalArgs, env: &EnvLookup) -> Result<String, ConfigError> {
    let prepared = prepare(flags, None, env, ColorDepth::TrueColor)?;
    Ok(config::render_show(&prepared.loaded, env))
}
