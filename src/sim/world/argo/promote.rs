//! What every strategy shares when it writes its status: the base fields, the reset at a new
//! update, rollback detection (rollbackWindow), and promoting the desired set to stable.

use serde_json::json;

use super::Recon;
use super::canary::{set_num, unset};
use super::sets::{created_rank, rs_hash, rs_stat};
use super::spec::{self, replicas, revision, steps, text};
use super::status::{self, flag};

impl Recon<'_, '_> {
    /// calculateBaseStatus: the fields every strategy computes from the sets.
    pub fn base_status(&mut self) {
        let old = self.old().clone();
        let mut st = std::mem::take(&mut self.st);
        let hash = self
            .new_rs()
            .map(|r| rs_hash(r).to_string())
            .unwrap_or_else(|| self.desired_hash());
        st["currentPodHash"] = json!(hash);
        let sum = |k: &str| self.rss.iter().map(|r| rs_stat(r, k)).sum::<i64>();
        set_num(&mut st, "replicas", sum("replicas"));
        let updated = self.new_rs().map(|r| rs_stat(r, "replicas")).unwrap_or(0);
        set_num(&mut st, "updatedReplicas", updated);
        set_num(&mut st, "readyReplicas", sum("readyReplicas"));
        if let Some(c) = old.get("collisionCount") {
            st["collisionCount"] = c.clone();
        }
        let mut conds = json!({"conditions": old.get("conditions").cloned().unwrap_or(json!([]))});
        status::remove_cond(&mut conds, status::INVALID_SPEC);
        match conds.get("conditions") {
            Some(c) if c.as_array().is_some_and(|a| !a.is_empty()) => st["conditions"] = c.clone(),
            _ => unset(&mut st, &["conditions"]),
        }
        if flag(&old, "promoteFull") {
            st["promoteFull"] = json!(true);
        }
        self.st = st;
    }

    /// resetRolloutStatus: a new update starts.
    pub fn reset_status(&mut self) {
        self.pause.clear = true;
        self.pause.remove_abort = true;
        for p in [
            &["promoteFull"][..],
            &["blueGreen", "prePromotionAnalysisRunStatus"],
            &["blueGreen", "postPromotionAnalysisRunStatus"],
            &["blueGreen", "scaleUpPreviewCheckPoint"],
            &["canary", "currentStepAnalysisRunStatus"],
            &["canary", "currentBackgroundAnalysisRunStatus"],
            &["currentStepIndex"],
        ] {
            unset(&mut self.st, p);
        }
        if !steps(&self.ro).is_empty() {
            self.st["currentStepIndex"] = json!(0);
        }
    }

    /// The new set was created before the stable one (an undo or a return to stable).
    pub fn is_rollback(&self) -> bool {
        let (Some(n), Some(s)) = (self.new_rs(), self.stable_rs()) else {
            return false;
        };
        text(self.old(), "/stableRS") == rs_hash(n) || created_rank(n) < created_rank(s)
    }

    /// The new set is within `spec.rollbackWindow.revisions` sets before the stable one.
    pub fn rollback_within_window(&self) -> bool {
        let (Some(n), Some(s)) = (self.new_rs(), self.stable_rs()) else {
            return false;
        };
        let (n, s) = (created_rank(n), created_rank(s));
        if n >= s {
            return false;
        }
        let window = spec::int(self.ro.pointer("/spec/rollbackWindow/revisions")).unwrap_or(0);
        if window <= 0 {
            return false;
        }
        let between = self
            .rss
            .iter()
            .map(created_rank)
            .filter(|r| *r < s && n < *r)
            .count() as i64;
        between < window
    }

    pub fn is_fast_rollback(&mut self) -> bool {
        if !self.is_rollback() {
            return false;
        }
        let new_within_delay = match (self.new, spec::blue_green(&self.ro)) {
            (Some(i), Some(_)) => {
                let d = spec::scale_down_delay(&self.ro);
                self.before_deadline(i, d)
            }
            _ => false,
        };
        let to_stable = self
            .new_rs()
            .is_some_and(|n| rs_hash(n) == text(self.old(), "/stableRS"));
        self.rollback_within_window() || new_within_delay || to_stable
    }

    fn rollback_reason(&mut self) -> Option<String> {
        if !self.is_fast_rollback() {
            return None;
        }
        Some(if self.rollback_within_window() {
            "Rollback within window".to_string()
        } else {
            "Fast rollback".to_string()
        })
    }

    /// Why the desired set should become stable now (None in the middle of an update).
    pub fn should_full_promote(&mut self) -> Option<String> {
        if self.stable.is_none() {
            return Some("Initial deploy".to_string());
        }
        let want = replicas(&self.ro);
        let old = self.old().clone();
        if spec::canary(&self.ro).is_some() {
            if self.is_aborted() {
                return None;
            }
            let available = self.new_rs().map(|r| rs_stat(r, "availableReplicas"))?;
            if available < want && !self.threshold_met(want) {
                return None;
            }
            if flag(&old, "promoteFull") {
                return Some("Full promotion requested".to_string());
            }
            if let Some(r) = self.rollback_reason() {
                return Some(r);
            }
            let count = steps(&self.ro).len() as i64;
            let idx = spec::int(old.get("currentStepIndex"));
            if count == 0 || idx == Some(count) {
                return Some(format!("Completed all {count} canary steps"));
            }
            return None;
        }
        let active = text(&self.st, "/blueGreen/activeSelector").to_string();
        if active.is_empty() {
            return Some("Initial deploy".to_string());
        }
        if active != text(&self.st, "/currentPodHash") {
            return None;
        }
        if flag(&old, "promoteFull") {
            return Some("Full promotion requested".to_string());
        }
        if let Some(r) = self.rollback_reason() {
            return Some(r);
        }
        if self.is_aborted() {
            return None;
        }
        Some("Completed blue-green update".to_string())
    }

    /// Marks the desired set stable.
    pub fn promote_stable(&mut self, reason: &str) {
        self.pause.clear = true;
        self.pause.remove_abort = true;
        unset(&mut self.st, &["promoteFull"]);
        unset(&mut self.st, &["blueGreen", "scaleUpPreviewCheckPoint"]);
        if spec::canary(&self.ro).is_some() {
            let count = steps(&self.ro).len();
            if count > 0 {
                self.st["currentStepIndex"] = json!(count);
            } else {
                unset(&mut self.st, &["currentStepIndex"]);
            }
        }
        let current = text(&self.st, "/currentPodHash").to_string();
        if text(&self.st, "/stableRS") != current {
            self.st["stableRS"] = json!(current);
            let rev = revision(&self.ro);
            let msg = format!("Rollout completed update to revision {rev} ({current}): {reason}");
            self.event(false, status::COMPLETED_REASON, &msg);
        }
    }
}
