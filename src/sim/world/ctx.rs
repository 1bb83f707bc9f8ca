//! What a controller works with during one reconcile pass: the store (written through the
//! same admission as API clients, so controller writes are validated like anyone's), the
//! wall clock for timestamps, the sim clock for durations, named timers, a seeded RNG, and
//! an event recorder that aggregates like the real one.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::clock::SimInstant;
use crate::sim::admit::{self, Mode};
use crate::sim::catalog::ResourceDef;
use crate::sim::crds::Catalog;
use crate::sim::status::ApiError;
use crate::sim::store::{Part, Store, now_rfc3339};

/// A controller of the simulated world: called every tick with the whole store.
pub trait Controller: Send {
    fn name(&self) -> &'static str;
    fn reconcile(&mut self, ctx: &mut Ctx<'_>);
}

/// Named sim-time timers (`"<uid>/pause"`), started on first use.
#[derive(Debug, Default)]
pub struct Timers {
    started: HashMap<String, SimInstant>,
}

impl Timers {
    /// Sim time since the timer was first asked for (zero the first time).
    pub fn elapsed(&mut self, key: &str, now: SimInstant) -> Duration {
        let t0 = *self.started.entry(key.to_string()).or_insert(now);
        now.saturating_sub(t0)
    }

    pub fn reset(&mut self, key: &str) {
        self.started.remove(key);
    }

    pub fn is_running(&self, key: &str) -> bool {
        self.started.contains_key(key)
    }
}

pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub catalog: &'static Catalog,
    /// Wall clock, for timestamps written into objects.
    pub now: DateTime<Utc>,
    /// Sim clock, for every duration of the scenario.
    pub sim: SimInstant,
    pub rng: &'a mut fastrand::Rng,
    pub timers: &'a mut Timers,
    /// Writes the store refused (a controller bug or a schema violation), for tests.
    pub errors: &'a mut Vec<String>,
    /// What metric queries measure (success rate, latency per service).
    pub metrics: &'a mut super::metrics::MetricModel,
}

/// `metadata.<key>` as a string ("" when absent).
pub fn meta<'v>(obj: &'v Value, key: &str) -> &'v str {
    obj.pointer(&format!("/metadata/{key}"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Labelled `sim.shipdeck.io/frozen=true`: controllers never touch it.
pub fn frozen(obj: &Value) -> bool {
    crate::sim::store::is_frozen(obj)
}

/// A controller ownerReference to `owner`.
pub fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner.get("apiVersion"),
        "kind": owner.get("kind"),
        "name": meta(owner, "name"),
        "uid": meta(owner, "uid"),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Whether `obj` is controlled by `owner` (by uid).
pub fn owned_by(obj: &Value, owner: &Value) -> bool {
    let uid = meta(owner, "uid");
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("uid").and_then(Value::as_str) == Some(uid))
        })
}

impl<'a> Ctx<'a> {
    /// A context at sim time `at.0`, writing wall time `at.1` into objects.
    pub fn new(
        store: &'a mut Store,
        catalog: &'static Catalog,
        at: (SimInstant, chrono::DateTime<chrono::Utc>),
        rng: &'a mut fastrand::Rng,
        timers: &'a mut Timers,
        errors: &'a mut Vec<String>,
        metrics: &'a mut super::metrics::MetricModel,
    ) -> Self {
        Self {
            store,
            catalog,
            now: at.1,
            sim: at.0,
            rng,
            timers,
            errors,
            metrics,
        }
    }
}

impl Ctx<'_> {
    /// The wall clock as written into objects.
    pub fn ts(&self) -> String {
        now_rfc3339(self.now)
    }

    pub fn def(&self, api_version: &str, kind: &str) -> Option<&'static ResourceDef> {
        self.catalog.find_kind(api_version, kind)
    }

    fn def_of(&self, obj: &Value) -> Result<&'static ResourceDef, ApiError> {
        let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        self.def(av, kind)
            .ok_or_else(|| ApiError::bad_request(format!("no kind {kind} in {av}")))
    }

    /// Objects of a kind, in one namespace or all.
    pub fn list(&self, api_version: &str, kind: &str, ns: Option<&str>) -> Vec<Value> {
        self.def(api_version, kind)
            .map(|d| self.store.list(d, ns))
            .unwrap_or_default()
    }

    /// The objects of a kind a controller may act on: frozen ones are left out before they
    /// are copied (a scale scenario has thousands).
    pub fn list_active(&self, api_version: &str, kind: &str, ns: Option<&str>) -> Vec<Value> {
        self.def(api_version, kind)
            .map(|d| self.store.list_active(d, ns))
            .unwrap_or_default()
    }

    pub fn get(&self, api_version: &str, kind: &str, ns: &str, name: &str) -> Option<Value> {
        let d = self.def(api_version, kind)?;
        self.store.get(d, ns, name).ok()
    }

    fn record<T>(
        &mut self,
        what: &str,
        obj: &Value,
        r: Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        if let Err(e) = &r {
            self.errors.push(format!(
                "{what} {} {}/{}: {}",
                obj.get("kind").and_then(Value::as_str).unwrap_or("?"),
                meta(obj, "namespace"),
                meta(obj, "name"),
                e.message
            ));
            tracing::warn!(what, error = %e.message, "simulated controller write refused");
        }
        r
    }

    /// Creates an object (namespace from its metadata) through API admission.
    pub fn create(&mut self, obj: Value) -> Result<Value, ApiError> {
        let def = self.def_of(&obj)?;
        let ns = meta(&obj, "namespace").to_string();
        let r = admit::create(self.store, def, &ns, obj.clone(), self.now, Mode::Api);
        self.record("create", &obj, r)
    }

    /// Replaces the main part (spec, metadata) of an object; its resourceVersion must be
    /// current.
    pub fn update(&mut self, obj: Value) -> Result<Value, ApiError> {
        self.write(obj, Part::Main)
    }

    /// Replaces the status of an object (its status subresource, when it has one).
    pub fn update_status(&mut self, obj: Value) -> Result<Value, ApiError> {
        self.write(obj, Part::Status)
    }

    fn write(&mut self, obj: Value, part: Part) -> Result<Value, ApiError> {
        let def = self.def_of(&obj)?;
        let part = if def.status_subresource {
            part
        } else {
            Part::Main
        };
        let (ns, name) = (
            meta(&obj, "namespace").to_string(),
            meta(&obj, "name").to_string(),
        );
        let r = admit::replace(self.store, def, &ns, &name, obj.clone(), part, false);
        self.record("update", &obj, r)
    }

    pub fn delete(&mut self, obj: &Value) -> Result<(), ApiError> {
        let def = self.def_of(obj)?;
        let r = self
            .store
            .delete(def, meta(obj, "namespace"), meta(obj, "name"))
            .map(|_| ());
        self.record("delete", obj, r)
    }

    /// Sim time since the timer `key` was first asked for.
    pub fn elapsed(&mut self, key: &str) -> Duration {
        self.timers.elapsed(key, self.sim)
    }

    pub fn reset_timer(&mut self, key: &str) {
        self.timers.reset(key);
    }

    /// Records a core/v1 Event about `involved`, aggregating repeats (same reason and
    /// message) into `count` and `lastTimestamp`, as the real event recorder does.
    pub fn event(
        &mut self,
        involved: &Value,
        warning: bool,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        let ns = match meta(involved, "namespace") {
            "" => "default",
            ns => ns,
        }
        .to_string();
        let uid = meta(involved, "uid").to_string();
        let ts = self.ts();
        let existing = self.list("v1", "Event", Some(&ns)).into_iter().find(|e| {
            e.pointer("/involvedObject/uid").and_then(Value::as_str) == Some(uid.as_str())
                && e.get("reason").and_then(Value::as_str) == Some(reason)
                && e.get("message").and_then(Value::as_str) == Some(message)
        });
        if let Some(mut e) = existing {
            let count = e.get("count").and_then(Value::as_i64).unwrap_or(1);
            e["count"] = json!(count + 1);
            e["lastTimestamp"] = json!(ts);
            let _ = self.update(e);
            return;
        }
        let name = format!("{}.{:016x}", meta(involved, "name"), self.rng.u64(..));
        let obj = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": {
                "apiVersion": involved.get("apiVersion"),
                "kind": involved.get("kind"),
                "name": meta(involved, "name"),
                "namespace": meta(involved, "namespace"),
                "uid": uid,
                "resourceVersion": meta(involved, "resourceVersion"),
            },
            "reason": reason,
            "message": message,
            "type": if warning { "Warning" } else { "Normal" },
            "source": {"component": component},
            "reportingComponent": component,
            "reportingInstance": "",
            "count": 1,
            "firstTimestamp": ts,
            "lastTimestamp": ts,
            "eventTime": null,
        });
        let _ = self.create(obj);
    }
}
