//! A rollout as the overview shows it: one row per Argo Rollout, Flagger Canary or
//! Deployment, already converted from the Kubernetes object at the edge.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which controller drives the rollout, and with which strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ControllerKind {
    ArgoCanary,
    ArgoBlueGreen,
    Flagger,
    Deployment,
}

impl ControllerKind {
    /// Short label for narrow columns.
    pub fn label(self) -> &'static str {
        match self {
            Self::ArgoCanary => "canary",
            Self::ArgoBlueGreen => "bluegreen",
            Self::Flagger => "flagger",
            Self::Deployment => "deploy",
        }
    }
}

/// The health of a rollout, in the words `kubectl argo rollouts` uses, plus Flagger's
/// failure and an honest "unknown".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Phase {
    Degraded,
    Failed,
    Paused,
    Progressing,
    Healthy,
    Unknown,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Self::Healthy => "Healthy",
            Self::Progressing => "Progressing",
            Self::Paused => "Paused",
            Self::Degraded => "Degraded",
            Self::Failed => "Failed",
            Self::Unknown => "Unknown",
        }
    }

    /// The status icon (as `kubectl argo rollouts` draws them, with a font-safe pause bar).
    pub fn symbol(self, ascii: bool) -> &'static str {
        match (self, ascii) {
            (Self::Healthy, false) => "✔",
            (Self::Progressing, false) => "◌",
            (Self::Paused, false) => "‖",
            (Self::Degraded, false) | (Self::Failed, false) => "✖",
            (Self::Unknown, false) => "?",
            (Self::Healthy, true) => "+",
            (Self::Progressing, true) => "~",
            (Self::Paused, true) => "=",
            (Self::Degraded, true) | (Self::Failed, true) => "x",
            (Self::Unknown, true) => "?",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Healthy,
            Self::Progressing,
            Self::Paused,
            Self::Degraded,
            Self::Failed,
            Self::Unknown,
        ]
        .into_iter()
        .find(|p| p.label().eq_ignore_ascii_case(s))
    }
}

/// Why a rollout is pinned to the "needs attention" group, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Attention {
    AlertFiring,
    FailingAnalysis,
    Degraded,
    WaitingApproval,
}

impl Attention {
    pub fn label(self) -> &'static str {
        match self {
            Self::AlertFiring => "alert firing",
            Self::FailingAnalysis => "analysis failing",
            Self::Degraded => "degraded",
            Self::WaitingApproval => "waiting for approval",
        }
    }
}

/// Identifies one rollout across sources.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RolloutKey {
    pub namespace: String,
    pub name: String,
    pub kind: ControllerKind,
}

/// Replica counts as the controller reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replicas {
    pub desired: u32,
    pub current: u32,
    pub updated: u32,
    pub ready: u32,
    pub available: u32,
}

/// The step a canary is at: `index` of `total` (as the CLI shows `index/total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    pub index: u32,
    pub total: u32,
}

/// Traffic weight of the new version: what the spec asks and what is really served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    pub set: u32,
    pub actual: u32,
}

/// One row of the overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutRow {
    pub key: RolloutKey,
    pub phase: Phase,
    pub message: String,
    pub step: Option<StepProgress>,
    pub weights: Option<Weights>,
    pub replicas: Replicas,
    /// Image tag (or digest) of the stable version.
    pub stable_version: Option<String>,
    /// Image tag of the version being rolled out, when it differs from stable.
    pub new_version: Option<String>,
    pub attention: Option<Attention>,
    pub critical: bool,
    /// When the rollout entered its current phase (or was last updated).
    pub since: Option<DateTime<Utc>>,
    /// Set when the object could not be converted: the row shows the reason.
    pub invalid: Option<String>,
}

impl RolloutRow {
    /// A healthy row with no versions: a base for builders and tests.
    pub fn new(namespace: &str, name: &str, kind: ControllerKind) -> Self {
        Self {
            key: RolloutKey {
                namespace: namespace.to_string(),
                name: name.to_string(),
                kind,
            },
            phase: Phase::Healthy,
            message: String::new(),
            step: None,
            weights: None,
            replicas: Replicas::default(),
            stable_version: None,
            new_version: None,
            attention: None,
            critical: false,
            since: None,
            invalid: None,
        }
    }

    /// Whether the row belongs to the pinned "needs attention" group.
    pub fn needs_attention(&self) -> bool {
        self.attention.is_some() || self.invalid.is_some()
    }

    /// The text the `/` filter matches against: namespace, name, kind, phase, versions.
    pub fn haystack(&self) -> String {
        format!(
            "{}/{} {} {} {} {}",
            self.key.namespace,
            self.key.name,
            self.key.kind.label(),
            self.phase.label(),
            self.stable_version.as_deref().unwrap_or(""),
            self.new_version.as_deref().unwrap_or("")
        )
        .to_lowercase()
    }
}

/// Human age: `4m12s`, `3h05m`, `2d4h`; negative spans (clock skew) count as zero.
pub fn format_age(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - from).num_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d{}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ages_are_compact_and_never_negative() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let at = |s: i64| t0 + chrono::Duration::seconds(s);
        assert_eq!(format_age(t0, at(0)), "0s");
        assert_eq!(format_age(t0, at(59)), "59s");
        assert_eq!(format_age(t0, at(60)), "1m00s");
        assert_eq!(format_age(t0, at(252)), "4m12s");
        assert_eq!(format_age(t0, at(3600 * 3 + 300)), "3h05m");
        assert_eq!(format_age(t0, at(86_400 * 2 + 3600 * 4)), "2d4h");
        assert_eq!(format_age(at(10), t0), "0s");
    }

    #[test]
    fn phases_parse_case_insensitively() {
        assert_eq!(Phase::parse("degraded"), Some(Phase::Degraded));
        assert_eq!(Phase::parse("Healthy"), Some(Phase::Healthy));
        assert_eq!(Phase::parse("weird"), None);
    }

    #[test]
    fn attention_orders_most_urgent_first() {
        assert!(Attention::AlertFiring < Attention::WaitingApproval);
        assert!(Phase::Degraded < Phase::Healthy);
    }
}
