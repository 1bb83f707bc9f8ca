//! Flagger `Canary` → row. Flagger keeps the canary version in the target Deployment and the
//! stable one in `<target>-primary`; the Canary's status has no replica counts or images, so
//! those come from the two Deployments when the caller passes them.

use serde_json::Value;

use super::model::{self, Canary};
use super::workload;
use super::{ConvertCtx, ConvertError, count, gitops, invalid_row, parse, since};
use crate::domain::detail::{FlaggerDetail, Pause, PauseReason, Webhook, flagger_attention};
use crate::domain::phase::{FlaggerPhase, flagger_phase};
use crate::domain::rollout::{ControllerKind, Replicas, RolloutRow, Weights};

/// The row of a Flagger Canary; an unreadable object becomes an invalid row.
pub fn canary_row(obj: &Value, ctx: &ConvertCtx) -> RolloutRow {
    convert(obj, ctx).unwrap_or_else(|e| invalid_row(obj, ControllerKind::Flagger, &e))
}

fn convert(obj: &Value, ctx: &ConvertCtx) -> Result<RolloutRow, ConvertError> {
    let canary: Canary = parse(obj)?;
    let name = canary
        .metadata
        .name
        .as_deref()
        .ok_or(ConvertError::NoName)?;
    let namespace = canary.metadata.namespace.as_deref().unwrap_or_default();
    let mut row = RolloutRow::new(namespace, name, ControllerKind::Flagger);
    let spec = &canary.spec;
    let status = canary.status.unwrap_or_default();
    row.seen = super::seen::canary(&canary.metadata, status.phase.as_deref());
    let analysis = spec.analysis.as_ref().or(spec.canary_analysis.as_ref());

    let promoted = status.conditions.iter().find(|c| c.kind == "Promoted");
    let (phase, message, fp) = flagger_phase(
        status.phase.as_deref(),
        promoted.map(|c| c.message.as_str()),
    );
    row.phase = phase;
    row.message = message;

    let detail = FlaggerDetail {
        phase: fp,
        canary_weight: count(status.canary_weight),
        failed_checks: count(status.failed_checks),
        threshold: analysis.and_then(|a| a.threshold).map(|t| count(Some(t))),
        iterations: count(status.iterations),
        max_iterations: analysis.and_then(|a| a.iterations).map(|t| count(Some(t))),
        max_weight: analysis.and_then(|a| a.max_weight).map(|t| count(Some(t))),
        step_weight: analysis.and_then(|a| a.step_weight).map(|t| count(Some(t))),
        step_weights: analysis
            .map(|a| a.step_weights.iter().map(|w| count(Some(*w))).collect())
            .unwrap_or_default(),
        suspended: spec.suspend,
        skip_analysis: spec.skip_analysis,
        webhooks: analysis
            .map(|a| {
                a.webhooks
                    .iter()
                    .map(|w| Webhook {
                        name: w.name.clone(),
                        kind: w
                            .kind
                            .clone()
                            .filter(|k| !k.is_empty())
                            .unwrap_or_else(|| "rollout".to_string()),
                        url: w.url.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        target: spec.target_ref.name.clone(),
    };
    let in_flight = fp.is_some_and(FlaggerPhase::in_flight);
    if in_flight {
        row.weights = Some(Weights {
            set: detail.canary_weight,
            actual: Some(detail.canary_weight),
        });
    }

    let deployment = |v: Option<&Value>, want: &str| {
        v.and_then(|v| parse::<model::Deployment>(v).ok())
            .filter(|d| !want.is_empty() && d.metadata.name.as_deref() == Some(want))
    };
    let target = deployment(ctx.workload, &detail.target);
    let primary = deployment(ctx.primary, &format!("{}-primary", detail.target));
    if let Some(p) = &primary {
        row.replicas = Replicas {
            desired: count(Some(p.spec.replicas.unwrap_or(1))),
            current: count(p.status.replicas),
            updated: count(p.status.updated_replicas),
            ready: count(p.status.ready_replicas),
            available: count(p.status.available_replicas),
        };
    }
    let target_images = target.map(|d| workload::images_of(&d.spec.template));
    let primary_images = primary.map(|d| workload::images_of(&d.spec.template));
    let containers = if in_flight {
        workload::container_images(
            &target_images.unwrap_or_default(),
            primary_images.as_deref(),
            true,
        )
    } else {
        let stable = primary_images.or(target_images).unwrap_or_default();
        workload::container_images(&stable, None, false)
    };
    row.set_containers(containers, ctx.require_digest);

    row.pause = match fp {
        Some(FlaggerPhase::Waiting) => Some(PauseReason::FlaggerWaiting),
        Some(FlaggerPhase::WaitingPromotion) => Some(PauseReason::FlaggerWaitingPromotion),
        _ => None,
    }
    .map(|reason| Pause {
        reason,
        since: status
            .last_transition_time
            .or(promoted.and_then(|c| c.last_transition_time)),
    });
    row.gitops = gitops(&canary.metadata);
    row.since = since(
        &canary.metadata,
        status
            .conditions
            .iter()
            .map(|c| c.last_transition_time)
            .chain([status.last_transition_time]),
    );
    row.attention = flagger_attention(&detail);
    super::seen::approval(&mut row, &canary.metadata);
    row.flagger = Some(detail);
    Ok(row)
}
