//! Themes: semantic roles only (`status.degraded`, `chart.canary`, …) mapped to styles.
//! Four themes are embedded; a user theme may start from one (`base = "default"`) and
//! override some roles. No `Color::` literal is used outside this module.

pub mod color;
mod role;

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub use color::ColorDepth;
pub use role::Role;

/// The embedded themes, by name.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("theme {source_name}: {message}")]
pub struct ThemeError {
    /// The theme's name or file.
    pub source_name: String,
    /// The role at fault, when there is one (`status.healthy`).
    pub role: Option<String>,
    pub message: String,
}

/// A role's look: colours and emphasis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoleStyle {
    pub fg: Option<Color>,
    pub bg: Option<Color>,
    pub bold: bool,
    pub reverse: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    roles: BTreeMap<Role, RoleStyle>,
    depth: ColorDepth,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRole {
    Color(String),
    Full {
        fg: Option<String>,
        bg: Option<String>,
        #[serde(default)]
        bold: bool,
        #[serde(default)]
        reverse: bool,
    },
}

impl Theme {
    /// An embedded theme by name.
    pub fn embedded(name: &str, depth: ColorDepth) -> Result<Self, ThemeError> {
        let text = EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| ThemeError {
                source_name: name.to_string(),
                role: None,
                message: format!(
                    "no such theme; built-in themes are {} (or give a path to a .toml file)",
                    EMBEDDED
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
        Self::parse(name, text, depth)
    }

    /// `--theme NAME|PATH`: a path when it names a file (contains `/` or ends in `.toml`),
    /// else an embedded theme.
    pub fn load(spec: &str, depth: ColorDepth) -> Result<Self, ThemeError> {
        if spec.contains('/') || spec.ends_with(".toml") {
            let text = std::fs::read_to_string(Path::new(spec)).map_err(|e| ThemeError {
                source_name: spec.to_string(),
                role: None,
                message: format!("cannot read the file: {e}"),
            })?;
            Self::parse(spec, &text, depth)
        } else {
            Self::embedded(spec, depth)
        }
    }

    /// Parses a theme file. A complete theme defines every role; with `base = "<name>"` it
    /// starts from that embedded theme and overrides the roles it names.
    pub fn parse(source: &str, text: &str, depth: ColorDepth) -> Result<Self, ThemeError> {
        let err = |role: Option<String>, message: String| ThemeError {
            source_name: source.to_string(),
            role,
            message,
        };
        let doc: toml::Table = toml::from_str(text).map_err(|e| err(None, e.to_string()))?;
        let mut roles = BTreeMap::new();
        let mut name = source.to_string();
        let mut has_base = false;
        for (key, value) in &doc {
            match (key.as_str(), value) {
                ("name", toml::Value::String(n)) => name = n.clone(),
                ("base", toml::Value::String(b)) => {
                    if b == source {
                        return Err(err(None, "a theme cannot be its own base".into()));
                    }
                    roles = Self::embedded(b, depth)?.roles;
                    has_base = true;
                }
                (group, toml::Value::Table(table)) => {
                    for (leaf, raw) in table {
                        let role_name = format!("{group}.{leaf}");
                        let role = Role::parse(&role_name).ok_or_else(|| {
                            err(
                                Some(role_name.clone()),
                                format!("unknown role `{role_name}`; roles are {}", Role::names()),
                            )
                        })?;
                        let style = parse_role(raw).map_err(|m| {
                            err(Some(role_name.clone()), format!("role `{role_name}`: {m}"))
                        })?;
                        roles.insert(role, style);
                    }
                }
                (other, _) => {
                    return Err(err(
                        Some(other.to_string()),
                        format!(
                            "unexpected `{other}`; a theme has `name`, `base` and the tables \
                             [status], [chrome], [alert], [chart]"
                        ),
                    ));
                }
            }
        }
        if let (false, Some(missing)) =
            (has_base, Role::ALL.iter().find(|r| !roles.contains_key(r)))
        {
            return Err(err(
                Some(missing.name().to_string()),
                format!(
                    "role `{}` is missing; define it or start from a built-in theme with \
                     base = \"default\"",
                    missing.name()
                ),
            ));
        }
        Ok(Self { name, roles, depth })
    }

    pub fn depth(&self) -> ColorDepth {
        self.depth
    }

    /// The role's style for the terminal's colour depth. In monochrome, emphasis that would
    /// have come from colour becomes bold or reverse video.
    pub fn style(&self, role: Role) -> Style {
        let rs = self.roles.get(&role).copied().unwrap_or_default();
        let mut style = Style::default();
        if self.depth == ColorDepth::Mono {
            if role.mono_bold() || rs.bold {
                style = style.add_modifier(Modifier::BOLD);
            }
            if role.mono_reverse() || rs.reverse {
                style = style.add_modifier(Modifier::REVERSED);
            }
            return style;
        }
        if let Some(fg) = rs.fg {
            style = style.fg(color::downgrade(fg, self.depth));
        }
        if let Some(bg) = rs.bg {
            style = style.bg(color::downgrade(bg, self.depth));
        }
        if rs.bold {
            style = style.add_modifier(Modifier::BOLD);
        }
        if rs.reverse {
            style = style.add_modifier(Modifier::REVERSED);
        }
        style
    }

    /// Whether the theme defines the role itself (tests check that built-ins define all).
    pub fn defines(&self, role: Role) -> bool {
        self.roles.contains_key(&role)
    }
}

fn parse_role(raw: &toml::Value) -> Result<RoleStyle, String> {
    let parsed: RawRole = raw
        .clone()
        .try_into()
        .map_err(|_| "expected a colour string or a table { fg, bg, bold, reverse }".to_string())?;
    Ok(match parsed {
        RawRole::Color(c) => RoleStyle {
            fg: Some(color::parse_color(&c)?),
            ..RoleStyle::default()
        },
        RawRole::Full {
            fg,
            bg,
            bold,
            reverse,
        } => RoleStyle {
            fg: fg.as_deref().map(color::parse_color).transpose()?,
            bg: bg.as_deref().map(color::parse_color).transpose()?,
            bold,
            reverse,
        },
    })
}

#[cfg(test)]
mod tests;
