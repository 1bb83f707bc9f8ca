//! Scenarios: the worlds `shipdeck sim --scenario NAME` starts with. `casino` is the demo
//! world and story of PRODUCT.md ("The demo world"); `steady` is the same platform with
//! nothing moving; `empty` is a bare cluster.

mod objects;
pub mod scale;

use std::time::Duration;

use serde_json::Value;

use super::world::ctx::Ctx;
use super::world::{StoryStep, release};

pub use objects::image;

pub struct Scenario {
    pub objects: Vec<Value>,
    pub story: Vec<StoryStep>,
    /// The namespace the kubeconfig's contexts default to.
    pub namespace: Option<&'static str>,
    /// `/metrics` labels series by the pod serving them (small scenarios); the scale
    /// scenario exposes per-track aggregates only.
    pub pod_labels: bool,
    /// Objects carry a recorded status (created as loaded, not as API writes).
    pub recorded: bool,
    /// Workloads whose traffic is modelled from the start (namespace, name, canary share).
    pub flows: Vec<(String, String, f64)>,
    /// Extra controllers the scenario runs (the scale scenario's churn).
    pub controllers: Vec<Box<dyn super::world::ctx::Controller>>,
}

/// The scenario names, for `--scenario` and its error message.
pub const NAMES: &[&str] = &["empty", "casino", "steady", "scale"];

pub use scale::ScaleOptions;

pub fn build(name: &str) -> Option<Scenario> {
    build_with(name, &ScaleOptions::default())
}

/// Like `build`; `scale` sizes the `scale` scenario.
pub fn build_with(name: &str, scale: &ScaleOptions) -> Option<Scenario> {
    match name {
        "empty" => Some(Scenario {
            objects: Vec::new(),
            story: Vec::new(),
            namespace: None,
            pod_labels: true,
            recorded: false,
            flows: Vec::new(),
            controllers: Vec::new(),
        }),
        "scale" => {
            let (objects, inflight) = scale::objects(scale);
            Some(Scenario {
                objects,
                story: Vec::new(),
                namespace: None,
                pod_labels: false,
                recorded: true,
                flows: inflight.into_iter().map(|(ns, n)| (ns, n, 0.2)).collect(),
                controllers: vec![Box::new(scale::Churn::new(*scale))],
            })
        }
        "casino" => Some(casino(true)),
        "steady" => Some(casino(false)),
        _ => None,
    }
}

const PROD: &str = "casino-prod";
const STAGING: &str = "casino-staging";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn game_engine_steps(ns: &str) -> Value {
    serde_json::json!([
        {"setWeight": 5},
        {"pause": {"duration": "20s"}},
        {"setWeight": 25},
        {"analysis": {
            "templates": [{"templateName": "success-rate"}],
            "args": [
                {"name": "rollout", "value": "game-engine"},
                {"name": "namespace", "value": ns},
            ],
        }},
        {"setWeight": 50},
        {"pause": {}},
        {"setWeight": 100},
    ])
}

fn payments_steps() -> Value {
    serde_json::json!([
        {"setWeight": 10}, {"pause": {"duration": "30s"}},
        {"setWeight": 30}, {"pause": {"duration": "30s"}},
        {"setWeight": 60}, {"pause": {"duration": "30s"}},
        {"setWeight": 100},
    ])
}

/// The casino platform; with `moving`, the story of PRODUCT.md plays on it.
fn casino(moving: bool) -> Scenario {
    use objects::*;
    let mut o = vec![namespace(PROD), namespace(STAGING)];
    for (ns, ge, pay, lobby) in [
        (PROD, "1.8.3", "3.1.4", "1.7.2"),
        (STAGING, "1.9.0", "3.2.0", "2.0.0"),
    ] {
        let replicas = if ns == PROD { (10, 10, 4) } else { (2, 2, 2) };
        o.push(success_rate_template(ns));
        o.push(service(ns, "game-engine", "game-engine"));
        o.push(canary_rollout(
            ns,
            "game-engine",
            &image("game-engine", ge),
            replicas.0,
            game_engine_steps(ns),
            true,
        ));
        o.push(service(ns, "payments", "payments"));
        o.push(canary_rollout(
            ns,
            "payments",
            &image("payments", pay),
            replicas.1,
            payments_steps(),
            true,
        ));
        o.push(service(ns, "lobby-active", "lobby"));
        o.push(service(ns, "lobby-preview", "lobby"));
        o.push(bluegreen_rollout(
            ns,
            "lobby",
            &image("lobby", lobby),
            replicas.2,
        ));
    }
    o.push(deployment(PROD, "bonus", &image("bonus", "1.3.5"), 3));
    o.push(flagger_canary(PROD, "bonus"));
    o.push(service(PROD, "flagger-loadtester", "flagger-loadtester"));
    o.push(deployment(PROD, "wallet", &image("wallet", "4.0.1"), 3));
    o.push(service(PROD, "wallet", "wallet"));
    o.push(deployment(PROD, "auth", &image("auth", "2.4.1"), 3));
    o.push(service(PROD, "auth", "auth"));
    o.push(deployment(
        PROD,
        "notifications",
        &image("notifications", "latest"),
        2,
    ));
    o.push(flags_configmap(PROD));

    let mut story = Vec::new();
    if moving {
        let rel = |at: u64, name: &'static str, tag: &'static str| {
            StoryStep::new(
                secs(at),
                &format!("release {PROD}/{name} {tag}"),
                move |ctx: &mut Ctx<'_>| {
                    if let Err(e) = release(ctx, PROD, name, &image(name, tag)) {
                        tracing::warn!(%e, "story release failed");
                    }
                },
            )
        };
        story.push(rel(5, "game-engine", "1.9.0"));
        story.push(rel(10, "payments", "3.2.0"));
        story.push(rel(15, "lobby", "2.0.0"));
        story.push(rel(20, "bonus", "1.4.0"));
        story.push(rel(30, "auth", "2.4.2"));
        story.push(StoryStep::new(
            secs(60),
            "payments canary regresses (5xx x8, latency x3)",
            |ctx: &mut Ctx<'_>| {
                use crate::sim::traffic::model::{FaultKind, TrafficFault};
                use crate::sim::traffic::series::Track;
                let from = ctx.metrics.now();
                for kind in [FaultKind::Errors(8.0), FaultKind::Latency(3.0)] {
                    ctx.metrics.traffic.add_fault(TrafficFault {
                        namespace: PROD.to_string(),
                        rollout: "payments".to_string(),
                        track: Some(Track::Canary),
                        kind,
                        from,
                        until: f64::INFINITY,
                    });
                }
            },
        ));
    }
    Scenario {
        objects: o,
        story,
        namespace: Some(PROD),
        pod_labels: true,
        recorded: false,
        flows: Vec::new(),
        controllers: Vec::new(),
    }
}

#[cfg(test)]
#[path = "scenario_tests.rs"]
mod tests;
