//! The revision tree: revisions newest first; under each, its ReplicaSets (with their pods)
//! and then its AnalysisRuns, with the status and INFO cells the Argo Rollouts CLI gives
//! them (`pkg/kubectl-argo-rollouts/info/{replicaset,pod}_info.go`, `cmd/get/get_rollout.go`).

use crate::domain::human::human_duration;
use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::super::model::{Meta, Rollout};
use super::pod::Pod;
use super::{nullable, owned_by};
use crate::domain::revision::{NodeKind, TreeNode};

/// The Argo Rollouts annotation of a ReplicaSet to be scaled down at this RFC 3339 time.
const SCALE_DOWN_DEADLINE: &str = "scale-down-deadline";

/// How a tree is laid out: which annotation numbers revisions, which label holds the pod
/// template hash, and the Rollout whose roles tag the ReplicaSets (`None` for Deployments).
pub(super) struct Layout<'a> {
    pub revision_annotation: &'a str,
    pub hash_label: &'a str,
    pub rollout: Option<&'a Rollout>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReplicaSet {
    #[serde(deserialize_with = "nullable")]
    metadata: Meta,
    #[serde(deserialize_with = "nullable")]
    spec: RsSpec,
    #[serde(deserialize_with = "nullable")]
    status: RsStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RsSpec {
    replicas: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RsStatus {
    observed_generation: Option<i64>,
    available_replicas: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    conditions: Vec<RsCondition>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RsCondition {
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    #[serde(deserialize_with = "nullable")]
    status: String,
}

impl ReplicaSet {
    /// The pod template hash label; empty when absent.
    pub(super) fn hash(&self, label: &str) -> &str {
        self.metadata.labels.get(label).map_or("", String::as_str)
    }

    /// The revision annotation; 0 when absent or unreadable (as the CLI).
    pub(super) fn revision(&self, annotation: &str) -> u64 {
        self.metadata
            .annotations
            .get(annotation)
            .and_then(|r| r.parse().ok())
            .unwrap_or(0)
    }

    fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }

    /// The CLI's ReplicaSet health: Progressing while the spec is unobserved or replicas
    /// are missing, ReplicaFailure on that condition, ScaledDown at 0 replicas, else
    /// Healthy.
    fn health(&self) -> &'static str {
        let (spec, status) = (&self.spec, &self.status);
        if self.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
            return "Progressing";
        }
        let failure = status
            .conditions
            .iter()
            .any(|c| c.kind == "ReplicaFailure" && c.status == "True");
        if failure {
            return "ReplicaFailure";
        }
        if spec
            .replicas
            .is_some_and(|r| status.available_replicas.unwrap_or(0) < r)
        {
            return "Progressing";
        }
        if spec.replicas == Some(0) {
            return "ScaledDown";
        }
        "Healthy"
    }
}

/// The ReplicaSets in `list` owned by the object; unreadable ones are skipped.
pub(super) fn owned_replica_sets(list: &[Value], kind: &str, owner: &Meta) -> Vec<ReplicaSet> {
    list.iter()
        .filter_map(|v| super::parse::<ReplicaSet>(v).ok())
        .filter(|rs| owned_by(&rs.metadata, kind, owner))
        .collect()
}

/// The tree below the workload line: per revision (newest first) the revision line, its
/// ReplicaSets (by name) each followed by its pods (oldest first), then its runs (given
/// with their revision, in display order).
pub(super) fn branches(
    layout: &Layout,
    rss: &[ReplicaSet],
    pods: &[Value],
    runs: &[(u64, TreeNode)],
) -> Vec<TreeNode> {
    let pods: Vec<Pod> = pods.iter().filter_map(Pod::read).collect();
    let mut sets: Vec<&ReplicaSet> = rss.iter().collect();
    sets.sort_by(|a, b| {
        let rev = |rs: &ReplicaSet| rs.revision(layout.revision_annotation);
        rev(b).cmp(&rev(a)).then_with(|| a.name().cmp(b.name()))
    });
    let revisions: BTreeSet<u64> = sets
        .iter()
        .map(|rs| rs.revision(layout.revision_annotation))
        .chain(runs.iter().map(|(r, _)| *r))
        .collect();
    let mut out = Vec::new();
    for rev in revisions.into_iter().rev() {
        out.push(TreeNode {
            depth: 1,
            kind: NodeKind::Revision,
            name: format!("revision:{rev}"),
            status: String::new(),
            symbol: String::new(),
            created: None,
            info: Vec::new(),
            revision: Some(rev),
        });
        for rs in sets
            .iter()
            .filter(|rs| rs.revision(layout.revision_annotation) == rev)
        {
            out.push(rs_node(layout, rs, rev));
            let mut mine: Vec<&Pod> = pods
                .iter()
                .filter(|p| owned_by(&p.metadata, "ReplicaSet", &rs.metadata))
                .collect();
            mine.sort_by(|a, b| {
                let key = |p: &Pod| (p.metadata.creation_timestamp, p.metadata.name.clone());
                key(a).cmp(&key(b))
            });
            out.extend(mine.into_iter().map(|p| p.node(rev)));
        }
        for (_, node) in runs.iter().filter(|(r, _)| *r == rev) {
            out.push(TreeNode {
                revision: Some(rev),
                ..node.clone()
            });
        }
    }
    out
}

fn rs_node(layout: &Layout, rs: &ReplicaSet, rev: u64) -> TreeNode {
    let status = rs.health();
    let symbol = match status {
        "Progressing" => "◌",
        "Healthy" => "✔",
        "ReplicaFailure" => "✖",
        "ScaledDown" => "•",
        _ => "",
    };
    let mut info = layout
        .rollout
        .map(|ro| role_tags(ro, rs.hash(layout.hash_label)))
        .unwrap_or_default();
    if let Some(deadline) = rs.metadata.annotations.get(SCALE_DOWN_DEADLINE)
        && !deadline.is_empty()
    {
        let delay = DateTime::parse_from_rfc3339(deadline).map_or(String::new(), |d| {
            let left = d.with_timezone(&Utc) - layout.now;
            if left < TimeDelta::zero() {
                "passed".to_string()
            } else {
                human_duration(left)
            }
        });
        info.push(format!("delay:{delay}"));
    }
    TreeNode {
        depth: 2,
        kind: NodeKind::ReplicaSet,
        name: rs.name().to_string(),
        status: status.to_string(),
        symbol: symbol.to_string(),
        created: rs.metadata.creation_timestamp,
        info,
        revision: Some(rev),
    }
}

/// The roles of the ReplicaSet with pod template `hash`, in the CLI's order: stable, then
/// canary | active | preview, then ping, pong. (Like the CLI, an empty hash matches an
/// empty status field.)
fn role_tags(ro: &Rollout, hash: &str) -> Vec<String> {
    let st = &ro.status;
    let stable = st.stable_rs.as_deref().unwrap_or("") == hash;
    let current = st.current_pod_hash.as_deref().unwrap_or("") == hash;
    let (mut tags, mut ping, mut pong) = (Vec::new(), false, false);
    let mut role = None;
    if let Some(c) = &ro.spec.strategy.canary {
        let ping_pong = c.ping_pong.is_some();
        let stable_ping = st.canary.stable_ping_pong.as_deref() == Some("ping");
        if stable || current {
            if stable {
                tags.push("stable");
            } else {
                role = Some("canary");
            }
            if ping_pong {
                ping = stable == stable_ping;
                pong = !ping;
            }
        }
    }
    if ro.spec.strategy.blue_green.is_some() {
        let bg = &st.blue_green;
        if stable && !tags.contains(&"stable") {
            tags.push("stable");
        }
        if bg.active_selector.as_deref().unwrap_or("") == hash {
            role = role.or(Some("active"));
        } else if bg.preview_selector.as_deref().unwrap_or("") == hash {
            role = role.or(Some("preview"));
        }
    }
    tags.extend(role);
    tags.extend(ping.then_some("ping"));
    tags.extend(pong.then_some("pong"));
    tags.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations_follow_go() {
        let cases = [
            (45, "45s"),
            (302, "5m2s"),
            (900, "15m"),
            (11_100, "3h5m"),
            (273_600, "3d4h"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(TimeDelta::seconds(secs)), want);
        }
    }
}
