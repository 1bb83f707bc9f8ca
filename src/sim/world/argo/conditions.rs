//! Computing and writing the Rollout status: the paused/resumed/retry conditions, InvalidSpec,
//! Progressing / Available / Healthy / Completed with the real reasons, the progress deadline
//! (sim time), and the write itself with the pause/resume events.

use serde_json::{Value, json};

use super::sets::{rs_hash, rs_stat};
use super::spec::{self, replicas, revision, text};
use super::status::{
    self, ABORTED_REASON, AVAILABLE, COMPLETED, COMPLETED_REASON, HEALTHY, INVALID_SPEC,
    NEW_RS_AVAILABLE_REASON, PAUSED, PAUSED_MESSAGE, PAUSED_REASON, PROGRESSING, RESUMED_MESSAGE,
    RESUMED_REASON, RETRY_MESSAGE, RETRY_REASON, RS_UPDATED_REASON, TIMED_OUT_REASON, cond,
    new_cond, set_cond,
};
use super::{Pass, Recon};
use crate::sim::world::ctx::meta;

impl Recon<'_, '_> {
    fn generation(&self) -> String {
        spec::int(self.ro.pointer("/metadata/generation"))
            .unwrap_or(0)
            .to_string()
    }

    /// Progress was observed now: the progress deadline counts from here.
    pub fn progress_made(&mut self) {
        let key = self.timer_key("progress");
        self.start_timer(&key);
    }

    /// Writes conditions with the observed generation and the phase (patchCondition); true
    /// when something changed.
    pub fn patch_conditions(&mut self, mut st: Value) -> Result<bool, super::Halt> {
        st["observedGeneration"] = json!(self.generation());
        self.set_phase(&mut st);
        if &st == self.old() {
            return Ok(false);
        }
        self.write_status(st)?;
        Ok(true)
    }

    fn set_phase(&self, st: &mut Value) {
        let (phase, message) = status::phase(&self.ro, st);
        st["phase"] = json!(phase);
        match st.as_object_mut() {
            Some(m) if message.is_empty() => {
                m.remove("message");
            }
            _ => st["message"] = json!(message),
        }
    }

    pub fn invalid_spec(&mut self, error: &str) -> Pass {
        let msg = format!("The Rollout \"{}\" is invalid: {error}", self.name());
        let prev = cond(self.old(), INVALID_SPEC).cloned();
        let same = prev.as_ref().is_some_and(|p| text(p, "/message") == msg);
        let observed = text(self.old(), "/observedGeneration") == self.generation();
        if same && observed {
            return Ok(());
        }
        let mut st = if self.old().is_object() {
            self.old().clone()
        } else {
            json!({})
        };
        if !same {
            status::remove_cond(&mut st, INVALID_SPEC);
            let ts = self.ctx.ts();
            set_cond(
                &mut st,
                new_cond(INVALID_SPEC, "True", INVALID_SPEC, &msg, &ts),
            );
        }
        self.patch_conditions(st).map(|_| ())
    }

    /// Paused / resumed / retried conditions, written on their own before anything else.
    pub fn check_paused_conditions(&mut self) -> Pass {
        let old = self.old().clone();
        if text(&old, "/observedGeneration") != self.generation() {
            return Ok(());
        }
        let prog_reason = status::cond_reason(&old, PROGRESSING);
        let is_paused = !status::pause_conditions(&old).is_empty() || spec::paused(&self.ro);
        let abort_exists = prog_reason == ABORTED_REASON;
        let ts = self.ctx.ts();
        let mut updates = Vec::new();
        if is_paused != (prog_reason == PAUSED_REASON) && !abort_exists && !status::completed(&old)
        {
            updates.push(if is_paused {
                new_cond(PROGRESSING, "Unknown", PAUSED_REASON, PAUSED_MESSAGE, &ts)
            } else {
                new_cond(PROGRESSING, "Unknown", RESUMED_REASON, RESUMED_MESSAGE, &ts)
            });
        }
        if !status::flag(&old, "abort") && abort_exists {
            updates.push(new_cond(
                PROGRESSING,
                "Unknown",
                RETRY_REASON,
                RETRY_MESSAGE,
                &ts,
            ));
        }
        let paused_true = cond(&old, PAUSED).is_some_and(|c| text(c, "/status") == "True");
        if is_paused != paused_true && !abort_exists {
            let s = if is_paused { "True" } else { "False" };
            updates.push(new_cond(PAUSED, s, PAUSED_REASON, PAUSED_MESSAGE, &ts));
        }
        if updates.is_empty() {
            return Ok(());
        }
        let mut st = old;
        for c in updates {
            if text(&c, "/type") == PROGRESSING {
                self.progress_made();
            }
            set_cond(&mut st, c);
        }
        self.done = self.patch_conditions(st)?;
        Ok(())
    }

    /// The current step pauses the progress deadline (pause, analysis, experiment) or the
    /// rollout is paused.
    fn indefinite_step(&self) -> bool {
        if let Some(step) = self.current_step()
            && ["experiment", "analysis", "pause"]
                .iter()
                .any(|k| step.get(*k).is_some())
        {
            return true;
        }
        cond(self.old(), PAUSED).is_some_and(|c| text(c, "/status") == "True")
    }

    fn waiting_for_scale_down(&self) -> bool {
        self.others().into_iter().any(|i| self.has_deadline(i))
    }

    fn timed_out(&mut self, st: &Value) -> bool {
        match cond(st, PROGRESSING).map(|c| text(c, "/reason")) {
            None | Some(ABORTED_REASON) | Some(PAUSED_REASON) => false,
            Some(TIMED_OUT_REASON) => true,
            Some(_) => {
                let key = self.timer_key("progress");
                self.timer_secs(&key) > spec::progress_deadline(&self.ro) as f64
            }
        }
    }

    fn new_rs_name(&self) -> Option<String> {
        self.new_rs().map(|r| meta(r, "name").to_string())
    }

    fn rollout_conditions(&mut self, st: &mut Value) {
        let old = self.old().clone();
        let ts = self.ctx.ts();
        let rev = revision(&self.ro);
        let is_paused = !status::pause_conditions(st).is_empty() || spec::paused(&self.ro);
        let aborted = self.is_aborted();
        let mut became_unhealthy = false;
        if !is_paused && status::healthy(&self.ro, st) {
            let c = new_cond(HEALTHY, "True", "RolloutHealthy", "Rollout is healthy", &ts);
            set_cond(st, c);
        } else if cond(&old, HEALTHY).is_some() {
            let c = new_cond(
                HEALTHY,
                "False",
                "RolloutHealthy",
                "Rollout is not healthy",
                &ts,
            );
            became_unhealthy = set_cond(st, c);
        }
        if aborted {
            let mut msg = format!("Rollout aborted update to revision {rev}");
            if !self.pause.abort_message.is_empty() {
                msg = format!("{msg}: {}", self.pause.abort_message);
            }
            if set_cond(
                st,
                new_cond(PROGRESSING, "False", ABORTED_REASON, &msg, &ts),
            ) {
                self.event(true, ABORTED_REASON, &msg);
            }
        }
        let what = match self.new_rs_name() {
            Some(n) => format!("ReplicaSet \"{n}\""),
            None => format!("Rollout \"{}\"", self.name()),
        };
        if !aborted {
            if status::healthy(&self.ro, st) {
                let msg = format!("{what} has successfully progressed.");
                set_cond(
                    st,
                    new_cond(PROGRESSING, "True", NEW_RS_AVAILABLE_REASON, &msg, &ts),
                );
            } else if status::progressing(&self.ro, &old, st) || became_unhealthy {
                let (reason, msg) = if status::fully_promoted(st) && became_unhealthy {
                    (
                        "ReplicaSetNotAvailable",
                        "Rollout does not have minimum availability".to_string(),
                    )
                } else {
                    (RS_UPDATED_REASON, format!("{what} is progressing."))
                };
                let mut c = new_cond(PROGRESSING, "True", reason, &msg, &ts);
                if let Some(cur) = cond(&old, PROGRESSING) {
                    if text(cur, "/status") == "True" {
                        c["lastTransitionTime"] = cur["lastTransitionTime"].clone();
                    }
                    status::remove_cond(st, PROGRESSING);
                }
                set_cond(st, c);
                self.progress_made();
            } else if !self.indefinite_step()
                && !self.waiting_for_scale_down()
                && self.timed_out(st)
            {
                let msg = format!("{what} has timed out progressing.");
                set_cond(
                    st,
                    new_cond(PROGRESSING, "False", TIMED_OUT_REASON, &msg, &ts),
                );
            }
        }
        let available = if spec::blue_green(&self.ro).is_some() {
            let active = text(st, "/blueGreen/activeSelector");
            let n = replicas(&self.ro);
            self.rss.iter().any(|r| {
                !active.is_empty()
                    && rs_hash(r) == active
                    && super::sets::rs_spec(r) == n
                    && spec::annotation(r, spec::DESIRED_REPLICAS) == Some(n.to_string().as_str())
                    && rs_stat(r, "availableReplicas") == n
            })
        } else {
            self.rss
                .iter()
                .map(|r| rs_stat(r, "availableReplicas"))
                .sum::<i64>()
                >= replicas(&self.ro)
        };
        let c = if available {
            new_cond(
                AVAILABLE,
                "True",
                "AvailableReason",
                "Rollout has minimum availability",
                &ts,
            )
        } else {
            let msg = "Rollout does not have minimum availability";
            new_cond(AVAILABLE, "False", "AvailableReason", msg, &ts)
        };
        set_cond(st, c);
        if status::completed(st) {
            let c = new_cond(COMPLETED, "True", COMPLETED_REASON, COMPLETED_REASON, &ts);
            set_cond(st, c);
        } else {
            let c = new_cond(COMPLETED, "False", COMPLETED_REASON, COMPLETED_REASON, &ts);
            if set_cond(st, c) {
                let hash = text(st, "/currentPodHash").to_string();
                let msg =
                    format!("Rollout not completed, started update to revision {rev} ({hash})");
                self.event(false, "RolloutNotCompleted", &msg);
            }
        }
    }

    /// Finishes and writes `self.st` (persistRolloutStatus): observed generation, abort and
    /// pause conditions, conditions, phase; nothing is written when nothing changed.
    pub fn persist(&mut self) -> Pass {
        let mut st = std::mem::take(&mut self.st);
        let old = self.old().clone();
        st["observedGeneration"] = json!(self.generation());
        self.progress_deadline_abort(&st);
        let ts = self.ctx.ts();
        for reason in self.pause.apply(&old, &mut st, &ts) {
            let key = self.timer_key(&format!("pause/{reason}"));
            self.start_timer(&key);
        }
        self.rollout_conditions(&mut st);
        self.set_phase(&mut st);
        if st == old {
            return Ok(());
        }
        self.write_status(st.clone())?;
        let was_paused = !status::pause_conditions(&old).is_empty();
        let now_paused = status::pause_conditions(&st)
            .first()
            .map(|p| text(p, "/reason").to_string());
        match (was_paused, now_paused) {
            (false, Some(reason)) => {
                self.event(
                    false,
                    PAUSED_REASON,
                    &format!("{PAUSED_MESSAGE} ({reason})"),
                );
            }
            (true, None) if st.get("abortedAt").is_none() => {
                self.event(false, RESUMED_REASON, RESUMED_MESSAGE);
            }
            _ => {}
        }
        Ok(())
    }

    /// `spec.progressDeadlineAbort`: an update that stopped progressing is aborted.
    fn progress_deadline_abort(&mut self, st: &Value) {
        let wanted = self
            .ro
            .pointer("/spec/progressDeadlineAbort")
            .and_then(Value::as_bool);
        if wanted != Some(true) || self.is_aborted() || status::completed(st) {
            return;
        }
        let old = self.old().clone();
        if status::progressing(&self.ro, &old, st)
            || self.indefinite_step()
            || self.waiting_for_scale_down()
        {
            return;
        }
        if !self.timed_out(&old) {
            return;
        }
        let msg = match self.new_rs_name() {
            Some(n) => format!("ReplicaSet \"{n}\" has timed out progressing."),
            None => format!("Rollout \"{}\" has timed out progressing.", self.name()),
        };
        self.pause.abort(msg.clone());
        self.event(true, ABORTED_REASON, &msg);
    }
}
