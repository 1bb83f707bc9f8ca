//! `scale`: a fleet. N workloads across K namespaces (seven in ten canary Rollouts, two
//! blue-green Rollouts, one Deployment), recorded with a status and frozen so the
//! controllers leave them alone, created weeks ago (so the healthy ones are long past their
//! promotion); M of the canaries are in flight (paused at 20 %) and expose
//! per-track metrics; `churn` status changes per second, for CPU measurements.

use serde_json::{Value, json};

use super::objects::{bluegreen_rollout, canary_rollout, deployment, image, namespace};
use crate::sim::world::ctx::{Controller, Ctx};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleOptions {
    pub rollouts: usize,
    pub namespaces: usize,
    pub inflight: usize,
    /// Status changes per second.
    pub churn: f64,
}

impl Default for ScaleOptions {
    fn default() -> Self {
        Self {
            rollouts: 1000,
            namespaces: 10,
            inflight: 50,
            churn: 0.0,
        }
    }
}

const FROZEN: &str = "sim.shipdeck.io/frozen";

fn ns_of(i: usize, k: usize) -> String {
    format!("scale-{}", i % k.max(1))
}

fn name_of(i: usize) -> String {
    format!("svc-{i:05}")
}

/// The objects, and the in-flight canaries (namespace, name) whose traffic is modelled.
pub fn objects(o: &ScaleOptions) -> (Vec<Value>, Vec<(String, String)>) {
    let k = o.namespaces.max(1);
    let mut out: Vec<Value> = (0..k).map(|i| namespace(&format!("scale-{i}"))).collect();
    let mut inflight = Vec::new();
    let steps = json!([{"setWeight": 20}, {"pause": {}}, {"setWeight": 100}]);
    for i in 0..o.rollouts {
        let (ns, name) = (ns_of(i, k), name_of(i));
        let img = image(&name, "1.0.0");
        let mut obj = match i % 10 {
            7 | 8 => bluegreen_rollout(&ns, &name, &img, 3),
            9 => deployment(&ns, &name, &img, 3),
            _ => canary_rollout(&ns, &name, &img, 3, steps.clone(), i % 97 == 0),
        };
        obj["metadata"]["labels"][FROZEN] = json!("true");
        // An established fleet: created (and last promoted) weeks ago, a minute apart.
        obj["metadata"]["creationTimestamp"] = json!(created(i));
        let canary = i % 10 < 7;
        let flying = canary && inflight.len() < o.inflight;
        obj["status"] = status(i, &obj, flying);
        if flying {
            inflight.push((ns, name));
        }
        out.push(obj);
    }
    (out, inflight)
}

/// 2026-11-01T00:00:00Z plus `i` minutes (within four weeks).
fn created(i: usize) -> String {
    let minutes = (i % (28 * 24 * 60)) as i64;
    let t = chrono::DateTime::from_timestamp(1_793_491_200 + minutes * 60, 0).unwrap_or_default();
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn status(i: usize, obj: &Value, flying: bool) -> Value {
    if obj["kind"] == "Deployment" {
        return json!({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."}]});
    }
    let hash = format!("h{i:05}");
    let mut st = json!({
        "phase": "Healthy", "message": "", "observedGeneration": "1",
        "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
        "currentPodHash": hash, "stableRS": hash, "selector": format!("app={}", name_of(i)),
        "canary": {}, "blueGreen": {},
    });
    if obj.pointer("/spec/strategy/blueGreen").is_some() {
        st["blueGreen"] = json!({"activeSelector": hash});
    } else {
        st["currentStepIndex"] = json!(3);
    }
    if flying {
        st["phase"] = json!("Paused");
        st["message"] = json!("CanaryPauseStep");
        st["currentPodHash"] = json!(format!("n{i:05}"));
        st["currentStepIndex"] = json!(1);
        st["updatedReplicas"] = json!(1);
        st["controllerPause"] = json!(true);
        st["pauseConditions"] =
            json!([{"reason": "CanaryPauseStep", "startTime": "2026-11-26T03:00:00Z"}]);
    } else if i % 100 == 13 {
        st["phase"] = json!("Degraded");
        st["message"] = json!("RolloutAborted: Rollout aborted update to revision 2");
        st["abort"] = json!(true);
        st["currentPodHash"] = json!(format!("n{i:05}"));
    }
    st
}

/// Makes `per_second` status changes per second of wall time (ready replicas of random
/// workloads flip between 3 and 2), so watchers and the UI have work at scale.
pub struct Churn {
    pub per_second: f64,
    pub options: ScaleOptions,
    due: f64,
    last: Option<std::time::Instant>,
}

impl Churn {
    pub fn new(options: ScaleOptions) -> Self {
        Self {
            per_second: options.churn,
            options,
            due: 0.0,
            last: None,
        }
    }
}

impl Controller for Churn {
    fn name(&self) -> &'static str {
        "churn"
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        let now = std::time::Instant::now();
        let dt = self
            .last
            .map_or(0.0, |t| now.duration_since(t).as_secs_f64());
        self.last = Some(now);
        if self.per_second <= 0.0 || self.options.rollouts == 0 {
            return;
        }
        self.due += self.per_second * dt;
        while self.due >= 1.0 {
            self.due -= 1.0;
            let i = ctx.rng.usize(..self.options.rollouts);
            let (ns, name) = (ns_of(i, self.options.namespaces), name_of(i));
            let kind = if i % 10 == 9 {
                ("apps/v1", "Deployment")
            } else {
                ("argoproj.io/v1alpha1", "Rollout")
            };
            if let Some(mut obj) = ctx.get(kind.0, kind.1, &ns, &name) {
                let ready = obj
                    .pointer("/status/readyReplicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(3);
                obj["status"]["readyReplicas"] = json!(if ready == 3 { 2 } else { 3 });
                let _ = ctx.update_status(obj);
            }
        }
    }
}
