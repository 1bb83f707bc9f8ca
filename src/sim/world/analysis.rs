//! AnalysisRuns, as Argo Rollouts' analysis controller runs them: every metric is measured
//! at its `interval` (sim time) up to its `count`, after its `initialDelay`; Prometheus
//! metrics are answered by the world's metric model and judged by their success / failure
//! conditions, every other provider is an Error measurement; counters, limits, metric and
//! run phases, messages, events, termination and measurement retention follow Argo's
//! controller. Runs are written as the real controller patches them, and only on change.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ctx::{Controller, Ctx, frozen, meta};

#[path = "analysis_assess.rs"]
mod assess;
#[path = "analysis_eval.rs"]
pub mod eval;
#[path = "analysis_measure.rs"]
mod measure;
#[path = "analysis_spec.rs"]
mod spec;
use assess::assess;
use measure::{due, measure, record};
use spec::Metric;

/// Measurements kept per metric unless `measurementRetention` says otherwise.
pub const DEFAULT_MEASUREMENT_RETENTION: usize = 10;
/// The retry interval after an Error measurement (and without an interval).
pub const ERROR_RETRY_INTERVAL: Duration = Duration::from_secs(10);
pub const DEFAULT_CONSECUTIVE_ERROR_LIMIT: i64 = 4;
/// The message of a measurement the simulator cannot take (a provider or condition it
/// does not implement).
pub const UNSUPPORTED: &str = "unsupported by simulator";
const COMPONENT: &str = "rollouts-controller";
const SUCCESSFUL: &str = "Successful";
const RUNNING: &str = "Running";
const PENDING: &str = "Pending";
const FAILED: &str = "Failed";
const ERROR: &str = "Error";
const INCONCLUSIVE: &str = "Inconclusive";

/// Whether an analysis phase is final.
pub fn completed(phase: &str) -> bool {
    matches!(phase, SUCCESSFUL | FAILED | ERROR | INCONCLUSIVE)
}

/// Argo's order of phases, best to worst.
fn worse(current: &str, new: &str) -> bool {
    let rank = |p: &str| {
        [SUCCESSFUL, RUNNING, PENDING, INCONCLUSIVE, ERROR, FAILED]
            .iter()
            .position(|x| *x == p)
            .unwrap_or(0)
    };
    rank(new) > rank(current)
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Measurement {
    pub phase: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricResult {
    pub name: String,
    pub phase: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<Measurement>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub count: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub successful: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub inconclusive: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub error: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub consecutive_error: i64,
    #[serde(default, skip_serializing_if = "is_false")]
    pub dry_run: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub consecutive_success: i64,
}

#[derive(Debug, Default)]
pub struct AnalysisRunController;

impl Controller for AnalysisRunController {
    fn name(&self) -> &'static str {
        "analysisrun"
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        for run in ctx.list_active("argoproj.io/v1alpha1", "AnalysisRun", None) {
            let phase = run.pointer("/status/phase").and_then(Value::as_str);
            if frozen(&run)
                || completed(phase.unwrap_or(""))
                || run.pointer("/metadata/deletionTimestamp").is_some()
            {
                continue;
            }
            reconcile_run(ctx, &run);
        }
    }
}

fn timer(run: &Value, what: &str) -> String {
    format!("{}/analysis/{what}", meta(run, "uid"))
}

type Rules = HashMap<String, i64>;

/// Resolved metrics (secrets stood in for), validated, with dry-run and retention rules.
fn prepare(spec: &Value, raw: &[Value]) -> Result<(Vec<Metric>, Rules, Rules), String> {
    let metrics: Vec<Metric> = spec::args(spec.get("args"), None)
        .and_then(|(args, _)| raw.iter().map(|m| spec::resolve(m, &args)).collect())
        .map_err(|e| format!("Unable to resolve metric arguments: {e}"))?;
    let invalid = |e: String| format!("Analysis spec invalid: {e}");
    spec::validate(&metrics).map_err(invalid)?;
    let dry = spec::rules(spec, "dryRun", &metrics).map_err(invalid)?;
    let keep = spec::rules(spec, "measurementRetention", &metrics).map_err(invalid)?;
    Ok((metrics, dry, keep))
}

fn reconcile_run(ctx: &mut Ctx<'_>, run: &Value) {
    let mut status = run
        .get("status")
        .filter(|s| s.is_object())
        .cloned()
        .unwrap_or(json!({}));
    let mut results: Vec<MetricResult> = status
        .get("metricResults")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let spec = run.get("spec").cloned().unwrap_or(json!({}));
    let raw: Vec<Value> = spec
        .get("metrics")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (metrics, dry, keep) = match prepare(&spec, &raw) {
        Ok(p) => p,
        Err(msg) => return give_up(ctx, run, status, &msg),
    };
    let terminate = spec.get("terminate").and_then(Value::as_bool) == Some(true);
    let terminating = terminate
        || results
            .iter()
            .any(|r| !r.dry_run && matches!(r.phase.as_str(), FAILED | ERROR | INCONCLUSIVE));
    let tasks = due(ctx, run, &status, &metrics, &results, terminating);
    let ns = meta(run, "namespace").to_string();
    let resolved = spec::args(spec.get("args"), Some((&*ctx, &ns))).and_then(|(args, secrets)| {
        let ms: Result<Vec<Metric>, String> = tasks
            .iter()
            .map(|(i, _)| spec::resolve(&raw[*i], &args))
            .collect();
        ms.map(|ms| (ms, secrets))
    });
    let (task_metrics, secrets) = match resolved {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("Unable to resolve metric arguments: {e}");
            return give_up(ctx, run, status, &msg);
        }
    };
    for ((_, in_flight), m) in tasks.iter().zip(&task_metrics) {
        let last = results
            .iter()
            .find(|r| r.name == m.name)
            .and_then(|r| r.measurements.last())
            .cloned();
        let mut taken = match last.filter(|_| *in_flight && terminating) {
            Some(mut last) => {
                last.phase = SUCCESSFUL.into();
                last.message = "Metric Terminated".into();
                last
            }
            None => measure(ctx, m),
        };
        if taken.finished_at.is_none() {
            taken.finished_at = Some(ctx.ts());
        }
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            taken.message = taken.message.replace(s.as_str(), "*****");
        }
        record(
            &mut results,
            m,
            dry.contains_key(&m.name),
            taken,
            *in_flight,
        );
        let key = timer(run, &format!("metric/{}", m.name));
        ctx.reset_timer(&key);
        ctx.elapsed(&key);
    }
    let (phase, message) = assess(
        ctx,
        run,
        &mut status,
        &mut results,
        &metrics,
        &dry,
        terminate,
    );
    if status.get("phase").and_then(Value::as_str) != Some(phase) {
        status["phase"] = json!(phase);
        set_message(&mut status, &message);
        if completed(phase) {
            completion_event(ctx, run, phase);
            if status.get("completedAt").is_none() {
                status["completedAt"] = json!(ctx.ts());
            }
        }
    }
    for r in results.iter_mut() {
        let limit = keep
            .get(&r.name)
            .filter(|n| **n > 0)
            .map_or(DEFAULT_MEASUREMENT_RETENTION, |n| *n as usize);
        let n = r.measurements.len();
        if n > limit {
            r.measurements.drain(..n - limit);
        }
    }
    match serde_json::to_value(&results) {
        Ok(v) if !results.is_empty() => status["metricResults"] = v,
        _ => remove(&mut status, "metricResults"),
    }
    persist(ctx, run, status);
}

fn set_message(status: &mut Value, message: &str) {
    if message.is_empty() {
        remove(status, "message");
    } else {
        status["message"] = json!(message);
    }
}

fn remove(v: &mut Value, key: &str) {
    if let Some(m) = v.as_object_mut() {
        m.remove(key);
    }
}

fn completion_event(ctx: &mut Ctx<'_>, run: &Value, phase: &str) {
    let warning = matches!(phase, ERROR | FAILED);
    let msg = format!("Analysis Completed. Result: {phase}");
    ctx.event(
        run,
        warning,
        &format!("AnalysisRun{phase}"),
        &msg,
        COMPONENT,
    );
}

/// The run cannot be analysed (bad arguments or spec): it ends in Error at once.
fn give_up(ctx: &mut Ctx<'_>, run: &Value, mut status: Value, message: &str) {
    status["phase"] = json!(ERROR);
    status["message"] = json!(message);
    completion_event(ctx, run, ERROR);
    persist(ctx, run, status);
}

fn persist(ctx: &mut Ctx<'_>, run: &Value, status: Value) {
    if run.get("status") != Some(&status) {
        let mut next = run.clone();
        next["status"] = status;
        let _ = ctx.update_status(next);
    }
}

#[cfg(test)]
#[path = "analysis_tests.rs"]
mod tests;
