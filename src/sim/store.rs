//! The object store: one monotonic resourceVersion, status-subresource and generation
//! semantics, optimistic concurrency, and a change history for watches (resume from a
//! resourceVersion; 410 when it was compacted away).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::catalog::ResourceDef;
use super::status::ApiError;

/// Where a kind's objects live: (group, plural); events of both versions share one place.
pub type ResKey = (String, String);

/// Changes after a resourceVersion, and a receiver for the ones to come.
pub type Subscription = (Vec<Arc<Change>>, broadcast::Receiver<Arc<Change>>);

/// Where one object lives within its kind: (namespace, name); cluster-scoped kinds have no
/// namespace whatever the request said.
pub fn obj_key(def: &ResourceDef, ns: &str, name: &str) -> (String, String) {
    let ns = if def.namespaced { ns } else { "" };
    (ns.to_string(), name.to_string())
}

/// Whether the simulated controllers leave `obj` alone (`sim.shipdeck.io/frozen=true`).
pub fn is_frozen(obj: &Value) -> bool {
    obj.pointer("/metadata/labels")
        .and_then(|l| l.get(super::load::FROZEN_LABEL))
        .and_then(Value::as_str)
        == Some("true")
}

pub fn res_key(def: &ResourceDef) -> ResKey {
    if def.plural == "events" {
        (String::new(), "events".to_string())
    } else {
        (def.group.clone(), def.plural.clone())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

impl ChangeKind {
    pub fn word(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Change {
    pub rv: u64,
    pub res: ResKey,
    pub kind: ChangeKind,
    pub object: Value,
    pub prev: Option<Value>,
}

/// Which part of an object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Main,
    Status,
}

pub struct Store {
    rv: u64,
    objects: HashMap<ResKey, BTreeMap<(String, String), Value>>,
    /// Keys of the objects the simulated controllers may act on (not frozen), so that a
    /// controller's pass costs what the live objects cost, not the whole fleet.
    active: HashMap<ResKey, BTreeSet<(String, String)>>,
    history: VecDeque<Arc<Change>>,
    history_cap: usize,
    /// Resuming from a resourceVersion below this is 410 Gone.
    compacted_below: u64,
    tx: broadcast::Sender<Arc<Change>>,
}

pub fn now_rfc3339(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Store {
    pub fn new(history_cap: usize) -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            rv: 1,
            objects: HashMap::new(),
            active: HashMap::new(),
            history: VecDeque::new(),
            history_cap: history_cap.max(16),
            compacted_below: 0,
            tx,
        }
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    pub fn get(&self, def: &ResourceDef, ns: &str, name: &str) -> Result<Value, ApiError> {
        self.objects
            .get(&res_key(def))
            .and_then(|m| m.get(&(ns.to_string(), name.to_string())))
            .cloned()
            .ok_or_else(|| ApiError::not_found(def, name))
    }

    /// Objects of a kind, in (namespace, name) order; `ns = None` means all namespaces.
    pub fn list(&self, def: &ResourceDef, ns: Option<&str>) -> Vec<Value> {
        self.objects
            .get(&res_key(def))
            .map(|m| {
                m.iter()
                    .filter(|((n, _), _)| ns.is_none_or(|want| want == n))
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The objects of a kind that are not frozen (`sim.shipdeck.io/frozen=true`), in
    /// (namespace, name) order, without looking at the frozen ones.
    pub fn list_active(&self, def: &ResourceDef, ns: Option<&str>) -> Vec<Value> {
        let res = res_key(def);
        let (Some(keys), Some(m)) = (self.active.get(&res), self.objects.get(&res)) else {
            return Vec::new();
        };
        keys.iter()
            .filter(|(n, _)| ns.is_none_or(|want| want == n))
            .filter_map(|k| m.get(k).cloned())
            .collect()
    }

    fn index(&mut self, res: &ResKey, key: &(String, String), obj: Option<&Value>) {
        let set = self.active.entry(res.clone()).or_default();
        if obj.is_some_and(|o| !is_frozen(o)) {
            set.insert(key.clone());
        } else {
            set.remove(key);
        }
    }

    /// One page of a list: objects after `after` (in (namespace, name) order) that `keep`
    /// accepts, at most `limit`; and how many more match after the page. Only the page is
    /// copied.
    pub fn list_page(
        &self,
        def: &ResourceDef,
        ns: Option<&str>,
        after: Option<&(String, String)>,
        limit: Option<usize>,
        keep: impl Fn(&Value) -> bool,
    ) -> (Vec<Value>, usize) {
        use std::ops::Bound;
        let Some(m) = self.objects.get(&res_key(def)) else {
            return (Vec::new(), 0);
        };
        let start = match after {
            Some(k) => Bound::Excluded(k.clone()),
            None => Bound::Unbounded,
        };
        let mut matching = m
            .range((start, Bound::Unbounded))
            .filter(|((n, _), v)| ns.is_none_or(|want| want == n) && keep(v));
        let page: Vec<Value> = matching
            .by_ref()
            .take(limit.unwrap_or(usize::MAX))
            .map(|(_, v)| v.clone())
            .collect();
        (page, matching.count())
    }

    pub fn namespace_exists(&self, ns: &str) -> bool {
        self.objects
            .get(&(String::new(), "namespaces".to_string()))
            .is_some_and(|m| m.contains_key(&(String::new(), ns.to_string())))
    }

    /// Whether an object exists at `key`.
    pub fn contains(&self, def: &ResourceDef, key: &(String, String)) -> bool {
        self.objects
            .get(&res_key(def))
            .is_some_and(|m| m.contains_key(key))
    }

    pub fn delete(&mut self, def: &ResourceDef, ns: &str, name: &str) -> Result<Value, ApiError> {
        let key = obj_key(def, ns, name);
        let prev = self
            .objects
            .get_mut(&res_key(def))
            .and_then(|m| m.remove(&key))
            .ok_or_else(|| ApiError::not_found(def, name))?;
        self.index(&res_key(def), &key, None);
        self.rv += 1;
        let mut gone = prev.clone();
        gone["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.record(res_key(def), ChangeKind::Deleted, gone.clone(), Some(prev));
        if def.plural == "namespaces" && def.group.is_empty() {
            self.delete_namespace_contents(name);
        }
        Ok(gone)
    }

    fn delete_namespace_contents(&mut self, ns: &str) {
        let keys: Vec<ResKey> = self.objects.keys().cloned().collect();
        for res in keys {
            let doomed: Vec<(String, String)> = self
                .objects
                .get(&res)
                .map(|m| m.keys().filter(|(n, _)| n == ns).cloned().collect())
                .unwrap_or_default();
            for k in doomed {
                if let Some(prev) = self.objects.get_mut(&res).and_then(|m| m.remove(&k)) {
                    self.index(&res, &k, None);
                    self.rv += 1;
                    let mut gone = prev.clone();
                    gone["metadata"]["resourceVersion"] = json!(self.rv.to_string());
                    self.record(res.clone(), ChangeKind::Deleted, gone, Some(prev));
                }
            }
        }
    }

    /// Stores `obj` at `key` with a new resourceVersion and records the change.
    pub fn commit(
        &mut self,
        def: &ResourceDef,
        key: (String, String),
        mut obj: Value,
        prev: Option<Value>,
        kind: ChangeKind,
    ) -> Value {
        self.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let res = res_key(def);
        self.index(&res, &key, Some(&obj));
        self.objects
            .entry(res)
            .or_default()
            .insert(key, obj.clone());
        self.record(res_key(def), kind, obj.clone(), prev);
        obj
    }

    fn record(&mut self, res: ResKey, kind: ChangeKind, object: Value, prev: Option<Value>) {
        let change = Arc::new(Change {
            rv: self.rv,
            res,
            kind,
            object,
            prev,
        });
        if self.history.len() == self.history_cap
            && let Some(old) = self.history.pop_front()
        {
            self.compacted_below = old.rv + 1;
        }
        self.history.push_back(change.clone());
        let _ = self.tx.send(change);
    }

    /// Changes of `res` after `from` plus a receiver for later ones, taken atomically.
    /// `Err` when `from` is older than the retained history (410 Gone).
    pub fn subscribe(&self, res: &ResKey, from: u64) -> Result<Subscription, ApiError> {
        if from + 1 < self.compacted_below {
            return Err(ApiError::gone(format!(
                "too old resource version: {from} ({})",
                self.compacted_below
            )));
        }
        let backlog = self
            .history
            .iter()
            .filter(|c| c.rv > from && &c.res == res)
            .cloned()
            .collect();
        Ok((backlog, self.tx.subscribe()))
    }

    /// A receiver for future changes only.
    pub fn receiver(&self) -> broadcast::Receiver<Arc<Change>> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
