//! Scaling the Rollout's sets: sizes with events, scale-down deadlines (sim time), the
//! revision history limit, and detecting a change of `spec.replicas`.

use chrono::{Duration as ChronoDuration, SecondsFormat};
use serde_json::{Value, json};

use super::sets::{created_rank, deadline_key, rs_hash, rs_spec, rs_stat};
use super::spec::{
    self, DESIRED_REPLICAS, HASH_LABEL, SCALE_DOWN_DEADLINE, annotation, label, replicas, revision,
};
use super::{Halt, Pass, Recon};
use crate::sim::world::ctx::{frozen, meta};

impl Recon<'_, '_> {
    /// Scales a set (and records its desired-replicas); true when its size changed.
    pub fn scale(&mut self, idx: usize, to: i64) -> Result<bool, Halt> {
        let rs = &self.rss[idx];
        let cur = rs_spec(rs);
        let want = replicas(&self.ro);
        let ann_needs = annotation(rs, DESIRED_REPLICAS) != Some(want.to_string().as_str())
            || (want == 0 && annotation(rs, SCALE_DOWN_DEADLINE).is_some_and(|d| !d.is_empty()));
        if (cur == to && !ann_needs) || frozen(rs) {
            return Ok(false);
        }
        let mut next = rs.clone();
        next["spec"]["replicas"] = json!(to);
        next["metadata"]["annotations"][DESIRED_REPLICAS] = json!(want.to_string());
        let drop_deadline = to == 0 && !self.delay_scale_down_on_abort();
        if drop_deadline && let Some(a) = next["metadata"]["annotations"].as_object_mut() {
            a.remove(SCALE_DOWN_DEADLINE);
        }
        let written = self.ctx.update(next).map_err(|_| Halt)?;
        if drop_deadline {
            self.ctx.reset_timer(&deadline_key(&written));
        }
        let name = meta(&written, "name").to_string();
        let rev = revision(&written);
        self.rss[idx] = written;
        if cur != to {
            let op = if cur < to { "up" } else { "down" };
            self.event(
                false,
                "ScalingReplicaSet",
                &format!("Scaled {op} ReplicaSet {name} (revision {rev}) from {cur} to {to}"),
            );
        }
        Ok(cur != to)
    }

    pub fn has_deadline(&self, idx: usize) -> bool {
        annotation(&self.rss[idx], SCALE_DOWN_DEADLINE).is_some_and(|d| !d.is_empty())
    }

    /// Annotates a set with `scale-down-deadline` (now + `secs`, wall clock) and starts the
    /// sim-time countdown.
    pub fn add_deadline(&mut self, idx: usize, secs: i64) -> Pass {
        if secs == 0 {
            return self.remove_deadline(idx);
        }
        if frozen(&self.rss[idx]) {
            return Ok(());
        }
        let at = (self.ctx.now + ChronoDuration::seconds(secs))
            .to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut next = self.rss[idx].clone();
        next["metadata"]["annotations"][SCALE_DOWN_DEADLINE] = json!(at);
        let written = self.ctx.update(next).map_err(|_| Halt)?;
        self.start_timer(&deadline_key(&written));
        self.rss[idx] = written;
        Ok(())
    }

    pub fn remove_deadline(&mut self, idx: usize) -> Pass {
        if !self.has_deadline(idx) || frozen(&self.rss[idx]) {
            return Ok(());
        }
        let mut next = self.rss[idx].clone();
        if let Some(a) = next["metadata"]["annotations"].as_object_mut() {
            a.remove(SCALE_DOWN_DEADLINE);
        }
        let written = self.ctx.update(next).map_err(|_| Halt)?;
        self.ctx.reset_timer(&deadline_key(&written));
        self.rss[idx] = written;
        Ok(())
    }

    /// Whether the set's scale-down deadline (`delay` sim seconds after it was set) is still
    /// ahead.
    pub fn before_deadline(&mut self, idx: usize, delay: i64) -> bool {
        if !self.has_deadline(idx) {
            return false;
        }
        let key = deadline_key(&self.rss[idx]);
        self.timer_secs(&key) < delay as f64
    }

    pub fn delay_scale_down_on_abort(&self) -> bool {
        self.is_aborted()
            && self.stable.is_some()
            && spec::abort_scale_down_delay(&self.ro).is_some()
    }

    /// Removes the deadline from the new set (unless it waits out an abort) and the stable one.
    pub fn remove_scale_down_deadlines(&mut self) -> Pass {
        if let Some(n) = self.new
            && !self.delay_scale_down_on_abort()
        {
            self.remove_deadline(n)?;
        }
        if let Some(s) = self.stable
            && Some(s) != self.new
        {
            self.remove_deadline(s)?;
        }
        Ok(())
    }

    /// `spec.replicas` changed since the sets were last sized (their desired-replicas).
    pub fn is_scaling_event(&self) -> bool {
        let want = replicas(&self.ro).to_string();
        [self.new, self.stable]
            .into_iter()
            .flatten()
            .map(|i| &self.rss[i])
            .filter(|rs| rs_spec(rs) > 0)
            .any(|rs| annotation(rs, DESIRED_REPLICAS).is_some_and(|d| d != want))
    }

    /// Deletes old, scaled-down sets beyond `revisionHistoryLimit` (oldest first), and their
    /// AnalysisRuns.
    pub fn history_limit(&mut self) -> Pass {
        let mut old = self.others();
        let limit = spec::revision_history_limit(&self.ro);
        let extra = old.len() as i64 - limit;
        if extra <= 0 {
            return Ok(());
        }
        old.sort_by_key(|i| created_rank(&self.rss[*i]));
        let mut doomed = Vec::new();
        for i in old.into_iter().take(extra as usize) {
            let rs = &self.rss[i];
            let observed = rs_stat(rs, "observedGeneration");
            let generation = spec::int(rs.pointer("/metadata/generation")).unwrap_or(0);
            if rs_stat(rs, "replicas") != 0
                || rs_spec(rs) != 0
                || generation > observed
                || frozen(rs)
            {
                continue;
            }
            doomed.push(i);
        }
        for i in doomed.iter().rev() {
            let rs = self.rss[*i].clone();
            self.ctx.delete(&rs).map_err(|_| Halt)?;
            let hash = rs_hash(&rs).to_string();
            let runs: Vec<Value> = self
                .ars
                .iter()
                .filter(|a| label(a, HASH_LABEL) == Some(hash.as_str()) && !frozen(a))
                .cloned()
                .collect();
            for ar in runs {
                let _ = self.ctx.delete(&ar);
            }
            self.ars
                .retain(|a| label(a, HASH_LABEL) != Some(hash.as_str()));
            self.rss.remove(*i);
            let fix = |x: Option<usize>| x.map(|v| if v > *i { v - 1 } else { v });
            self.new = fix(self.new);
            self.stable = fix(self.stable);
        }
        Ok(())
    }
}
