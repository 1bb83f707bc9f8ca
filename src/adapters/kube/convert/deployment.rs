//! Kubernetes `Deployment` → row: progress as `kubectl rollout status` judges it.

use serde_json::Value;

use super::model::Deployment;
use super::workload;
use super::{ConvertCtx, ConvertError, count, gitops, invalid_row, parse, phase_condition, since};
use crate::domain::detail::{Pause, PauseReason};
use crate::domain::phase::{DeploymentFacts, Phase, deployment_phase};
use crate::domain::rollout::{Attention, ControllerKind, Replicas, RolloutRow};

const REVISION: &str = "deployment.kubernetes.io/revision";

/// The row of a Deployment; an unreadable object becomes an invalid row.
pub fn deployment_row(obj: &Value, ctx: &ConvertCtx) -> RolloutRow {
    convert(obj, ctx).unwrap_or_else(|e| invalid_row(obj, ControllerKind::Deployment, &e))
}

fn convert(obj: &Value, ctx: &ConvertCtx) -> Result<RolloutRow, ConvertError> {
    let d: Deployment = parse(obj)?;
    let name = d.metadata.name.as_deref().ok_or(ConvertError::NoName)?;
    let namespace = d.metadata.namespace.as_deref().unwrap_or_default();
    let mut row = RolloutRow::new(namespace, name, ControllerKind::Deployment);
    row.seen = super::seen::deployment(&d.metadata, d.spec.paused);
    let (spec, status) = (&d.spec, &d.status);
    let progressing = status.conditions.iter().find(|c| c.kind == "Progressing");
    let facts = DeploymentFacts {
        generation: d.metadata.generation.unwrap_or(0),
        observed_generation: status.observed_generation.unwrap_or(0),
        paused: spec.paused,
        desired: spec.replicas.unwrap_or(1),
        replicas: status.replicas.unwrap_or(0),
        updated: status.updated_replicas.unwrap_or(0),
        available: status.available_replicas.unwrap_or(0),
        progressing: progressing.map(phase_condition),
    };
    let (phase, message) = deployment_phase(&facts);
    row.phase = phase;
    row.message = message;
    row.replicas = Replicas {
        desired: count(Some(facts.desired)),
        current: count(status.replicas),
        updated: count(status.updated_replicas),
        ready: count(status.ready_replicas),
        available: count(status.available_replicas),
    };

    // In flight while the spec is unobserved, not every replica runs the new template, or
    // old replicas remain.
    let in_flight = facts.observed_generation < facts.generation
        || facts.updated < facts.desired
        || facts.replicas > facts.updated;
    let stable = ctx.replica_sets.and_then(|list| {
        let mut owned = workload::owned_replica_sets(list, "Deployment", &d.metadata);
        owned.sort_by_key(|rs| std::cmp::Reverse(workload::revision(rs, REVISION)));
        let older = owned.get(1..).unwrap_or_default();
        older
            .iter()
            .find(|rs| count(rs.status.replicas) > 0)
            .or(older.first())
            .map(|rs| workload::images_of(&rs.spec.template))
    });
    row.set_containers(
        workload::container_images(
            &workload::images_of(&spec.template),
            stable.as_deref(),
            in_flight,
        ),
        ctx.require_digest,
    );

    row.spec_paused = spec.paused;
    if spec.paused {
        row.pause = Some(Pause {
            reason: PauseReason::Manual,
            since: progressing
                .filter(|c| c.reason == "DeploymentPaused")
                .and_then(|c| c.last_transition_time),
        });
    }
    row.gitops = gitops(&d.metadata);
    row.since = since(
        &d.metadata,
        status.conditions.iter().map(|c| c.last_transition_time),
    );
    row.attention = (phase == Phase::Degraded).then_some(Attention::Degraded);
    super::seen::approval(&mut row, &d.metadata);
    Ok(row)
}
