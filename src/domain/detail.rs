//! What a row knows beyond its columns: pauses, analysis, the CLI's image list, GitOps
//! ownership, controller-specific status, and why a human is needed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::phase::{FlaggerPhase, Phase};
use super::rollout::Attention;
use super::steps::CanaryStep;

/// Why a rollout is paused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PauseReason {
    /// `spec.paused` (an operator's pause).
    Manual,
    CanaryPauseStep,
    BlueGreenPause,
    InconclusiveAnalysisRun,
    InconclusiveExperiment,
    /// Flagger's confirm-rollout gate (phase Waiting).
    FlaggerWaiting,
    /// Flagger's confirm-promotion gate (phase WaitingPromotion).
    FlaggerWaitingPromotion,
    /// A reason this version does not know, as written.
    Other(String),
}

impl PauseReason {
    pub fn parse(s: &str) -> Self {
        match s {
            "CanaryPauseStep" => Self::CanaryPauseStep,
            "BlueGreenPause" => Self::BlueGreenPause,
            "InconclusiveAnalysisRun" => Self::InconclusiveAnalysisRun,
            "InconclusiveExperiment" => Self::InconclusiveExperiment,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Self::Manual => "manually paused",
            Self::CanaryPauseStep => "CanaryPauseStep",
            Self::BlueGreenPause => "BlueGreenPause",
            Self::InconclusiveAnalysisRun => "InconclusiveAnalysisRun",
            Self::InconclusiveExperiment => "InconclusiveExperiment",
            Self::FlaggerWaiting => "Waiting",
            Self::FlaggerWaitingPromotion => "WaitingPromotion",
            Self::Other(s) => s,
        }
    }
}

/// A pause and when it began; the age is computed at render time from the state's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub reason: PauseReason,
    pub since: Option<DateTime<Utc>>,
}

/// The phase of an AnalysisRun.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AnalysisPhase {
    Pending,
    Running,
    Successful,
    Failed,
    Error,
    Inconclusive,
    Other(String),
}

impl AnalysisPhase {
    pub fn parse(s: &str) -> Self {
        match s {
            "Pending" => Self::Pending,
            "Running" => Self::Running,
            "Successful" => Self::Successful,
            "Failed" => Self::Failed,
            "Error" => Self::Error,
            "Inconclusive" => Self::Inconclusive,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn completed(&self) -> bool {
        matches!(
            self,
            Self::Successful | Self::Failed | Self::Error | Self::Inconclusive
        )
    }

    pub fn failing(&self) -> bool {
        matches!(self, Self::Failed | Self::Error)
    }
}

/// `status.canary.currentStepAnalysisRunStatus` and its siblings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisRunStatus {
    pub name: String,
    pub phase: AnalysisPhase,
    pub message: String,
}

/// The role of a ReplicaSet, as the CLI tags its images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ImageTag {
    Canary,
    Stable,
    Active,
    Preview,
    Ping,
    Pong,
}

impl ImageTag {
    pub fn label(self) -> &'static str {
        match self {
            Self::Canary => "canary",
            Self::Stable => "stable",
            Self::Active => "active",
            Self::Preview => "preview",
            Self::Ping => "ping",
            Self::Pong => "pong",
        }
    }
}

/// One line of the CLI's `Images:` block: `argoproj/rollouts-demo:blue (stable, active)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedImage {
    pub image: String,
    pub tags: Vec<ImageTag>,
}

impl TaggedImage {
    pub fn line(&self) -> String {
        if self.tags.is_empty() {
            return self.image.clone();
        }
        let tags: Vec<&str> = self.tags.iter().map(|t| t.label()).collect();
        format!("{} ({})", self.image, tags.join(", "))
    }
}

/// What the Argo Rollouts actions and the detail view need from a Rollout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArgoDetail {
    pub pause_conditions: Vec<Pause>,
    pub controller_pause: bool,
    pub aborted: bool,
    pub aborted_at: Option<DateTime<Utc>>,
    pub current_pod_hash: Option<String>,
    pub stable_rs: Option<String>,
    pub current_step_index: Option<u32>,
    pub steps: Vec<CanaryStep>,
    pub traffic_routing: bool,
    pub step_analysis: Option<AnalysisRunStatus>,
    pub background_analysis: Option<AnalysisRunStatus>,
    pub active_selector: Option<String>,
    pub preview_selector: Option<String>,
    /// `spec.workloadRef.name`, when the template lives in a Deployment.
    pub workload_ref: Option<String>,
    /// The CLI's `Images:` block; empty when the ReplicaSets were not given.
    pub images: Vec<TaggedImage>,
    /// `spec.strategy.canary.canaryService` / `stableService` (metrics name the sides by
    /// them).
    pub canary_service: Option<String>,
    pub stable_service: Option<String>,
    /// `spec.strategy.blueGreen.activeService` / `previewService`.
    pub active_service: Option<String>,
    pub preview_service: Option<String>,
}

impl ArgoDetail {
    /// `status.currentPodHash == status.stableRS` (both set).
    pub fn fully_promoted(&self) -> bool {
        self.stable_rs.is_some() && self.stable_rs == self.current_pod_hash
    }

    pub fn current_step(&self) -> Option<&CanaryStep> {
        self.steps.get(self.current_step_index? as usize)
    }
}

/// What a Flagger Canary reports, with the analysis limits of its spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggerDetail {
    pub phase: Option<FlaggerPhase>,
    pub canary_weight: u32,
    pub failed_checks: u32,
    /// `spec.analysis.threshold`: rollback when failed checks reach it.
    pub threshold: Option<u32>,
    pub iterations: u32,
    /// `spec.analysis.iterations` (A/B testing).
    pub max_iterations: Option<u32>,
    pub max_weight: Option<u32>,
    pub step_weight: Option<u32>,
    pub step_weights: Vec<u32>,
    pub suspended: bool,
    pub skip_analysis: bool,
    /// `spec.targetRef.name`; Flagger runs the stable version as `<target>-primary`.
    pub target: String,
    /// `spec.analysis.webhooks`, in order.
    pub webhooks: Vec<Webhook>,
}

/// One of a Canary's `spec.analysis.webhooks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub name: String,
    /// `type`: `confirm-rollout`, `pre-rollout`, `rollout` (also when unset),
    /// `confirm-traffic-increase`, `confirm-promotion`, `post-rollout`, `rollback`, `event`.
    pub kind: String,
    /// `url` as written (a cluster-internal Service, usually Flagger's load tester).
    pub url: String,
}

/// Who reconciles the object from Git: a manual change to its spec will be reverted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GitOpsOwner {
    /// Argo CD, with the application name when the tracking id or label tells it.
    ArgoCd {
        app: Option<String>,
    },
    FluxKustomization {
        name: String,
    },
    FluxHelmRelease {
        name: String,
    },
}

impl GitOpsOwner {
    /// PROTOCOLS.md's rule, from an object's labels and annotations: the annotation
    /// `argocd.argoproj.io/tracking-id` or the label `argocd.argoproj.io/instance` (Argo CD),
    /// the label `kustomize.toolkit.fluxcd.io/name` or `helm.toolkit.fluxcd.io/name` (Flux).
    /// `app.kubernetes.io/instance` alone is not evidence (Helm sets it on everything).
    pub fn from_metadata<'a>(
        label: impl Fn(&str) -> Option<&'a str>,
        annotation: impl Fn(&str) -> Option<&'a str>,
    ) -> Option<Self> {
        if let Some(id) = annotation("argocd.argoproj.io/tracking-id") {
            let app = id.split(':').next().filter(|a| !a.is_empty());
            return Some(Self::ArgoCd {
                app: app.map(str::to_string),
            });
        }
        if let Some(app) = label("argocd.argoproj.io/instance") {
            return Some(Self::ArgoCd {
                app: Some(app.to_string()),
            });
        }
        if let Some(name) = label("kustomize.toolkit.fluxcd.io/name") {
            return Some(Self::FluxKustomization {
                name: name.to_string(),
            });
        }
        label("helm.toolkit.fluxcd.io/name").map(|name| Self::FluxHelmRelease {
            name: name.to_string(),
        })
    }

    /// Who reverts a manual change: `Argo CD` or `Flux`.
    pub fn tool(&self) -> &'static str {
        match self {
            Self::ArgoCd { .. } => "Argo CD",
            Self::FluxKustomization { .. } | Self::FluxHelmRelease { .. } => "Flux",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::ArgoCd { app: Some(a) } => format!("Argo CD app {a}"),
            Self::ArgoCd { app: None } => "Argo CD".to_string(),
            Self::FluxKustomization { name } => format!("Flux Kustomization {name}"),
            Self::FluxHelmRelease { name } => format!("Flux HelmRelease {name}"),
        }
    }
}

/// Why an Argo Rollout needs a human, most urgent first: a failing step analysis, a
/// degraded or aborted rollout, an inconclusive analysis, a pause that only a promote ends
/// (an indefinite pause step, a blue-green pause).
pub fn argo_attention(phase: Phase, d: &ArgoDetail) -> Option<Attention> {
    let analysis = d.step_analysis.as_ref().map(|a| &a.phase);
    if analysis.is_some_and(AnalysisPhase::failing) {
        return Some(Attention::FailingAnalysis);
    }
    if phase == Phase::Degraded || d.aborted {
        return Some(Attention::Degraded);
    }
    let inconclusive_pause = d.pause_conditions.iter().any(|p| {
        matches!(
            p.reason,
            PauseReason::InconclusiveAnalysisRun | PauseReason::InconclusiveExperiment
        )
    });
    if inconclusive_pause || analysis == Some(&AnalysisPhase::Inconclusive) {
        return Some(Attention::InconclusiveAnalysis);
    }
    let waiting = d.pause_conditions.iter().any(|p| match p.reason {
        PauseReason::BlueGreenPause => true,
        // A pause step with a duration ends by itself; an unknown step counts as waiting.
        PauseReason::CanaryPauseStep => d.current_step().is_none_or(|s| {
            !matches!(
                s,
                CanaryStep::Pause {
                    duration: Some(_),
                    ..
                }
            )
        }),
        _ => false,
    });
    waiting.then_some(Attention::WaitingApproval)
}

/// Why a Flagger Canary needs a human: failed, failing checks during the analysis, or a gate
/// waiting for approval.
pub fn flagger_attention(d: &FlaggerDetail) -> Option<Attention> {
    match d.phase? {
        FlaggerPhase::Failed => Some(Attention::Degraded),
        FlaggerPhase::Progressing if d.failed_checks > 0 => Some(Attention::FailingAnalysis),
        p if p.waits_for_approval() => Some(Attention::WaitingApproval),
        _ => None,
    }
}

#[cfg(test)]
#[path = "detail_tests.rs"]
mod tests;
