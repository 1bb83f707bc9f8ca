//! Phase and message of a rollout, computed exactly as the real tools compute them:
//! `kubectl argo rollouts` for Argo Rollouts, Flagger's own phase for canaries, and the
//! progress checks of `kubectl rollout status` for Deployments.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

    /// The status icon as `kubectl argo rollouts` draws it, except Paused: the CLI's `॥`
    /// (Devanagari double danda) is missing or double-width in many terminal fonts, so we
    /// draw `‖`.
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

/// A status condition, reduced to what the phase rules read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    pub kind: String,
    pub reason: String,
    pub message: String,
}

/// The strategy facts of an Argo Rollout that the phase rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgoStrategy {
    Canary {
        traffic_routing: bool,
    },
    BlueGreen {
        /// `spec.strategy.blueGreen.postPromotionAnalysis` is set.
        post_promotion_analysis: bool,
        /// The post-promotion AnalysisRun has completed (Successful, Failed, Error or
        /// Inconclusive).
        post_promotion_completed: bool,
    },
    /// Neither canary nor blue-green.
    None,
}

/// Everything `kubectl argo rollouts` reads to compute a Rollout's phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoPhaseFacts {
    /// `metadata.generation` (0 when absent).
    pub generation: i64,
    /// `status.observedGeneration` as written: a number, or an old controller's hash.
    pub observed_generation: Option<String>,
    pub controller_pause: bool,
    /// Reasons of `status.pauseConditions`, in order.
    pub pause_reasons: Vec<String>,
    /// `spec.workloadRef` is set.
    pub workload_ref: bool,
    /// Annotation `rollout.argoproj.io/workload-generation`.
    pub workload_generation: Option<String>,
    /// `status.workloadObservedGeneration`.
    pub workload_observed_generation: Option<String>,
    /// `status.phase` and `status.message` (controllers from v1.0 on set them).
    pub status_phase: Option<String>,
    pub status_message: Option<String>,
    pub conditions: Vec<Condition>,
    pub spec_paused: bool,
    pub restart_at: Option<DateTime<Utc>>,
    pub restarted_at: Option<DateTime<Utc>>,
    /// `spec.replicas` (1 when absent).
    pub desired: i64,
    pub replicas: i64,
    pub updated: i64,
    pub available: i64,
    pub strategy: ArgoStrategy,
    pub current_pod_hash: String,
    pub stable_rs: String,
    pub active_selector: String,
}

/// The phase and message `kubectl argo rollouts get` shows for a Rollout.
pub fn argo_phase(f: &ArgoPhaseFacts) -> (Phase, String) {
    let progressing = |m: &str| (Phase::Progressing, m.to_string());
    if !generation_observed(f) {
        return progressing("waiting for rollout spec update to be observed");
    }
    if f.controller_pause && f.pause_reasons.is_empty() {
        return progressing("waiting for rollout to unpause");
    }
    if f.workload_ref && !workload_generation_observed(f) {
        return progressing(
            "waiting for rollout spec update to be observed for the reference workload",
        );
    }
    if let Some(phase) = f.status_phase.as_deref().filter(|p| !p.is_empty()) {
        let message = f.status_message.clone().unwrap_or_default();
        return (Phase::parse(phase).unwrap_or(Phase::Unknown), message);
    }
    computed_argo_phase(f)
}

/// A value that does not parse as an integer (an old controller's hash) counts as observed,
/// and so does one above the generation.
fn generation_observed(f: &ArgoPhaseFacts) -> bool {
    match f.observed_generation.as_deref().map(str::parse::<i64>) {
        Some(Ok(observed)) => observed >= f.generation,
        _ => true,
    }
}

fn workload_generation_observed(f: &ArgoPhaseFacts) -> bool {
    let Some(Ok(wanted)) = f.workload_generation.as_deref().map(str::parse::<i32>) else {
        return true;
    };
    match f
        .workload_observed_generation
        .as_deref()
        .map(str::parse::<i32>)
    {
        Some(Ok(observed)) => observed == wanted,
        _ => true,
    }
}

/// The client-side computation for controllers that do not write `status.phase`.
fn computed_argo_phase(f: &ArgoPhaseFacts) -> (Phase, String) {
    let progressing = |m: &str| (Phase::Progressing, m.to_string());
    for c in &f.conditions {
        if c.kind == "InvalidSpec" {
            return (Phase::Degraded, format!("InvalidSpec: {}", c.message));
        }
        if c.reason == "RolloutAborted" || c.reason == "ProgressDeadlineExceeded" {
            return (Phase::Degraded, format!("{}: {}", c.reason, c.message));
        }
    }
    if f.spec_paused {
        return (Phase::Paused, "manually paused".to_string());
    }
    if let Some(reason) = f.pause_reasons.first() {
        return (Phase::Paused, reason.clone());
    }
    if let Some(at) = f.restart_at
        && f.restarted_at != Some(at)
    {
        return progressing("rollout is restarting");
    }
    if f.updated < f.desired {
        return progressing("more replicas need to be updated");
    }
    if f.available < f.updated {
        return progressing("updated replicas are still becoming available");
    }
    let fully_promoted = !f.stable_rs.is_empty() && f.stable_rs == f.current_pod_hash;
    match f.strategy {
        ArgoStrategy::BlueGreen {
            post_promotion_analysis,
            post_promotion_completed,
        } => {
            if f.active_selector.is_empty() || f.active_selector != f.current_pod_hash {
                return progressing("active service cutover pending");
            }
            if !fully_promoted {
                if post_promotion_analysis && !post_promotion_completed {
                    return progressing("waiting for analysis to complete");
                }
                return progressing("waiting for post-promotion verification to complete");
            }
        }
        ArgoStrategy::Canary { traffic_routing } => {
            if !traffic_routing && f.replicas > f.updated {
                return progressing("old replicas are pending termination");
            }
            if !fully_promoted {
                return progressing("waiting for all steps to complete");
            }
        }
        ArgoStrategy::None => {}
    }
    (Phase::Healthy, String::new())
}

/// The phase of a Flagger Canary, `status.phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlaggerPhase {
    Initializing,
    Initialized,
    Waiting,
    Progressing,
    WaitingPromotion,
    Promoting,
    Finalising,
    Succeeded,
    Failed,
    Terminating,
    Terminated,
}

impl FlaggerPhase {
    const ALL: [Self; 11] = [
        Self::Initializing,
        Self::Initialized,
        Self::Waiting,
        Self::Progressing,
        Self::WaitingPromotion,
        Self::Promoting,
        Self::Finalising,
        Self::Succeeded,
        Self::Failed,
        Self::Terminating,
        Self::Terminated,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.label() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Initializing => "Initializing",
            Self::Initialized => "Initialized",
            Self::Waiting => "Waiting",
            Self::Progressing => "Progressing",
            Self::WaitingPromotion => "WaitingPromotion",
            Self::Promoting => "Promoting",
            Self::Finalising => "Finalising",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Terminating => "Terminating",
            Self::Terminated => "Terminated",
        }
    }

    /// Our phase for Flagger's: the two gates are pauses, a finished or initialised canary
    /// is healthy, a failed one failed.
    pub fn phase(self) -> Phase {
        match self {
            Self::Initialized | Self::Succeeded => Phase::Healthy,
            Self::Waiting | Self::WaitingPromotion => Phase::Paused,
            Self::Initializing
            | Self::Progressing
            | Self::Promoting
            | Self::Finalising
            | Self::Terminating => Phase::Progressing,
            Self::Failed => Phase::Failed,
            Self::Terminated => Phase::Unknown,
        }
    }

    /// Waiting (confirm-rollout gate) and WaitingPromotion (confirm-promotion gate).
    pub fn waits_for_approval(self) -> bool {
        matches!(self, Self::Waiting | Self::WaitingPromotion)
    }

    /// A canary run is under way: traffic may be split and the canary images differ.
    pub fn in_flight(self) -> bool {
        matches!(
            self,
            Self::Waiting
                | Self::Progressing
                | Self::WaitingPromotion
                | Self::Promoting
                | Self::Finalising
                | Self::Failed
        )
    }
}

/// Phase and message of a Canary from `status.phase` and its `Promoted` condition's message.
pub fn flagger_phase(
    status_phase: Option<&str>,
    promoted_message: Option<&str>,
) -> (Phase, String, Option<FlaggerPhase>) {
    let Some(raw) = status_phase.filter(|p| !p.is_empty()) else {
        return (
            Phase::Unknown,
            "Flagger has not initialised this canary yet".to_string(),
            None,
        );
    };
    let Some(fp) = FlaggerPhase::parse(raw) else {
        return (
            Phase::Unknown,
            format!("unknown Flagger phase {raw:?}"),
            None,
        );
    };
    let message = promoted_message
        .filter(|m| !m.is_empty())
        .map_or_else(|| fp.label().to_string(), str::to_string);
    (fp.phase(), message, Some(fp))
}

/// What `kubectl rollout status` reads of a Deployment, plus `spec.paused`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentFacts {
    pub generation: i64,
    pub observed_generation: i64,
    pub paused: bool,
    /// `spec.replicas` (1 when absent).
    pub desired: i64,
    pub replicas: i64,
    pub updated: i64,
    pub available: i64,
    /// The `Progressing` condition.
    pub progressing: Option<Condition>,
}

/// A Deployment's phase: the checks of `kubectl rollout status`, in its order, with a paused
/// Deployment shown as paused (kubectl would wait forever).
pub fn deployment_phase(f: &DeploymentFacts) -> (Phase, String) {
    let progressing = |m: String| (Phase::Progressing, m);
    if f.observed_generation < f.generation {
        return progressing("waiting for deployment spec update to be observed".into());
    }
    if let Some(c) = &f.progressing
        && c.reason == "ProgressDeadlineExceeded"
    {
        return (Phase::Degraded, format!("{}: {}", c.reason, c.message));
    }
    if f.paused {
        return (Phase::Paused, "manually paused".to_string());
    }
    if f.updated < f.desired {
        return progressing(format!(
            "{} of {} new replicas have been updated",
            f.updated, f.desired
        ));
    }
    if f.replicas > f.updated {
        return progressing(format!(
            "{} old replicas are pending termination",
            f.replicas - f.updated
        ));
    }
    if f.available < f.updated {
        return progressing(format!(
            "{} of {} updated replicas are available",
            f.available, f.updated
        ));
    }
    (Phase::Healthy, String::new())
}

#[cfg(test)]
#[path = "phase_tests.rs"]
mod tests;
