//! The overview's data source: kube-runtime watchers (with backoff; never list polling) for
//! Argo Rollouts, Flagger Canaries and Deployments in the chosen namespaces, merged into one
//! task. The initial lists become one atomic resync; then changes become upserts and
//! removals of just the rows they affect, coalesced into batches. Each kind's health is
//! reported on its own: live, stale and reconnecting, forbidden, or not installed (found by
//! discovery once, never retried in a loop). Every event carries the generation it was
//! started with, so results of replaced watchers are dropped.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures::{FutureExt, StreamExt};
use kube::api::Api;
use kube::runtime::watcher::{self, Event as WatchEvent};
use serde_json::Value;
use tokio::sync::mpsc;

use super::rows::{CANARIES, DEPLOYMENTS, Objects, ROLLOUTS, RowDiff};
use super::watching::{Gvk, StreamKey, scopes, served, status_code, streams_of, to_json};
use crate::domain::scope::NamespaceScope;
use crate::state::{Event, RolloutChange, SourceState};

/// One kind the overview watches.
struct Kind {
    source: &'static str,
    gvk: Gvk,
    product: &'static str,
}

const KINDS: [Kind; 3] = [
    Kind {
        source: ROLLOUTS,
        gvk: Gvk {
            group: "argoproj.io",
            version: "v1alpha1",
            kind: "Rollout",
            plural: "rollouts",
        },
        product: "Argo Rollouts",
    },
    Kind {
        source: CANARIES,
        gvk: Gvk {
            group: "flagger.app",
            version: "v1beta1",
            kind: "Canary",
            plural: "canaries",
        },
        product: "Flagger",
    },
    Kind {
        source: DEPLOYMENTS,
        gvk: Gvk {
            group: "apps",
            version: "v1",
            kind: "Deployment",
            plural: "deployments",
        },
        product: "Deployments",
    },
];

/// Most changes sent in one batch.
const BATCH: usize = 512;

struct Health {
    state: HashMap<&'static str, SourceState>,
}

/// Runs the watchers until the receiver is gone (or the task is aborted).
pub async fn run(
    client: kube::Client,
    scope: NamespaceScope,
    generation: u64,
    require_digest: bool,
    tx: mpsc::Sender<Event>,
) {
    let send = |ev: Event| {
        let tx = tx.clone();
        async move { tx.send(ev).await.is_ok() }
    };
    let source = |name: &'static str, state: SourceState| Event::Source {
        generation,
        name,
        state,
    };
    let namespaces = scopes(&scope);
    let mut streams = Vec::new();
    let mut pending: HashSet<StreamKey> = HashSet::new();
    let mut health = Health {
        state: HashMap::new(),
    };
    for (i, k) in KINDS.iter().enumerate() {
        if served(&client, k.gvk).await == Some(false) {
            let msg = format!("{} not installed", k.product);
            tracing::info!(kind = k.gvk.kind, "{msg}");
            health
                .state
                .insert(k.source, SourceState::NotInstalled(msg.clone()));
            if !send(source(k.source, SourceState::NotInstalled(msg))).await {
                return;
            }
            continue;
        }
        streams.extend(streams_of(&client, i, k.gvk, &namespaces, &mut pending));
    }
    let mut merged = futures::stream::select_all(streams);
    let mut objects = Objects::default();
    objects.require_digest = require_digest;
    let mut buffers: HashMap<(usize, Option<String>), Vec<Value>> = HashMap::new();
    let mut synced = pending.is_empty();
    if synced {
        let _ = send(Event::Rollouts {
            generation,
            change: RolloutChange::Resync(Vec::new()),
        })
        .await;
    }
    let mut first = true;
    let mut asked: HashSet<(String, String)> = HashSet::new();
    while let Some(item) = merged.next().await {
        let mut batch = vec![item];
        while batch.len() < BATCH {
            match merged.next().now_or_never() {
                Some(Some(more)) => batch.push(more),
                _ => break,
            }
        }
        let mut diff = RowDiff::default();
        let mut resync = false;
        // Stable ReplicaSets the batch's rollouts need (all rollouts are scanned on a resync).
        let mut candidates: Vec<((String, String), String)> = Vec::new();
        for (i, ns, ev) in batch {
            let k = &KINDS[i];
            let now = crate::adapters::clock::now();
            match ev {
                Ok(ev) => {
                    if first {
                        tracing::info!("first API response");
                        first = false;
                    }
                    if let Some(update) = health.live(k.source, now)
                        && !send(source(k.source, update)).await
                    {
                        return;
                    }
                    match ev {
                        WatchEvent::Init => {
                            buffers.insert((i, ns.clone()), Vec::new());
                        }
                        WatchEvent::InitApply(o) => {
                            buffers.entry((i, ns.clone())).or_default().push(to_json(o));
                        }
                        WatchEvent::InitDone => {
                            let list = buffers.remove(&(i, ns.clone())).unwrap_or_default();
                            objects.replace(k.source, ns.as_deref(), list);
                            pending.remove(&(i, ns));
                            resync = true;
                        }
                        WatchEvent::Apply(o) => {
                            let o = to_json(o);
                            if k.source == ROLLOUTS
                                && let Some(c) = objects.missing_stable_set(&o)
                            {
                                candidates.push(c);
                            }
                            let old = objects.put(k.source, o.clone());
                            if synced {
                                diff.merge(objects.diff(&objects.affected(
                                    k.source,
                                    old.as_ref(),
                                    Some(&o),
                                )));
                            }
                        }
                        WatchEvent::Delete(o) => {
                            let o = to_json(o);
                            let old = objects.delete(k.source, &o);
                            if synced {
                                diff.merge(objects.diff(&objects.affected(
                                    k.source,
                                    old.as_ref(),
                                    None,
                                )));
                            }
                        }
                    }
                }
                Err(e) => {
                    let update = health.failed(k, &e, now);
                    tracing::warn!(kind = k.gvk.kind, error = %e, "watch error");
                    if !send(source(k.source, update)).await {
                        return;
                    }
                    // A forbidden or missing kind counts as listed (empty) for the first resync.
                    if matches!(status_code(&e), Some(403 | 404)) && pending.remove(&(i, ns)) {
                        resync = true;
                    }
                }
            }
        }
        // Rollouts in flight whose stable images are unknown: fetch their stable ReplicaSet
        // once (one GET per stable hash; its template never changes).
        if resync {
            candidates = objects.rollouts_missing_stable_sets();
        }
        let mut wanted: Vec<((String, String), String)> = Vec::new();
        for (key, rollout) in candidates {
            if asked.insert(key.clone()) {
                wanted.push((key, rollout));
            }
        }
        let fetched: Vec<_> = futures::stream::iter(wanted)
            .map(|(key, rollout)| {
                let rs_api: Api<k8s_openapi::api::apps::v1::ReplicaSet> =
                    Api::namespaced(client.clone(), &key.0);
                async move {
                    let got = rs_api.get_opt(&key.1).await;
                    (key, rollout, got)
                }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        for (key, rollout, got) in fetched {
            match got {
                Ok(Some(rs)) => {
                    objects.put_stable_set(
                        key.clone(),
                        serde_json::to_value(rs).unwrap_or(Value::Null),
                    );
                    if synced {
                        let rid = crate::state::RowId {
                            source: ROLLOUTS,
                            namespace: key.0.clone(),
                            name: rollout,
                        };
                        diff.merge(objects.diff(&[rid]));
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::debug!(error = %e, rs = %key.1, "stable ReplicaSet not fetched"),
            }
        }
        if resync && pending.is_empty() {
            synced = true;
            let rows = objects.all_rows();
            tracing::info!(rows = rows.len(), "resync");
            if !send(Event::Rollouts {
                generation,
                change: RolloutChange::Resync(rows),
            })
            .await
            {
                return;
            }
            continue;
        }
        if !diff.is_empty() {
            if !diff.remove.is_empty()
                && !send(Event::Rollouts {
                    generation,
                    change: RolloutChange::Remove(diff.remove),
                })
                .await
            {
                return;
            }
            if !diff.upsert.is_empty()
                && !send(Event::Rollouts {
                    generation,
                    change: RolloutChange::Upsert(diff.upsert),
                })
                .await
            {
                return;
            }
        }
    }
}

impl Health {
    /// The new state when a kind answers again, if it changed.
    fn live(&mut self, source: &'static str, now: DateTime<Utc>) -> Option<SourceState> {
        match self.state.get(source) {
            Some(SourceState::Live { .. }) => None,
            _ => {
                let s = SourceState::Live { since: now };
                self.state.insert(source, s.clone());
                Some(s)
            }
        }
    }

    /// The new state after an error of a kind's watcher.
    fn failed(&mut self, k: &Kind, e: &watcher::Error, now: DateTime<Utc>) -> SourceState {
        let next = match (status_code(e), self.state.get(k.source)) {
            (Some(403), _) => SourceState::Forbidden(format!("list {}", k.gvk.plural)),
            (Some(404), _) => SourceState::NotInstalled(format!("{} not installed", k.product)),
            (_, Some(SourceState::Stale { since, retries })) => SourceState::Stale {
                since: *since,
                retries: retries + 1,
            },
            _ => SourceState::Stale {
                since: now,
                retries: 1,
            },
        };
        self.state.insert(k.source, next.clone());
        next
    }
}
