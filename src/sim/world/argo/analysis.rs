//! AnalysisRuns of a canary: created from the step's (or the background analysis')
//! AnalysisTemplates / ClusterAnalysisTemplates with the resolved args, followed through
//! their `status.phase` (another controller measures them), terminated when no longer
//! current, and kept within the history limits.

use serde_json::{Map, Value, json};

use super::sets::rs_hash;
use super::spec::{self, HASH_LABEL, label, text};
use super::status::{self, BLUE_GREEN_PAUSE, CANARY_PAUSE_STEP, INCONCLUSIVE, flag, has_pause};
use super::{Halt, Pass, Recon};
use crate::sim::world::ctx::{frozen, meta};

pub fn phase(ar: &Value) -> &str {
    text(ar, "/status/phase")
}

pub fn completed(ar: &Value) -> bool {
    matches!(
        phase(ar),
        "Successful" | "Failed" | "Error" | "Inconclusive"
    )
}

impl Recon<'_, '_> {
    fn run_named(&self, ptr: &str) -> Option<Value> {
        let name = text(self.old(), ptr);
        if name.is_empty() {
            return None;
        }
        self.ars.iter().find(|a| meta(a, "name") == name).cloned()
    }

    pub fn reconcile_analysis_runs(&mut self) -> Pass {
        let step_ptr = "/canary/currentStepAnalysisRunStatus/name";
        let bg_ptr = "/canary/currentBackgroundAnalysisRunStatus/name";
        let (cur_step, cur_bg) = (self.run_named(step_ptr), self.run_named(bg_ptr));
        let old = self.old().clone();
        let cancel_current = status::fully_promoted(&old)
            || self.is_aborted()
            || flag(&old, "promoteFull")
            || self.is_fast_rollback()
            || text(&old, "/stableRS").is_empty();
        let (mut step, mut bg) = (None, None);
        if cancel_current {
            self.cancel(cur_step.as_ref())?;
            self.cancel(cur_bg.as_ref())?;
        } else if spec::canary(&self.ro).is_some() {
            step = self.reconcile_step_run(cur_step)?;
            bg = self.reconcile_background_run(cur_bg)?;
        }
        for (ar, key) in [
            (&step, "currentStepAnalysisRunStatus"),
            (&bg, "currentBackgroundAnalysisRunStatus"),
        ] {
            if let Some(ar) = ar {
                let mut s = json!({"name": meta(ar, "name"), "status": phase(ar)});
                let msg = text(ar, "/status/message");
                if !msg.is_empty() {
                    s["message"] = json!(msg);
                }
                self.st["canary"][key] = s;
            }
        }
        let current: Vec<String> = [&step, &bg]
            .into_iter()
            .flatten()
            .map(|a| meta(a, "name").to_string())
            .collect();
        let others: Vec<Value> = self
            .ars
            .iter()
            .filter(|a| {
                let n = meta(a, "name");
                !current.iter().any(|c| c == n)
                    && n != text(&old, step_ptr)
                    && n != text(&old, bg_ptr)
            })
            .cloned()
            .collect();
        for ar in &others {
            self.cancel(Some(ar))?;
        }
        self.delete_old_runs(others)?;
        self.emit_run_changes(
            &old,
            "/canary/currentStepAnalysisRunStatus",
            step.as_ref(),
            "Step",
        );
        self.emit_run_changes(
            &old,
            "/canary/currentBackgroundAnalysisRunStatus",
            bg.as_ref(),
            "Background",
        );
        self.current.step = step;
        self.current.background = bg;
        Ok(())
    }

    fn needs_new_run(&self, cur: Option<&Value>) -> bool {
        let Some(ar) = cur else { return true };
        let old = self.old();
        if flag(old, "controllerPause")
            && !has_pause(old, CANARY_PAUSE_STEP)
            && !has_pause(old, BLUE_GREEN_PAUSE)
        {
            return phase(ar) == "Inconclusive";
        }
        old.get("abortedAt").is_some_and(|a| !a.is_null())
    }

    /// Pauses on Inconclusive, aborts on Failed / Error.
    fn follow(&mut self, ar: &Value, what: &str) {
        match phase(ar) {
            "Inconclusive" => self.pause.add.push(INCONCLUSIVE),
            "Failed" | "Error" => {
                let mut msg = format!("{what} analysis phase error/failed");
                let m = text(ar, "/status/message");
                if !m.is_empty() {
                    msg = format!("{msg}: {m}");
                }
                self.pause.abort(msg);
            }
            _ => {}
        }
    }

    fn reconcile_step_run(&mut self, cur: Option<Value>) -> Result<Option<Value>, Halt> {
        let old = self.old();
        if !status::pause_conditions(old).is_empty() || flag(old, "abort") {
            return Ok(cur);
        }
        let idx = self.step_index();
        let analysis = self.current_step().and_then(|s| s.get("analysis")).cloned();
        let templates = analysis
            .as_ref()
            .and_then(|a| a.get("templates"))
            .and_then(Value::as_array)
            .is_some_and(|t| !t.is_empty());
        let from_previous = cur
            .as_ref()
            .is_some_and(|c| label(c, "step-index") != idx.map(|i| i.to_string()).as_deref());
        let (Some(analysis), Some(idx), true, false) = (analysis, idx, templates, from_previous)
        else {
            self.cancel(cur.as_ref())?;
            return Ok(None);
        };
        if self.needs_new_run(cur.as_ref()) {
            let hash = self
                .new_rs()
                .map(|r| rs_hash(r).to_string())
                .unwrap_or_default();
            let mut labels = Map::new();
            labels.insert(HASH_LABEL.into(), json!(hash));
            labels.insert("rollout-type".into(), json!("Step"));
            labels.insert("step-index".into(), json!(idx.to_string()));
            return self
                .create_run(&analysis, &idx.to_string(), labels)
                .map(Some);
        }
        if let Some(ar) = &cur {
            self.follow(ar, "Step-based");
        }
        Ok(cur)
    }

    fn reconcile_background_run(&mut self, cur: Option<Value>) -> Result<Option<Value>, Halt> {
        let analysis = self.ro.pointer("/spec/strategy/canary/analysis").cloned();
        let templates = analysis
            .as_ref()
            .and_then(|a| a.get("templates"))
            .and_then(Value::as_array)
            .is_some_and(|t| !t.is_empty());
        let Some(analysis) = analysis.filter(|_| templates) else {
            self.cancel(cur.as_ref())?;
            return Ok(None);
        };
        let old = self.old();
        let before_start = match (spec::int(analysis.get("startingStep")), self.step_index()) {
            (Some(start), Some(i)) => i < start,
            _ => false,
        };
        if status::fully_promoted(old)
            || text(old, "/stableRS").is_empty()
            || text(old, "/currentPodHash").is_empty()
            || before_start
        {
            return Ok(None);
        }
        if has_pause(old, INCONCLUSIVE) {
            return Ok(cur);
        }
        if self.needs_new_run(cur.as_ref()) {
            let hash = self
                .new_rs()
                .map(|r| rs_hash(r).to_string())
                .unwrap_or_default();
            let mut labels = Map::new();
            labels.insert(HASH_LABEL.into(), json!(hash));
            labels.insert("rollout-type".into(), json!("Background"));
            return self.create_run(&analysis, "", labels).map(Some);
        }
        if let Some(ar) = &cur {
            self.follow(ar, "Background");
        }
        Ok(cur)
    }

    /// `spec.terminate: true` on a run that is still going.
    fn cancel(&mut self, ar: Option<&Value>) -> Pass {
        let Some(ar) = ar else { return Ok(()) };
        let terminating = ar.pointer("/spec/terminate").and_then(Value::as_bool) == Some(true);
        if terminating || completed(ar) || frozen(ar) {
            return Ok(());
        }
        let mut next = ar.clone();
        next["spec"]["terminate"] = json!(true);
        let written = self.ctx.update(next).map_err(|_| Halt)?;
        if let Some(slot) = self
            .ars
            .iter_mut()
            .find(|a| meta(a, "uid") == meta(&written, "uid"))
        {
            *slot = written;
        }
        Ok(())
    }

    /// Keeps the newest successful and unsuccessful runs (5 each by default), deletes runs
    /// of sets that are gone.
    fn delete_old_runs(&mut self, mut others: Vec<Value>) -> Pass {
        let a = self.ro.pointer("/spec/analysis");
        let keep_ok = a
            .and_then(|a| spec::int(a.get("successfulRunHistoryLimit")))
            .unwrap_or(5);
        let keep_bad = a
            .and_then(|a| spec::int(a.get("unsuccessfulRunHistoryLimit")))
            .unwrap_or(5);
        others.sort_by_key(|a| std::cmp::Reverse(meta(a, "creationTimestamp").to_string()));
        let (mut ok, mut bad) = (0, 0);
        for ar in others {
            let hash = label(&ar, HASH_LABEL);
            let has_set = hash.is_some_and(|h| self.rss.iter().any(|r| rs_hash(r) == h));
            let doomed = match phase(&ar) {
                _ if !has_set => true,
                "Successful" => {
                    ok += 1;
                    ok > keep_ok
                }
                "Failed" | "Error" | "Inconclusive" => {
                    bad += 1;
                    bad > keep_bad
                }
                _ => false,
            };
            if doomed && !frozen(&ar) {
                self.ctx.delete(&ar).map_err(|_| Halt)?;
                self.ars.retain(|x| meta(x, "uid") != meta(&ar, "uid"));
            }
        }
        Ok(())
    }

    fn emit_run_changes(&mut self, old: &Value, ptr: &str, ar: Option<&Value>, kind: &str) {
        let Some(ar) = ar else { return };
        let now = phase(ar);
        if now.is_empty() {
            return;
        }
        let prev = old.pointer(ptr);
        let changed = match prev {
            None => true,
            Some(p) => text(p, "/name") == meta(ar, "name") && text(p, "/status") != now,
        };
        if !changed {
            return;
        }
        let before = prev.map_or("NoPreviousStatus", |p| text(p, "/status"));
        let msg = format!(
            "{kind} Analysis Run '{}' Status New: '{now}' Previous: '{before}'",
            meta(ar, "name")
        );
        let warning = matches!(now, "Failed" | "Error");
        self.event(warning, &format!("AnalysisRun{now}"), &msg);
    }
}
