//! The flags screen's flagd data source: kube-runtime watchers (with backoff) for ConfigMaps
//! and OpenFeature Operator `FeatureFlag`s in the chosen namespaces, turned into flag rows.
//!
//! ConfigMaps are watched without a label selector: the casino's flag ConfigMap carries only
//! `app.kubernetes.io/part-of`, and flagd needs no label either. Which keys hold flag
//! definitions is decided by their content ([`flagd::is_flagd_key`]: `.flagd.json` keys, `.json`
//! keys of ConfigMaps labelled `shipdeck.io/flags` or `openfeature.dev/flagd`, and any key whose
//! JSON has a top-level `flags`). ConfigMaps without one make no rows.
//!
//! The initial lists become one [`FlagEvent::Resync`]; then each changed definition (one
//! ConfigMap key, or one `FeatureFlag`) is an [`FlagEvent::Upsert`] of all its flags, and a
//! vanished one a [`FlagEvent::Remove`]. A relist after the first sync resyncs everything. Each
//! kind reports its health as [`FlagEvent::Source`]; a cluster without the `FeatureFlag` CRD is
//! "not installed" (found by discovery once), not an error loop.

use std::collections::{BTreeMap, HashMap, HashSet};

use futures::StreamExt;
use kube::runtime::watcher::{self, Event as WatchEvent};
use serde_json::Value;
use tokio::sync::mpsc;

use super::actions::send::{self, Failure};
use super::watching::{Gvk, StreamKey, scopes, served, status_code, streams_of, to_json};
use crate::domain::argo_requests::Plan;
use crate::domain::flagd;
use crate::domain::flags::{Flag, FlagSource};
use crate::domain::scope::NamespaceScope;

/// The source name of the ConfigMap watcher in [`FlagEvent::Source`].
pub const CONFIG_MAPS: &str = crate::domain::flags::CONFIG_MAPS_SOURCE;
/// The source name of the `FeatureFlag` watcher in [`FlagEvent::Source`].
pub const FEATURE_FLAGS: &str = crate::domain::flags::FEATURE_FLAGS_SOURCE;

/// What the watcher tells the flags screen.
#[derive(Debug, Clone, PartialEq)]
pub enum FlagEvent {
    /// Every flagd flag in view (after the initial lists, and after a relist).
    Resync(Vec<Flag>),
    /// The flags of one definition, all of them (replacing what it had before).
    Upsert {
        source: FlagSource,
        flags: Vec<Flag>,
    },
    /// A definition that no longer exists (deleted object, removed key).
    Remove(FlagSource),
    /// A watcher's health: `live`, `not installed: …`, `forbidden: …`, `stale: …`.
    Source { name: &'static str, state: String },
}

pub(super) struct Kind {
    pub(super) name: &'static str,
    pub(super) gvk: Gvk,
    pub(super) parse: fn(&Value) -> Vec<Flag>,
}

pub(super) const KINDS: [Kind; 2] = [
    Kind {
        name: CONFIG_MAPS,
        gvk: Gvk {
            group: "",
            version: "v1",
            kind: "ConfigMap",
            plural: "configmaps",
        },
        parse: flagd::from_config_map,
    },
    Kind {
        name: FEATURE_FLAGS,
        gvk: Gvk {
            group: "core.openfeature.dev",
            version: "v1beta1",
            kind: "FeatureFlag",
            plural: "featureflags",
        },
        parse: flagd::from_feature_flag,
    },
];

const NOT_INSTALLED: &str =
    "not installed: OpenFeature Operator (featureflags.core.openfeature.dev) is not installed";

/// Kind index, namespace, name.
type ObjectKey = (usize, String, String);
type Definitions = BTreeMap<FlagSource, Vec<Flag>>;

/// The flags of one object, by definition.
fn definitions(flags: Vec<Flag>) -> Definitions {
    let mut out = Definitions::new();
    for f in flags {
        out.entry(f.source.clone()).or_default().push(f);
    }
    out
}

fn key_of(i: usize, o: &Value) -> ObjectKey {
    let meta = |f: &str| {
        o.pointer(&format!("/metadata/{f}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (i, meta("namespace"), meta("name"))
}

/// What the watchers know, and what they last said.
#[derive(Default)]
struct World {
    objects: BTreeMap<ObjectKey, Definitions>,
    health: HashMap<&'static str, String>,
}

impl World {
    fn all(&self) -> Vec<Flag> {
        self.objects
            .values()
            .flat_map(|d| d.values().flatten().cloned())
            .collect()
    }

    /// Replaces what one stream listed.
    fn replace(&mut self, i: usize, ns: Option<&str>, list: Vec<Value>) {
        self.objects
            .retain(|(k, n, _), _| *k != i || ns.is_some_and(|ns| ns != n));
        for o in list {
            self.put(i, &o);
        }
    }

    /// Stores an object's definitions; returns the ones it had.
    fn put(&mut self, i: usize, o: &Value) -> Definitions {
        let defs = definitions((KINDS[i].parse)(o));
        let key = key_of(i, o);
        let old = if defs.is_empty() {
            self.objects.remove(&key)
        } else {
            self.objects.insert(key, defs)
        };
        old.unwrap_or_default()
    }

    /// The events that take the screen from `old` to what `key` holds now.
    fn changes(&self, key: &ObjectKey, old: Definitions) -> Vec<FlagEvent> {
        let empty = Definitions::new();
        let new = self.objects.get(key).unwrap_or(&empty);
        let mut out: Vec<FlagEvent> = old
            .keys()
            .filter(|s| !new.contains_key(*s))
            .map(|s| FlagEvent::Remove(s.clone()))
            .collect();
        for (source, flags) in new {
            if old.get(source) != Some(flags) {
                out.push(FlagEvent::Upsert {
                    source: source.clone(),
                    flags: flags.clone(),
                });
            }
        }
        out
    }

    /// The health event to send, when the state changed.
    fn health(&mut self, name: &'static str, state: String) -> Option<FlagEvent> {
        let stale_again = state.starts_with("stale")
            && self
                .health
                .get(name)
                .is_some_and(|s| s.starts_with("stale"));
        if stale_again || self.health.get(name) == Some(&state) {
            return None;
        }
        self.health.insert(name, state.clone());
        Some(FlagEvent::Source { name, state })
    }
}

fn failed_state(k: &Kind, e: &watcher::Error) -> String {
    match status_code(e) {
        Some(403) => format!("forbidden: list {}", k.gvk.plural),
        Some(404) if k.gvk.group.is_empty() => format!("stale: {e}"),
        Some(404) => NOT_INSTALLED.to_string(),
        _ => format!("stale: {e}"),
    }
}

/// Runs the watchers until the receiver is gone (or the task is aborted).
pub async fn run(client: kube::Client, namespaces: NamespaceScope, tx: mpsc::Sender<FlagEvent>) {
    let send = |ev: FlagEvent| {
        let tx = tx.clone();
        async move { tx.send(ev).await.is_ok() }
    };
    let scopes = scopes(&namespaces);
    let mut world = World::default();
    let mut streams = Vec::new();
    let mut pending: HashSet<StreamKey> = HashSet::new();
    for (i, k) in KINDS.iter().enumerate() {
        if served(&client, k.gvk).await == Some(false) {
            tracing::info!(kind = k.gvk.kind, "OpenFeature Operator not installed");
            if let Some(ev) = world.health(k.name, NOT_INSTALLED.to_string())
                && !send(ev).await
            {
                return;
            }
            continue;
        }
        streams.extend(streams_of(&client, i, k.gvk, &scopes, &mut pending));
    }
    let mut synced = pending.is_empty();
    if synced && !send(FlagEvent::Resync(Vec::new())).await {
        return;
    }
    let mut merged = futures::stream::select_all(streams);
    let mut buffers: HashMap<StreamKey, Vec<Value>> = HashMap::new();
    while let Some((i, ns, ev)) = merged.next().await {
        let k = &KINDS[i];
        let mut out = Vec::new();
        let mut listed = false;
        match ev {
            Ok(ev) => {
                out.extend(world.health(k.name, "live".to_string()));
                match ev {
                    WatchEvent::Init => {
                        buffers.insert((i, ns.clone()), Vec::new());
                    }
                    WatchEvent::InitApply(o) => {
                        buffers.entry((i, ns.clone())).or_default().push(to_json(o));
                    }
                    WatchEvent::InitDone => {
                        let list = buffers.remove(&(i, ns.clone())).unwrap_or_default();
                        world.replace(i, ns.as_deref(), list);
                        pending.remove(&(i, ns));
                        listed = true;
                    }
                    WatchEvent::Apply(o) => {
                        let o = to_json(o);
                        let old = world.put(i, &o);
                        if synced {
                            out.extend(world.changes(&key_of(i, &o), old));
                        }
                    }
                    WatchEvent::Delete(o) => {
                        let key = key_of(i, &to_json(o));
                        let old = world.objects.remove(&key).unwrap_or_default();
                        if synced {
                            out.extend(world.changes(&key, old));
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(kind = k.gvk.kind, error = %e, "flag watch error");
                out.extend(world.health(k.name, failed_state(k, &e)));
                // A forbidden or missing kind counts as listed (empty) for the first resync.
                if matches!(status_code(&e), Some(403 | 404)) && pending.remove(&(i, ns)) {
                    listed = true;
                }
            }
        }
        if listed && pending.is_empty() {
            synced = true;
            out.push(FlagEvent::Resync(world.all()));
        }
        for ev in out {
            if !send(ev).await {
                return;
            }
        }
    }
}

/// The current text of a definition and its object's resourceVersion, read again before a
/// write: a ConfigMap key's JSON string, or a `FeatureFlag`'s `spec.flagSpec` as JSON.
pub async fn current_text(
    client: &kube::Client,
    source: &FlagSource,
) -> Result<(String, String), String> {
    let path = match source {
        FlagSource::ConfigMap {
            namespace, name, ..
        } => format!("/api/v1/namespaces/{namespace}/configmaps/{name}"),
        FlagSource::FeatureFlag { namespace, name } => format!(
            "/apis/{}/namespaces/{namespace}/featureflags/{name}",
            flagd::FEATURE_FLAG_API
        ),
        FlagSource::Unleash { .. } => {
            return Err(format!("{} is not a Kubernetes object", source.label()));
        }
    };
    let obj = send::get(client, &path)
        .await
        .map_err(|f| send::describe("GET", &path, &f))?;
    let version = obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let text = match source {
        FlagSource::ConfigMap { key, .. } => obj
            .get("data")
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("{} no longer exists", source.label()))?,
        _ => match obj.pointer("/spec/flagSpec") {
            Some(spec) => serde_json::to_string_pretty(spec).map_err(|e| e.to_string())?,
            None => return Err(format!("{} has no spec.flagSpec", source.label())),
        },
    };
    Ok((text, version))
}

/// Sends a flag plan's requests in order; the first failure ends it, in the operator's words
/// (a 409 is "changed since you looked").
pub async fn apply(client: &kube::Client, plan: &Plan) -> Result<(), String> {
    apply_answer(client, plan).await.map(|_| ())
}

/// [`apply`], returning the last answer (the object as the write left it).
pub async fn apply_answer(client: &kube::Client, plan: &Plan) -> Result<Value, String> {
    let mut last = Value::Null;
    for r in &plan.requests {
        let sent = send::send(client, r.verb, &r.path, Some(r.content_type), Some(&r.body)).await;
        match sent {
            Ok(answer) => last = answer,
            Err(Failure::Api { code: 409, message }) => {
                return Err(format!(
                    "changed since you looked ({message}); review the flag and try again"
                ));
            }
            Err(f) => return Err(send::describe(r.verb, &r.path, &f)),
        }
    }
    Ok(last)
}
