//! Feeds the traffic model from the world: every workload with traffic (Argo Rollouts,
//! Flagger canaries, Deployments that are not part of a canary) and, each tick, the share of
//! traffic its canary gets: Argo's reported weights with traffic routing, else the canary
//! ReplicaSet's share of available pods; blue-green previews get none (the active service
//! has it all); Flagger's `canaryWeight`. In small scenarios it also says which ready pods
//! serve each track (the `pod` label of `/metrics`).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::ctx::{Controller, Ctx, meta};
use crate::sim::traffic::series::{Track, Workload};

pub struct TrafficController;

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn n(v: &Value, ptr: &str) -> f64 {
    v.pointer(ptr).and_then(Value::as_f64).unwrap_or(0.0)
}

/// The canary's share of an Argo Rollout's traffic (0..=1).
fn rollout_share(ro: &Value, sets: &[Value]) -> f64 {
    if ro
        .pointer("/spec/strategy/blueGreen")
        .is_some_and(|b| !b.is_null())
    {
        return 0.0;
    }
    if let Some(w) = ro
        .pointer("/status/canary/weights/canary/weight")
        .and_then(Value::as_f64)
    {
        return w / 100.0;
    }
    let (current, stable) = (s(ro, "/status/currentPodHash"), s(ro, "/status/stableRS"));
    if current.is_empty() || current == stable {
        return 0.0;
    }
    let available = |hash: &str| {
        sets.iter()
            .filter(|rs| s(rs, "/metadata/labels/rollouts-pod-template-hash") == hash)
            .map(|rs| n(rs, "/status/availableReplicas"))
            .sum::<f64>()
    };
    let (c, st) = (available(current), available(stable));
    if c + st > 0.0 { c / (c + st) } else { 0.0 }
}

/// Ready pods by the workload that owns them through a ReplicaSet: `(namespace, owner name)`
/// to `(pod-template hash, pod name)`.
fn ready_pods(ctx: &Ctx<'_>, sets: &[Value]) -> HashMap<(String, String), Vec<(String, String)>> {
    let owner_of: HashMap<&str, (&str, &str)> = sets
        .iter()
        .filter_map(|rs| {
            let owner = rs
                .pointer("/metadata/ownerReferences/0/name")
                .and_then(Value::as_str)?;
            Some((meta(rs, "uid"), (meta(rs, "namespace"), owner)))
        })
        .collect();
    let mut out: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
    for pod in ctx.list_active("v1", "Pod", None) {
        if !super::replicaset::is_ready(&pod) {
            continue;
        }
        let rs_uid = s(&pod, "/metadata/ownerReferences/0/uid");
        let Some((ns, owner)) = owner_of.get(rs_uid) else {
            continue;
        };
        let hash = [
            "/metadata/labels/rollouts-pod-template-hash",
            "/metadata/labels/pod-template-hash",
        ]
        .iter()
        .map(|p| s(&pod, p))
        .find(|h| !h.is_empty())
        .unwrap_or("");
        out.entry((ns.to_string(), owner.to_string()))
            .or_default()
            .push((hash.to_string(), meta(&pod, "name").to_string()));
    }
    out
}

/// A Rollout's stable and canary pod-template hashes (blue-green: active and preview).
fn rollout_hashes(ro: &Value) -> (String, String) {
    let (stable, current) = if ro
        .pointer("/spec/strategy/blueGreen")
        .is_some_and(|b| !b.is_null())
    {
        (
            s(ro, "/status/blueGreen/activeSelector"),
            s(ro, "/status/blueGreen/previewSelector"),
        )
    } else {
        (s(ro, "/status/stableRS"), s(ro, "/status/currentPodHash"))
    };
    let canary = if current == stable { "" } else { current };
    (stable.to_string(), canary.to_string())
}

/// Pods serving each track: `[stable, canary]`.
type TrackPods = [Vec<String>; 2];

fn names(pods: Option<&Vec<(String, String)>>, keep: impl Fn(&str) -> bool) -> Vec<String> {
    pods.map(|ps| {
        ps.iter()
            .filter(|(h, _)| keep(h))
            .map(|(_, n)| n.clone())
            .collect()
    })
    .unwrap_or_default()
}

impl Controller for TrafficController {
    fn name(&self) -> &'static str {
        "traffic"
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.metrics.now();
        let mut shares: Vec<(String, String, String, f64, TrackPods)> = Vec::new();
        let sets = ctx.list("apps/v1", "ReplicaSet", None);
        let with_pods = ctx.metrics.traffic.pods.is_some();
        let pods = if with_pods {
            ready_pods(ctx, &sets)
        } else {
            HashMap::new()
        };
        let of = |ns: &str, name: &str| pods.get(&(ns.to_string(), name.to_string()));
        for ro in ctx.list_active("argoproj.io/v1alpha1", "Rollout", None) {
            let owned: Vec<Value> = sets
                .iter()
                .filter(|rs| super::ctx::owned_by(rs, &ro))
                .cloned()
                .collect();
            let service = [
                "/spec/strategy/canary/stableService",
                "/spec/strategy/blueGreen/activeService",
            ]
            .iter()
            .map(|p| s(&ro, p))
            .find(|x| !x.is_empty())
            .unwrap_or(meta(&ro, "name"))
            .to_string();
            let (ns, name) = (meta(&ro, "namespace"), meta(&ro, "name"));
            let (stable, canary) = rollout_hashes(&ro);
            let serving = [
                names(of(ns, name), |h| h == stable),
                names(of(ns, name), |h| !canary.is_empty() && h == canary),
            ];
            shares.push((
                ns.into(),
                name.into(),
                service,
                rollout_share(&ro, &owned),
                serving,
            ));
        }
        let mut part_of_canary: HashSet<(String, String)> = HashSet::new();
        for cd in ctx.list_active("flagger.app/v1beta1", "Canary", None) {
            let (ns, name) = (
                meta(&cd, "namespace").to_string(),
                meta(&cd, "name").to_string(),
            );
            let target = s(&cd, "/spec/targetRef/name");
            part_of_canary.insert((ns.clone(), target.to_string()));
            part_of_canary.insert((ns.clone(), format!("{target}-primary")));
            let serving = [
                names(of(&ns, &format!("{target}-primary")), |_| true),
                names(of(&ns, target), |_| true),
            ];
            shares.push((
                ns,
                name.clone(),
                name,
                n(&cd, "/status/canaryWeight") / 100.0,
                serving,
            ));
        }
        for d in ctx.list_active("apps/v1", "Deployment", None) {
            let key = (
                meta(&d, "namespace").to_string(),
                meta(&d, "name").to_string(),
            );
            if !part_of_canary.contains(&key) && d.pointer("/metadata/ownerReferences").is_none() {
                let serving = [names(of(&key.0, &key.1), |_| true), Vec::new()];
                shares.push((key.0, key.1.clone(), key.1, 0.0, serving));
            }
        }
        let traffic = &mut ctx.metrics.traffic;
        let mut seen: HashSet<Workload> = HashSet::new();
        for (ns, name, service, share, serving) in shares {
            traffic.ensure(&ns, &name, &service);
            traffic.set_share(&ns, &name, share, now);
            if !with_pods {
                continue;
            }
            let Some(w) = traffic.workload(&ns, &name) else {
                continue;
            };
            for (track, pods) in Track::ALL.into_iter().zip(serving) {
                let total = traffic.counters(&w, track, now);
                if let Some(ledger) = traffic.pods.as_mut() {
                    ledger.assign(&w, track, pods, total);
                }
            }
            seen.insert(w);
        }
        if let Some(ledger) = traffic.pods.as_mut() {
            ledger.retain(|w| seen.contains(w));
        }
    }
}
