//! STUB — the [detail] conversion helper replaces the bodies (signatures are the contract).

use serde_json::Value;

use crate::domain::revision::DetailSnapshot;

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
    let _ = (workload, replica_sets, pods, analysis_runs, events);
    DetailSnapshot::default()
}
