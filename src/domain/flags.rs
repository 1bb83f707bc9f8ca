//! Feature flags as the flags screen shows them, whatever the backend: OpenFeature flagd
//! definitions (in a ConfigMap key or a `FeatureFlag` object) and Unleash features (one row
//! per environment). Converted at the edge; pure here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::detail::GitOpsOwner;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Backend {
    Flagd,
    Unleash,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Self::Flagd => "flagd",
            Self::Unleash => "unleash",
        }
    }
}

/// Where a flag's definition lives (what a toggle writes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FlagSource {
    /// `data.<key>` of a ConfigMap: one JSON string holding every flag of that key.
    ConfigMap {
        namespace: String,
        name: String,
        key: String,
    },
    /// `spec.flagSpec` of an OpenFeature Operator `FeatureFlag`.
    FeatureFlag { namespace: String, name: String },
    /// A feature of an Unleash project (the row is one environment of it).
    Unleash { project: String },
}

impl FlagSource {
    /// `ConfigMap casino-prod/flags[flags.json]`, `FeatureFlag casino-prod/bonus`,
    /// `Unleash project default`.
    pub fn label(&self) -> String {
        match self {
            Self::ConfigMap {
                namespace,
                name,
                key,
            } => format!("ConfigMap {namespace}/{name}[{key}]"),
            Self::FeatureFlag { namespace, name } => format!("FeatureFlag {namespace}/{name}"),
            Self::Unleash { project } => format!("Unleash project {project}"),
        }
    }
}

/// The flags screen's name of the flagd ConfigMap watcher (its health line).
pub const CONFIG_MAPS_SOURCE: &str = "flagd ConfigMaps";
/// The flags screen's name of the `FeatureFlag` watcher.
pub const FEATURE_FLAGS_SOURCE: &str = "OpenFeature FeatureFlags";
/// The flags screen's name of the Unleash poller.
pub const UNLEASH_SOURCE: &str = "unleash";

impl FlagSource {
    /// The reader whose health covers this source's rows: [`CONFIG_MAPS_SOURCE`],
    /// [`FEATURE_FLAGS_SOURCE`] or [`UNLEASH_SOURCE`].
    pub fn reader(&self) -> &'static str {
        match self {
            Self::ConfigMap { .. } => CONFIG_MAPS_SOURCE,
            Self::FeatureFlag { .. } => FEATURE_FLAGS_SOURCE,
            Self::Unleash { .. } => UNLEASH_SOURCE,
        }
    }
}

/// flagd `state`, or an Unleash environment's `enabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlagState {
    Enabled,
    Disabled,
}

/// Who changed a flag last, when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagChange {
    pub at: Option<DateTime<Utc>>,
    /// `None`: "changed outside shipdeck" (nobody known).
    pub by: Option<String>,
    /// From shipdeck's `shipdeck.io/last-action` annotation (else the backend's log).
    pub via_shipdeck: bool,
}

/// One flag row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub key: String,
    pub backend: Backend,
    pub source: FlagSource,
    /// flagd: the object's namespace; Unleash: the environment.
    pub environment: String,
    pub state: FlagState,
    /// flagd `defaultVariant` (`None`: null, the application's coded default); Unleash:
    /// `None`.
    pub default_variant: Option<String>,
    /// flagd variants by name, in key order.
    pub variants: BTreeMap<String, Value>,
    /// flagd: a `targeting` rule is set; Unleash: the environment has strategies with
    /// constraints or segments.
    pub targeting: bool,
    /// Unleash: strategies in this environment (enabling one without any makes Unleash add
    /// its default strategy).
    pub strategies: usize,
    pub metadata: BTreeMap<String, Value>,
    pub last_change: Option<FlagChange>,
    /// The definition is invalid: shown with the reason, never skipped.
    pub invalid: Option<String>,
    /// What a toggle's precondition compares: the object's resourceVersion (flagd), or the
    /// environment's enabled state and strategy count as read (Unleash).
    pub version: String,
    /// flagd: who reconciles the ConfigMap or `FeatureFlag` from Git (a change made here is
    /// reverted at the next sync); Unleash: `None`.
    #[serde(default)]
    pub gitops: Option<GitOpsOwner>,
}

impl Flag {
    /// A boolean flag: exactly the variants `true` and `false` (any names).
    pub fn is_boolean(&self) -> bool {
        self.variants.len() == 2
            && self.variants.values().any(|v| v == &Value::Bool(true))
            && self.variants.values().any(|v| v == &Value::Bool(false))
    }

    /// What the flag serves by default, in words: `on (true)`, `red ("#f00")`, `coded default`.
    pub fn value_label(&self) -> String {
        match self.backend {
            Backend::Unleash => match self.state {
                FlagState::Enabled => "on".to_string(),
                FlagState::Disabled => "off".to_string(),
            },
            Backend::Flagd => match &self.default_variant {
                None => "coded default".to_string(),
                Some(v) => match self.variants.get(v) {
                    Some(value) => format!("{v} ({value})"),
                    None => format!("{v} (no such variant)"),
                },
            },
        }
    }

    /// Identifies the row: backend, source, environment and key.
    pub fn id(&self) -> (Backend, FlagSource, String, String) {
        (
            self.backend,
            self.source.clone(),
            self.environment.clone(),
            self.key.clone(),
        )
    }
}
