//! The Deployment controller's rollouts: RollingUpdate in waves bounded by maxSurge and
//! maxUnavailable, Recreate, scaling without a rollout (proportional across active
//! ReplicaSets), and pruning of old ReplicaSets beyond `revisionHistoryLimit`.

use serde_json::{Value, json};

use super::status::complete;
use super::util::{
    Spec, by_creation, int, proportion, revision, saturated, set_replicas_annotations,
    spec_replicas, status_of,
};
use super::{COMPONENT, Sync};
use crate::sim::world::ctx::{Ctx, frozen, meta, owned_by};

impl Sync {
    pub(super) fn rolling(&mut self, ctx: &mut Ctx<'_>) {
        self.sync_revision(ctx, true);
        if self.new_rs.is_none() {
            // Not created (a hash collision, counted for the next try): the sync stops.
            return;
        }
        if !self.reconcile_new(ctx)
            && !self.reconcile_old(ctx)
            && complete(&self.d, &self.spec, &self.d["status"])
        {
            self.cleanup(ctx);
        }
        self.sync_rollout_status(ctx);
    }

    fn reconcile_new(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let Some(cur) = self.new_rs.as_ref().map(spec_replicas) else {
            return false;
        };
        let target = if cur > self.spec.replicas {
            self.spec.replicas
        } else {
            self.new_rs_new_replicas(cur)
        };
        let (d, spec) = (&self.d, &self.spec);
        self.new_rs
            .as_mut()
            .is_some_and(|rs| scale_rs(ctx, d, spec, rs, target, false))
    }

    fn reconcile_old(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let old_pods: i64 = self.old.iter().map(spec_replicas).sum();
        if old_pods == 0 {
            return false;
        }
        let new = self.new_rs.as_ref();
        let all_pods = old_pods + new.map_or(0, spec_replicas);
        let min_available = self.spec.replicas - self.spec.max_unavailable;
        let new_unavailable = new.map_or(0, |rs| {
            spec_replicas(rs) - status_of(rs, "availableReplicas")
        });
        let max_scaled_down = all_pods - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return false;
        }
        let (d, spec) = (&self.d, &self.spec);
        // First the old ReplicaSets' unhealthy replicas, oldest first.
        let mut cleaned = 0;
        for rs in self.old.iter_mut() {
            if cleaned >= max_scaled_down {
                break;
            }
            let (n, available) = (spec_replicas(rs), status_of(rs, "availableReplicas"));
            if n == 0 || n == available {
                continue;
            }
            let down = (max_scaled_down - cleaned).min(n - available);
            scale_rs(ctx, d, spec, rs, n - down, false);
            cleaned += down;
        }
        // Then as many available ones as minAvailable allows.
        let available: i64 = self
            .old
            .iter()
            .chain(self.new_rs.iter())
            .map(|rs| status_of(rs, "availableReplicas"))
            .sum();
        let mut scaled = 0;
        if available > min_available {
            let total = available - min_available;
            for rs in self.old.iter_mut() {
                let n = spec_replicas(rs);
                if scaled >= total {
                    break;
                }
                if n == 0 {
                    continue;
                }
                let down = n.min(total - scaled);
                scale_rs(ctx, d, spec, rs, n - down, false);
                scaled += down;
            }
        }
        cleaned + scaled > 0
    }

    pub(super) fn recreate(&mut self, ctx: &mut Ctx<'_>) {
        self.sync_revision(ctx, false);
        let (d, spec) = (&self.d, &self.spec);
        let mut scaled = false;
        for rs in self.old.iter_mut().filter(|rs| spec_replicas(rs) > 0) {
            scaled |= scale_rs(ctx, d, spec, rs, 0, false);
        }
        if !scaled && !self.old_pods_running(ctx) {
            if self.new_rs.is_none() {
                self.sync_revision(ctx, true);
                if self.new_rs.is_none() {
                    return;
                }
            }
            let (d, spec) = (&self.d, &self.spec);
            let up = self
                .new_rs
                .as_mut()
                .is_some_and(|rs| scale_rs(ctx, d, spec, rs, spec.replicas, false));
            if !up && complete(&self.d, &self.spec, &self.d["status"]) {
                self.cleanup(ctx);
            }
        }
        self.sync_rollout_status(ctx);
    }

    fn old_pods_running(&self, ctx: &Ctx<'_>) -> bool {
        if self
            .old
            .iter()
            .map(|rs| status_of(rs, "replicas"))
            .sum::<i64>()
            > 0
        {
            return true;
        }
        ctx.list("v1", "Pod", Some(meta(&self.d, "namespace")))
            .iter()
            .filter(|p| self.old.iter().any(|rs| owned_by(p, rs)))
            .any(|p| {
                !matches!(
                    p.pointer("/status/phase").and_then(Value::as_str),
                    Some("Failed" | "Succeeded")
                )
            })
    }

    /// Scaling without a rollout (paused, or replicas changed): the only active ReplicaSet
    /// takes the change, or every active one its proportion of it.
    pub(super) fn scale(&mut self, ctx: &mut Ctx<'_>) {
        let (d, spec) = (&self.d, &self.spec);
        let active = self.all().filter(|rs| spec_replicas(rs) > 0).count();
        if active <= 1 {
            let target = if active == 1 {
                self.old
                    .iter_mut()
                    .chain(self.new_rs.iter_mut())
                    .find(|rs| spec_replicas(rs) > 0)
            } else if self.new_rs.is_some() {
                self.new_rs.as_mut()
            } else {
                self.old.last_mut()
            };
            if let Some(rs) = target {
                scale_rs(ctx, d, spec, rs, spec.replicas, false);
            }
            return;
        }
        if self.new_rs.as_ref().is_some_and(|rs| saturated(rs, spec)) {
            for rs in self.old.iter_mut().filter(|rs| spec_replicas(rs) > 0) {
                scale_rs(ctx, d, spec, rs, 0, false);
            }
            return;
        }
        if spec.recreate {
            return;
        }
        let mut all: Vec<&mut Value> = self
            .old
            .iter_mut()
            .chain(self.new_rs.iter_mut())
            .filter(|rs| spec_replicas(rs) > 0)
            .collect();
        let allowed = if spec.replicas > 0 {
            spec.replicas + spec.max_surge
        } else {
            0
        };
        let to_add = allowed - all.iter().map(|rs| spec_replicas(rs)).sum::<i64>();
        // Largest first; ties: newer first when adding, older first when removing.
        all.sort_by(|a, b| {
            let age = if to_add > 0 {
                by_creation(b, a)
            } else {
                by_creation(a, b)
            };
            spec_replicas(b).cmp(&spec_replicas(a)).then(age)
        });
        let mut added = 0;
        let mut sizes: Vec<i64> = Vec::with_capacity(all.len());
        for rs in &all {
            let p = proportion(rs, d, spec, to_add, added);
            sizes.push(spec_replicas(rs) + p);
            added += p;
        }
        if let Some(first) = sizes.first_mut() {
            *first = (*first + to_add - added).max(0);
        }
        for (rs, size) in all.into_iter().zip(sizes) {
            scale_rs(ctx, d, spec, rs, size, true);
        }
    }

    /// Deletes the oldest empty ReplicaSets beyond `revisionHistoryLimit`.
    pub(super) fn cleanup(&mut self, ctx: &mut Ctx<'_>) {
        let Some(limit) = self.spec.history_limit else {
            return;
        };
        let mut alive: Vec<&Value> = self
            .old
            .iter()
            .filter(|rs| rs.pointer("/metadata/deletionTimestamp").is_none())
            .collect();
        let diff = alive.len() as i64 - limit.max(0);
        if diff <= 0 {
            return;
        }
        alive.sort_by(|a, b| revision(a).cmp(&revision(b)).then(by_creation(a, b)));
        let doomed: Vec<Value> = alive
            .into_iter()
            .take(diff as usize)
            .filter(|rs| {
                status_of(rs, "replicas") == 0
                    && spec_replicas(rs) == 0
                    && int(rs, "/metadata/generation") <= int(rs, "/status/observedGeneration")
                    && !frozen(rs)
            })
            .cloned()
            .collect();
        for rs in doomed {
            if ctx.delete(&rs).is_ok() {
                self.old.retain(|o| meta(o, "uid") != meta(&rs, "uid"));
            }
        }
    }
}

/// Scales a ReplicaSet (recording the replica annotations) with the controller's event.
/// `always` also refreshes the annotations when the size is unchanged.
fn scale_rs(
    ctx: &mut Ctx<'_>,
    d: &Value,
    spec: &Spec,
    rs: &mut Value,
    to: i64,
    always: bool,
) -> bool {
    let from = spec_replicas(rs);
    if (from == to && !always) || frozen(rs) || !rs["spec"].is_object() {
        return false;
    }
    let mut next = rs.clone();
    next["spec"]["replicas"] = json!(to);
    let annotated = set_replicas_annotations(&mut next, spec);
    if from == to && !annotated {
        return false;
    }
    let Ok(stored) = ctx.update(next) else {
        return false;
    };
    *rs = stored;
    if from != to {
        let dir = if from < to { "up" } else { "down" };
        let msg = format!(
            "Scaled {dir} replica set {} from {from} to {to}",
            meta(rs, "name")
        );
        ctx.event(d, false, "ScalingReplicaSet", &msg, COMPONENT);
    }
    from != to
}

#[cfg(test)]
#[path = "deployment_rollout_tests.rs"]
mod tests;
