//! The canary strategy: steps (setWeight, pause, analysis, setCanaryScale), promotion, abort,
//! rollback detection, and the canary status.

use serde_json::{Value, json};

use super::sets::{rs_hash, rs_spec, rs_stat};
use super::spec::{self, steps, text};
use super::status::{self, CANARY_PAUSE_STEP, flag, has_pause};
use super::steps::{step_hash, step_string};
use super::{Pass, Recon};

/// Sets a count in a status (left out when zero, as the controller's JSON omits it).
pub fn set_num(st: &mut Value, key: &str, n: i64) {
    match st.as_object_mut() {
        Some(m) if n == 0 => {
            m.remove(key);
        }
        _ => st[key] = json!(n),
    }
}

pub fn unset(st: &mut Value, path: &[&str]) {
    let mut cur = st;
    for (i, k) in path.iter().enumerate() {
        if i + 1 == path.len() {
            if let Some(m) = cur.as_object_mut() {
                m.remove(*k);
            }
            return;
        }
        match cur.get_mut(*k) {
            Some(next) => cur = next,
            None => return,
        }
    }
}

impl Recon<'_, '_> {
    /// `status.currentStepIndex` (0 when unset), None without steps.
    pub fn step_index(&self) -> Option<i64> {
        if steps(&self.ro).is_empty() {
            return None;
        }
        Some(spec::int(self.old().get("currentStepIndex")).unwrap_or(0))
    }

    pub fn current_step(&self) -> Option<&Value> {
        let i = self.step_index()?;
        steps(&self.ro).get(usize::try_from(i).ok()?)
    }

    /// The weight of the last setWeight at or before the current step (0 when aborted, the
    /// maximum after the last step).
    pub fn current_set_weight(&self) -> i64 {
        if flag(self.old(), "abort") {
            return 0;
        }
        let Some(i) = self.step_index() else {
            return spec::max_weight(&self.ro);
        };
        let all = steps(&self.ro);
        if i as usize >= all.len() {
            return spec::max_weight(&self.ro);
        }
        all[..=(i as usize)]
            .iter()
            .rev()
            .find_map(|s| spec::int(s.get("setWeight")))
            .unwrap_or(0)
    }

    fn template_or_steps_changed(&self) -> bool {
        let old = self.old();
        let step_changed = {
            let h = text(old, "/currentStepHash");
            h.is_empty() || h != step_hash(&self.ro)
        };
        step_changed || self.pod_spec_changed()
    }

    pub fn pod_spec_changed(&self) -> bool {
        let cur = text(self.old(), "/currentPodHash");
        let hash = self
            .new_rs()
            .map(|r| rs_hash(r).to_string())
            .unwrap_or_else(|| self.desired_hash());
        !cur.is_empty() && cur != hash
    }

    pub fn rollout_canary(&mut self) -> Pass {
        if self.template_or_steps_changed() {
            return self.sync_status_canary();
        }
        if self.restart_pods()? > 0 {
            return Ok(());
        }
        self.history_limit()?;
        self.reconcile_canary_services()?;
        self.reconcile_traffic()?;
        let runs = self.reconcile_analysis_runs();
        if !self.pause.add.is_empty() {
            return self.sync_status_canary();
        }
        runs?;
        if self.reconcile_canary_sets()? {
            return self.sync_status_canary();
        }
        self.reconcile_canary_pause();
        self.sync_status_canary()
    }

    /// Adds the CanaryPauseStep pause when the current step is a pause; true while pausing.
    fn reconcile_canary_pause(&mut self) -> bool {
        if spec::paused(&self.ro) || flag(self.old(), "promoteFull") {
            return false;
        }
        let Some(step) = self.current_step() else {
            return false;
        };
        if step.get("pause").is_none() {
            return false;
        }
        if !has_pause(self.old(), CANARY_PAUSE_STEP) && !flag(self.old(), "controllerPause") {
            self.pause.add.push(CANARY_PAUSE_STEP);
        }
        true
    }

    fn completed_pause_step(&mut self, pause: &Value) -> bool {
        let has = has_pause(self.old(), CANARY_PAUSE_STEP);
        if flag(self.old(), "controllerPause") && !has {
            return true;
        }
        match pause.get("duration").and_then(spec::duration_secs) {
            Some(secs) if has => {
                let key = self.timer_key(&format!("pause/{CANARY_PAUSE_STEP}"));
                self.timer_secs(&key) >= secs as f64
            }
            _ => false,
        }
    }

    fn completed_current_step(&mut self) -> bool {
        if spec::paused(&self.ro) {
            return false;
        }
        let Some(step) = self.current_step().cloned() else {
            return false;
        };
        if let Some(p) = step.get("pause") {
            return self.completed_pause_step(p);
        }
        if step.get("setCanaryScale").is_some() {
            return self.at_desired_counts();
        }
        if step.get("setWeight").is_some() {
            let verified = self
                .st
                .pointer("/canary/weights/verified")
                .and_then(Value::as_bool);
            return self.at_desired_counts() && verified != Some(false);
        }
        if step.get("experiment").is_some() {
            return false;
        }
        if step.get("analysis").is_some() {
            return self
                .current
                .step
                .as_ref()
                .is_some_and(|ar| text(ar, "/status/phase") == "Successful");
        }
        // header/mirror routes and plugins are not simulated: they complete at once.
        true
    }

    pub fn sync_status_canary(&mut self) -> Pass {
        self.base_status();
        let sum = |k: &str| self.rss.iter().map(|r| rs_stat(r, k)).sum::<i64>();
        let (avail, actual) = (sum("availableReplicas"), sum("replicas"));
        set_num(&mut self.st, "availableReplicas", avail);
        set_num(&mut self.st, "HPAReplicas", actual);
        let selector = self
            .ro
            .pointer("/spec/selector")
            .cloned()
            .unwrap_or(json!({}));
        self.st["selector"] = json!(spec::format_selector(&selector));
        let mut idx = self.step_index();
        let stable = text(self.old(), "/stableRS").to_string();
        if !stable.is_empty() {
            self.st["stableRS"] = json!(stable);
        }
        self.st["currentStepHash"] = json!(step_hash(&self.ro));
        let count = steps(&self.ro).len() as i64;
        if self.template_or_steps_changed() {
            self.reset_status();
            let active = self.new_rs().is_some_and(|r| rs_spec(r) > 0);
            if self.new.is_some() && count > 0 {
                if self.new_rs().is_some_and(|r| rs_hash(r) == stable) {
                    self.event(false, "SkipSteps", "Rollback to stable ReplicaSets");
                    self.st["currentStepIndex"] = json!(count);
                } else if self.rollback_within_window() && active {
                    let msg = "Rollback to active ReplicaSets within RollbackWindow";
                    self.event(false, "SkipSteps", msg);
                    self.st["currentStepIndex"] = json!(count);
                }
            }
            return self.persist();
        }
        if flag(self.old(), "promoteFull") || self.rollback_within_window() {
            self.pause.clear = true;
            self.pause.remove_abort = true;
            if count > 0 {
                idx = Some(count);
            }
        }
        if let Some(reason) = self.should_full_promote() {
            self.promote_stable(&reason);
            return self.persist();
        }
        if self.is_aborted() {
            if count > 0 {
                let at_stable = status::fully_promoted(&self.st);
                self.st["currentStepIndex"] = json!(if at_stable { count } else { 0 });
            }
            return self.persist();
        }
        if self.completed_current_step() {
            let done = self.current_step().map(step_string).unwrap_or_default();
            let next = idx.unwrap_or(0) + 1;
            idx = Some(next);
            unset(&mut self.st, &["canary", "currentStepAnalysisRunStatus"]);
            let msg = format!("Rollout step {next}/{count} completed ({done})");
            self.event(false, "RolloutStepCompleted", &msg);
            self.pause.remove.push(CANARY_PAUSE_STEP);
        }
        match idx {
            Some(i) => self.st["currentStepIndex"] = json!(i),
            None => unset(&mut self.st, &["currentStepIndex"]),
        }
        self.persist()
    }
}
