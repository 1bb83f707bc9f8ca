//! A rollout as the overview shows it: one row per Argo Rollout, Flagger Canary or
//! Deployment, already converted from the Kubernetes object at the edge.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::detail::{ArgoDetail, FlaggerDetail, GitOpsOwner, Pause};
pub use super::phase::Phase;
use super::version::{ContainerImages, ImageNote, Severity, VersionChange, image_notes};

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

/// Why a rollout is pinned to the "needs attention" group, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Attention {
    AlertFiring,
    FailingAnalysis,
    Degraded,
    InconclusiveAnalysis,
    /// A two-person request waits for a second identity.
    SecondApproval,
    WaitingApproval,
}

impl Attention {
    pub fn label(self) -> &'static str {
        match self {
            Self::AlertFiring => "alert firing",
            Self::FailingAnalysis => "analysis failing",
            Self::Degraded => "degraded",
            Self::InconclusiveAnalysis => "analysis inconclusive",
            Self::SecondApproval => "awaiting second approval",
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
    /// `None` when it cannot be known from what was converted: a canary without traffic
    /// routing needs its ReplicaSets (the overview does not watch them; it shows the set
    /// weight alone).
    pub actual: Option<u32>,
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
    /// Stable and new image of every container (the first is the main one).
    pub containers: Vec<ContainerImages>,
    /// Mutable tags, missing digests, unreadable references (see [`image_notes`]).
    pub image_notes: Vec<ImageNote>,
    /// `spec.paused` of an Argo Rollout or a Deployment.
    pub spec_paused: bool,
    /// The pause in effect, with its start (the age is computed at render time).
    pub pause: Option<Pause>,
    pub gitops: Option<GitOpsOwner>,
    pub attention: Option<Attention>,
    pub critical: bool,
    /// When the rollout entered its current phase (or was last updated).
    pub since: Option<DateTime<Utc>>,
    /// Set when the object could not be converted: the row shows the reason.
    pub invalid: Option<String>,
    /// Argo Rollouts only.
    pub argo: Option<ArgoDetail>,
    /// Flagger only.
    pub flagger: Option<FlaggerDetail>,
    /// What an action on the object depends on (resourceVersion, generation, revision,
    /// facts): the precondition the executor checks.
    pub seen: super::action_request::Seen,
    /// A two-person request waiting on the object (annotation `shipdeck.io/approval-request`).
    pub approval: Option<super::approval::ApprovalRequest>,
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
            containers: Vec::new(),
            image_notes: Vec::new(),
            spec_paused: false,
            pause: None,
            gitops: None,
            attention: None,
            critical: false,
            since: None,
            invalid: None,
            argo: None,
            flagger: None,
            seen: super::action_request::Seen::default(),
            approval: None,
        }
    }

    /// Sets the containers and the notes about their images.
    pub fn set_containers(&mut self, containers: Vec<ContainerImages>, require_digest: bool) {
        self.image_notes = image_notes(&containers, require_digest);
        self.containers = containers;
    }

    /// Version label (tag, else short digest) of the main container's stable image.
    pub fn stable_version(&self) -> Option<String> {
        let stable = self.containers.first()?.stable.as_ref()?;
        Some(stable.label())
    }

    /// Version label of the main container's new image, when it differs from stable.
    pub fn new_version(&self) -> Option<String> {
        let new = self.containers.first()?.canary.as_ref()?.label();
        (self.stable_version().as_deref() != Some(new.as_str())).then_some(new)
    }

    /// The SemVer change of every container that has one: `(container, change)`.
    pub fn version_changes(&self) -> Vec<(&str, VersionChange)> {
        self.containers
            .iter()
            .filter_map(|c| Some((c.name.as_str(), c.change()?)))
            .collect()
    }

    /// Whether the overview shows the image warning sign (a mutable tag, an unreadable
    /// reference, or a missing digest when digests are required).
    pub fn image_warning(&self) -> bool {
        self.image_notes
            .iter()
            .any(|n| n.severity == Severity::Warning)
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
            self.stable_version().unwrap_or_default(),
            self.new_version().unwrap_or_default()
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
