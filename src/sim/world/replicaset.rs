//! ReplicaSets → Pods, as the ReplicaSet controller and the kubelet make them: pods are
//! created and deleted to match `spec.replicas`, become Running and Ready after a short
//! sim-time delay, or fail to pull a bad image (ErrImagePull, then ImagePullBackOff); the
//! ReplicaSet's status counts them. Plus garbage collection of orphans.

use std::time::Duration;

use serde_json::{Value, json};

use super::ctx::{Controller, Ctx, frozen, meta, owned_by, owner_ref};
use super::hash::suffix;

/// How long (sim time) a pod takes from creation to Ready.
pub const POD_READY_AFTER: Duration = Duration::from_secs(2);
/// After this long failing to pull, the reason becomes ImagePullBackOff.
const BACKOFF_AFTER: Duration = Duration::from_secs(10);

/// Images whose container starts and crashes (a tag containing `crash`): the pod never gets
/// ready and its restart count grows (CrashLoopBackOff).
pub fn image_crashes(image: &str) -> bool {
    image
        .rsplit(':')
        .next()
        .is_some_and(|t| t.contains("crash"))
}

/// How often (sim time) a crash-looping container restarts.
const RESTART_EVERY: Duration = Duration::from_secs(10);

/// Images the simulated kubelet cannot pull (a tag containing one of these).
pub fn image_is_bad(image: &str) -> bool {
    let tag = image.rsplit(':').next().unwrap_or("");
    ["does-not-exist", "bad", "broken", "nonexistent"]
        .iter()
        .any(|b| tag.contains(b))
}

pub struct ReplicaSetController;

impl Controller for ReplicaSetController {
    fn name(&self) -> &'static str {
        "replicaset"
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        let pods = ctx.list("v1", "Pod", None);
        for rs in ctx.list_active("apps/v1", "ReplicaSet", None) {
            if frozen(&rs) {
                continue;
            }
            let mine: Vec<Value> = pods.iter().filter(|p| owned_by(p, &rs)).cloned().collect();
            sync(ctx, &rs, mine);
        }
        for pod in ctx.list_active("v1", "Pod", None) {
            if !frozen(&pod) {
                kubelet(ctx, pod);
            }
        }
    }
}

fn sync(ctx: &mut Ctx<'_>, rs: &Value, mut mine: Vec<Value>) {
    let want = rs
        .pointer("/spec/replicas")
        .and_then(Value::as_u64)
        .unwrap_or(1) as usize;
    while mine.len() < want {
        match create_pod(ctx, rs) {
            Some(p) => mine.push(p),
            None => break,
        }
    }
    if mine.len() > want {
        // Scale down the newest first (not-ready before ready).
        mine.sort_by_key(|p| {
            (
                is_ready(p),
                std::cmp::Reverse(meta(p, "creationTimestamp").to_string()),
            )
        });
        for p in mine.drain(..mine.len() - want) {
            if ctx.delete(&p).is_ok() {
                ctx.event(
                    rs,
                    false,
                    "SuccessfulDelete",
                    &format!("Deleted pod: {}", meta(&p, "name")),
                    "replicaset-controller",
                );
            }
        }
    }
    let ready = mine.iter().filter(|p| is_ready(p)).count();
    let status = json!({
        "replicas": mine.len(),
        "fullyLabeledReplicas": mine.len(),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": rs.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
    });
    let mut status = status;
    if ready == 0
        && let Some(m) = status.as_object_mut()
    {
        m.remove("readyReplicas");
        m.remove("availableReplicas");
    }
    if rs.get("status") != Some(&status) {
        let mut next = rs.clone();
        next["status"] = status;
        let _ = ctx.update_status(next);
    }
}

pub fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some("Ready")
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

fn create_pod(ctx: &mut Ctx<'_>, rs: &Value) -> Option<Value> {
    let template = rs.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let name = format!("{}-{}", meta(rs, "name"), suffix(ctx.rng, 5));
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": meta(rs, "namespace"),
            "labels": template.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
            "ownerReferences": [owner_ref(rs)],
        },
        "spec": template.get("spec").cloned().unwrap_or(json!({})),
    });
    if let Some(a) = template.pointer("/metadata/annotations") {
        pod["metadata"]["annotations"] = a.clone();
    }
    pod["spec"]["nodeName"] = json!("sim-node-1");
    let created = ctx.create(pod).ok()?;
    ctx.event(
        rs,
        false,
        "SuccessfulCreate",
        &format!("Created pod: {name}"),
        "replicaset-controller",
    );
    Some(created)
}

/// The simulated kubelet: pulls the image and starts the containers after a delay.
fn kubelet(ctx: &mut Ctx<'_>, pod: Value) {
    let key = format!("{}/pod", meta(&pod, "uid"));
    let age = ctx.elapsed(&key);
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let bad: Option<String> = containers
        .iter()
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .find(|i| image_is_bad(i))
        .map(str::to_string);
    let ts = ctx.ts();
    let started = pod
        .pointer("/status/startTime")
        .cloned()
        .unwrap_or(json!(ts));
    let ip = format!("10.244.{}.{}", ctx.rng.u8(1..250), ctx.rng.u8(2..250));
    let pod_ip = pod.pointer("/status/podIP").cloned().unwrap_or(json!(ip));
    let crashing = containers
        .iter()
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .any(image_crashes);
    let started_up = bad.is_none() && age >= POD_READY_AFTER;
    let ready = started_up && !crashing;
    let restarts = if crashing && started_up {
        1 + (age - POD_READY_AFTER).as_secs() / RESTART_EVERY.as_secs()
    } else {
        0
    };
    let waiting = if bad.is_some() {
        Some(if age >= BACKOFF_AFTER {
            "ImagePullBackOff"
        } else {
            "ErrImagePull"
        })
    } else if crashing && started_up {
        Some("CrashLoopBackOff")
    } else if !ready {
        Some("ContainerCreating")
    } else {
        None
    };
    let statuses: Vec<Value> = containers
        .iter()
        .map(|c| {
            let state = match waiting {
                Some(reason) => json!({"waiting": {"reason": reason}}),
                None => json!({"running": {"startedAt": started}}),
            };
            json!({
                "name": c.get("name"),
                "image": c.get("image"),
                "imageID": "",
                "ready": ready,
                "started": ready,
                "restartCount": if c.get("image").and_then(Value::as_str).is_some_and(image_crashes) { restarts } else { 0 },
                "state": state,
            })
        })
        .collect();
    let flag = |b: bool| if b { "True" } else { "False" };
    let status = json!({
        "phase": if ready { "Running" } else { "Pending" },
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Initialized", "status": "True"},
            {"type": "ContainersReady", "status": flag(ready)},
            {"type": "Ready", "status": flag(ready)},
        ],
        "hostIP": "10.0.0.1",
        "podIP": pod_ip,
        "startTime": started,
        "containerStatuses": statuses,
        "qosClass": "BestEffort",
    });
    if strip_times(pod.get("status")) == strip_times(Some(&status)) {
        return;
    }
    let first_failure = bad.is_some() && pod.pointer("/status/containerStatuses").is_none();
    let restarted = restarts > 0
        && pod
            .pointer("/status/containerStatuses/0/restartCount")
            .and_then(Value::as_u64)
            != Some(restarts);
    let mut next = pod.clone();
    next["status"] = status;
    if ctx.update_status(next).is_ok() {
        if let Some(image) = &bad
            && first_failure
        {
            ctx.event(&pod, true, "Failed", &format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found"), "kubelet");
        } else if restarted {
            let c = containers
                .first()
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("app");
            let message = format!(
                "Back-off restarting failed container {c} in pod {}",
                meta(&pod, "name")
            );
            ctx.event(&pod, true, "BackOff", &message, "kubelet");
        } else if ready {
            ctx.event(&pod, false, "Started", "Started container", "kubelet");
        }
    }
}

/// Status without its volatile parts, to avoid rewriting an unchanged pod every tick.
fn strip_times(s: Option<&Value>) -> Option<Value> {
    let mut v = s?.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("podIP");
        m.remove("startTime");
    }
    Some(v)
}

/// Deletes pods, ReplicaSets and AnalysisRuns whose controlling owner is gone, as the
/// garbage collector does.
pub struct GarbageCollector;

impl Controller for GarbageCollector {
    fn name(&self) -> &'static str {
        "garbage-collector"
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        for (av, kind) in [
            ("v1", "Pod"),
            ("apps/v1", "ReplicaSet"),
            ("argoproj.io/v1alpha1", "AnalysisRun"),
        ] {
            for obj in ctx.list(av, kind, None) {
                let Some(owner) = obj
                    .pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .and_then(|r| r.iter().find(|o| o.get("controller") == Some(&json!(true))))
                    .cloned()
                else {
                    continue;
                };
                let s = |k: &str| {
                    owner
                        .get(k)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                let alive = ctx
                    .get(
                        &s("apiVersion"),
                        &s("kind"),
                        meta(&obj, "namespace"),
                        &s("name"),
                    )
                    .is_some_and(|o| meta(&o, "uid") == s("uid"));
                if !alive && !frozen(&obj) {
                    let _ = ctx.delete(&obj);
                }
            }
        }
    }
}
