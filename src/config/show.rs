//! `shipdeck config show`: the effective configuration, each value with its origin.

use std::fmt::Write as _;

use super::{EnvLookup, LoadedConfig};

/// Renders the effective configuration as TOML with an origin comment on every value.
pub fn render_show(loaded: &LoadedConfig, env: &EnvLookup) -> String {
    let mut out = String::new();
    match &loaded.file {
        Some((path, via)) => {
            let _ = writeln!(
                out,
                "# config file: {} (found via {})",
                path.display(),
                via.label()
            );
        }
        None => {
            let _ = writeln!(
                out,
                "# no config file found: built-in defaults (looked in --config, $SHIPDECK_CONFIG, \
                 $XDG_CONFIG_HOME/shipdeck/config.toml, ~/.config/shipdeck/config.toml)"
            );
        }
    }
    let value = match toml::Value::try_from(&loaded.config) {
        Ok(toml::Value::Table(t)) => t,
        _ => return out,
    };
    for (section, v) in &value {
        let _ = writeln!(out);
        match v {
            toml::Value::Table(t) if section == "keys" || section == "contexts" => {
                if t.is_empty() {
                    let _ = writeln!(out, "# [{section}.*]: none set (defaults apply)");
                }
                for (sub, inner) in t {
                    let _ = writeln!(out, "[{section}.{}]", quote_key(sub));
                    if let toml::Value::Table(leaves) = inner {
                        for (k, leaf) in leaves {
                            let dotted = format!("{section}.{sub}.{k}");
                            line(&mut out, loaded, &dotted, &quote_key(k), leaf);
                        }
                    }
                }
            }
            toml::Value::Table(t) => {
                let _ = writeln!(out, "[{section}]");
                for (k, leaf) in t {
                    line(
                        &mut out,
                        loaded,
                        &format!("{section}.{k}"),
                        &quote_key(k),
                        leaf,
                    );
                }
                if section == "audit" && !t.contains_key("path") {
                    let default = env
                        .state_dir()
                        .map(|d| d.join("audit.jsonl").display().to_string())
                        .unwrap_or_else(|| "(no HOME: set [audit] path)".into());
                    let _ = writeln!(
                        out,
                        "path = {default:?}  # default ($XDG_STATE_HOME/shipdeck/audit.jsonl)"
                    );
                }
                if section == "log" && !t.contains_key("path") {
                    let default = env
                        .state_dir()
                        .map(|d| d.join("shipdeck.log").display().to_string())
                        .unwrap_or_else(|| "(no HOME: logging off)".into());
                    let _ = writeln!(
                        out,
                        "path = {:?}  # default ($XDG_STATE_HOME/shipdeck/shipdeck.log)",
                        default
                    );
                }
            }
            other => line(&mut out, loaded, section, section, other),
        }
    }
    out
}

fn line(out: &mut String, loaded: &LoadedConfig, dotted: &str, key: &str, value: &toml::Value) {
    let origin = if let Some(flag) = loaded.overrides.get(dotted) {
        format!("from {flag}")
    } else if let (Some((path, _)), Some((l, _))) = (&loaded.file, loaded.spans.get(dotted)) {
        format!("from {}:{l}", path.display())
    } else {
        "default".to_string()
    };
    let _ = writeln!(out, "{key} = {value}  # {origin}");
}

fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}
