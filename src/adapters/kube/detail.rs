//! The detail screen's scoped watches: kube-runtime watchers (with backoff; never list
//! polling) for one workload (field selector `metadata.name`), its ReplicaSets and Pods
//! (the workload's label selector: stable across new pod-template hashes), its
//! AnalysisRuns (an Argo Rollout's, filtered by owner reference) and its Events (field
//! selector `involvedObject.*`). They run only while the detail is open: the executor
//! aborts the task when it closes. The latest objects of each kind are kept; changes are
//! coalesced (~100 ms) into one snapshot event carrying the opening's generation. A watch
//! error becomes an `Err` event and the watches keep going.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures::stream::{BoxStream, SelectAll};
use futures::{StreamExt, stream};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event as WatchEvent, watcher};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::convert::detail::snapshot;
use crate::state::Event;
use crate::state::detail::{DetailTarget, WorkloadKind};

/// How long changes are gathered before one snapshot is sent.
const COALESCE: Duration = Duration::from_millis(100);

/// The kinds the detail watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    Workload,
    ReplicaSets,
    Pods,
    AnalysisRuns,
    Events,
}

impl Which {
    fn resource(self, workload: WorkloadKind) -> ApiResource {
        let (group, version, kind, plural) = match self {
            Self::Workload => match workload {
                WorkloadKind::Rollout => ("argoproj.io", "v1alpha1", "Rollout", "rollouts"),
                WorkloadKind::Deployment => ("apps", "v1", "Deployment", "deployments"),
            },
            Self::ReplicaSets => ("apps", "v1", "ReplicaSet", "replicasets"),
            Self::Pods => ("", "v1", "Pod", "pods"),
            Self::AnalysisRuns => ("argoproj.io", "v1alpha1", "AnalysisRun", "analysisruns"),
            Self::Events => ("", "v1", "Event", "events"),
        };
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
    }

    fn label(self) -> &'static str {
        match self {
            Self::Workload => "the workload",
            Self::ReplicaSets => "ReplicaSets",
            Self::Pods => "pods",
            Self::AnalysisRuns => "AnalysisRuns",
            Self::Events => "events",
        }
    }
}

type Item = (Which, Result<WatchEvent<DynamicObject>, watcher::Error>);
type Streams = SelectAll<BoxStream<'static, Item>>;

/// The latest objects of each kind (by name), and lists being (re)read.
#[derive(Default)]
struct Objects {
    workload: Option<Value>,
    kinds: HashMap<Which, BTreeMap<String, Value>>,
    buffers: HashMap<Which, BTreeMap<String, Value>>,
}

impl Objects {
    fn list(&self, which: Which) -> Vec<Value> {
        self.kinds
            .get(&which)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    fn snapshot(&self) -> crate::domain::revision::DetailSnapshot {
        snapshot(
            self.workload.as_ref().unwrap_or(&Value::Null),
            &self.list(Which::ReplicaSets),
            &self.list(Which::Pods),
            &self.list(Which::AnalysisRuns),
            &self.list(Which::Events),
        )
    }

    /// Applies a watch event; true when the kept objects changed.
    fn apply(&mut self, which: Which, ev: WatchEvent<DynamicObject>, t: &DetailTarget) -> bool {
        let keep = |o: &Value| which != Which::AnalysisRuns || owned_by(o, t);
        match ev {
            WatchEvent::Init => {
                self.buffers.insert(which, BTreeMap::new());
                false
            }
            WatchEvent::InitApply(o) => {
                let (name, o) = named(o);
                if keep(&o) {
                    self.buffers.entry(which).or_default().insert(name, o);
                }
                false
            }
            WatchEvent::InitDone => {
                let list = self.buffers.remove(&which).unwrap_or_default();
                if which == Which::Workload {
                    // A deleted workload keeps its last state: the detail says it is gone.
                    if let Some(o) = list.into_values().next() {
                        self.workload = Some(o);
                    }
                } else {
                    self.kinds.insert(which, list);
                }
                true
            }
            WatchEvent::Apply(o) => {
                let (name, o) = named(o);
                if which == Which::Workload {
                    self.workload = Some(o);
                } else if keep(&o) {
                    self.kinds.entry(which).or_default().insert(name, o);
                } else {
                    return false;
                }
                true
            }
            WatchEvent::Delete(o) => {
                let (name, _) = named(o);
                which != Which::Workload
                    && self
                        .kinds
                        .get_mut(&which)
                        .is_some_and(|m| m.remove(&name).is_some())
            }
        }
    }

    /// Forgets the ReplicaSets and Pods (their selector changed).
    fn forget_scoped(&mut self) {
        for which in [Which::ReplicaSets, Which::Pods] {
            self.kinds.remove(&which);
            self.buffers.remove(&which);
        }
    }
}

fn named(o: DynamicObject) -> (String, Value) {
    let name = o.metadata.name.clone().unwrap_or_default();
    (name, serde_json::to_value(o).unwrap_or(Value::Null))
}

/// Whether an AnalysisRun is owned by the target rollout.
fn owned_by(run: &Value, t: &DetailTarget) -> bool {
    run.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter().any(|r| {
                r.get("kind").and_then(Value::as_str) == Some(t.kind.kind())
                    && r.get("name").and_then(Value::as_str) == Some(t.name.as_str())
            })
        })
}

/// The workload's `spec.selector` as a label selector string (`None` when it has none).
fn selector_of(workload: &Value) -> Option<String> {
    let sel = workload.pointer("/spec/selector")?;
    let mut terms: Vec<String> = sel
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
        .collect();
    for e in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = e.get("key").and_then(Value::as_str).unwrap_or_default();
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match e.get("operator").and_then(Value::as_str) {
            Some("In") => terms.push(format!("{key} in ({})", values.join(","))),
            Some("NotIn") => terms.push(format!("{key} notin ({})", values.join(","))),
            Some("Exists") => terms.push(key.to_string()),
            Some("DoesNotExist") => terms.push(format!("!{key}")),
            _ => {}
        }
    }
    terms.sort();
    (!terms.is_empty()).then(|| terms.join(","))
}

fn watch(
    api: Api<DynamicObject>,
    config: watcher::Config,
    which: Which,
) -> BoxStream<'static, Item> {
    watcher(api, config)
        .default_backoff()
        .map(move |e| (which, e))
        .boxed()
}

/// The ReplicaSet and Pod watches for a label selector.
fn scoped(client: &kube::Client, t: &DetailTarget, selector: &str) -> Streams {
    let streams = [Which::ReplicaSets, Which::Pods].map(|which| {
        let api = Api::namespaced_with(client.clone(), &t.namespace, &which.resource(t.kind));
        watch(api, watcher::Config::default().labels(selector), which)
    });
    stream::select_all(streams)
}

enum Step {
    Watch(Box<Item>),
    Flush,
    Done,
}

/// Runs the scoped watches of `target` until the task is aborted (or the receiver is gone).
pub async fn run(
    client: kube::Client,
    target: DetailTarget,
    generation: u64,
    tx: mpsc::Sender<Event>,
) {
    let api = |which: Which| -> Api<DynamicObject> {
        Api::namespaced_with(
            client.clone(),
            &target.namespace,
            &which.resource(target.kind),
        )
    };
    let by_name = watcher::Config::default().fields(&format!("metadata.name={}", target.name));
    let mut workload = watch(api(Which::Workload), by_name, Which::Workload);
    let involved = format!(
        "involvedObject.name={},involvedObject.kind={}",
        target.name,
        target.kind.kind()
    );
    let mut fixed = vec![watch(
        api(Which::Events),
        watcher::Config::default().fields(&involved),
        Which::Events,
    )];
    if target.kind == WorkloadKind::Rollout {
        let runs = watch(
            api(Which::AnalysisRuns),
            watcher::Config::default(),
            Which::AnalysisRuns,
        );
        fixed.push(runs);
    }
    let mut fixed = stream::select_all(fixed);
    let mut selector = target.selector.clone();
    let mut sets: Streams = match &selector {
        Some(s) => scoped(&client, &target, s),
        None => stream::select_all(Vec::new()),
    };
    let mut objects = Objects::default();
    let flush = tokio::time::sleep(Duration::ZERO);
    tokio::pin!(flush);
    let mut dirty = false;
    tracing::info!(generation, kind = target.kind.kind(), name = %target.name, "detail watches");
    loop {
        let step = tokio::select! {
            Some(item) = workload.next() => Step::Watch(Box::new(item)),
            Some(item) = fixed.next(), if !fixed.is_empty() => Step::Watch(Box::new(item)),
            Some(item) = sets.next(), if !sets.is_empty() => Step::Watch(Box::new(item)),
            () = &mut flush, if dirty => Step::Flush,
            else => Step::Done,
        };
        let (which, ev) = match step {
            Step::Done => return,
            Step::Flush => {
                dirty = false;
                let ev = Event::Detail {
                    generation,
                    result: Ok(objects.snapshot()),
                };
                if tx.send(ev).await.is_err() {
                    return;
                }
                continue;
            }
            Step::Watch(item) => *item,
        };
        match ev {
            Ok(ev) => {
                if !objects.apply(which, ev, &target) {
                    continue;
                }
                if which == Which::Workload && target.selector.is_none() {
                    let now = objects.workload.as_ref().and_then(selector_of);
                    if now.is_some() && now != selector {
                        tracing::debug!(selector = ?now, "detail: ReplicaSet and Pod selector");
                        objects.forget_scoped();
                        sets = now
                            .as_deref()
                            .map(|s| scoped(&client, &target, s))
                            .unwrap_or_default();
                        selector = now;
                    }
                }
                if !dirty {
                    dirty = true;
                    flush.as_mut().reset(Instant::now() + COALESCE);
                }
            }
            Err(e) => {
                tracing::warn!(kind = which.label(), error = %e, "detail watch error");
                let ev = Event::Detail {
                    generation,
                    result: Err(format!("watching {}: {e}", which.label())),
                };
                if tx.send(ev).await.is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn target() -> DetailTarget {
        DetailTarget {
            namespace: "casino-prod".into(),
            kind: WorkloadKind::Rollout,
            name: "game-engine".into(),
            selector: None,
        }
    }

    #[test]
    fn the_selector_is_the_workloads_match_labels_and_expressions() {
        let w = json!({"spec": {"selector": {
            "matchLabels": {"app": "game-engine", "tier": "web"},
            "matchExpressions": [
                {"key": "track", "operator": "In", "values": ["a", "b"]},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]
        }}});
        assert_eq!(
            selector_of(&w).as_deref(),
            Some("!legacy,app=game-engine,tier=web,track in (a,b)")
        );
        assert_eq!(selector_of(&json!({"spec": {}})), None);
        assert_eq!(selector_of(&json!({"spec": {"selector": {}}})), None);
    }

    #[test]
    fn analysis_runs_count_only_when_the_rollout_owns_them() {
        let run = |kind: &str, name: &str| json!({"metadata": {"ownerReferences": [{"kind": kind, "name": name}]}});
        assert!(owned_by(&run("Rollout", "game-engine"), &target()));
        assert!(!owned_by(&run("Rollout", "payments"), &target()));
        assert!(!owned_by(&run("Deployment", "game-engine"), &target()));
        assert!(!owned_by(&json!({"metadata": {}}), &target()));
    }
}
