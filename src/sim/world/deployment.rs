//! Deployments → ReplicaSets, as the Kubernetes deployment controller runs them: a
//! ReplicaSet per pod template (`<deployment>-<pod-template-hash>`), rolling updates in
//! waves bounded by maxSurge / maxUnavailable as pods become available, Recreate, pause,
//! proportional scaling, rollback by reusing the ReplicaSet of an equal template (its
//! revision moves forward, the old number goes to the revision history), history pruning,
//! and the status, conditions and events the real controller writes. Progress deadlines
//! run on the sim clock.

use serde_json::{Value, json};

use super::ctx::{Controller, Ctx, frozen, meta, owned_by, owner_ref};
use super::hash::pod_template_hash;

#[path = "deployment_rollout.rs"]
mod rollout;
#[path = "deployment_status.rs"]
mod status;
#[path = "deployment_util.rs"]
mod util;
use status::{cond_field, condition, new_condition, set_condition};
use util::{
    Spec, annotation, by_creation, revision, same_template, set_annotation, set_new_rs_annotations,
    spec_replicas,
};

pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const HASH_LABEL: &str = "pod-template-hash";
const COMPONENT: &str = "deployment-controller";
const PROGRESSING: &str = "Progressing";

pub struct DeploymentController;

impl Controller for DeploymentController {
    fn name(&self) -> &'static str {
        "deployment"
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        let all_rs = ctx.list("apps/v1", "ReplicaSet", None);
        for d in ctx.list_active("apps/v1", "Deployment", None) {
            if frozen(&d) || d.pointer("/metadata/deletionTimestamp").is_some() || !well_formed(&d)
            {
                continue;
            }
            let mut rss: Vec<Value> = all_rs
                .iter()
                .filter(|rs| owned_by(rs, &d))
                .cloned()
                .collect();
            rss.sort_by(by_creation);
            Sync::new(d, rss).run(ctx);
        }
    }
}

/// One sync of one Deployment: `d` is the working copy, written once at the end if it
/// changed; ReplicaSets are written as the controller goes.
struct Sync {
    orig: Value,
    d: Value,
    spec: Spec,
    new_rs: Option<Value>,
    /// Oldest first.
    old: Vec<Value>,
}

impl Sync {
    fn new(d: Value, mut rss: Vec<Value>) -> Self {
        let new_rs = rss
            .iter()
            .position(|rs| same_template(rs, &d))
            .map(|i| rss.remove(i));
        Self {
            orig: d.clone(),
            spec: Spec::of(&d),
            d,
            new_rs,
            old: rss,
        }
    }

    fn run(mut self, ctx: &mut Ctx<'_>) {
        if self.spec.deadline.is_some() {
            self.check_paused_condition(ctx);
        }
        if self.spec.paused || self.is_scaling_event() {
            self.sync_revision(ctx, false);
            self.scale(ctx);
            if self.spec.paused {
                self.cleanup(ctx);
            }
            let st = self.calculate(ctx);
            self.d["status"] = st;
        } else if self.spec.recreate {
            self.recreate(ctx);
        } else {
            self.rolling(ctx);
        }
        self.persist(ctx);
    }

    fn timer(&self) -> String {
        format!("{}/progress", meta(&self.d, "uid"))
    }

    /// Sets a condition on the working status; a fresh Progressing condition restarts the
    /// progress deadline.
    fn set_cond(&mut self, ctx: &mut Ctx<'_>, cond: Value) {
        let progress = cond["type"] == PROGRESSING;
        if set_condition(&mut self.d["status"], cond) && progress {
            let key = self.timer();
            ctx.reset_timer(&key);
            ctx.elapsed(&key);
        }
    }

    fn check_paused_condition(&mut self, ctx: &mut Ctx<'_>) {
        let cur = cond_field(condition(&self.d["status"], PROGRESSING), "reason");
        if cur == Some("ProgressDeadlineExceeded") {
            return;
        }
        let paused_cond = cur == Some("DeploymentPaused");
        let ts = ctx.ts();
        if self.spec.paused && !paused_cond {
            let c = new_condition(
                PROGRESSING,
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused",
                &ts,
            );
            self.set_cond(ctx, c);
        } else if !self.spec.paused && paused_cond {
            let c = new_condition(
                PROGRESSING,
                "Unknown",
                "DeploymentResumed",
                "Deployment is resumed",
                &ts,
            );
            self.set_cond(ctx, c);
        }
    }

    fn is_scaling_event(&self) -> bool {
        self.new_rs.is_some()
            && self.all().any(|rs| {
                spec_replicas(rs) > 0
                    && annotation(rs, DESIRED_REPLICAS)
                        .and_then(|s| s.parse::<i64>().ok())
                        .is_some_and(|n| n != self.spec.replicas)
            })
    }

    fn all(&self) -> impl Iterator<Item = &Value> {
        self.old.iter().chain(self.new_rs.iter())
    }

    /// Finds (and with `create`, makes) the new ReplicaSet and moves revisions forward.
    fn sync_revision(&mut self, ctx: &mut Ctx<'_>, create: bool) {
        let new_revision = self.old.iter().map(revision).max().unwrap_or(0) + 1;
        if let Some(rs) = self.new_rs.take() {
            let mut copy = rs.clone();
            let mut changed =
                set_new_rs_annotations(&self.d, &mut copy, new_revision, true, &self.spec);
            if util::int(&copy, "/spec/minReadySeconds").unwrap_or(0) != self.spec.min_ready
                && copy["spec"].is_object()
            {
                copy["spec"]["minReadySeconds"] = json!(self.spec.min_ready);
                changed = true;
            }
            let rs = if changed && !frozen(&rs) {
                ctx.update(copy).unwrap_or(rs)
            } else {
                rs
            };
            if let Some(r) = annotation(&rs, REVISION) {
                set_annotation(&mut self.d, REVISION, r.to_string());
            }
            if self.spec.deadline.is_some() && condition(&self.d["status"], PROGRESSING).is_none() {
                let msg = format!("Found new replica set \"{}\"", meta(&rs, "name"));
                let c = new_condition(PROGRESSING, "True", "FoundNewReplicaSet", &msg, &ctx.ts());
                self.set_cond(ctx, c);
            }
            self.new_rs = Some(rs);
        } else if create {
            self.create_new_rs(ctx, new_revision);
        }
    }

    fn create_new_rs(&mut self, ctx: &mut Ctx<'_>, new_revision: i64) {
        let mut template = self.d["spec"]["template"].clone();
        let collisions = util::int(&self.d, "/status/collisionCount").unwrap_or(0);
        let hash = if collisions == 0 {
            pod_template_hash(&template)
        } else {
            pod_template_hash(&json!({"template": template, "collisionCount": collisions}))
        };
        let name = format!("{}-{hash}", meta(&self.d, "name"));
        let ns = meta(&self.d, "namespace").to_string();
        if ctx.get("apps/v1", "ReplicaSet", &ns, &name).is_some() {
            // A hash collision: the controller bumps the count and tries another name.
            self.d["status"]["collisionCount"] = json!(collisions + 1);
            return;
        }
        template["metadata"]["labels"][HASH_LABEL] = json!(hash);
        let mut selector = self.d["spec"]["selector"].clone();
        selector["matchLabels"][HASH_LABEL] = json!(hash);
        let mut rs = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": ns,
                "labels": template["metadata"]["labels"].clone(),
                "ownerReferences": [owner_ref(&self.d)],
            },
            "spec": {"replicas": 0, "selector": selector, "template": template},
        });
        if self.spec.min_ready > 0 {
            rs["spec"]["minReadySeconds"] = json!(self.spec.min_ready);
        }
        let replicas = self.new_rs_new_replicas(0);
        rs["spec"]["replicas"] = json!(replicas);
        set_new_rs_annotations(&self.d, &mut rs, new_revision, false, &self.spec);
        let Ok(created) = ctx.create(rs) else {
            return;
        };
        if replicas > 0 {
            let msg = format!("Scaled up replica set {name} from 0 to {replicas}");
            ctx.event(&self.d, false, "ScalingReplicaSet", &msg, COMPONENT);
        }
        set_annotation(&mut self.d, REVISION, new_revision.to_string());
        if self.spec.deadline.is_some() {
            let msg = format!("Created new replica set \"{name}\"");
            let c = new_condition(PROGRESSING, "True", "NewReplicaSetCreated", &msg, &ctx.ts());
            self.set_cond(ctx, c);
        }
        self.new_rs = Some(created);
    }

    /// How many replicas the new ReplicaSet may have now (`NewRSNewReplicas`).
    fn new_rs_new_replicas(&self, cur: i64) -> i64 {
        if self.spec.recreate {
            return self.spec.replicas;
        }
        let pods: i64 = self.old.iter().map(spec_replicas).sum::<i64>() + cur;
        let max_total = self.spec.replicas + self.spec.max_surge;
        if pods >= max_total {
            return cur;
        }
        cur + (max_total - pods).min(self.spec.replicas - cur)
    }

    /// Writes the Deployment's revision annotation and its status, if they changed.
    fn persist(mut self, ctx: &mut Ctx<'_>) {
        let anns = self.d.pointer("/metadata/annotations").cloned();
        if anns != self.orig.pointer("/metadata/annotations").cloned() {
            let mut main = self.orig.clone();
            main["metadata"]["annotations"] = anns.unwrap_or(json!({}));
            let Ok(stored) = ctx.update(main) else {
                return;
            };
            self.d["metadata"]["resourceVersion"] = stored["metadata"]["resourceVersion"].clone();
        }
        if self.d.get("status") != self.orig.get("status") {
            let _ = ctx.update_status(self.d);
        }
    }
}

/// Shapes the controller indexes into (the API server would have refused others).
fn well_formed(d: &Value) -> bool {
    let obj_or_absent = |p: &str| d.pointer(p).is_none_or(|v| v.is_object() || v.is_null());
    d.pointer("/spec/template/metadata/labels")
        .is_some_and(Value::is_object)
        && d.pointer("/spec/selector").is_some_and(Value::is_object)
        && obj_or_absent("/spec/selector/matchLabels")
        && obj_or_absent("/status")
        && obj_or_absent("/metadata/annotations")
}

#[cfg(test)]
#[path = "deployment_tests.rs"]
mod tests;
