//! The Argo Rollouts controller of the simulated world (`argoproj.io/v1alpha1` Rollout):
//! canary (basic, by replica counts; or traffic-routed, by `status.canary.weights`) and
//! blue-green, driven by the same requests `kubectl argo rollouts` sends (promote, abort,
//! retry, pause, restart, undo). It creates and scales ReplicaSets (their pods come from the
//! ReplicaSet controller), switches the Services it is given, creates step and background
//! AnalysisRuns (the AnalysisRun controller measures them) and writes the Rollout status,
//! conditions and events the way the real controller does (argoproj/argo-rollouts
//! `rollout/`, `utils/`). Every tick each Rollout is reconciled once; the ReplicaSets and
//! AnalysisRuns are listed once per tick and grouped by owner, and nothing unchanged is
//! written.
//!
//! Sim time drives every duration (pause steps, autoPromotionSeconds, scaleDownDelaySeconds,
//! abortScaleDownDelaySeconds, progressDeadlineSeconds); timestamps written into objects are
//! wall-clock (`scale-down-deadline` = now + delay, as written by the real controller).
//!
//! Left alone: frozen objects (Rollouts, sets, pods, Services, runs), Rollouts with
//! `spec.workloadRef` (the referenced Deployment is not resolved), Rollouts being deleted.
//! Not simulated: experiment steps (they never complete), step plugins and header/mirror
//! routes (they complete at once), the traffic routers' own objects (Istio, ALB, SMI...:
//! only the weights in the status, never "verified"), blue-green pre/post-promotion analysis
//! and previewReplicaCount, anti-affinity, ephemeral metadata, dynamicStableScale,
//! replicaProgressThreshold beyond its arithmetic, adoption of orphan ReplicaSets, hash
//! collisions (`collisionCount`), `status.duration`.

mod analysis;
mod analysis_create;
mod bluegreen;
mod canary;
mod canary_sets;
mod conditions;
mod promote;
mod replicas;
mod restart;
mod scaling;
mod services;
mod sets;
pub mod spec;
pub mod status;
pub mod steps;
mod traffic;
mod validate;

use std::collections::HashMap;

use serde_json::{Value, json};

use self::spec::{COMPONENT, ROLLOUT_AV};
use self::status::Pause;
use super::ctx::{Controller, Ctx, frozen, meta};

/// The controller (registered in `controllers()` as `argo::RolloutController`).
#[derive(Debug, Default)]
pub struct RolloutController;

impl Controller for RolloutController {
    fn name(&self) -> &'static str {
        "argo-rollouts"
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        let rollouts = ctx.list_active(ROLLOUT_AV, "Rollout", None);
        if rollouts.is_empty() {
            return;
        }
        let mut sets = by_owner(ctx.list("apps/v1", "ReplicaSet", None));
        let mut runs = by_owner(ctx.list(ROLLOUT_AV, "AnalysisRun", None));
        for ro in rollouts {
            if frozen(&ro)
                || ro
                    .pointer("/spec/workloadRef")
                    .is_some_and(|w| !w.is_null())
                || ro.pointer("/metadata/deletionTimestamp").is_some()
            {
                continue;
            }
            let uid = meta(&ro, "uid").to_string();
            let owned = sets.remove(&uid).unwrap_or_default();
            let ars = runs.remove(&uid).unwrap_or_default();
            // An Err means the pass stopped early (a write was refused, or a referenced
            // object is missing): the next tick tries again, as a requeue would.
            let _ = Recon::new(ctx, ro, owned, ars).run();
        }
    }
}

/// Objects grouped by the uid of their controlling owner.
fn by_owner(objs: Vec<Value>) -> HashMap<String, Vec<Value>> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    for o in objs {
        let owner = o
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .and_then(|refs| {
                refs.iter()
                    .find(|r| r.get("controller") == Some(&json!(true)))
            })
            .and_then(|r| r.get("uid"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(uid) = owner {
            out.entry(uid).or_default().push(o);
        }
    }
    out
}

/// This pass stops here (the reason is in the refused-writes log or the object is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Halt;

pub(crate) type Pass = Result<(), Halt>;

/// The AnalysisRuns a rollout currently follows.
#[derive(Debug, Default)]
pub(crate) struct CurrentRuns {
    pub step: Option<Value>,
    pub background: Option<Value>,
}

/// One reconciliation of one Rollout (the real controller's rolloutContext).
pub(crate) struct Recon<'c, 'a> {
    pub ctx: &'c mut Ctx<'a>,
    /// The Rollout as last read or written.
    pub ro: Value,
    pub uid: String,
    /// Every ReplicaSet the Rollout controls (kept current after each write).
    pub rss: Vec<Value>,
    pub new: Option<usize>,
    pub stable: Option<usize>,
    pub ars: Vec<Value>,
    pub current: CurrentRuns,
    pub pause: Pause,
    /// The status being computed (`newStatus`).
    pub st: Value,
    /// The Rollout was written in a way that ends this pass (`c.newRollout`).
    pub done: bool,
}

impl<'c, 'a> Recon<'c, 'a> {
    fn new(ctx: &'c mut Ctx<'a>, ro: Value, rss: Vec<Value>, ars: Vec<Value>) -> Self {
        let uid = meta(&ro, "uid").to_string();
        let mut st = json!({"blueGreen": {}, "canary": {}});
        if let Some(r) = ro.pointer("/status/restartedAt") {
            st["restartedAt"] = r.clone();
        }
        if let Some(w) = ro.pointer("/status/canary/weights") {
            st["canary"]["weights"] = w.clone();
        }
        Self {
            ctx,
            ro,
            uid,
            rss,
            new: None,
            stable: None,
            ars,
            current: CurrentRuns::default(),
            pause: Pause::default(),
            st,
            done: false,
        }
    }

    /// The written status of the Rollout (`c.rollout.Status`).
    pub fn old(&self) -> &Value {
        self.ro.get("status").unwrap_or(&Value::Null)
    }

    pub fn name(&self) -> String {
        meta(&self.ro, "name").to_string()
    }

    pub fn ns(&self) -> String {
        meta(&self.ro, "namespace").to_string()
    }

    pub fn new_rs(&self) -> Option<&Value> {
        self.new.and_then(|i| self.rss.get(i))
    }

    pub fn stable_rs(&self) -> Option<&Value> {
        self.stable.and_then(|i| self.rss.get(i))
    }

    /// Indexes of the sets that are neither new nor stable.
    pub fn others(&self) -> Vec<usize> {
        (0..self.rss.len())
            .filter(|i| Some(*i) != self.new && Some(*i) != self.stable)
            .collect()
    }

    pub fn is_aborted(&self) -> bool {
        self.pause.is_aborted(self.old())
    }

    pub fn event(&mut self, warning: bool, reason: &str, message: &str) {
        let ro = self.ro.clone();
        self.ctx.event(&ro, warning, reason, message, COMPONENT);
    }

    /// Restarts a sim-time timer now.
    pub fn start_timer(&mut self, key: &str) {
        self.ctx.reset_timer(key);
        self.ctx.elapsed(key);
    }

    /// Sim seconds since the timer started (starting it now if it was not running).
    pub fn timer_secs(&mut self, key: &str) -> f64 {
        self.ctx.elapsed(key).as_secs_f64()
    }

    pub fn timer_key(&self, what: &str) -> String {
        format!("{}/argo/{what}", self.uid)
    }

    /// Writes the Rollout's metadata or spec; the pass ends afterwards when `ends`.
    pub fn update_rollout(&mut self, ro: Value) -> Pass {
        let written = self.ctx.update(ro).map_err(|_| Halt)?;
        self.ro = written;
        Ok(())
    }

    /// Writes the Rollout's status (whole), keeping `self.ro` current.
    pub fn write_status(&mut self, status: Value) -> Pass {
        let mut next = self.ro.clone();
        next["status"] = status;
        let written = self.ctx.update_status(next).map_err(|_| Halt)?;
        self.ro = written;
        Ok(())
    }

    /// `spec.replicas` changed: only resize the sets (syncReplicasOnly).
    fn sync_replicas_only(&mut self) -> Pass {
        self.st = match self.old() {
            Value::Object(_) => self.old().clone(),
            _ => json!({"blueGreen": {}, "canary": {}}),
        };
        let sum = |rss: &[Value], k: &str| -> i64 { rss.iter().map(|r| sets::rs_stat(r, k)).sum() };
        if spec::blue_green(&self.ro).is_some() {
            let n = spec::replicas(&self.ro);
            if let Some(s) = self.stable {
                self.scale(s, n)?;
            }
            self.reconcile_new_set(n)?;
            self.reconcile_other_sets()?;
            let active = spec::text(&self.st, "/blueGreen/activeSelector").to_string();
            let set: Vec<Value> = self
                .rss
                .iter()
                .filter(|r| !active.is_empty() && sets::rs_hash(r) == active)
                .cloned()
                .collect();
            let pick = if set.is_empty() {
                self.rss.clone()
            } else {
                set
            };
            canary::set_num(&mut self.st, "HPAReplicas", sum(&pick, "replicas"));
            canary::set_num(
                &mut self.st,
                "availableReplicas",
                sum(&pick, "availableReplicas"),
            );
        } else {
            self.reconcile_canary_sets()?;
            let (a, r) = (
                sum(&self.rss, "availableReplicas"),
                sum(&self.rss, "replicas"),
            );
            canary::set_num(&mut self.st, "availableReplicas", a);
            canary::set_num(&mut self.st, "HPAReplicas", r);
        }
        self.persist()
    }

    fn run(mut self) -> Pass {
        if self.ro.pointer("/spec/replicas").is_none() {
            let mut next = self.ro.clone();
            next["spec"]["replicas"] = json!(1);
            return self.update_rollout(next);
        }
        if let Err(message) = validate::check(self.ctx, &self.ro) {
            return self.invalid_spec(&message);
        }
        self.find_sets();
        if self.new.is_none() {
            self.create_desired()?;
        }
        if status::fully_promoted(self.old()) && self.is_aborted() {
            self.pause.remove_abort = true;
        }
        self.check_paused_conditions()?;
        if self.done {
            return Ok(());
        }
        self.sync_revision()?;
        if self.is_scaling_event() {
            return self.sync_replicas_only();
        }
        if spec::blue_green(&self.ro).is_some() {
            self.rollout_blue_green()
        } else {
            self.rollout_canary()
        }
    }
}

#[cfg(test)]
mod testutil;

#[cfg(test)]
#[path = "canary_tests.rs"]
mod canary_tests;

#[cfg(test)]
#[path = "actions_tests.rs"]
mod actions_tests;

#[cfg(test)]
#[path = "integration_tests.rs"]
mod integration_tests;

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod lifecycle_tests;

#[cfg(test)]
#[path = "bluegreen_tests.rs"]
mod bluegreen_tests;

#[cfg(test)]
#[path = "sets_tests.rs"]
mod sets_tests;
