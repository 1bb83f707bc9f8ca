//! Stories for controller tests: a store and a world, stepped on a sim clock that only the
//! test advances. Objects are written and patched through the same admission as API calls.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::new_without_default,
    dead_code
)]

use std::time::Duration;

use serde_json::Value;

use super::World;
use crate::sim::admit::{self, Mode};
use crate::sim::crds::Catalog;
use crate::sim::patch::{PatchType, apply_patch};
use crate::sim::store::{Part, Store};

pub struct Kit {
    pub store: Store,
    pub world: World,
    pub catalog: &'static Catalog,
}

impl Kit {
    /// A world with every controller, speed 1 (the test advances the clock), namespaces
    /// `default` and `test`.
    pub fn new() -> Self {
        let catalog = Catalog::get();
        let mut store = Store::new(100_000);
        let ns_def = catalog.find("", "v1", "namespaces").unwrap();
        for ns in ["default", "test"] {
            admit::ensure_namespace(&mut store, ns_def, ns, chrono::Utc::now());
        }
        Self {
            store,
            world: World::new(1.0, 7, true),
            catalog,
        }
    }

    fn def(&self, obj: &Value) -> &'static crate::sim::catalog::ResourceDef {
        let av = obj["apiVersion"].as_str().unwrap();
        let kind = obj["kind"].as_str().unwrap();
        self.catalog
            .find_kind(av, kind)
            .unwrap_or_else(|| panic!("no {kind}"))
    }

    /// Creates an object as a client would (namespace from metadata, default "test").
    pub fn apply(&mut self, obj: Value) -> Value {
        let def = self.def(&obj);
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("test")
            .to_string();
        admit::create(
            &mut self.store,
            def,
            &ns,
            obj,
            chrono::Utc::now(),
            Mode::Api,
        )
        .unwrap_or_else(|e| panic!("create refused: {}", e.message))
    }

    pub fn get(&self, api_version: &str, kind: &str, ns: &str, name: &str) -> Value {
        let def = self.catalog.find_kind(api_version, kind).unwrap();
        self.store
            .get(def, ns, name)
            .unwrap_or_else(|_| panic!("no {kind} {ns}/{name}"))
    }

    pub fn list(&self, api_version: &str, kind: &str, ns: &str) -> Vec<Value> {
        let def = self.catalog.find_kind(api_version, kind).unwrap();
        self.store.list(def, Some(ns))
    }

    /// A merge patch (or a status merge patch) as `kubectl` / shipdeck would send it.
    pub fn merge(
        &mut self,
        api_version: &str,
        kind: &str,
        ns: &str,
        name: &str,
        patch: &Value,
        status: bool,
    ) -> Value {
        let def = self.catalog.find_kind(api_version, kind).unwrap();
        let cur = self.store.get(def, ns, name).unwrap();
        let body = serde_json::to_vec(patch).unwrap();
        let next = apply_patch(&cur, PatchType::Merge, &body, !def.custom).unwrap();
        let part = if status && def.status_subresource {
            Part::Status
        } else {
            Part::Main
        };
        admit::replace(&mut self.store, def, ns, name, next, part, false)
            .unwrap_or_else(|e| panic!("patch refused: {}", e.message))
    }

    /// Advances sim time by `total` in steps of `step`, running the world after each.
    pub fn run(&mut self, total: Duration, step: Duration) {
        let mut t = Duration::ZERO;
        while t < total {
            self.world.clock.advance(step);
            self.world.step(&mut self.store, self.catalog);
            t += step;
        }
    }

    /// Runs until `cond` holds (checked after each step) or `limit` of sim time passes;
    /// returns whether it held.
    pub fn run_until(
        &mut self,
        limit: Duration,
        step: Duration,
        cond: impl Fn(&Kit) -> bool,
    ) -> bool {
        let mut t = Duration::ZERO;
        while t < limit {
            if cond(self) {
                return true;
            }
            self.world.clock.advance(step);
            self.world.step(&mut self.store, self.catalog);
            t += step;
        }
        cond(self)
    }

    /// Reasons of the events about the named object, oldest first.
    pub fn event_reasons(&self, ns: &str, name: &str) -> Vec<String> {
        self.list("v1", "Event", ns)
            .into_iter()
            .filter(|e| e["involvedObject"]["name"] == name)
            .map(|e| e["reason"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Writes the controllers tried that admission refused (must be empty).
    pub fn assert_no_refused_writes(&self) {
        assert!(
            self.world.errors.is_empty(),
            "refused writes: {:#?}",
            self.world.errors
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rs(name: &str, replicas: u32, image: &str) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": "test"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "app", "image": image}]}}}
        })
    }

    #[test]
    fn replicasets_get_pods_that_become_ready_and_scale_down() {
        let mut k = Kit::new();
        k.apply(rs("web", 3, "web:1.0.0"));
        k.run(Duration::from_millis(500), Duration::from_millis(250));
        assert_eq!(k.list("v1", "Pod", "test").len(), 3);
        assert_eq!(
            k.get("apps/v1", "ReplicaSet", "test", "web")["status"]["replicas"],
            3
        );
        assert!(k.get("apps/v1", "ReplicaSet", "test", "web")["status"]["readyReplicas"].is_null());
        k.run(Duration::from_secs(3), Duration::from_millis(500));
        let st = k.get("apps/v1", "ReplicaSet", "test", "web")["status"].clone();
        assert_eq!(
            (st["readyReplicas"].clone(), st["availableReplicas"].clone()),
            (json!(3), json!(3))
        );
        let pod = &k.list("v1", "Pod", "test")[0];
        assert_eq!(pod["status"]["phase"], "Running");
        assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
        k.merge(
            "apps/v1",
            "ReplicaSet",
            "test",
            "web",
            &json!({"spec": {"replicas": 1}}),
            false,
        );
        k.run(Duration::from_secs(1), Duration::from_millis(500));
        assert_eq!(k.list("v1", "Pod", "test").len(), 1);
        assert!(
            k.event_reasons("test", "web")
                .contains(&"SuccessfulDelete".to_string())
        );
        k.assert_no_refused_writes();
    }

    #[test]
    fn a_bad_image_never_gets_ready_and_backs_off() {
        let mut k = Kit::new();
        k.apply(rs("bad", 1, "web:does-not-exist"));
        k.run(Duration::from_secs(12), Duration::from_secs(1));
        let pod = &k.list("v1", "Pod", "test")[0];
        assert_eq!(pod["status"]["phase"], "Pending");
        assert_eq!(
            pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ImagePullBackOff"
        );
        let pod_name = pod["metadata"]["name"].as_str().unwrap().to_string();
        assert!(
            k.event_reasons("test", &pod_name)
                .contains(&"Failed".to_string())
        );
        k.assert_no_refused_writes();
    }

    #[test]
    fn a_crashing_container_restarts_and_never_gets_ready() {
        let mut k = Kit::new();
        k.apply(rs("crashy", 1, "web:1.2.0-crash"));
        k.run(Duration::from_secs(25), Duration::from_secs(1));
        let pod = &k.list("v1", "Pod", "test")[0];
        let cs = &pod["status"]["containerStatuses"][0];
        assert_eq!(cs["state"]["waiting"]["reason"], "CrashLoopBackOff");
        assert_eq!(cs["ready"], false);
        assert!(cs["restartCount"].as_u64().unwrap() >= 2, "{cs}");
        let name = pod["metadata"]["name"].as_str().unwrap().to_string();
        assert!(
            k.event_reasons("test", &name)
                .contains(&"BackOff".to_string())
        );
        assert!(
            k.get("apps/v1", "ReplicaSet", "test", "crashy")["status"]["readyReplicas"].is_null()
        );
        k.assert_no_refused_writes();
    }

    #[test]
    fn orphans_are_collected_and_frozen_objects_are_left_alone() {
        let mut k = Kit::new();
        k.apply(rs("web", 2, "web:1"));
        let mut frozen = rs("still", 2, "web:1");
        frozen["metadata"]["labels"] = json!({"sim.shipdeck.io/frozen": "true"});
        k.apply(frozen);
        k.run(Duration::from_secs(1), Duration::from_millis(500));
        assert_eq!(
            k.list("v1", "Pod", "test").len(),
            2,
            "no pods for the frozen set"
        );
        let def = k.catalog.find("apps", "v1", "replicasets").unwrap();
        k.store.delete(def, "test", "web").unwrap();
        k.run(Duration::from_secs(1), Duration::from_millis(500));
        assert!(k.list("v1", "Pod", "test").is_empty());
        assert!(
            k.get("apps/v1", "ReplicaSet", "test", "still")
                .get("status")
                .is_none()
        );
    }
}
