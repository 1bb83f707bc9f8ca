//! Flagger's objects: the primary Deployment, the Services, scaling the target, and the
//! status writes of a canary (split from `flagger.rs`, same `Run`).

use serde_json::{Value, json};

use super::*;

impl Run<'_, '_> {
    pub(super) fn dep(&self, name: &str) -> Option<Value> {
        self.ctx.get("apps/v1", "Deployment", &self.ns, name)
    }

    pub(super) fn primary(&self) -> String {
        format!("{}-primary", self.target)
    }

    /// Merges `patch` into the stored status (with Go's zero counters), stamps the
    /// transition time and the condition, and writes it when anything changed.
    pub(super) fn write(&mut self, patch: Value) {
        let Some(mut cd) = self.ctx.get(API_VERSION, "Canary", &self.ns, &self.name) else {
            return;
        };
        let mut st = json!({"phase": "", "failedChecks": 0, "canaryWeight": 0, "iterations": 0});
        merge(&mut st, &cd["status"]);
        merge(&mut st, &patch);
        let ts = self.ctx.ts();
        st["lastTransitionTime"] = json!(ts);
        if let Some(c) = condition(&cd, st["phase"].as_str().unwrap_or(""), &ts) {
            st["conditions"] = json!([c]);
        }
        if cd["status"] != st {
            cd["status"] = st;
            let _ = self.ctx.update_status(cd);
        }
    }

    /// `SyncStatus`: the phase and counters given, `lastAppliedSpec` from the target.
    pub(super) fn sync(&mut self, phase: &str, weight: i64, failed: i64, iterations: i64) {
        let Some(target) = self.dep(&self.target) else {
            return;
        };
        let hash = pod_template_hash(&target["spec"]["template"]);
        let mut patch = json!({"phase": phase, "canaryWeight": weight, "failedChecks": failed,
            "iterations": iterations, "lastAppliedSpec": hash, "trackedConfigs": {}});
        if phase == "Initialized" {
            patch["lastPromotedSpec"] = json!(hash);
        }
        self.write(patch);
    }

    /// `SetStatusPhase`: outside Progressing, Waiting and Promoting the weight and the
    /// iterations reset (WaitingPromotion: `analysis.iterations - 1`, as Flagger writes).
    pub(super) fn set_phase(&mut self, phase: &str) {
        let mut patch = json!({"phase": phase});
        if !matches!(phase, "Progressing" | "Waiting" | "Promoting") {
            let waiting = phase == "WaitingPromotion";
            let iterations = if waiting {
                num(self.an("iterations")) - 1
            } else {
                0
            };
            merge(
                &mut patch,
                &json!({"canaryWeight": 0, "iterations": iterations}),
            );
        }
        let applied = &self.cd["status"]["lastAppliedSpec"];
        if matches!(phase, "Initialized" | "Succeeded") && applied.is_string() {
            patch["lastPromotedSpec"] = applied.clone();
        }
        self.write(patch);
    }

    pub(super) fn set(&mut self, key: &str, value: i64) {
        self.write(json!({key: value}));
    }

    /// Whether the target's pod template is new: not the last applied one, nor the last
    /// promoted one (a manual rollback starts no analysis).
    pub(super) fn target_changed(&self) -> bool {
        let st = &self.cd["status"];
        let Some(t) = self.dep(&self.target) else {
            return false;
        };
        let hash = json!(pod_template_hash(&t["spec"]["template"]));
        let applied = &st["lastAppliedSpec"];
        applied.is_null() || (*applied != hash && st["lastPromotedSpec"] != hash)
    }

    /// Flagger's readiness check of a Deployment: Err((retriable, message)).
    pub(super) fn ready(&self, name: &str, key: &str, what: &str) -> Result<(), (bool, String)> {
        let Some(d) = self.dep(name) else {
            let e = format!("deployment {name}.{} get query error: not found", self.ns);
            return Err((true, e));
        };
        let n = |p: &str| d.pointer(p).map_or(0, num);
        let (updated, want) = (n("/status/updatedReplicas"), n("/spec/replicas"));
        let (avail, th) = (n("/status/availableReplicas"), self.an(key).as_i64());
        let th = th.unwrap_or(100);
        let min = (updated as f32 * (th as f32 / 100.0)) as i64;
        let conditions = items(&d["status"]["conditions"]);
        let stuck = conditions
            .into_iter()
            .any(|c| c["reason"] == "ProgressDeadlineExceeded");
        let wait = "waiting for rollout to finish";
        let e = if n("/metadata/generation") > n("/status/observedGeneration") {
            format!("{wait}: observed deployment generation less than desired generation")
        } else if stuck {
            let e = format!("{what}: deployment \"{name}\" exceeded its progress deadline");
            return Err((false, e));
        } else if updated < want {
            format!("{wait}: {updated} out of {want} new replicas have been updated")
        } else if n("/status/replicas") > updated {
            let old = n("/status/replicas") - updated;
            format!("{wait}: {old} old replicas are pending termination")
        } else if avail < min {
            format!(
                "{wait}: {avail} of {min} (readyThreshold {th}%) updated replicas are available"
            )
        } else {
            return Ok(());
        };
        Err((true, format!("{what}: {e}")))
    }

    pub(super) fn primary_ready(&self) -> Result<(), (bool, String)> {
        let (primary, ns) = (self.primary(), &self.ns);
        self.ready(
            &primary,
            "primaryReadyThreshold",
            &format!("{primary}.{ns} not ready"),
        )
    }

    pub(super) fn scale(&mut self, replicas: i64) {
        if let Some(mut d) = self.dep(&self.target)
            && d["spec"]["replicas"] != replicas
        {
            d["spec"]["replicas"] = json!(replicas);
            let _ = self.ctx.update(d);
        }
    }

    /// `ScaleFromZero`: the target's replicas, else the primary's, else 1.
    pub(super) fn scale_from_zero(&mut self) {
        let deps = [self.dep(&self.target), self.dep(&self.primary())];
        let replicas = deps.iter().flatten().map(|d| num(&d["spec"]["replicas"]));
        self.scale(replicas.into_iter().find(|r| *r > 0).unwrap_or(1));
    }

    pub(super) fn uuid(&mut self) -> String {
        let mut b: [u8; 16] = std::array::from_fn(|_| self.ctx.rng.u8(..));
        (b[6], b[8]) = (b[6] & 0x0f | 0x40, b[8] & 0x3f | 0x80);
        let mut id: String = b.iter().map(|x| format!("{x:02x}")).collect();
        [20, 16, 12, 8].into_iter().for_each(|i| id.insert(i, '-'));
        id
    }

    /// Creates the primary Deployment when missing (`createPrimaryDeployment`), or copies
    /// the target's template to it (`Promote`), with the selector label rewritten to `pv`.
    pub(super) fn write_primary(&mut self, target: &Value, label: &str, pv: &str, promote: bool) {
        let (name, spec) = (self.primary(), &target["spec"]);
        let existing = self.dep(&name);
        if existing.is_some() != promote {
            return;
        }
        let annotations = filtered(&target["metadata"]["annotations"], "", None);
        let mut d = existing.unwrap_or_else(|| json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": self.ns, "annotations": annotations,
                "ownerReferences": [owner_ref(&self.cd)]},
            "spec": {"replicas": num(&spec["replicas"]).max(1), "selector": {"matchLabels": {label: pv}}}}));
        for k in COPIED.split(' ') {
            let scaled = promote && self.cd["spec"]["autoscalerRef"].is_null();
            if !spec[k].is_null() && (scaled || k != "replicas") {
                d["spec"][k] = spec[k].clone();
            }
        }
        let tpl = &spec["template"]["metadata"];
        let annotations = filtered(&tpl["annotations"], "flagger-id", Some(&self.uuid()));
        let labels = filtered(&tpl["labels"], label, Some(pv));
        d["spec"]["template"] = json!({"metadata": {"labels": labels, "annotations": annotations},
            "spec": spec["template"]["spec"]});
        d["metadata"]["labels"] = json!({label: pv});
        let empty = d["metadata"]["annotations"] == json!({});
        if let Some(m) = d["metadata"].as_object_mut().filter(|_| promote || empty) {
            m.remove("annotations");
        }
        let write = if promote { Ctx::update } else { Ctx::create };
        let _ = write(self.ctx, d);
    }

    /// Creates a ClusterIP Service selecting `label: selector`, or fixes its selector/ports.
    pub(super) fn service(&mut self, name: &str, label: &str, selector: &str) {
        let svc = &self.cd["spec"]["service"];
        let port = svc["port"].clone();
        let tp = match &svc["targetPort"] {
            v if v.is_null() || *v == 0 => port.clone(),
            v => v.clone(),
        };
        let pn = svc["portName"].as_str().filter(|p| !p.is_empty());
        let pn = pn.unwrap_or("http");
        let ports = json!([{"name": pn, "protocol": "TCP", "port": port, "targetPort": tp}]);
        let sel = json!({label: selector});
        if let Some(mut cur) = self.ctx.get("v1", "Service", &self.ns, name) {
            if cur["spec"]["selector"] != sel || cur["spec"]["ports"] != ports {
                (cur["spec"]["selector"], cur["spec"]["ports"]) = (sel, ports);
                let _ = self.ctx.update(cur);
            }
            return;
        }
        let (a, b) = (self.ctx.rng.u8(1..255), self.ctx.rng.u8(2..255));
        let ip = format!("10.96.{a}.{b}");
        let svc = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": self.ns, "labels": {label: name},
                "ownerReferences": [owner_ref(&self.cd)]},
            "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip], "selector": sel,
                "ports": ports, "sessionAffinity": "None", "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"}});
        let _ = self.ctx.create(svc);
    }
}
