//! Flagger (`flagger.app/v1beta1` Canary) over a Deployment target, as fluxcd/flagger's
//! scheduler (`advanceCanary`) runs it: a pass when a canary is first seen, then one every
//! `analysis.interval` of sim time (at least 10 s, default 60 s). It creates
//! `<target>-primary` and the `<svc>`, `<svc>-primary`, `<svc>-canary` Services, scales the
//! target to zero, detects new revisions by the hash of the target's pod template, checks
//! metrics and webhooks (gates: [`super::loadtester`]), shifts weight step by step, promotes
//! or rolls back, writing Flagger's status fields and events. The router's weights live in
//! memory (no mesh objects); every provider shifts weight (no blue/green, no A/B).

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::clock::SimInstant;
use super::ctx::{Controller, Ctx, frozen, meta, owner_ref};
use super::hash::pod_template_hash;
use super::loadtester::{self, Gates};
use crate::sim::proxy::ProxyHandler;

pub const API_VERSION: &str = "flagger.app/v1beta1";
const LABELS: [&str; 3] = ["app", "name", "app.kubernetes.io/name"];
/// Event types: Warning, Normal.
const W: bool = true;
const N: bool = false;
/// The Promoted condition per phase: `phase|status|message` (`{kind}`: the target's kind).
const CONDITIONS: [&str; 9] = [
    "Initializing|Unknown|New {kind} detected, starting initialization.",
    "Initialized|True|{kind} initialization completed.",
    "Waiting|Unknown|Waiting for approval.",
    "WaitingPromotion|Unknown|Waiting for approval.",
    "Progressing|Unknown|New revision detected, progressing canary analysis.",
    "Promoting|Unknown|Canary analysis completed, starting primary rolling update.",
    "Finalising|Unknown|Canary analysis completed, routing all traffic to primary.",
    "Succeeded|True|Canary analysis completed successfully, promotion finished.",
    "Failed|False|Canary analysis failed, {kind} scaled to zero.",
];
/// The phases in which Flagger advances a canary without a new revision.
const BUSY: &str = "Progressing Waiting WaitingPromotion Promoting Finalising";
/// What `Promote` copies from the target's Deployment spec to the primary's.
const COPIED: &str =
    "progressDeadlineSeconds minReadySeconds revisionHistoryLimit strategy replicas";

/// The Flagger controller and the load tester's HTTP handler, sharing one gate state.
pub fn flagger_parts() -> (Box<dyn Controller>, ProxyHandler) {
    let flagger = Flagger::default();
    let handler = loadtester::handler(flagger.gates.clone());
    (Box::new(flagger), handler)
}

#[derive(Default)]
pub struct Flagger {
    gates: Gates,
    /// Per canary uid: when its next pass is due, at which interval.
    jobs: HashMap<String, (SimInstant, Duration)>,
    /// The router: per canary uid, the weight (%) of the traffic sent to the canary.
    routes: HashMap<String, i64>,
}

impl Controller for Flagger {
    fn name(&self) -> &'static str {
        "flagger"
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        let canaries = ctx.list_active(API_VERSION, "Canary", None);
        let uids: Vec<String> = canaries.iter().map(|c| meta(c, "uid").into()).collect();
        self.jobs.retain(|k, _| uids.contains(k));
        self.routes.retain(|k, _| uids.contains(k));
        for (cd, uid) in canaries.into_iter().zip(uids) {
            let (ns, name) = (meta(&cd, "namespace").to_string(), meta(&cd, "name").into());
            let target = text(&cd["spec"]["targetRef"]["name"]);
            let dep = ctx.get("apps/v1", "Deployment", &ns, &target);
            let deployment = cd["spec"]["targetRef"]["kind"] == "Deployment";
            if frozen(&cd) || dep.is_some_and(|d| frozen(&d)) || !deployment {
                continue;
            }
            let iv = interval(&cd);
            let job = self.jobs.get(&uid);
            let due = job.is_none_or(|(next, i)| *i != iv || ctx.sim >= *next);
            let fresh = cd["status"]["conditions"].is_null();
            if !due && !fresh {
                continue;
            }
            let weight = match cd["status"]["phase"] == "WaitingPromotion" {
                true => max_weight(&cd["spec"]["analysis"]),
                false => num(&cd["status"]["canaryWeight"]),
            };
            let (id, tid) = (format!("{name}.{ns}"), format!("{target}.{ns}"));
            let route = self.routes.entry(uid.clone()).or_insert(weight);
            let (ctx, gates) = (&mut *ctx, &self.gates);
            let mut run = Run {
                ctx,
                gates,
                route,
                cd,
                ns,
                name,
                target,
                id,
                tid,
            };
            // The controller's sync marks a new canary Initializing; its job then runs.
            if fresh {
                run.write(json!({"phase": "Initializing"}));
                run.refresh();
            }
            if due {
                self.jobs.insert(uid, (run.ctx.sim + iv, iv));
                run.advance();
            }
        }
    }
}

fn interval(cd: &Value) -> Duration {
    let text = cd["spec"]["analysis"]["interval"].as_str().unwrap_or("");
    let iv = humantime::parse_duration(text).unwrap_or(Duration::from_secs(60));
    iv.max(Duration::from_secs(10))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

fn num(v: &Value) -> i64 {
    v.as_i64().unwrap_or(v.as_f64().unwrap_or(0.0) as i64)
}

fn items(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

fn merge(into: &mut Value, from: &Value) {
    if let (Some(a), Some(b)) = (into.as_object_mut(), from.as_object()) {
        a.extend(b.clone());
    }
}

fn max_weight(an: &Value) -> i64 {
    match items(&an["stepWeights"]).last() {
        Some(last) => num(last).min(100),
        None if num(&an["maxWeight"]) > 0 => num(&an["maxWeight"]),
        None => 100,
    }
}

/// The next weight step from `weight` (Flagger's `nextStepWeight`).
fn next_step(an: &Value, weight: i64) -> i64 {
    let steps: Vec<i64> = items(&an["stepWeights"]).map(num).collect();
    let max_step = 100 - weight;
    let next = steps.windows(2).find(|w| w[0] == weight);
    match steps.first() {
        _ if num(&an["stepWeight"]) > 0 => num(&an["stepWeight"]),
        None => 0,
        Some(_) if max_step == 0 => 1,
        Some(first) if weight == 0 => max_step.min(*first),
        Some(_) => next.map_or(max_step, |w| max_step.min(w[1] - weight)),
    }
}

/// Labels or annotations without Flux toolkit keys and without `key`, plus `key: value`.
fn filtered(m: &Value, key: &str, value: Option<&str>) -> Value {
    let mut out = m.as_object().cloned().unwrap_or_default();
    out.retain(|k, _| !k.contains("toolkit.fluxcd.io") && k != key);
    if let Some(v) = value {
        out.insert(key.to_string(), json!(v));
    }
    Value::Object(out)
}

/// Whole milliseconds as Go prints a `time.Duration` (`500ms`, `1.5s`, `2m3s`).
pub fn go_ms(ms: i64) -> String {
    let (sign, u) = (if ms < 0 { "-" } else { "" }, ms.unsigned_abs());
    let (h, m, s, frac) = (u / 3_600_000, u / 60_000 % 60, u / 1000 % 60, u % 1000);
    let hm = match (h, m) {
        (0, 0) => String::new(),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h{m}m"),
    };
    let frac = format!(".{frac:03}");
    let frac = frac.trim_end_matches('0').trim_end_matches('.');
    match u {
        0 => "0s".to_string(),
        1..1000 => format!("{sign}{u}ms"),
        _ => format!("{sign}{hm}{s}{frac}s"),
    }
}

/// The Promoted condition for `phase`, unless the current one already says it (the
/// transition time stays while the condition's status does).
fn condition(cd: &Value, phase: &str, ts: &str) -> Option<Value> {
    let kind = text(&cd["spec"]["targetRef"]["kind"]);
    let row = CONDITIONS.iter().map(|c| c.split('|').collect::<Vec<_>>());
    let row = row.into_iter().find(|c| c[0] == phase);
    let row = row.unwrap_or_else(|| CONDITIONS[0].split('|').collect());
    let (status, message) = (row[1], row[2].replace("{kind}", &kind));
    let old = items(&cd["status"]["conditions"]).find(|c| c["type"] == "Promoted");
    let since = match old {
        Some(c) if c["status"] == status && c["reason"] == phase => return None,
        Some(c) if c["status"] == status => c["lastTransitionTime"].clone(),
        _ => json!(ts),
    };
    let c = json!({"type": "Promoted", "status": status, "lastUpdateTime": ts,
        "lastTransitionTime": since, "message": message, "reason": phase});
    Some(c)
}

/// One pass of Flagger's scheduler over one canary.
struct Run<'a, 'c> {
    ctx: &'a mut Ctx<'c>,
    gates: &'a Gates,
    route: &'a mut i64,
    cd: Value,
    ns: String,
    name: String,
    target: String,
    /// `<canary>.<ns>` and `<target>.<ns>`, as Flagger's messages name them.
    id: String,
    tid: String,
}

impl Run<'_, '_> {
    fn an(&self, key: &str) -> &Value {
        &self.cd["spec"]["analysis"][key]
    }

    fn st(&self, key: &str) -> i64 {
        num(&self.cd["status"][key])
    }

    fn phase(&self) -> String {
        text(&self.cd["status"]["phase"])
    }

    fn apex(&self) -> String {
        let name = self.cd["spec"]["service"]["name"].as_str();
        name.filter(|n| !n.is_empty())
            .unwrap_or(&self.target)
            .to_string()
    }

    fn refresh(&mut self) {
        if let Some(c) = self.ctx.get(API_VERSION, "Canary", &self.ns, &self.name) {
            self.cd = c;
        }
    }

    fn ev(&mut self, warning: bool, message: impl AsRef<str>) {
        let message = message.as_ref();
        self.ctx
            .event(&self.cd, warning, "Synced", message, "flagger");
    }

    fn hooks(&mut self, ty: &str) -> Vec<(String, Result<(), String>)> {
        loadtester::webhooks(self.gates, &self.cd, ty, false)
    }

    /// A gate webhook type: each passing hook is reported; the first failing one halts.
    fn gate(&mut self, ty: &str, passed: &str, halt: impl FnOnce(&mut Self, &str, &str)) -> bool {
        for (hook, r) in self.hooks(ty) {
            if let Err(e) = r {
                halt(self, &hook, &e);
                return false;
            }
            self.ev(N, format!("{passed} check {hook} passed"));
        }
        true
    }

    fn post_rollout(&mut self) {
        for (hook, r) in self.hooks("post-rollout") {
            match r {
                Ok(()) => self.ev(N, format!("Post-rollout check {hook} passed")),
                Err(e) => self.ev(W, format!("Post-rollout hook {hook} failed {e}")),
            }
        }
    }

    /// The rollback webhooks: whether one of them signals a rollback.
    fn rollback_signalled(&mut self) -> bool {
        for (hook, r) in loadtester::webhooks(self.gates, &self.cd, "rollback", true) {
            if r.is_ok() {
                self.ev(W, format!("Rollback check {hook} passed"));
                return true;
            }
            self.ev(N, format!("Rollback hook {hook} not signaling a rollback"));
        }
        false
    }

    /// The metric checks of one analysis run, builtins and inline queries first (Flagger's
    /// order): the first failure as Flagger's event message.
    fn metrics(&mut self) -> Result<(), String> {
        let all = self.an("metrics").as_array().cloned().unwrap_or_default();
        let builtin = |m: &&Value| match m["name"].as_str() {
            Some("request-success-rate" | "request-duration") => true,
            _ => m["query"].is_string(),
        };
        let (first, second): (Vec<&Value>, Vec<&Value>) = all.iter().partition(builtin);
        let canary = format!("{}-canary", self.apex());
        let (health, ms) = (self.ctx.metrics.health_in(&canary), |v: f64| {
            go_ms(v as i64)
        });
        for m in first.into_iter().chain(second) {
            let (name, id) = (text(&m["name"]), &self.id);
            let (val, unit) = match name.as_str() {
                "request-success-rate" => (health.success_rate * 100.0, "%"),
                "request-duration" => ((health.p99_seconds * 1000.0).trunc(), "ms"),
                _ => (self.query(m)?, ""),
            };
            let tr = &m["thresholdRange"];
            let (op, b) = match (tr["min"].as_f64(), tr["max"].as_f64()) {
                (Some(min), _) if val < min => ("<", min),
                (_, Some(max)) if val > max => (">", max),
                _ => continue,
            };
            let (v, b) = match unit {
                "%" => (format!("success rate {val:.2}%"), format!("{b}%")),
                "ms" => (format!("request duration {}", ms(val)), ms(b)),
                _ => (format!("{name} {val:.2}"), b.to_string()),
            };
            return Err(format!("Halt {id} advancement {v} {op} {b}"));
        }
        Ok(())
    }

    /// A metric's query (inline, or its MetricTemplate's) rendered and run: its value, or
    /// Flagger's event message.
    fn query(&self, m: &Value) -> Result<f64, String> {
        let (name, tref) = (text(&m["name"]), &m["templateRef"]);
        let tns = tref["namespace"].as_str().filter(|n| !n.is_empty());
        let tns = tns.unwrap_or(&self.ns);
        let query = match (m["query"].as_str(), tref["name"].as_str()) {
            (Some(q), _) => q.to_string(),
            (None, Some(t)) => match self.ctx.get(API_VERSION, "MetricTemplate", tns, t) {
                Some(tpl) => text(&tpl["spec"]["query"]),
                None => {
                    let e = format!("metrictemplates.flagger.app \"{t}\" not found");
                    return Err(format!("Metric template {t}.{tns} error: {e}"));
                }
            },
            _ => {
                let e = "no usable metrics template and query were configured";
                return Err(format!("Metric query failed for {e}"));
            }
        };
        let (apex, t, n, ns) = (self.apex(), &self.target, &self.name, &self.ns);
        let mut q = query.replace("{{ interval }}", m["interval"].as_str().unwrap_or("1m"));
        let model = [
            ("name", n),
            ("namespace", ns),
            ("target", t),
            ("service", &apex),
        ];
        for (k, v) in model.into_iter().chain([("ingress", t), ("route", t)]) {
            q = q.replace(&format!("{{{{ {k} }}}}"), v);
        }
        match self.ctx.metrics.query(&q).map(|v| v.first().copied()) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(format!(
                "Halt advancement no values found for custom metric: {name}"
            )),
            Err(e) => Err(format!("Metric query failed for {name}: {e}")),
        }
    }

    fn rollback(&mut self) {
        let (id, failed) = (self.id.clone(), self.st("failedChecks"));
        if failed >= num(self.an("threshold")).max(1) {
            let msg = format!("Rolling back {id} failed checks threshold reached {failed}");
            self.ev(W, msg);
        }
        *self.route = 0;
        self.ev(W, format!("Canary failed! Scaling down {id}"));
        self.scale(0);
        self.sync("Failed", 0, 0, 0);
        self.post_rollout();
    }

    fn promote(&mut self, target: &Value, label: &str, pv: &str) {
        let (tid, primary, ns) = (&self.tid, self.primary(), &self.ns);
        let msg = format!("Copying {tid} template spec to {primary}.{ns}");
        self.ev(N, msg);
        self.write_primary(target, label, pv, true);
    }

    fn succeed(&mut self, how: &str) {
        self.scale(0);
        self.set_phase("Succeeded");
        self.post_rollout();
        let msg = format!("Promotion completed! {how} {}", self.tid);
        self.ev(N, msg);
    }

    /// One pass of `advanceCanary`.
    fn advance(&mut self) {
        if self.cd["spec"]["suspend"] == true {
            return self.ev(N, "skipping canary run as object is suspended");
        }
        let tid = self.tid.clone();
        let Some(target) = self.dep(&self.target) else {
            return self.ev(W, format!("deployment {tid} get query error: not found"));
        };
        let labels = &target["spec"]["selector"]["matchLabels"];
        let Some((label, value)) = LABELS.iter().find_map(|l| Some((*l, labels[l].as_str()?)))
        else {
            let e = format!("deployment {tid} spec.selector.matchLabels must contain one of");
            return self.ev(W, format!("{e} [app name app.kubernetes.io/name]"));
        };
        let (apex, pv) = (self.apex(), format!("{value}-primary"));
        self.service(&format!("{apex}-canary"), label, value);
        self.service(&format!("{apex}-primary"), label, &pv);
        let skip = self.cd["spec"]["skipAnalysis"] == true;
        let init = matches!(self.phase().as_str(), "" | "Initializing");
        if init && !skip {
            self.ev(N, "all the metrics providers are available!");
        }
        self.write_primary(&target, label, &pv, false);
        if let (true, false, Err((_, e))) = (init, skip, self.primary_ready()) {
            return self.ev(W, e);
        }
        self.service(&apex, label, &pv);
        if init {
            self.scale(0);
            self.sync("Initialized", 0, 0, 0);
            self.refresh();
            let msg = format!("Initialization done! {}", self.id);
            self.ev(N, msg);
        }
        let phase = self.phase();
        let is = |ps: &str| ps.split(' ').any(|p| p == phase);
        if phase == "Failed" {
            let (w, f) = (self.st("canaryWeight"), self.st("failedChecks"));
            self.sync("Failed", w, f, self.st("iterations"));
        }
        if !is(BUSY) && !self.target_changed() {
            return;
        }
        if let (false, Err((retriable, e))) = (skip, self.primary_ready()) {
            self.ev(W, e);
            if !retriable && !is("Promoting Finalising") {
                self.rollback();
            }
            return;
        }
        if !is("Progressing WaitingPromotion Promoting Finalising") {
            return self.start();
        }
        if is("Progressing WaitingPromotion") && self.target_changed() {
            let msg = format!("New revision detected! Restarting analysis for {tid}");
            self.ev(N, msg);
            *self.route = 0;
            return self.sync("Progressing", 0, 0, 0);
        }
        let what = format!("canary deployment {tid} not ready");
        let target_name = self.target.clone();
        if let Err((retriable, e)) = self.ready(&target_name, "canaryReadyThreshold", &what) {
            self.ev(W, e);
            if !retriable {
                self.rollback();
            }
            return;
        }
        if skip {
            *self.route = 0;
            self.promote(&target, label, &pv);
            return self.succeed("Canary analysis was skipped for");
        }
        if is("Progressing WaitingPromotion") && self.rollback_signalled() {
            let msg = format!("Rolling back {} manual webhook invoked", self.id);
            self.ev(W, msg);
            return self.rollback();
        }
        match phase.as_str() {
            "Promoting" => {
                self.ev(N, "Routing all traffic to primary");
                *self.route = 0;
                self.set_phase("Finalising");
            }
            "Finalising" => self.succeed("Scaling down"),
            _ => self.analyse(&phase, &target, label, &pv),
        }
    }

    /// A new revision: the confirm-rollout gate (Waiting while closed), then scale up.
    fn start(&mut self) {
        self.refresh();
        let waiting = self.phase() == "Waiting";
        let halt = |r: &mut Self, hook: &str, _: &str| {
            if !waiting {
                r.set_phase("Waiting");
                let msg = format!("Halt {} advancement waiting for approval {hook}", r.id);
                r.ev(W, msg);
            }
        };
        if self.gate("confirm-rollout", "Confirm-rollout", halt) {
            let msg = format!("New revision detected! Scaling up {}", self.tid);
            self.ev(N, msg);
            self.scale_from_zero();
            self.sync("Progressing", 0, 0, 0);
        }
    }

    /// Progressing or WaitingPromotion: threshold, checks, then the next weight or promotion.
    fn analyse(&mut self, phase: &str, target: &Value, label: &str, pv: &str) {
        let (id, tid, weight) = (self.id.clone(), self.tid.clone(), *self.route);
        let failed = self.st("failedChecks");
        if failed >= num(self.an("threshold")).max(1) {
            return self.rollback();
        }
        let checked = if weight == 0 && self.st("iterations") == 0 {
            self.ev(N, format!("Starting canary analysis for {tid}"));
            let halt = |r: &mut Self, hook: &str, e: &str| {
                let msg = format!("Halt {id} advancement pre-rollout check {hook} failed {e}");
                r.ev(W, msg);
            };
            match self.gate("pre-rollout", "Pre-rollout", halt) {
                true => Ok(()),
                false => Err(String::new()),
            }
        } else {
            let hooks = self.hooks("rollout").into_iter();
            match hooks.into_iter().find_map(|(h, r)| Some((h, r.err()?))) {
                Some((h, e)) => Err(format!(
                    "Halt {id} advancement external check {h} failed {e}"
                )),
                None => self.metrics(),
            }
        };
        if let Err(e) = checked {
            if !e.is_empty() {
                self.ev(W, e);
            }
            return self.set("failedChecks", failed + 1);
        }
        let an = &self.cd["spec"]["analysis"];
        let (step, max) = (next_step(an, weight), max_weight(an));
        let traffic = |r: &mut Self, hook: &str, _: &str| {
            let msg = format!("Halt {id} advancement waiting for traffic increase approval {hook}");
            r.ev(W, msg);
        };
        let ty = "confirm-traffic-increase";
        if step <= 0
            || phase == "Progressing" && !self.gate(ty, "Confirm-traffic-increase", traffic)
        {
            return;
        }
        if weight < max {
            *self.route = (weight + step).min(100);
            self.set("canaryWeight", *self.route);
            return self.ev(N, format!("Advance {id} canary weight {}", *self.route));
        }
        let halt = |r: &mut Self, hook: &str, _: &str| match phase {
            "WaitingPromotion" => r.set("iterations", num(r.an("iterations")) - 1),
            _ => {
                r.set_phase("WaitingPromotion");
                let msg = format!("Halt {id} advancement waiting for promotion approval {hook}");
                r.ev(W, msg);
            }
        };
        if self.gate("confirm-promotion", "Confirm-promotion", halt) {
            self.promote(target, label, pv);
            self.set_phase("Promoting");
        }
    }
}

#[path = "flagger_objects.rs"]
mod objects;

#[cfg(test)]
#[path = "flagger_tests.rs"]
mod tests;
