//! The blue-green strategy: the preview set behind the preview Service, the BlueGreenPause
//! (autoPromotionEnabled: false, or autoPromotionSeconds), the switch of the active Service,
//! and the old set scaled down after scaleDownDelaySeconds.

use serde_json::{Value, json};

use super::canary::set_num;
use super::services::selector_hash;
use super::sets::{counts, rs_hash, rs_stat};
use super::spec::{self, DESIRED_REPLICAS, annotation, replicas, text};
use super::status::{BLUE_GREEN_PAUSE, INCONCLUSIVE, flag, has_pause};
use super::{Halt, Pass, Recon};

impl Recon<'_, '_> {
    fn service(&self, name: &str) -> Option<Value> {
        let ns = self.ns();
        self.ctx.get("v1", "Service", &ns, name)
    }

    fn bg_names(&self) -> (String, String) {
        let bg = spec::blue_green(&self.ro).cloned().unwrap_or(json!({}));
        (
            text(&bg, "/previewService").to_string(),
            text(&bg, "/activeService").to_string(),
        )
    }

    pub fn rollout_blue_green(&mut self) -> Pass {
        let (preview_name, active_name) = self.bg_names();
        if !preview_name.is_empty() && !self.halt_progress() {
            let svc = self.service(&preview_name).ok_or(Halt)?;
            let hash = self
                .new_rs()
                .map(|r| rs_hash(r).to_string())
                .unwrap_or_default();
            self.switch_selector(svc, &hash)?;
        }
        if self.pod_spec_changed() {
            return self.sync_status_blue_green();
        }
        self.restart_pods()?;
        self.reconcile_blue_green_sets()?;
        let active = self.service(&active_name).ok_or(Halt)?;
        self.reconcile_blue_green_pause(&active);
        self.reconcile_active_service(active)?;
        self.reconcile_analysis_runs()?;
        self.sync_status_blue_green()
    }

    fn reconcile_blue_green_sets(&mut self) -> Pass {
        self.remove_scale_down_deadlines()?;
        let n = replicas(&self.ro);
        if let Some(s) = self.stable {
            self.scale(s, n)?;
        }
        self.reconcile_new_set(n)?;
        self.reconcile_other_sets()?;
        self.history_limit()
    }

    pub fn scale_down_old_blue_green(&mut self, others: &[usize]) -> Result<bool, Halt> {
        if has_pause(self.old(), INCONCLUSIVE) {
            return Ok(false);
        }
        let n = replicas(&self.ro);
        let (mut annotated, mut scaled) = (0, false);
        for &i in others {
            if self.is_referenced(i) || counts(&self.rss[i]).spec == 0 {
                continue;
            }
            let want;
            (annotated, want) = self.scale_down_delay_helper(i, annotated, n)?;
            if counts(&self.rss[i]).spec == want {
                continue;
            }
            self.scale(i, want)?;
            scaled = true;
        }
        Ok(scaled)
    }

    /// The new set is at full size and all of it available.
    fn ready_for_pause(&self) -> bool {
        let n = replicas(&self.ro);
        self.new_rs()
            .map(counts)
            .is_some_and(|c| c.spec == n && c.available == n)
    }

    fn saturated(&self) -> bool {
        let n = replicas(&self.ro);
        self.new_rs().is_some_and(|r| {
            counts(r).spec == n
                && annotation(r, DESIRED_REPLICAS) == Some(n.to_string().as_str())
                && rs_stat(r, "availableReplicas") == n
        })
    }

    fn fast_tracked(&mut self, active: &Value) -> bool {
        if self.is_fast_rollback() || flag(self.old(), "promoteFull") {
            return true;
        }
        let hash = selector_hash(active);
        hash.is_empty() || self.new_rs().is_some_and(|r| rs_hash(r) == hash)
    }

    fn auto_promotion(&self) -> (bool, i64) {
        let bg = spec::blue_green(&self.ro);
        let enabled = bg
            .and_then(|b| b.get("autoPromotionEnabled"))
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let secs = bg
            .and_then(|b| spec::int(b.get("autoPromotionSeconds")))
            .unwrap_or(0);
        (enabled, secs)
    }

    /// The controller's pause is over: a person promoted, or autoPromotionSeconds passed.
    fn completed_blue_green_pause(&mut self) -> bool {
        if !self.pause.add.is_empty() {
            return false;
        }
        let old = self.old().clone();
        if old
            .pointer("/blueGreen/scaleUpPreviewCheckPoint")
            .and_then(Value::as_bool)
            == Some(true)
        {
            return true;
        }
        let has = has_pause(&old, BLUE_GREEN_PAUSE);
        match self.auto_promotion() {
            (true, 0) => true,
            (true, secs) if has => {
                let key = self.timer_key(&format!("pause/{BLUE_GREEN_PAUSE}"));
                self.timer_secs(&key) > secs as f64
            }
            (true, _) => false,
            (false, _) => flag(&old, "controllerPause") && !has,
        }
    }

    fn reconcile_blue_green_pause(&mut self, active: &Value) {
        if flag(self.old(), "abort") || !self.ready_for_pause() || self.halt_progress() {
            return;
        }
        let new_hash = self
            .new_rs()
            .map(|r| rs_hash(r).to_string())
            .unwrap_or_default();
        let (enabled, secs) = self.auto_promotion();
        if self.fast_tracked(active) || selector_hash(active) == new_hash || (enabled && secs <= 0)
        {
            self.pause.remove.push(BLUE_GREEN_PAUSE);
            return;
        }
        if has_pause(self.old(), BLUE_GREEN_PAUSE) {
            if self.completed_blue_green_pause() {
                self.pause.remove.push(BLUE_GREEN_PAUSE);
            }
        } else if !flag(self.old(), "controllerPause") {
            self.pause.add.push(BLUE_GREEN_PAUSE);
        }
    }

    fn reconcile_active_service(&mut self, active: Value) -> Pass {
        if self.halt_progress() || !self.ready_for_pause() || !self.saturated() {
            return Ok(());
        }
        let new_hash = self
            .new_rs()
            .map(|r| rs_hash(r).to_string())
            .unwrap_or_default();
        let mut hash = selector_hash(&active).to_string();
        if self.fast_tracked(&active) || self.completed_blue_green_pause() {
            hash = new_hash;
        }
        if flag(self.old(), "abort") {
            hash = text(self.old(), "/stableRS").to_string();
        }
        self.switch_selector(active, &hash)
    }

    fn sync_status_blue_green(&mut self) -> Pass {
        self.base_status();
        let stable = text(self.old(), "/stableRS").to_string();
        if !stable.is_empty() {
            self.st["stableRS"] = json!(stable);
        }
        if self.pod_spec_changed() {
            self.reset_status();
        }
        if flag(self.old(), "promoteFull") || self.rollback_within_window() {
            self.pause.clear = true;
            self.pause.remove_abort = true;
        }
        let (preview_name, active_name) = self.bg_names();
        for (name, key) in [
            (preview_name, "previewSelector"),
            (active_name, "activeSelector"),
        ] {
            let hash = self
                .service(&name)
                .map(|s| selector_hash(&s).to_string())
                .unwrap_or_default();
            if !hash.is_empty() {
                self.st["blueGreen"][key] = json!(hash);
            }
        }
        if let Some(reason) = self.should_full_promote() {
            self.promote_stable(&reason);
        }
        let active = text(&self.st, "/blueGreen/activeSelector").to_string();
        let active_rs = self
            .rss
            .iter()
            .find(|r| !active.is_empty() && rs_hash(r) == active)
            .cloned();
        let sum = |k: &str| self.rss.iter().map(|r| rs_stat(r, k)).sum::<i64>();
        let (hpa, available, selector) = match &active_rs {
            Some(r) => {
                set_num(&mut self.st, "readyReplicas", rs_stat(r, "readyReplicas"));
                (
                    rs_stat(r, "replicas"),
                    rs_stat(r, "availableReplicas"),
                    r.pointer("/spec/selector").cloned().unwrap_or(json!({})),
                )
            }
            None => (
                sum("replicas"),
                sum("availableReplicas"),
                self.ro
                    .pointer("/spec/selector")
                    .cloned()
                    .unwrap_or(json!({})),
            ),
        };
        set_num(&mut self.st, "HPAReplicas", hpa);
        set_num(&mut self.st, "availableReplicas", available);
        self.st["selector"] = json!(spec::format_selector(&selector));
        self.persist()
    }
}
