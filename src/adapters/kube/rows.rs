//! The objects the overview's watchers have seen, and the rows made of them. Rows join
//! objects: a Flagger canary's row needs its target and `-primary` Deployments (which are
//! then not rows of their own), an Argo Rollout with `workloadRef` its Deployment. A change
//! to one object recomputes only the rows it affects, and only rows that really changed are
//! sent on (diffed against what was sent last).

use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;

use serde_json::Value;

use super::convert::{ConvertCtx, canary_row, deployment_row, rollout_row};
use crate::domain::rollout::RolloutRow;
use crate::state::RowId;

/// The kinds the overview watches, by their source name.
pub const ROLLOUTS: &str = "rollouts";
pub const CANARIES: &str = "canaries";
pub const DEPLOYMENTS: &str = "deployments";

/// The label that marks a critical service on the object itself.
pub const CRITICAL_LABEL: &str = "shipdeck.io/critical";

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn id(source: &'static str, ns: &str, name: &str) -> RowId {
    RowId {
        source,
        namespace: ns.to_string(),
        name: name.to_string(),
    }
}

/// What changed in the rows.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RowDiff {
    pub upsert: Vec<RolloutRow>,
    pub remove: Vec<RowId>,
}

impl RowDiff {
    pub fn is_empty(&self) -> bool {
        self.upsert.is_empty() && self.remove.is_empty()
    }

    pub fn merge(&mut self, other: RowDiff) {
        for r in other.upsert {
            let rid = crate::state::rollouts::row_id(&r);
            self.remove.retain(|x| *x != rid);
            self.upsert
                .retain(|x| crate::state::rollouts::row_id(x) != rid);
            self.upsert.push(r);
        }
        for rid in other.remove {
            self.upsert
                .retain(|x| crate::state::rollouts::row_id(x) != rid);
            if !self.remove.contains(&rid) {
                self.remove.push(rid);
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct Objects {
    /// (source, namespace) → name → object.
    by_ns: HashMap<(&'static str, String), BTreeMap<String, Value>>,
    /// What the state has been sent, as fingerprints ([`fingerprint`]): a copy of every row
    /// cost ~15 MB at 5,000 rows.
    sent: HashMap<RowId, Option<u64>>,
    /// Stable ReplicaSets of rollouts in flight (namespace, ReplicaSet name): fetched once
    /// per stable hash for the stable images (a template never changes).
    stable_sets: HashMap<(String, String), Value>,
    pub require_digest: bool,
}

/// The stable ReplicaSet a rollout in flight needs for its stable images: (namespace,
/// name), when not fully promoted and not yet fetched.
pub fn stable_set_name(rollout: &Value) -> Option<(String, String)> {
    let stable = s(rollout, "/status/stableRS");
    let current = s(rollout, "/status/currentPodHash");
    if stable.is_empty() || stable == current {
        return None;
    }
    Some((
        s(rollout, "/metadata/namespace").to_string(),
        format!("{}-{stable}", s(rollout, "/metadata/name")),
    ))
}

impl Objects {
    pub fn get(&self, source: &'static str, ns: &str, name: &str) -> Option<&Value> {
        self.by_ns.get(&(source, ns.to_string()))?.get(name)
    }

    pub fn in_ns(&self, source: &'static str, ns: &str) -> impl Iterator<Item = &Value> {
        self.by_ns
            .get(&(source, ns.to_string()))
            .into_iter()
            .flat_map(|m| m.values())
    }

    /// Replaces every object of `source` in `ns` (`None`: in all namespaces), as after an
    /// initial list or a relist.
    pub fn replace(&mut self, source: &'static str, ns: Option<&str>, objects: Vec<Value>) {
        self.by_ns
            .retain(|(src, n), _| !(*src == source && ns.is_none_or(|want| want == n)));
        for o in objects {
            self.put(source, o);
        }
    }

    pub fn has_stable_set(&self, key: &(String, String)) -> bool {
        self.stable_sets.contains_key(key)
    }

    pub fn put_stable_set(&mut self, key: (String, String), rs: Value) {
        self.stable_sets.insert(key, rs);
    }

    /// Fills in the stable images of a rollout in flight from its stable ReplicaSet.
    fn stable_images(&self, obj: &Value, row: &mut RolloutRow) {
        let Some(key) = stable_set_name(obj) else {
            return;
        };
        let Some(rs) = self.stable_sets.get(&key) else {
            return;
        };
        let images: Vec<(String, String)> = rs
            .pointer("/spec/template/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| (s(c, "/name").to_string(), s(c, "/image").to_string()))
            .collect();
        let mut containers = row.containers.clone();
        for c in containers.iter_mut().filter(|c| c.stable.is_none()) {
            if let Some((_, image)) = images.iter().find(|(n, _)| *n == c.name) {
                c.stable = Some(crate::domain::version::Image::new(image));
            }
        }
        row.set_containers(containers, self.require_digest);
    }

    /// Stores an object; returns the previous version.
    pub fn put(&mut self, source: &'static str, obj: Value) -> Option<Value> {
        let (ns, name) = (
            s(&obj, "/metadata/namespace").to_string(),
            s(&obj, "/metadata/name").to_string(),
        );
        self.by_ns
            .entry((source, ns))
            .or_default()
            .insert(name, obj)
    }

    pub fn delete(&mut self, source: &'static str, obj: &Value) -> Option<Value> {
        let (ns, name) = (s(obj, "/metadata/namespace"), s(obj, "/metadata/name"));
        self.by_ns.get_mut(&(source, ns.to_string()))?.remove(name)
    }

    /// Deployments that belong to another row (a canary's target and primary, a rollout's
    /// workload).
    fn owned_deployment(&self, ns: &str, name: &str) -> bool {
        self.in_ns(CANARIES, ns).any(|c| {
            let t = s(c, "/spec/targetRef/name");
            !t.is_empty() && (t == name || format!("{t}-primary") == name)
        }) || self.in_ns(ROLLOUTS, ns).any(|r| {
            s(r, "/spec/workloadRef/name") == name && s(r, "/spec/workloadRef/kind") == "Deployment"
        })
    }

    /// The row of one object, or `None` when it does not exist or belongs to another row.
    pub fn row(&self, rid: &RowId) -> Option<RolloutRow> {
        let ns = rid.namespace.as_str();
        let obj = self.get(rid.source, ns, &rid.name)?;
        let mut row = match rid.source {
            ROLLOUTS => {
                let workload = obj
                    .pointer("/spec/workloadRef/name")
                    .and_then(Value::as_str)
                    .and_then(|n| self.get(DEPLOYMENTS, ns, n));
                let mut row = rollout_row(
                    obj,
                    &ConvertCtx {
                        workload,
                        require_digest: self.require_digest,
                        ..ConvertCtx::default()
                    },
                );
                self.stable_images(obj, &mut row);
                row
            }
            CANARIES => {
                let target = s(obj, "/spec/targetRef/name");
                let workload = self.get(DEPLOYMENTS, ns, target);
                let primary = self.get(DEPLOYMENTS, ns, &format!("{target}-primary"));
                canary_row(
                    obj,
                    &ConvertCtx {
                        workload,
                        primary,
                        require_digest: self.require_digest,
                        ..ConvertCtx::default()
                    },
                )
            }
            _ => {
                if self.owned_deployment(ns, &rid.name) {
                    return None;
                }
                deployment_row(
                    obj,
                    &ConvertCtx {
                        require_digest: self.require_digest,
                        ..ConvertCtx::default()
                    },
                )
            }
        };
        if s(
            obj,
            &format!("/metadata/labels/{}", CRITICAL_LABEL.replace('/', "~1")),
        ) == "true"
        {
            row.critical = true;
        }
        Some(row)
    }

    /// Rollouts in flight whose stable ReplicaSet has not been fetched: (set key, rollout).
    /// Scans every rollout: for a resync; a watch event checks its own object only
    /// ([`Objects::missing_stable_set`]).
    pub fn rollouts_missing_stable_sets(&self) -> Vec<((String, String), String)> {
        self.by_ns
            .iter()
            .filter(|((src, _), _)| *src == ROLLOUTS)
            .flat_map(|(_, m)| m.values())
            .filter_map(|r| self.missing_stable_set(r))
            .collect()
    }

    /// The stable ReplicaSet this rollout (in flight) needs and that has not been fetched.
    pub fn missing_stable_set(&self, rollout: &Value) -> Option<((String, String), String)> {
        let key = stable_set_name(rollout)?;
        (!self.stable_sets.contains_key(&key))
            .then(|| (key, s(rollout, "/metadata/name").to_string()))
    }

    /// Every row, and remembers them as sent.
    pub fn all_rows(&mut self) -> Vec<RolloutRow> {
        let ids: Vec<RowId> = self
            .by_ns
            .iter()
            .flat_map(|((src, ns), m)| m.keys().map(move |n| id(src, ns, n)))
            .collect();
        let rows: Vec<RolloutRow> = ids.iter().filter_map(|i| self.row(i)).collect();
        self.sent = rows
            .iter()
            .map(|r| (crate::state::rollouts::row_id(r), fingerprint(r)))
            .collect();
        rows
    }

    /// The rows an object (its old and new version) can affect.
    pub fn affected(
        &self,
        source: &'static str,
        old: Option<&Value>,
        new: Option<&Value>,
    ) -> Vec<RowId> {
        let mut out = Vec::new();
        for obj in [old, new].into_iter().flatten() {
            let (ns, name) = (s(obj, "/metadata/namespace"), s(obj, "/metadata/name"));
            out.push(id(source, ns, name));
            match source {
                CANARIES => {
                    let t = s(obj, "/spec/targetRef/name");
                    out.push(id(DEPLOYMENTS, ns, t));
                    out.push(id(DEPLOYMENTS, ns, &format!("{t}-primary")));
                }
                ROLLOUTS => out.push(id(DEPLOYMENTS, ns, s(obj, "/spec/workloadRef/name"))),
                _ => {
                    for c in self.in_ns(CANARIES, ns) {
                        let t = s(c, "/spec/targetRef/name");
                        if t == name || format!("{t}-primary") == name {
                            out.push(id(CANARIES, ns, s(c, "/metadata/name")));
                        }
                    }
                    for r in self.in_ns(ROLLOUTS, ns) {
                        if s(r, "/spec/workloadRef/name") == name {
                            out.push(id(ROLLOUTS, ns, s(r, "/metadata/name")));
                        }
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out.retain(|i| !i.name.is_empty());
        out
    }

    /// Recomputes the rows of `ids` and returns what changed since they were last sent.
    pub fn diff(&mut self, ids: &[RowId]) -> RowDiff {
        let mut d = RowDiff::default();
        for rid in ids {
            match self.row(rid) {
                Some(new) => {
                    let fp = fingerprint(&new);
                    if fp.is_none() || self.sent.get(rid) != Some(&fp) {
                        self.sent.insert(rid.clone(), fp);
                        d.upsert.push(new);
                    }
                }
                None => {
                    if self.sent.remove(rid).is_some() {
                        d.remove.push(rid.clone());
                    }
                }
            }
        }
        d
    }
}

/// A row's fingerprint: a 64-bit hash of its JSON form (every field; a row holds no hash
/// maps, so equal rows serialize alike). Two different rows share one with a chance of 2^-64.
/// `None` if the row does not serialize (it always does): such a row counts as changed.
pub(crate) fn fingerprint(row: &RolloutRow) -> Option<u64> {
    struct Hashing(std::hash::DefaultHasher);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(std::hash::DefaultHasher::new());
    serde_json::to_writer(&mut h, row).ok()?;
    Some(h.0.finish())
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
