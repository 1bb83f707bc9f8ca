//! Argo Rollouts `Rollout` → row, with the phase, step, weights and images that
//! `kubectl argo rollouts get rollout` shows.

use serde_json::Value;

use super::model::{self, ReplicaSet, Rollout};
use super::workload::{self, NamedImage};
use super::{ConvertCtx, ConvertError, count, gitops, invalid_row, parse, phase_condition, since};
use crate::domain::detail::{
    AnalysisPhase, AnalysisRunStatus, ArgoDetail, ImageTag, Pause, PauseReason, TaggedImage,
    argo_attention,
};
use crate::domain::phase::{ArgoPhaseFacts, ArgoStrategy, argo_phase};
use crate::domain::rollout::{ControllerKind, Replicas, RolloutRow, StepProgress, Weights};
use crate::domain::steps::{CanaryStep, WeightFacts, duration_seconds};

const HASH_LABEL: &str = "rollouts-pod-template-hash";
const WORKLOAD_GENERATION: &str = "rollout.argoproj.io/workload-generation";

/// The row of an Argo Rollout; an unreadable object becomes an invalid row.
pub fn rollout_row(obj: &Value, ctx: &ConvertCtx) -> RolloutRow {
    convert(obj, ctx).unwrap_or_else(|e| {
        let blue_green = obj.pointer("/spec/strategy/blueGreen").is_some()
            && obj.pointer("/spec/strategy/canary").is_none();
        let kind = if blue_green {
            ControllerKind::ArgoBlueGreen
        } else {
            ControllerKind::ArgoCanary
        };
        invalid_row(obj, kind, &e)
    })
}

fn convert(obj: &Value, ctx: &ConvertCtx) -> Result<RolloutRow, ConvertError> {
    let ro: Rollout = parse(obj)?;
    let name = ro.metadata.name.as_deref().ok_or(ConvertError::NoName)?;
    let namespace = ro.metadata.namespace.as_deref().unwrap_or_default();
    let (spec, status) = (&ro.spec, &ro.status);
    let canary = spec.strategy.canary.as_ref();
    let blue_green = spec.strategy.blue_green.as_ref();
    let kind = match (canary, &spec.strategy.blue_green) {
        (Some(_), _) => ControllerKind::ArgoCanary,
        (None, Some(_)) => ControllerKind::ArgoBlueGreen,
        (None, None) => return Err(ConvertError::NoStrategy),
    };
    let mut row = RolloutRow::new(namespace, name, kind);

    let steps: Vec<CanaryStep> = canary
        .map(|c| c.steps.iter().map(step).collect())
        .unwrap_or_default();
    let current_step_index = status.current_step_index.map(|i| count(Some(i)));
    let owned = ctx
        .replica_sets
        .map(|list| workload::owned_replica_sets(list, "Rollout", &ro.metadata));
    let stable_rs = status.stable_rs.clone().unwrap_or_default();
    let current_hash = status.current_pod_hash.clone().unwrap_or_default();

    let detail = ArgoDetail {
        pause_conditions: status
            .pause_conditions
            .iter()
            .map(|p| Pause {
                reason: PauseReason::parse(&p.reason),
                since: p.start_time,
            })
            .collect(),
        controller_pause: status.controller_pause,
        aborted: status.abort,
        aborted_at: status.aborted_at,
        current_pod_hash: status.current_pod_hash.clone().filter(|h| !h.is_empty()),
        stable_rs: status.stable_rs.clone().filter(|h| !h.is_empty()),
        current_step_index,
        steps,
        traffic_routing: canary.is_some_and(|c| c.traffic_routing.is_some()),
        step_analysis: analysis(status.canary.current_step_analysis_run_status.as_ref()),
        background_analysis: analysis(
            status
                .canary
                .current_background_analysis_run_status
                .as_ref(),
        ),
        active_selector: status.blue_green.active_selector.clone(),
        preview_selector: status.blue_green.preview_selector.clone(),
        workload_ref: spec.workload_ref.as_ref().map(|w| w.name.clone()),
        canary_service: canary.and_then(|c| nonempty(&c.canary_service)),
        stable_service: canary.and_then(|c| nonempty(&c.stable_service)),
        active_service: blue_green.and_then(|b| nonempty(&b.active_service)),
        preview_service: blue_green.and_then(|b| nonempty(&b.preview_service)),
        images: owned
            .as_deref()
            .map(|rss| cli_images(&ro, rss))
            .unwrap_or_default(),
    };

    row.seen = super::argo_facts::seen_of(&ro)?;
    let (phase, message) = argo_phase(&phase_facts(&ro));
    row.phase = phase;
    row.message = message;
    if let (Some(c), Some(index)) = (canary, current_step_index)
        && !c.steps.is_empty()
    {
        row.step = Some(StepProgress {
            index,
            total: u32::try_from(c.steps.len()).unwrap_or(u32::MAX),
        });
    }
    if let Some(c) = canary {
        let max_weight = c
            .traffic_routing
            .as_ref()
            .and_then(|t| t.max_traffic_weight)
            .map_or(100, |w| count(Some(w)));
        let canary_rs_available = owned.as_deref().map(|rss| {
            rss.iter()
                .filter(|rs| {
                    let h = workload::hash(rs, HASH_LABEL);
                    h != stable_rs && h == current_hash
                })
                .map(|rs| count(rs.status.available_replicas))
                .next_back()
                .unwrap_or(0)
        });
        let facts = WeightFacts {
            steps: &detail.steps,
            current_step_index,
            aborted: status.abort,
            max_weight,
            traffic_routing: detail.traffic_routing,
            reported_canary_weight: status
                .canary
                .weights
                .as_ref()
                .map(|w| count(w.canary.weight)),
            available: count(status.available_replicas),
            canary_rs_available,
        };
        row.weights = Some(Weights {
            set: facts.set_weight(),
            actual: facts.actual_weight(),
        });
    }
    row.replicas = Replicas {
        desired: count(Some(spec.replicas.unwrap_or(1))),
        current: count(status.replicas),
        updated: count(status.updated_replicas),
        ready: count(status.ready_replicas),
        available: count(status.available_replicas),
    };

    let current = current_images(&ro, ctx, owned.as_deref());
    let stable = owned.as_deref().and_then(|rss| {
        rss.iter()
            .find(|rs| !stable_rs.is_empty() && workload::hash(rs, HASH_LABEL) == stable_rs)
            .map(|rs| workload::images_of(&rs.spec.template))
    });
    let in_flight = !detail.fully_promoted();
    row.set_containers(
        workload::container_images(&current, stable.as_deref(), in_flight),
        ctx.require_digest,
    );

    row.spec_paused = spec.paused;
    row.pause = if spec.paused {
        Some(Pause {
            reason: PauseReason::Manual,
            since: status.pause_conditions.first().and_then(|p| p.start_time),
        })
    } else {
        detail.pause_conditions.first().cloned()
    };
    row.gitops = gitops(&ro.metadata);
    row.since = since(
        &ro.metadata,
        status
            .conditions
            .iter()
            .map(|c| c.last_transition_time)
            .chain(status.pause_conditions.iter().map(|p| p.start_time))
            .chain([status.aborted_at]),
    );
    row.attention = argo_attention(row.phase, &detail);
    super::seen::approval(&mut row, &ro.metadata);
    row.argo = Some(detail);
    Ok(row)
}

pub(super) fn step(s: &model::Step) -> CanaryStep {
    if let Some(w) = s.set_weight {
        return CanaryStep::SetWeight(count(Some(w)));
    }
    if let Some(p) = &s.pause {
        let duration = p.duration.as_ref().map(|d| match d {
            model::NumOrString::Num(n) => format!("{n}s"),
            model::NumOrString::Str(s) => s.clone(),
        });
        let seconds = p
            .duration
            .as_ref()
            .and_then(|d| duration_seconds(&d.text()));
        return CanaryStep::Pause { duration, seconds };
    }
    if s.experiment.is_some() {
        CanaryStep::Experiment
    } else if s.analysis.is_some() {
        CanaryStep::Analysis
    } else if s.set_canary_scale.is_some() {
        CanaryStep::SetCanaryScale
    } else if let Some(p) = &s.plugin {
        CanaryStep::Plugin(p.name.clone())
    } else if s.set_header_route.is_some() {
        CanaryStep::SetHeaderRoute
    } else if s.set_mirror_route.is_some() {
        CanaryStep::SetMirrorRoute
    } else {
        CanaryStep::Other
    }
}

fn analysis(s: Option<&model::AnalysisRunStatus>) -> Option<AnalysisRunStatus> {
    s.map(|s| AnalysisRunStatus {
        name: s.name.clone(),
        phase: AnalysisPhase::parse(&s.status),
        message: s.message.clone(),
    })
}

fn phase_facts(ro: &Rollout) -> ArgoPhaseFacts {
    let (spec, status) = (&ro.spec, &ro.status);
    let strategy = match (&spec.strategy.canary, &spec.strategy.blue_green) {
        (Some(c), _) => ArgoStrategy::Canary {
            traffic_routing: c.traffic_routing.is_some(),
        },
        (None, Some(bg)) => ArgoStrategy::BlueGreen {
            post_promotion_analysis: bg.post_promotion_analysis.is_some(),
            post_promotion_completed: status
                .blue_green
                .post_promotion_analysis_run_status
                .as_ref()
                .is_some_and(|s| AnalysisPhase::parse(&s.status).completed()),
        },
        (None, None) => ArgoStrategy::None,
    };
    ArgoPhaseFacts {
        generation: ro.metadata.generation.unwrap_or(0),
        observed_generation: status.observed_generation.as_ref().map(|g| g.text()),
        controller_pause: status.controller_pause,
        pause_reasons: status
            .pause_conditions
            .iter()
            .map(|p| p.reason.clone())
            .collect(),
        workload_ref: spec.workload_ref.is_some(),
        workload_generation: ro.metadata.annotations.get(WORKLOAD_GENERATION).cloned(),
        workload_observed_generation: status
            .workload_observed_generation
            .as_ref()
            .map(|g| g.text()),
        status_phase: status.phase.clone(),
        status_message: status.message.clone(),
        conditions: status.conditions.iter().map(phase_condition).collect(),
        spec_paused: spec.paused,
        restart_at: spec.restart_at,
        restarted_at: status.restarted_at,
        desired: spec.replicas.unwrap_or(1),
        replicas: status.replicas.unwrap_or(0),
        updated: status.updated_replicas.unwrap_or(0),
        available: status.available_replicas.unwrap_or(0),
        strategy,
        current_pod_hash: status.current_pod_hash.clone().unwrap_or_default(),
        stable_rs: status.stable_rs.clone().unwrap_or_default(),
        active_selector: status
            .blue_green
            .active_selector
            .clone()
            .unwrap_or_default(),
    }
}

/// The desired version's containers: the referenced Deployment's template for a
/// `workloadRef` rollout, else the rollout's own; failing both, the newest ReplicaSet's.
fn current_images(ro: &Rollout, ctx: &ConvertCtx, owned: Option<&[ReplicaSet]>) -> Vec<NamedImage> {
    if let Some(wref) = &ro.spec.workload_ref {
        let referenced = ctx
            .workload
            .and_then(|v| parse::<model::Deployment>(v).ok())
            .filter(|d| d.metadata.name.as_deref() == Some(wref.name.as_str()));
        if let Some(d) = referenced {
            return workload::images_of(&d.spec.template);
        }
    }
    let own = workload::images_of(&ro.spec.template);
    if !own.is_empty() {
        return own;
    }
    let hash = ro.status.current_pod_hash.as_deref().unwrap_or_default();
    owned
        .unwrap_or_default()
        .iter()
        .find(|rs| !hash.is_empty() && workload::hash(rs, HASH_LABEL) == hash)
        .map(|rs| workload::images_of(&rs.spec.template))
        .unwrap_or_default()
}

/// The CLI's `Images:` block: every image of a ReplicaSet with pods, tagged with the
/// ReplicaSet's roles (in the order canary, stable, active, preview, ping, pong); an image
/// of several ReplicaSets gets the union of their tags, sorted by name; images sorted.
fn cli_images(ro: &Rollout, rss: &[ReplicaSet]) -> Vec<TaggedImage> {
    let (spec, status) = (&ro.spec, &ro.status);
    let stable_rs = status.stable_rs.as_deref().unwrap_or_default();
    let current = status.current_pod_hash.as_deref().unwrap_or_default();
    let ping_pong = spec
        .strategy
        .canary
        .as_ref()
        .is_some_and(|c| c.ping_pong.is_some());
    let stable_is_ping = status.canary.stable_ping_pong.as_deref() == Some("ping");
    let mut out: Vec<TaggedImage> = Vec::new();
    for rs in rss.iter().filter(|rs| count(rs.status.replicas) > 0) {
        let h = workload::hash(rs, HASH_LABEL);
        let mut tags = Vec::new();
        if spec.strategy.canary.is_some() {
            let role = if h == stable_rs {
                Some((ImageTag::Stable, stable_is_ping))
            } else if h == current {
                Some((ImageTag::Canary, !stable_is_ping))
            } else {
                None
            };
            if let Some((tag, ping)) = role {
                tags.push(tag);
                if ping_pong {
                    tags.push(if ping { ImageTag::Ping } else { ImageTag::Pong });
                }
            }
        }
        if spec.strategy.blue_green.is_some() {
            let bg = &status.blue_green;
            if h == stable_rs {
                tags.push(ImageTag::Stable);
            }
            if bg.active_selector.as_deref() == Some(h.as_str()) {
                tags.push(ImageTag::Active);
            } else if bg.preview_selector.as_deref() == Some(h.as_str()) {
                tags.push(ImageTag::Preview);
            }
        }
        for (_, image) in workload::images_of(&rs.spec.template) {
            merge(&mut out, image, tags.clone());
        }
    }
    out.sort_by(|a, b| a.image.cmp(&b.image));
    out
}

fn merge(out: &mut Vec<TaggedImage>, image: String, tags: Vec<ImageTag>) {
    match out.iter_mut().find(|t| t.image == image) {
        Some(existing) => {
            existing.tags.extend(tags);
            existing.tags.sort_by_key(|t| t.label());
            existing.tags.dedup();
        }
        None => out.push(TaggedImage { image, tags }),
    }
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.is_empty())
}
