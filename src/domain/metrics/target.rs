//! Which rows are judged and what the query templates need to know of each: service names,
//! pod-template hashes and the release start.

use serde::{Deserialize, Serialize};

use super::{MetricTarget, ReleaseInfo};
use crate::domain::rollout::{ControllerKind, RolloutRow};

/// The workload whose ReplicaSets tell the release start: the owner kind and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReleaseOwner {
    /// `Rollout` or `Deployment`.
    pub kind: &'static str,
    pub name: String,
}

/// The owner of the ReplicaSets of a row's new version: the Rollout itself (or its
/// `workloadRef` Deployment's template, still owned by the Rollout), the Deployment, or
/// Flagger's target Deployment.
pub fn release_owner(row: &RolloutRow) -> ReleaseOwner {
    match row.key.kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => ReleaseOwner {
            kind: "Rollout",
            name: row.key.name.clone(),
        },
        ControllerKind::Flagger => ReleaseOwner {
            kind: "Deployment",
            name: row
                .flagger
                .as_ref()
                .map(|f| f.target.clone())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| row.key.name.clone()),
        },
        ControllerKind::Deployment => ReleaseOwner {
            kind: "Deployment",
            name: row.key.name.clone(),
        },
    }
}

/// What identifies the row's current release: the Argo pod hash, else the images being
/// rolled out (or running). A new value means a new release, whose start must be fetched.
pub fn release_revision(row: &RolloutRow) -> String {
    if let Some(hash) = row.argo.as_ref().and_then(|a| a.current_pod_hash.as_ref()) {
        return hash.clone();
    }
    row.containers
        .iter()
        .map(|c| {
            c.canary
                .as_ref()
                .or(c.stable.as_ref())
                .map_or("", |i| i.raw.as_str())
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The target of a row: its services and hashes by strategy, and the release when known.
pub fn target_for(row: &RolloutRow, release: Option<&ReleaseInfo>) -> MetricTarget {
    let mut t = MetricTarget {
        key: row.key.clone(),
        canary_service: None,
        stable_service: None,
        active_service: None,
        preview_service: None,
        canary_hash: release.and_then(|r| r.canary_hash.clone()),
        stable_hash: release.and_then(|r| r.stable_hash.clone()),
        release_start: release.map(|r| r.start),
    };
    match (row.key.kind, &row.argo, &row.flagger) {
        (ControllerKind::ArgoCanary, Some(a), _) => {
            t.canary_service = a.canary_service.clone();
            t.stable_service = a.stable_service.clone();
            t.stable_hash = a.stable_rs.clone().or(t.stable_hash);
            t.canary_hash = a
                .current_pod_hash
                .clone()
                .filter(|h| Some(h) != a.stable_rs.as_ref())
                .or(t.canary_hash);
        }
        (ControllerKind::ArgoBlueGreen, Some(a), _) => {
            t.active_service = a.active_service.clone();
            t.preview_service = a.preview_service.clone();
            t.stable_service = a.active_service.clone();
            t.canary_service = a.preview_service.clone();
            t.stable_hash = a.active_selector.clone().or(t.stable_hash);
            t.canary_hash = a
                .preview_selector
                .clone()
                .filter(|h| Some(h) != a.active_selector.as_ref())
                .or(t.canary_hash);
        }
        (ControllerKind::Flagger, _, Some(f)) => {
            let target = if f.target.is_empty() {
                &row.key.name
            } else {
                &f.target
            };
            t.canary_service = Some(format!("{target}-canary"));
            t.stable_service = Some(format!("{target}-primary"));
        }
        _ => t.stable_service = Some(row.key.name.clone()),
    }
    t
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
