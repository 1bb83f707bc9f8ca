//! The traffic weights of a traffic-routed canary (`status.canary.weights`); the routers'
//! own objects (Istio, ALB, SMI...) are not simulated.

use serde_json::{Value, json};

use super::sets::{rs_hash, rs_stat};
use super::spec::{self, replicas, steps, text};
use super::status::{self, flag};
use super::{Pass, Recon};

impl Recon<'_, '_> {
    /// `status.canary.weights` of a traffic-routed canary (the routers' objects are not
    /// simulated).
    pub fn reconcile_traffic(&mut self) -> Pass {
        if !spec::traffic_routing(&self.ro) {
            unset_weights(&mut self.st);
            return Ok(());
        }
        let max = spec::max_weight(&self.ro);
        let canary_hash = self
            .new_rs()
            .map(|r| rs_hash(r).to_string())
            .unwrap_or_default();
        let stable_hash = self
            .stable_rs()
            .map(|r| rs_hash(r).to_string())
            .unwrap_or_default();
        let old = self.old().clone();
        let promoted = status::fully_promoted(&old);
        let aborted = !promoted && self.is_aborted();
        if aborted {
            let svc = text(&self.ro, "/spec/strategy/canary/canaryService").to_string();
            self.ensure_targets(&svc, self.stable, false)?;
        }
        let no_canary = self
            .new_rs()
            .is_none_or(|r| rs_stat(r, "availableReplicas") == 0);
        let desired = if promoted || aborted || no_canary {
            0
        } else if flag(&old, "promoteFull") {
            spec::int(old.pointer("/canary/weights/canary/weight")).unwrap_or(0)
        } else {
            self.step_index().map_or(0, |idx| {
                let count = steps(&self.ro).len() as i64;
                if !self.at_desired_counts() {
                    steps(&self.ro)[..(idx.clamp(0, count) as usize)]
                        .iter()
                        .rev()
                        .find_map(|s| spec::int(s.get("setWeight")))
                        .unwrap_or(0)
                } else if idx != count {
                    self.current_set_weight()
                } else {
                    max
                }
            })
        };
        let stable_avail = self.stable_rs().map(|r| rs_stat(r, "availableReplicas"));
        let needed = (max - desired) * replicas(&self.ro) / max.max(1);
        if stable_avail.is_none_or(|a| a < needed) {
            return Ok(());
        }
        let c = &self.ro["spec"]["strategy"]["canary"];
        let dest = |w: i64, hash: &str, svc: &str| {
            let mut d = json!({"weight": w});
            if !svc.is_empty() {
                d["serviceName"] = json!(svc);
            }
            if !hash.is_empty() {
                d["podTemplateHash"] = json!(hash);
            }
            d
        };
        let weights = json!({
            "canary": dest(desired, &canary_hash, text(c, "/canaryService")),
            "stable": dest(max - desired, &stable_hash, text(c, "/stableService")),
        });
        let prev = old.pointer("/canary/weights");
        let same = prev.is_some_and(|p| {
            p.get("canary") == weights.get("canary") && p.get("stable") == weights.get("stable")
        });
        if !same {
            let detail = match prev.and_then(|p| spec::int(p.pointer("/canary/weight"))) {
                None => format!("to {desired}"),
                Some(w) if w != desired => format!("from {w} to {desired}"),
                Some(_) => String::new(),
            };
            self.event(
                false,
                "TrafficWeightUpdated",
                &format!("Traffic weight updated {detail}"),
            );
            self.st["canary"]["weights"] = weights;
        }
        Ok(())
    }
}

fn unset_weights(st: &mut Value) {
    if let Some(c) = st.get_mut("canary").and_then(Value::as_object_mut) {
        c.remove("weights");
    }
}
