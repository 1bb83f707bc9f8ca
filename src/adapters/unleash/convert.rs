//! Unleash's admin API answers as domain [`Flag`] rows, in pure functions: one row per
//! feature × environment, in the order Unleash lists the features and the configured
//! environments.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::flags::{Backend, Flag, FlagChange, FlagSource, FlagState};

/// `GET /api/admin/projects/{project}/features`: only the names are used (the list has no
/// strategies).
#[derive(Debug, Clone, Deserialize)]
pub(super) struct FeatureList {
    pub features: Vec<Listed>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Listed {
    pub name: String,
}

/// `GET /api/admin/projects/{project}/features/{feature}`.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Feature {
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub stale: bool,
    #[serde(default)]
    pub environments: Vec<Environment>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Environment {
    pub name: String,
    pub enabled: bool,
    #[serde(default)]
    pub strategies: Vec<Strategy>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Strategy {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub constraints: Vec<Value>,
    #[serde(default)]
    pub segments: Vec<Value>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// `GET /api/admin/search/events?project=IS:{project}`: newest first.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Events {
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Event {
    #[serde(default, rename = "featureName")]
    pub feature_name: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default, rename = "createdBy")]
    pub created_by: Option<String>,
    #[serde(default, rename = "createdAt")]
    pub created_at: Option<DateTime<Utc>>,
}

/// `GET /api/admin/projects/{project}/overview`: the environments enabled in the project.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Overview {
    #[serde(default)]
    pub environments: Vec<OverviewEnvironment>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct OverviewEnvironment {
    pub environment: String,
}

/// One row per feature × environment. `environments` empty: every environment of each
/// feature. `Err(env)`: a configured environment that a feature does not have (it is not
/// enabled in the project).
pub(super) fn flags(
    project: &str,
    environments: &[String],
    features: &[Feature],
    events: Option<&[Event]>,
) -> Result<Vec<Flag>, String> {
    let mut out = Vec::new();
    for feature in features {
        let wanted: Vec<&str> = if environments.is_empty() {
            feature
                .environments
                .iter()
                .map(|e| e.name.as_str())
                .collect()
        } else {
            environments.iter().map(String::as_str).collect()
        };
        for env_name in wanted {
            let Some(env) = feature.environments.iter().find(|e| e.name == env_name) else {
                return Err(env_name.to_string());
            };
            out.push(flag(project, feature, env, events));
        }
    }
    Ok(out)
}

fn flag(project: &str, feature: &Feature, env: &Environment, events: Option<&[Event]>) -> Flag {
    let strategies = env.strategies.len();
    let targeting = env
        .strategies
        .iter()
        .any(|s| s.disabled != Some(true) && (!s.constraints.is_empty() || !s.segments.is_empty()));
    let mut metadata = BTreeMap::new();
    if let Some(kind) = &feature.kind {
        metadata.insert("type".to_string(), Value::String(kind.clone()));
    }
    if let Some(description) = feature.description.as_ref().filter(|d| !d.is_empty()) {
        metadata.insert(
            "description".to_string(),
            Value::String(description.clone()),
        );
    }
    if feature.stale {
        metadata.insert("stale".to_string(), Value::Bool(true));
    }
    if strategies > 0 {
        let names = env
            .strategies
            .iter()
            .map(|s| Value::String(s.name.clone()))
            .collect();
        metadata.insert("strategies".to_string(), Value::Array(names));
    }
    Flag {
        key: feature.name.clone(),
        backend: Backend::Unleash,
        source: FlagSource::Unleash {
            project: project.to_string(),
        },
        environment: env.name.clone(),
        state: if env.enabled {
            FlagState::Enabled
        } else {
            FlagState::Disabled
        },
        default_variant: None,
        variants: BTreeMap::new(),
        targeting,
        strategies,
        metadata,
        last_change: events.and_then(|ev| last_change(ev, &feature.name, &env.name)),
        invalid: None,
        version: version(env.enabled, strategies),
        gitops: None,
    }
}

/// What a toggle's precondition compares: `"{enabled}:{strategies}"`.
pub(super) fn version(enabled: bool, strategies: usize) -> String {
    format!("{enabled}:{strategies}")
}

/// The newest event about this feature in this environment, or about the whole feature
/// (no environment: created, renamed, ...). `by` is the user as Unleash logs it (for an
/// API token, the token's name).
pub(super) fn last_change(events: &[Event], feature: &str, env: &str) -> Option<FlagChange> {
    let event = events.iter().find(|e| {
        e.feature_name.as_deref() == Some(feature)
            && e.environment.as_deref().is_none_or(|x| x == env)
    })?;
    Some(FlagChange {
        at: event.created_at,
        by: event.created_by.clone().filter(|b| !b.is_empty()),
        via_shipdeck: false,
    })
}

/// A path segment, percent-encoded (Unleash names are usually URL-safe already).
pub(super) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`segment`] for what it produces (for naming things in errors).
pub(super) fn unsegment(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
