//! Sizing the canary's ReplicaSets (by weight, within maxSurge/maxUnavailable), scaling old
//! sets down, the stable/canary Services, and the traffic weights of a traffic-routed canary.

use serde_json::Value;

use super::replicas::{Basic, Counts, weight_to_replicas};
use super::sets::{counts, rs_spec, rs_stat};
use super::spec::{self, replicas, steps, text};
use super::status::{self, INCONCLUSIVE, flag, has_pause};
use super::{Halt, Recon};
use crate::sim::world::ctx::meta;

impl Recon<'_, '_> {
    /// Why sets must not be scaled now (`spec.paused`, or an inconclusive analysis).
    pub fn halt_progress(&self) -> bool {
        spec::paused(&self.ro) || has_pause(self.old(), INCONCLUSIVE)
    }

    /// (canary replicas from setCanaryScale, weight) as the controller picks them.
    fn replicas_or_weight(&self) -> (Option<i64>, i64) {
        let old = self.old();
        let stable = text(old, "/stableRS");
        if flag(old, "promoteFull") || stable.is_empty() || text(old, "/currentPodHash") == stable {
            return (None, spec::max_weight(&self.ro));
        }
        if let Some(scs) = self.set_canary_scale() {
            if let Some(r) = spec::int(scs.get("replicas")) {
                return (Some(r), 0);
            }
            if let Some(w) = spec::int(scs.get("weight")) {
                return (None, w);
            }
        }
        (None, self.current_set_weight())
    }

    fn set_canary_scale(&self) -> Option<Value> {
        if !spec::traffic_routing(&self.ro) {
            return None;
        }
        if flag(self.old(), "abort") && spec::abort_scale_down_delay(&self.ro).is_some() {
            return None;
        }
        let i = usize::try_from(self.step_index()?).ok()?;
        let all = steps(&self.ro);
        if i >= all.len() {
            return None;
        }
        let scs = all[..=i]
            .iter()
            .rev()
            .find_map(|s| s.get("setCanaryScale"))?;
        if scs.get("matchTrafficWeight").and_then(Value::as_bool) == Some(true) {
            return None;
        }
        Some(scs.clone())
    }

    /// (new, stable) replica counts for the current weight.
    pub fn canary_counts(&self) -> (i64, i64) {
        let n = replicas(&self.ro);
        let (scale, weight) = self.replicas_or_weight();
        let max_weight = spec::max_weight(&self.ro);
        if spec::traffic_routing(&self.ro) {
            let canary = scale.unwrap_or_else(|| {
                let c = weight_to_replicas(n, weight, max_weight);
                let min = spec::int(
                    self.ro
                        .pointer("/spec/strategy/canary/minPodsPerReplicaSet"),
                );
                match min {
                    Some(m) if c > 0 => c.max(m.min(n)),
                    _ => c,
                }
            });
            return (canary, n);
        }
        let others: i64 = self
            .others()
            .into_iter()
            .map(|i| rs_spec(&self.rss[i]))
            .sum();
        Basic {
            replicas: n,
            weight,
            max_weight,
            max_surge: spec::max_surge(&self.ro),
            max_unavailable: spec::max_unavailable(&self.ro),
            new: self.new_rs().map(counts),
            stable: self.stable_rs().map(counts),
            stable_is_new: self.stable.is_some() && self.stable == self.new,
            others,
        }
        .counts()
    }

    pub fn threshold_met(&self, desired: i64) -> bool {
        let Some(rs) = self.new_rs() else {
            return false;
        };
        let t = self
            .ro
            .pointer("/spec/strategy/canary/replicaProgressThreshold");
        let value = t.and_then(|t| spec::int(t.get("value"))).unwrap_or(-1);
        if value < 0 {
            return desired == rs_spec(rs) && desired == rs_stat(rs, "availableReplicas");
        }
        let available = rs_stat(rs, "availableReplicas");
        if t.map(|t| text(t, "/type")) == Some("Percent") {
            if desired == 0 {
                return true;
            }
            return available as f64 * 100.0 / desired as f64 >= value as f64 - 1e-10;
        }
        available >= value
    }

    /// Every set is at the size the current step wants.
    pub fn at_desired_counts(&self) -> bool {
        let (want_new, want_stable) = self.canary_counts();
        if !self.threshold_met(want_new) {
            return false;
        }
        let created = self
            .stable_rs()
            .map(counts)
            .is_some_and(|c: Counts| c.spec == want_stable && c.created == want_stable);
        if !created {
            return false;
        }
        spec::traffic_routing(&self.ro)
            || self
                .others()
                .into_iter()
                .map(|i| rs_stat(&self.rss[i], "availableReplicas"))
                .sum::<i64>()
                == 0
    }

    /// Scales stable, then new, then the old sets; true when something was scaled.
    pub fn reconcile_canary_sets(&mut self) -> Result<bool, Halt> {
        if self.halt_progress() {
            return Ok(false);
        }
        self.remove_scale_down_deadlines()?;
        let (want_new, want_stable) = self.canary_counts();
        if let Some(s) = self.stable
            && self.stable != self.new
            && self.scale(s, want_stable)?
        {
            return Ok(true);
        }
        if self.reconcile_new_set(want_new)? {
            return Ok(true);
        }
        self.reconcile_other_sets()
    }

    /// Sizes the new set; an aborted blue-green or traffic-routed update keeps it for
    /// abortScaleDownDelaySeconds first.
    pub fn reconcile_new_set(&mut self, mut want: i64) -> Result<bool, Halt> {
        let Some(n) = self.new else { return Ok(false) };
        if self.delay_scale_down_on_abort() {
            let delay = spec::abort_scale_down_delay(&self.ro).unwrap_or(0);
            if self.has_deadline(n) {
                if self.before_deadline(n, delay) {
                    let cur = rs_spec(&self.rss[n]);
                    self.scale(n, cur)?;
                    return Ok(false);
                }
                want = 0;
            } else {
                let cur = rs_spec(&self.rss[n]);
                self.scale(n, cur)?;
                let stable_ok = self
                    .stable_rs()
                    .is_some_and(|s| rs_stat(s, "availableReplicas") >= replicas(&self.ro));
                if stable_ok {
                    self.add_deadline(n, delay)?;
                }
                return Ok(false);
            }
        }
        self.scale(n, want)
    }

    /// Scales down the sets that are neither new nor stable.
    pub fn reconcile_other_sets(&mut self) -> Result<bool, Halt> {
        let mut others: Vec<usize> = self
            .others()
            .into_iter()
            .filter(|i| rs_spec(&self.rss[*i]) > 0)
            .collect();
        if others.is_empty() {
            return Ok(false);
        }
        others.sort_by_key(|i| {
            let r = &self.rss[*i];
            std::cmp::Reverse((spec::revision(r), meta(r, "creationTimestamp").to_string()))
        });
        if spec::blue_green(&self.ro).is_some() {
            return self.scale_down_old_blue_green(&others);
        }
        let tr = spec::traffic_routing(&self.ro);
        // Unhealthy replicas first: an old set is cut to what is available.
        let mut by_age = others.clone();
        by_age.sort_by_key(|i| meta(&self.rss[*i], "creationTimestamp").to_string());
        for i in by_age {
            let c = counts(&self.rss[i]);
            if c.spec != c.available && c.available < c.spec {
                self.scale(i, c.available)?;
            }
        }
        let available: i64 = self
            .rss
            .iter()
            .map(|r| rs_stat(r, "availableReplicas"))
            .sum();
        let mut max_down = available - (replicas(&self.ro) - spec::max_unavailable(&self.ro));
        if max_down <= 0 {
            return Ok(false);
        }
        let promoted = status::fully_promoted(self.old());
        let (mut total, mut annotated) = (0, 0);
        for i in others {
            if tr && self.is_referenced(i) {
                continue;
            }
            if max_down <= 0 {
                break;
            }
            let cur = rs_spec(&self.rss[i]);
            if cur == 0 {
                continue;
            }
            let mut want = 0;
            if !tr {
                if cur > max_down {
                    want = cur - max_down;
                }
            } else if promoted || self.has_deadline(i) {
                (annotated, want) = self.scale_down_delay_helper(i, annotated, cur)?;
            }
            if cur == want {
                continue;
            }
            self.scale(i, want)?;
            max_down -= cur - want;
            total += cur - want;
        }
        Ok(total > 0)
    }

    /// Annotates an old set with its scale-down deadline or scales it down once that passed;
    /// returns (annotated so far, replicas it keeps).
    pub fn scale_down_delay_helper(
        &mut self,
        i: usize,
        mut annotated: i64,
        keep: i64,
    ) -> Result<(i64, i64), Halt> {
        let strategy = spec::canary(&self.ro).or_else(|| spec::blue_green(&self.ro));
        let limit = strategy
            .and_then(|s| spec::int(s.get("scaleDownDelayRevisionLimit")))
            .unwrap_or(i64::MAX);
        let delay = spec::scale_down_delay(&self.ro);
        let cur = rs_spec(&self.rss[i]);
        let mut want = 0;
        if !self.has_deadline(i) && cur > 0 {
            if annotated < limit {
                annotated += 1;
                want = cur;
                self.add_deadline(i, delay)?;
            }
        } else if self.has_deadline(i) {
            annotated += 1;
            if annotated <= limit && self.before_deadline(i, delay) {
                want = keep;
            }
        }
        Ok((annotated, want))
    }
}
