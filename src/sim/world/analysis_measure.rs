//! Taking measurements as Argo's analysis controller schedules them: which metrics are due
//! (initial delay, interval, count, the retry after an error), a Prometheus measurement
//! answered by the world's metric model and judged by the metric's conditions, and the
//! counters of its result.

use std::collections::BTreeMap;

use serde_json::Value;

use super::spec::Metric;
use super::{
    ERROR, ERROR_RETRY_INTERVAL, FAILED, INCONCLUSIVE, Measurement, MetricResult, RUNNING,
    SUCCESSFUL, UNSUPPORTED, completed, eval, timer,
};
use crate::sim::world::ctx::Ctx;

/// The metrics to measure now (index, whether it finishes an in-flight measurement).
pub(super) fn due(
    ctx: &mut Ctx<'_>,
    run: &Value,
    status: &Value,
    metrics: &[Metric],
    results: &[MetricResult],
    terminating: bool,
) -> Vec<(usize, bool)> {
    let mut out = Vec::new();
    for (i, m) in metrics.iter().enumerate() {
        let result = results.iter().find(|r| r.name == m.name);
        if result.is_some_and(|r| completed(&r.phase)) {
            continue;
        }
        let last = result.and_then(|r| r.measurements.last());
        if last.is_some_and(|l| l.finished_at.is_none()) {
            out.push((i, true));
            continue;
        }
        if terminating {
            continue;
        }
        let Some(last) = last else {
            if !m.initial_delay.is_empty() {
                let Ok(delay) = eval::go_duration(&m.initial_delay) else {
                    continue;
                };
                if status.get("startedAt").is_none() || ctx.elapsed(&timer(run, "started")) < delay
                {
                    continue;
                }
            }
            out.push((i, false));
            continue;
        };
        if let (Some(c), Some(r)) = (m.effective_count(), result)
            && r.count >= c
        {
            continue;
        }
        let interval = if last.phase == ERROR || m.interval.is_empty() {
            ERROR_RETRY_INTERVAL
        } else {
            match eval::go_duration(&m.interval) {
                Ok(d) => d,
                Err(_) => continue,
            }
        };
        if ctx.elapsed(&timer(run, &format!("metric/{}", m.name))) >= interval {
            out.push((i, false));
        }
    }
    out
}

/// Takes one measurement: Prometheus queries go to the world's metric model.
pub(super) fn measure(ctx: &Ctx<'_>, m: &Metric) -> Measurement {
    let mut out = Measurement {
        started_at: Some(ctx.ts()),
        phase: ERROR.into(),
        message: UNSUPPORTED.into(),
        ..Measurement::default()
    };
    if m.provider.get("prometheus").is_some() {
        match ctx.metrics.query(m.prometheus_query().unwrap_or("")) {
            Ok(values) => match judge(&values, m) {
                Ok(phase) => {
                    out.phase = phase.into();
                    out.message.clear();
                    out.value = eval::format_vector(&values);
                }
                Err(msg) => out.message = msg,
            },
            Err(e) => out.message = e,
        }
    }
    out.finished_at = Some(ctx.ts());
    out
}

/// A measurement's phase from the success / failure conditions (Argo's `EvaluateResult`).
pub(super) fn judge(values: &[f64], m: &Metric) -> Result<&'static str, String> {
    let check = |which: &str, expr: &str| {
        eval::condition(expr, values).map_err(|e| match e {
            eval::EvalError::Unsupported => UNSUPPORTED.to_string(),
            eval::EvalError::Runtime(_) if values.is_empty() => format!(
                "could not evaluate {which} \"{expr}\": metric result is nil or empty: no data returned from the metric provider"
            ),
            eval::EvalError::Runtime(msg) => format!("could not evaluate {which} \"{expr}\": {msg}"),
        })
    };
    let (has_success, has_failure) = (!m.success.is_empty(), !m.failure.is_empty());
    let mut success = has_success && check("successCondition", &m.success)?;
    let mut failure = has_failure && check("failureCondition", &m.failure)?;
    match (has_success, has_failure) {
        (false, false) => return Ok(SUCCESSFUL),
        (true, false) => failure = !success,
        (false, true) => success = !failure,
        (true, true) => {}
    }
    Ok(if failure {
        FAILED
    } else if !success {
        INCONCLUSIVE
    } else {
        SUCCESSFUL
    })
}

/// Adds (or completes) a measurement in its metric's result, with the counters.
pub(super) fn record(
    results: &mut Vec<MetricResult>,
    m: &Metric,
    dry_run: bool,
    taken: Measurement,
    in_flight: bool,
) {
    let i = match results.iter().position(|r| r.name == m.name) {
        Some(i) => i,
        None => {
            let mut metadata = BTreeMap::new();
            if let Some(q) = m.prometheus_query().filter(|q| !q.is_empty()) {
                metadata.insert("ResolvedPrometheusQuery".to_string(), q.to_string());
            }
            results.push(MetricResult {
                name: m.name.clone(),
                phase: RUNNING.into(),
                dry_run,
                metadata,
                ..MetricResult::default()
            });
            results.len() - 1
        }
    };
    let r = &mut results[i];
    match taken.phase.as_str() {
        SUCCESSFUL => {
            r.successful += 1;
            r.count += 1;
            r.consecutive_error = 0;
            r.consecutive_success += 1;
        }
        FAILED | INCONCLUSIVE => {
            if taken.phase == FAILED {
                r.failed += 1;
            } else {
                r.inconclusive += 1;
            }
            r.count += 1;
            r.consecutive_error = 0;
            r.consecutive_success = 0;
        }
        ERROR => {
            r.error += 1;
            r.consecutive_error += 1;
            r.consecutive_success = 0;
        }
        _ => {}
    }
    match r.measurements.last_mut() {
        Some(last) if in_flight => *last = taken,
        _ => r.measurements.push(taken),
    }
}
