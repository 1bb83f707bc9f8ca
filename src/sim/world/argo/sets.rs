//! The Rollout's ReplicaSets: finding the new and the stable set, creating the new one,
//! keeping revisions in step, scaling with events, scale-down deadlines, the revision
//! history limit, and `spec.restartAt`.

use serde_json::{Map, Value, json};

use super::replicas::Counts;
use super::spec::{
    self, DESIRED_REPLICAS, HASH_LABEL, REVISION, REVISION_HISTORY, annotation, label, replicas,
    revision, text,
};
use super::status::{self, PROGRESSING};
use super::{Halt, Pass, Recon};
use crate::sim::world::ctx::{frozen, meta, owner_ref};
use crate::sim::world::hash::pod_template_hash;

pub fn rs_hash(rs: &Value) -> &str {
    label(rs, HASH_LABEL).unwrap_or("")
}

pub fn rs_spec(rs: &Value) -> i64 {
    spec::int(rs.pointer("/spec/replicas")).unwrap_or(1)
}

pub fn rs_stat(rs: &Value, key: &str) -> i64 {
    spec::int(rs.pointer(&format!("/status/{key}"))).unwrap_or(0)
}

pub fn counts(rs: &Value) -> Counts {
    Counts {
        spec: rs_spec(rs),
        created: rs_stat(rs, "replicas"),
        available: rs_stat(rs, "availableReplicas"),
    }
}

/// The revision a set was created with (the first of its revision history), so sets created
/// within the same second still order by creation.
pub fn created_rank(rs: &Value) -> (i64, String) {
    let first = annotation(rs, REVISION_HISTORY).and_then(|h| {
        h.split(',')
            .filter_map(|r| r.trim().parse::<i64>().ok())
            .min()
    });
    let rank = match first {
        Some(f) => f.min(revision(rs)),
        None => revision(rs),
    };
    (rank, meta(rs, "creationTimestamp").to_string())
}

/// A pod template without the hash label and without the values the API server fills in by
/// default, so a recorded set's template compares equal to the Rollout's.
pub fn normalized(t: &Value) -> Value {
    let mut t = t.clone();
    if let Some(l) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        l.remove(HASH_LABEL);
    }
    if let Some(m) = t.get_mut("metadata").and_then(Value::as_object_mut) {
        m.retain(|k, v| !(k == "creationTimestamp" && v.is_null()));
    }
    let drop_defaults = |obj: &mut Value, defaults: &[(&str, Value)]| {
        if let Some(m) = obj.as_object_mut() {
            for (k, d) in defaults {
                if m.get(*k) == Some(d) {
                    m.remove(*k);
                }
            }
        }
    };
    if let Some(spec) = t.get_mut("spec") {
        drop_defaults(
            spec,
            &[
                ("dnsPolicy", json!("ClusterFirst")),
                ("restartPolicy", json!("Always")),
                ("schedulerName", json!("default-scheduler")),
                ("securityContext", json!({})),
                ("terminationGracePeriodSeconds", json!(30)),
            ],
        );
        for list in ["containers", "initContainers"] {
            for c in spec
                .get_mut(list)
                .and_then(Value::as_array_mut)
                .map(|v| v.iter_mut())
                .into_iter()
                .flatten()
            {
                let image = text(c, "/image");
                let tag = image
                    .rsplit_once(':')
                    .map(|(_, t)| t)
                    .filter(|t| !t.contains('/'));
                let pull = match tag {
                    _ if image.contains('@') => "IfNotPresent",
                    None | Some("latest") => "Always",
                    Some(_) => "IfNotPresent",
                };
                drop_defaults(
                    c,
                    &[
                        ("terminationMessagePath", json!("/dev/termination-log")),
                        ("terminationMessagePolicy", json!("File")),
                        ("imagePullPolicy", json!(pull)),
                        ("resources", json!({})),
                    ],
                );
                for p in c
                    .get_mut("ports")
                    .and_then(Value::as_array_mut)
                    .map(|v| v.iter_mut())
                    .into_iter()
                    .flatten()
                {
                    drop_defaults(p, &[("protocol", json!("TCP"))]);
                }
            }
        }
    }
    t
}

impl Recon<'_, '_> {
    pub fn desired_hash(&self) -> String {
        pod_template_hash(self.ro.pointer("/spec/template").unwrap_or(&Value::Null))
    }

    pub fn find_sets(&mut self) {
        let hash = self.desired_hash();
        let template = self.ro.pointer("/spec/template").map(normalized);
        self.new = self
            .rss
            .iter()
            .position(|r| rs_hash(r) == hash)
            .or_else(|| {
                self.rss
                    .iter()
                    .position(|r| r.pointer("/spec/template").map(normalized) == template)
            });
        self.find_stable();
    }

    pub fn find_stable(&mut self) {
        let stable = text(self.old(), "/stableRS").to_string();
        self.stable = if stable.is_empty() {
            None
        } else if self.new_rs().is_some_and(|r| rs_hash(r) == stable) {
            self.new
        } else {
            self.rss.iter().position(|r| rs_hash(r) == stable)
        };
    }

    fn max_other_revision(&self) -> i64 {
        (0..self.rss.len())
            .filter(|i| Some(*i) != self.new)
            .map(|i| revision(&self.rss[i]))
            .max()
            .unwrap_or(0)
    }

    /// Copies the Rollout's own annotations onto a set (not the revision ones).
    fn copy_annotations(&self, anns: &mut Map<String, Value>) -> bool {
        let skip = [
            REVISION,
            REVISION_HISTORY,
            DESIRED_REPLICAS,
            "kubectl.kubernetes.io/last-applied-configuration",
            "notified.notifications.argoproj.io",
        ];
        let mut changed = false;
        for (k, v) in spec::string_map(self.ro.pointer("/metadata/annotations")) {
            if !skip.contains(&k.as_str()) && anns.get(&k) != Some(&v) {
                anns.insert(k, v);
                changed = true;
            }
        }
        changed
    }

    /// Creates the ReplicaSet for the current template (revision = highest + 1).
    pub fn create_desired(&mut self) -> Pass {
        let rev = self.max_other_revision() + 1;
        let hash = self.desired_hash();
        let name = format!("{}-{hash}", self.name());
        let ns = self.ns();
        let mut template = self
            .ro
            .pointer("/spec/template")
            .cloned()
            .unwrap_or(json!({}));
        template["metadata"]["labels"][HASH_LABEL] = json!(hash);
        let mut selector = self
            .ro
            .pointer("/spec/selector")
            .cloned()
            .unwrap_or(json!({}));
        selector["matchLabels"][HASH_LABEL] = json!(hash);
        let mut anns = Map::new();
        self.copy_annotations(&mut anns);
        anns.insert(REVISION.into(), json!(rev.to_string()));
        anns.insert(
            DESIRED_REPLICAS.into(),
            json!(replicas(&self.ro).to_string()),
        );
        let mut rs = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": ns,
                "labels": template["metadata"]["labels"].clone(),
                "annotations": anns,
                "ownerReferences": [owner_ref(&self.ro)],
            },
            "spec": {"replicas": 0, "selector": selector, "template": template},
        });
        if let Some(m) = self
            .ro
            .pointer("/spec/minReadySeconds")
            .filter(|m| m.as_i64() != Some(0))
        {
            rs["spec"]["minReadySeconds"] = m.clone();
        }
        if let Some(existing) = self.ctx.get("apps/v1", "ReplicaSet", &ns, &name) {
            // Found by name but not by template: a set of another owner (a hash collision,
            // which the real controller resolves with status.collisionCount).
            tracing::warn!(rs = %name, "ReplicaSet name taken; not creating");
            let _ = existing;
            return Err(Halt);
        }
        let created = match self.ctx.create(rs) {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("Failed to create new replica set \"{name}\": {}", e.message);
                self.event(true, "ReplicaSetCreateError", &msg);
                let ts = self.ctx.ts();
                let mut st = self.old().clone();
                status::set_cond(
                    &mut st,
                    status::new_cond(PROGRESSING, "False", "ReplicaSetCreateError", &msg, &ts),
                );
                self.done = true;
                self.patch_conditions(st)?;
                return Err(Halt);
            }
        };
        self.rss.push(created);
        self.new = Some(self.rss.len() - 1);
        self.find_stable();
        self.set_rollout_revision(&rev.to_string())?;
        self.event(
            false,
            "NewReplicaSetCreated",
            &format!("Created ReplicaSet {name} (revision {rev})"),
        );
        let ts = self.ctx.ts();
        let msg = format!("Created new replica set \"{name}\"");
        let mut st = self.old().clone();
        if st.is_null() {
            st = json!({});
        }
        status::set_cond(
            &mut st,
            status::new_cond(PROGRESSING, "True", "NewReplicaSetCreated", &msg, &ts),
        );
        self.progress_made();
        self.write_status(st)
    }

    pub fn set_rollout_revision(&mut self, rev: &str) -> Pass {
        if annotation(&self.ro, REVISION) == Some(rev) {
            return Ok(());
        }
        let mut next = self.ro.clone();
        next["metadata"]["annotations"][REVISION] = json!(rev);
        self.update_rollout(next)?;
        self.event(
            false,
            "RolloutUpdated",
            &format!("Rollout updated to revision {rev}"),
        );
        Ok(())
    }

    /// Gives the new set the next revision (an undo reuses an old set) and the Rollout its
    /// revision.
    pub fn sync_revision(&mut self) -> Pass {
        let Some(idx) = self.new else { return Ok(()) };
        let new_rev = self.max_other_revision() + 1;
        let mut rs = self.rss[idx].clone();
        let mut anns = spec::string_map(rs.pointer("/metadata/annotations"));
        let mut changed = self.copy_annotations(&mut anns);
        let old_rev = anns
            .get(REVISION)
            .and_then(Value::as_str)
            .map(str::to_string);
        if old_rev.as_deref().map_or(0, |r| r.parse().unwrap_or(0)) < new_rev {
            anns.insert(REVISION.into(), json!(new_rev.to_string()));
            changed = true;
        }
        if let (Some(old), true) = (&old_rev, changed) {
            let hist = match anns.get(REVISION_HISTORY).and_then(Value::as_str) {
                Some(h) if !h.is_empty() => format!("{h},{old}"),
                _ => old.clone(),
            };
            anns.insert(REVISION_HISTORY.into(), json!(hist));
        }
        let min_ready = self
            .ro
            .pointer("/spec/minReadySeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let rs_min_ready = rs
            .pointer("/spec/minReadySeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if (changed || min_ready != rs_min_ready) && !frozen(&rs) {
            rs["metadata"]["annotations"] = Value::Object(anns);
            if min_ready != rs_min_ready {
                rs["spec"]["minReadySeconds"] = json!(min_ready);
            }
            self.rss[idx] = self.ctx.update(rs).map_err(|_| Halt)?;
        }
        let rev = annotation(&self.rss[idx], REVISION)
            .unwrap_or("")
            .to_string();
        self.set_rollout_revision(&rev)?;
        if status::cond(self.old(), PROGRESSING).is_none() {
            let ts = self.ctx.ts();
            let msg = format!("Found new replica set \"{}\"", meta(&self.rss[idx], "name"));
            let mut st = self.old().clone();
            status::set_cond(
                &mut st,
                status::new_cond(PROGRESSING, "True", "FoundNewReplicaSet", &msg, &ts),
            );
            self.progress_made();
            self.write_status(st)?;
        }
        Ok(())
    }
}

pub fn deadline_key(rs: &Value) -> String {
    format!("{}/argo/scale-down", meta(rs, "uid"))
}
