//! The Services a Rollout manages: stable/canary Services of a canary, active/preview of a
//! blue-green, switched by their `rollouts-pod-template-hash` selector.

use serde_json::{Value, json};

use super::sets::{rs_hash, rs_spec, rs_stat};
use super::spec::{self, MANAGED_BY, text};
use super::{Halt, Pass, Recon};
use crate::sim::world::ctx::{frozen, meta};

impl Recon<'_, '_> {
    /// A set still referenced by the status or a Service selector.
    pub fn is_referenced(&self, i: usize) -> bool {
        let hash = rs_hash(&self.rss[i]);
        if hash.is_empty() {
            return false;
        }
        let old = self.old();
        let refs = [
            "/stableRS",
            "/currentPodHash",
            "/blueGreen/activeSelector",
            "/blueGreen/previewSelector",
            "/canary/weights/canary/podTemplateHash",
            "/canary/weights/stable/podTemplateHash",
        ];
        if refs.iter().any(|p| text(old, p) == hash) {
            return true;
        }
        let services = match (spec::canary(&self.ro), spec::blue_green(&self.ro)) {
            (Some(c), _) => [text(c, "/canaryService"), text(c, "/stableService")],
            (_, Some(b)) => [text(b, "/activeService"), text(b, "/previewService")],
            _ => ["", ""],
        };
        let ns = self.ns();
        services.iter().filter(|s| !s.is_empty()).any(|s| {
            self.ctx
                .get("v1", "Service", &ns, s)
                .is_some_and(|svc| selector_hash(&svc) == hash)
        })
    }

    pub fn reconcile_canary_services(&mut self) -> Pass {
        let Some(c) = spec::canary(&self.ro).cloned() else {
            return Ok(());
        };
        let (stable_svc, canary_svc) = (text(&c, "/stableService"), text(&c, "/canaryService"));
        self.ensure_targets(stable_svc, self.stable, true)?;
        if self.is_aborted() && !spec::traffic_routing(&self.ro) {
            return self.ensure_targets(canary_svc, self.stable, true);
        }
        self.ensure_targets(canary_svc, self.new, true)
    }

    /// Points a Service at a set once the set can take the traffic.
    pub fn ensure_targets(&mut self, svc: &str, rs: Option<usize>, check: bool) -> Pass {
        let Some(i) = rs else { return Ok(()) };
        if svc.is_empty() {
            return Ok(());
        }
        let ns = self.ns();
        let service = self.ctx.get("v1", "Service", &ns, svc).ok_or(Halt)?;
        let (desired, avail, want) = {
            let r = &self.rss[i];
            (
                rs_hash(r).to_string(),
                rs_stat(r, "availableReplicas"),
                rs_spec(r),
            )
        };
        if selector_hash(&service) == desired {
            return Ok(());
        }
        let managed = spec::annotation(&service, MANAGED_BY).is_some();
        if !managed && check && !(want != 0 && avail != 0 && want <= avail) {
            return Ok(());
        }
        if check && avail == 0 {
            return Ok(());
        }
        self.switch_selector(service, &desired)
    }

    /// Sets a Service's `rollouts-pod-template-hash` selector (and marks it managed).
    pub fn switch_selector(&mut self, mut svc: Value, hash: &str) -> Pass {
        let old = selector_hash(&svc).to_string();
        let managed = spec::annotation(&svc, MANAGED_BY).is_some();
        if (old == hash && managed) || frozen(&svc) {
            return Ok(());
        }
        if !managed {
            svc["metadata"]["annotations"][MANAGED_BY] = json!(self.name());
        }
        svc["spec"]["selector"][spec::HASH_LABEL] = json!(hash);
        let name = meta(&svc, "name").to_string();
        self.ctx.update(svc).map_err(|_| Halt)?;
        let msg = format!("Switched selector for service '{name}' from '{old}' to '{hash}'");
        self.event(false, "SwitchService", &msg);
        Ok(())
    }
}

pub fn selector_hash(svc: &Value) -> &str {
    svc.pointer("/spec/selector")
        .and_then(|s| s.get(spec::HASH_LABEL))
        .and_then(Value::as_str)
        .unwrap_or("")
}
