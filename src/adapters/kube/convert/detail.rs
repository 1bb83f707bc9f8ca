//! The detail of a workload: the revision tree as `kubectl argo rollouts get rollout` draws
//! it (`detail_tree.rs`), every AnalysisRun with its measured values (`detail_analysis.rs`)
//! and the workload's events (here). Pure: the related objects come as JSON, unfiltered;
//! what does not belong to the workload (owner references, involved object) is ignored, and
//! an unreadable related object is skipped, never spoiling the rest.

#[path = "detail_analysis.rs"]
mod analysis;
#[path = "detail_pod.rs"]
mod pod;
#[path = "detail_tree.rs"]
mod tree;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::model::Meta;
use super::{ConvertCtx, parse};
use crate::domain::phase::Phase;
use crate::domain::revision::{DetailSnapshot, EventView, NodeKind, TreeNode};

pub use analysis::parse_threshold;

/// At most this many events are kept (newest first).
pub const MAX_EVENTS: usize = 20;

const ARGO_REVISION: &str = "rollout.argoproj.io/revision";
const ARGO_HASH: &str = "rollouts-pod-template-hash";
const DEPLOYMENT_REVISION: &str = "deployment.kubernetes.io/revision";

/// The detail of a workload (an Argo Rollout, a Deployment or a Flagger Canary's target
/// Deployment, as JSON) from its related objects (JSON, unfiltered: what is not related is
/// ignored).
pub fn snapshot(
    workload: &Value,
    replica_sets: &[Value],
    pods: &[Value],
    analysis_runs: &[Value],
    events: &[Value],
) -> DetailSnapshot {
    snapshot_at(
        crate::adapters::clock::now(),
        workload,
        replica_sets,
        pods,
        analysis_runs,
        events,
    )
}

/// [`snapshot`] as of `now` (only the `delay:` of a ReplicaSet awaiting scale-down
/// depends on the time).
pub fn snapshot_at(
    now: DateTime<Utc>,
    workload: &Value,
    replica_sets: &[Value],
    pods: &[Value],
    analysis_runs: &[Value],
    events: &[Value],
) -> DetailSnapshot {
    if !workload.is_object() {
        // Not (yet) known: nothing to show rather than a nameless line.
        return DetailSnapshot::default();
    }
    let meta: Meta = workload
        .get("metadata")
        .and_then(|m| parse(m).ok())
        .unwrap_or_default();
    let ctx = ConvertCtx {
        replica_sets: Some(replica_sets),
        ..ConvertCtx::default()
    };
    let kind = workload.get("kind").and_then(Value::as_str).unwrap_or("");
    let (node_kind, row) = match kind {
        "Rollout" => (NodeKind::Rollout, Some(super::rollout_row(workload, &ctx))),
        "Deployment" => (
            NodeKind::Deployment,
            Some(super::deployment_row(workload, &ctx)),
        ),
        "Canary" => (NodeKind::Canary, Some(super::canary_row(workload, &ctx))),
        _ => (NodeKind::Deployment, None),
    };
    let phase = row.as_ref().map_or(Phase::Unknown, |r| r.phase);
    let head = TreeNode {
        depth: 0,
        kind: node_kind,
        name: meta.name.clone().unwrap_or_default(),
        status: phase.label().to_string(),
        symbol: phase.symbol(false).to_string(),
        created: meta.creation_timestamp,
        info: Vec::new(),
        revision: None,
    };
    let mut out = DetailSnapshot {
        row: row.map(Box::new),
        tree: vec![head],
        analysis: Vec::new(),
        events: events_of(events, kind, &meta),
    };
    match node_kind {
        NodeKind::Rollout => {
            let ro = parse::<super::model::Rollout>(workload).ok();
            let rss = tree::owned_replica_sets(replica_sets, "Rollout", &meta);
            let by_hash = |hash: &str| {
                rss.iter()
                    .find(|rs| !hash.is_empty() && rs.hash(ARGO_HASH) == hash)
                    .map(|rs| rs.revision(ARGO_REVISION))
            };
            let runs =
                analysis::owned_runs(analysis_runs, &meta, ARGO_REVISION, ARGO_HASH, by_hash);
            let layout = tree::Layout {
                revision_annotation: ARGO_REVISION,
                hash_label: ARGO_HASH,
                rollout: ro.as_ref(),
                now,
            };
            let run_nodes: Vec<(u64, TreeNode)> =
                runs.iter().map(|r| (r.revision, r.node())).collect();
            out.tree
                .extend(tree::branches(&layout, &rss, pods, &run_nodes));
            out.analysis = analysis::views(&runs);
        }
        NodeKind::Deployment if kind == "Deployment" => {
            let rss = tree::owned_replica_sets(replica_sets, "Deployment", &meta);
            let layout = tree::Layout {
                revision_annotation: DEPLOYMENT_REVISION,
                hash_label: "pod-template-hash",
                rollout: None,
                now,
            };
            out.tree.extend(tree::branches(&layout, &rss, pods, &[]));
        }
        _ => {}
    }
    out
}

/// `null` reads as the default, like an absent field.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Whether `meta` names the object (`kind`, `owner`) among its owner references: by UID
/// when the owner has one, else by kind and name; never across namespaces.
fn owned_by(meta: &Meta, kind: &str, owner: &Meta) -> bool {
    let same_ns = match (&meta.namespace, &owner.namespace) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    let uid = owner.uid.as_deref().filter(|u| !u.is_empty());
    same_ns
        && meta.owner_references.iter().any(|o| match uid {
            Some(uid) => o.uid == uid,
            None => o.kind == kind && owner.name.as_deref() == Some(o.name.as_str()),
        })
}

// ---- events --------------------------------------------------------------------------

/// A `v1` Event or an `events.k8s.io/v1` Event: the fields read from either.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Event {
    involved_object: Option<ObjectRef>,
    regarding: Option<ObjectRef>,
    #[serde(rename = "type")]
    kind: Option<String>,
    reason: Option<String>,
    message: Option<String>,
    note: Option<String>,
    count: Option<i64>,
    deprecated_count: Option<i64>,
    last_timestamp: Option<DateTime<Utc>>,
    deprecated_last_timestamp: Option<DateTime<Utc>>,
    event_time: Option<DateTime<Utc>>,
    first_timestamp: Option<DateTime<Utc>>,
    deprecated_first_timestamp: Option<DateTime<Utc>>,
    series: Option<Series>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Series {
    count: Option<i64>,
    last_observed_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ObjectRef {
    kind: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
}

/// The events about the workload itself, newest first (by the latest of series, last
/// timestamp and event time), at most [`MAX_EVENTS`].
fn events_of(events: &[Value], kind: &str, meta: &Meta) -> Vec<EventView> {
    let mut out: Vec<EventView> = events
        .iter()
        .filter_map(|v| parse::<Event>(v).ok())
        .filter(|e| {
            e.involved_object
                .as_ref()
                .or(e.regarding.as_ref())
                .is_some_and(|o| about(o, kind, meta))
        })
        .map(|e| {
            let last_seen = [
                e.series.as_ref().and_then(|s| s.last_observed_time),
                e.last_timestamp,
                e.deprecated_last_timestamp,
                e.event_time,
            ]
            .into_iter()
            .flatten()
            .max()
            .or(e.first_timestamp)
            .or(e.deprecated_first_timestamp);
            let count = e
                .series
                .as_ref()
                .and_then(|s| s.count)
                .or(e.count)
                .or(e.deprecated_count);
            EventView {
                warning: e.kind.as_deref() == Some("Warning"),
                reason: e.reason.unwrap_or_default(),
                message: e.message.or(e.note).unwrap_or_default(),
                count: super::count(count).max(1),
                last_seen,
            }
        })
        .collect();
    // Stable: events seen at the same time keep their input order.
    out.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
    out.truncate(MAX_EVENTS);
    out
}

fn about(o: &ObjectRef, kind: &str, meta: &Meta) -> bool {
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    if let (Some(a), Some(b)) = (nonempty(&o.uid), nonempty(&meta.uid)) {
        return a == b;
    }
    let same_ns = match (nonempty(&o.namespace), nonempty(&meta.namespace)) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    same_ns
        && o.kind.as_deref() == Some(kind)
        && o.name.is_some()
        && o.name.as_deref() == meta.name.as_deref()
}

#[cfg(test)]
#[path = "detail_tests.rs"]
mod tests;
