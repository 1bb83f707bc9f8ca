//! Argo's assessment of an AnalysisRun: each metric's phase from its counters and limits,
//! then the run's phase (the worst completed metric) and message, the run and dry-run
//! summaries, and the metric events.

use serde_json::{Value, json};

use super::spec::Metric;
use super::{
    COMPONENT, DEFAULT_CONSECUTIVE_ERROR_LIMIT, ERROR, FAILED, INCONCLUSIVE, MetricResult, PENDING,
    RUNNING, Rules, SUCCESSFUL, completed, timer, worse,
};
use crate::sim::world::ctx::Ctx;

/// Failed / Inconclusive / Error by the limits, with Argo's reason (the last that applies).
fn over_limits(m: &Metric, r: &MetricResult) -> (Option<&'static str>, String) {
    let mut out = (None, String::new());
    let failure_limit = m.failure_limit.unwrap_or(0);
    if failure_limit >= 0 && r.failed > failure_limit {
        out = (
            Some(FAILED),
            format!("failed ({}) > failureLimit ({failure_limit})", r.failed),
        );
    }
    let inconclusive_limit = m.inconclusive_limit.unwrap_or(0);
    if r.inconclusive > inconclusive_limit {
        out = (
            Some(INCONCLUSIVE),
            format!(
                "inconclusive ({}) > inconclusiveLimit ({inconclusive_limit})",
                r.inconclusive
            ),
        );
    }
    let error_limit = m
        .consecutive_error_limit
        .unwrap_or(DEFAULT_CONSECUTIVE_ERROR_LIMIT);
    if r.consecutive_error > error_limit {
        out = (
            Some(ERROR),
            format!(
                "consecutiveErrors ({}) > consecutiveErrorLimit ({error_limit})",
                r.consecutive_error
            ),
        );
    }
    out
}

/// A metric's phase (Argo's `assessMetricStatus`).
fn metric_phase(m: &Metric, r: &MetricResult, terminating: bool) -> String {
    if completed(&r.phase) {
        return r.phase.clone();
    }
    let Some(last) = r.measurements.last() else {
        return if terminating { SUCCESSFUL } else { PENDING }.into();
    };
    if !completed(&last.phase) {
        return RUNNING.into();
    }
    if let (Some(p), _) = over_limits(m, r) {
        return p.into();
    }
    let success_limit = m.consecutive_success_limit.unwrap_or(0);
    if success_limit > 0 && r.consecutive_success >= success_limit {
        return SUCCESSFUL.into();
    }
    if let Some(c) = m.effective_count()
        && r.count >= c
    {
        let failure_applies = m.failure_limit.is_none_or(|f| f >= 0);
        let success_applies = success_limit > 0;
        return match (failure_applies, success_applies) {
            (true, true) => INCONCLUSIVE,
            (false, true) => FAILED,
            _ => SUCCESSFUL,
        }
        .into();
    }
    if terminating { SUCCESSFUL } else { RUNNING }.into()
}

#[derive(Default)]
struct Summary {
    count: i64,
    successful: i64,
    failed: i64,
    inconclusive: i64,
    error: i64,
}

impl Summary {
    fn add(&mut self, phase: Option<&str>) {
        match phase {
            Some(ERROR) => self.error += 1,
            Some(FAILED) => self.failed += 1,
            Some(INCONCLUSIVE) => self.inconclusive += 1,
            _ => self.successful += 1,
        }
    }

    fn to_json(&self) -> Value {
        let mut v = json!({
            "count": self.count, "successful": self.successful, "failed": self.failed,
            "inconclusive": self.inconclusive, "error": self.error,
        });
        if let Some(m) = v.as_object_mut() {
            m.retain(|_, n| n.as_i64() != Some(0));
        }
        v
    }
}

/// Assesses every metric and the run (Argo's `assessRunStatus`): returns the run's phase
/// and message; sets `startedAt` and the summaries, and records metric events.
pub fn assess(
    ctx: &mut Ctx<'_>,
    run: &Value,
    status: &mut Value,
    results: &mut [MetricResult],
    metrics: &[Metric],
    dry: &Rules,
    terminate: bool,
) -> (&'static str, String) {
    let terminating = terminate
        || results
            .iter()
            .any(|r| !r.dry_run && matches!(r.phase.as_str(), FAILED | ERROR | INCONCLUSIVE));
    if status.get("startedAt").is_none() {
        status["startedAt"] = json!(ctx.ts());
        let key = timer(run, "started");
        ctx.reset_timer(&key);
        ctx.elapsed(&key);
    }
    let mut worst: Option<&'static str> = None;
    let mut message = if terminate {
        "Run Terminated".to_string()
    } else {
        String::new()
    };
    let (mut summary, mut dry_summary) = (Summary::default(), Summary::default());
    let mut everything_completed = true;
    for m in metrics {
        let is_dry = dry.contains_key(&m.name);
        if is_dry {
            dry_summary.count += 1;
        } else {
            summary.count += 1;
        }
        let Some(r) = results.iter_mut().find(|r| r.name == m.name) else {
            everything_completed = false;
            continue;
        };
        let phase = metric_phase(m, r, terminating);
        if r.phase != phase {
            if completed(&phase) {
                let warning = phase == ERROR || phase == FAILED;
                let msg = format!("Metric '{}' Completed. Result: {phase}", m.name);
                ctx.event(run, warning, &format!("Metric{phase}"), &msg, COMPONENT);
            }
            if let Some(last) = r.measurements.last() {
                r.message = last.message.clone();
            }
            r.phase = phase.clone();
        }
        if !completed(&phase) {
            everything_completed = false;
            continue;
        }
        let phase = static_phase(&phase);
        let (limit_phase, why) = over_limits(m, r);
        if is_dry {
            worst = worst.or(Some(SUCCESSFUL));
            if !why.is_empty() {
                r.message = format!("Metric assessed {phase} due to {why}");
            }
            dry_summary.add(limit_phase);
        } else {
            if worst.is_none_or(|w| worse(w, phase)) {
                worst = Some(phase);
                if !why.is_empty() {
                    message = format!("Metric \"{}\" assessed {phase} due to {why}", m.name);
                    if !r.message.is_empty() {
                        message.push_str(&format!(": \"Error Message: {}\"", r.message));
                    }
                }
            }
            summary.add(limit_phase);
        }
    }
    let message = message.trim().to_string();
    let run_summary = summary.to_json();
    if run_summary.as_object().is_some_and(|m| !m.is_empty()) || status.get("runSummary").is_some()
    {
        status["runSummary"] = run_summary;
    }
    status["dryRunSummary"] = dry_summary.to_json();
    if terminating {
        return (worst.unwrap_or(SUCCESSFUL), message);
    }
    match worst {
        Some(w) if everything_completed => (w, message),
        _ => (RUNNING, String::new()),
    }
}

fn static_phase(p: &str) -> &'static str {
    [SUCCESSFUL, FAILED, ERROR, INCONCLUSIVE, RUNNING, PENDING]
        .into_iter()
        .find(|s| *s == p)
        .unwrap_or(SUCCESSFUL)
}
