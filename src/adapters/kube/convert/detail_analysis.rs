//! AnalysisRuns of a Rollout: the tree line as the CLI draws it
//! (`pkg/kubectl-argo-rollouts/info/analysisrun_info.go`) and the full view with every metric's
//! limits, counters and measured values, and a threshold parsed from its condition.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::super::count;
use super::super::model::{Meta, NumOrString};
use super::{nullable, owned_by};
use crate::domain::revision::{
    AnalysisMetricView, AnalysisRunView, MeasurementView, NodeKind, Threshold, TreeNode,
};
use serde_json::Value;

/// Argo's `DefaultConsecutiveErrorLimit` (`utils/defaults`); `failureLimit` and
/// `inconclusiveLimit` default to 0.
const DEFAULT_CONSECUTIVE_ERROR_LIMIT: i64 = 4;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnalysisRun {
    #[serde(deserialize_with = "nullable")]
    metadata: Meta,
    #[serde(deserialize_with = "nullable")]
    spec: RunSpec,
    #[serde(deserialize_with = "nullable")]
    status: RunStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RunSpec {
    #[serde(deserialize_with = "nullable")]
    metrics: Vec<MetricSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct MetricSpec {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    success_condition: String,
    #[serde(deserialize_with = "nullable")]
    failure_condition: String,
    failure_limit: Option<NumOrString>,
    inconclusive_limit: Option<NumOrString>,
    consecutive_error_limit: Option<NumOrString>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RunStatus {
    #[serde(deserialize_with = "nullable")]
    phase: String,
    #[serde(deserialize_with = "nullable")]
    message: String,
    #[serde(deserialize_with = "nullable")]
    metric_results: Vec<MetricResult>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct MetricResult {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    phase: String,
    #[serde(deserialize_with = "nullable")]
    message: String,
    successful: Option<i64>,
    failed: Option<i64>,
    inconclusive: Option<i64>,
    error: Option<i64>,
    consecutive_error: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    measurements: Vec<Measurement>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Measurement {
    #[serde(deserialize_with = "nullable")]
    phase: String,
    #[serde(deserialize_with = "nullable")]
    value: String,
    #[serde(deserialize_with = "nullable")]
    message: String,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

/// A run of the workload with the revision it belongs to.
pub(super) struct Run {
    run: AnalysisRun,
    pub(super) revision: u64,
}

/// The runs owned by the Rollout (`owner`), in the CLI's order: revision newest first, then
/// created oldest first, then name descending. The revision is the run's revision
/// annotation, else (not the CLI: it shows 0) the revision of the ReplicaSet whose pod
/// template hash the run's hash label names (`by_hash`).
pub(super) fn owned_runs(
    list: &[Value],
    owner: &Meta,
    revision_annotation: &str,
    hash_label: &str,
    by_hash: impl Fn(&str) -> Option<u64>,
) -> Vec<Run> {
    let mut runs: Vec<Run> = list
        .iter()
        .filter_map(|v| super::parse::<AnalysisRun>(v).ok())
        .filter(|r| owned_by(&r.metadata, "Rollout", owner))
        .map(|run| {
            let meta = &run.metadata;
            let revision = meta
                .annotations
                .get(revision_annotation)
                .and_then(|r| r.parse().ok())
                .or_else(|| meta.labels.get(hash_label).and_then(|h| by_hash(h)))
                .unwrap_or(0);
            Run { run, revision }
        })
        .collect();
    runs.sort_by(|a, b| {
        let (ma, mb) = (&a.run.metadata, &b.run.metadata);
        b.revision
            .cmp(&a.revision)
            .then_with(|| ma.creation_timestamp.cmp(&mb.creation_timestamp))
            .then_with(|| mb.name.cmp(&ma.name))
    });
    runs
}

/// The views of the runs, newest first (revision, then creation, then name, descending).
pub(super) fn views(runs: &[Run]) -> Vec<AnalysisRunView> {
    let mut ordered: Vec<&Run> = runs.iter().collect();
    ordered.sort_by_key(|r| {
        Reverse((
            r.revision,
            r.run.metadata.creation_timestamp,
            r.run.metadata.name.clone(),
        ))
    });
    ordered.into_iter().map(Run::view).collect()
}

impl Run {
    fn name(&self) -> String {
        self.run.metadata.name.clone().unwrap_or_default()
    }

    /// The tree line: status = the run's phase; INFO `✔ N`, `✖ N`, `? N`, `⚠ N` (the sums
    /// over the metrics of successful, failed, inconclusive and error), each when > 0.
    pub(super) fn node(&self) -> TreeNode {
        let results = &self.run.status.metric_results;
        let sum = |f: fn(&MetricResult) -> Option<i64>| -> i64 {
            results.iter().map(|m| f(m).unwrap_or(0)).sum()
        };
        let info = [
            ("✔", sum(|m| m.successful)),
            ("✖", sum(|m| m.failed)),
            ("?", sum(|m| m.inconclusive)),
            ("⚠", sum(|m| m.error)),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(icon, n)| format!("{icon} {n}"))
        .collect();
        let phase = self.run.status.phase.clone();
        TreeNode {
            depth: 2,
            kind: NodeKind::AnalysisRun,
            name: self.name(),
            symbol: phase_symbol(&phase).to_string(),
            status: phase,
            created: self.run.metadata.creation_timestamp,
            info,
            revision: Some(self.revision),
        }
    }

    fn view(&self) -> AnalysisRunView {
        let (meta, spec, status) = (&self.run.metadata, &self.run.spec, &self.run.status);
        // A background run is labelled `rollout-type: Background`; failing that label, a run
        // without `step-index` (blue-green pre/post-promotion runs are neither).
        let background = match meta.labels.get("rollout-type") {
            Some(t) => t == "Background",
            None => !meta.labels.contains_key("step-index"),
        };
        let mut metrics: Vec<AnalysisMetricView> = spec
            .metrics
            .iter()
            .map(|m| {
                let result = status.metric_results.iter().find(|r| r.name == m.name);
                metric(Some(m), result)
            })
            .collect();
        for r in &status.metric_results {
            if !spec.metrics.iter().any(|m| m.name == r.name) {
                metrics.push(metric(None, Some(r)));
            }
        }
        AnalysisRunView {
            name: self.name(),
            phase: status.phase.clone(),
            message: status.message.clone(),
            background,
            revision: Some(self.revision),
            created: meta.creation_timestamp,
            metrics,
        }
    }
}

fn metric(spec: Option<&MetricSpec>, result: Option<&MetricResult>) -> AnalysisMetricView {
    let limit = |l: Option<&NumOrString>, default: i64| match l {
        None => Some(default),
        Some(NumOrString::Num(n)) => Some(*n),
        Some(NumOrString::Str(s)) => s.trim().parse().ok(),
    };
    let success_condition = spec
        .map(|s| s.success_condition.clone())
        .unwrap_or_default();
    let failure_condition = spec
        .map(|s| s.failure_condition.clone())
        .unwrap_or_default();
    let threshold = parse_threshold(&success_condition, true)
        .or_else(|| parse_threshold(&failure_condition, false));
    let n = |f: fn(&MetricResult) -> Option<i64>| count(result.and_then(f));
    AnalysisMetricView {
        name: spec
            .map(|s| s.name.clone())
            .or_else(|| result.map(|r| r.name.clone()))
            .unwrap_or_default(),
        phase: result.map(|r| r.phase.clone()).unwrap_or_default(),
        threshold,
        success_condition,
        failure_condition,
        successful: n(|r| r.successful),
        failed: n(|r| r.failed),
        failure_limit: limit(spec.and_then(|s| s.failure_limit.as_ref()), 0),
        inconclusive: n(|r| r.inconclusive),
        inconclusive_limit: limit(spec.and_then(|s| s.inconclusive_limit.as_ref()), 0),
        consecutive_error: n(|r| r.consecutive_error),
        consecutive_error_limit: limit(
            spec.and_then(|s| s.consecutive_error_limit.as_ref()),
            DEFAULT_CONSECUTIVE_ERROR_LIMIT,
        ),
        message: result.map(|r| r.message.clone()).unwrap_or_default(),
        measurements: result
            .map(|r| {
                r.measurements
                    .iter()
                    .map(|m| MeasurementView {
                        value: m.value.clone(),
                        at: m.finished_at.or(m.started_at),
                        phase: m.phase.clone(),
                        message: m.message.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A threshold from a condition of the form `result[0] <op> N` or `result <op> N`
/// (`>=`, `>`, `<=`, `<`, `==`, `!=`; N a finite number); `None` for anything else.
pub fn parse_threshold(condition: &str, success: bool) -> Option<Threshold> {
    let c = condition.trim();
    let rest = c
        .strip_prefix("result[0]")
        .or_else(|| c.strip_prefix("result"))?
        .trim_start();
    let op = [">=", "<=", "==", "!=", ">", "<"]
        .into_iter()
        .find(|op| rest.starts_with(op))?;
    let value: f64 = rest.get(op.len()..)?.trim().parse().ok()?;
    value.is_finite().then(|| Threshold {
        op: op.to_string(),
        value,
        success,
    })
}

/// The CLI's icon for an analysis phase.
fn phase_symbol(phase: &str) -> &'static str {
    match phase {
        "Successful" => "✔",
        "Inconclusive" => "?",
        "Failed" => "✖",
        "Error" => "⚠",
        "Running" => "◌",
        "Pending" => "◷",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn thresholds_parse_simple_comparisons_only() {
        let cases: &[(&str, Option<(&str, f64)>)] = &[
            ("result[0] >= 0.95", Some((">=", 0.95))),
            ("result[0]>0.9", Some((">", 0.9))),
            (" result <= 100 ", Some(("<=", 100.0))),
            ("result < 5e-1", Some(("<", 0.5))),
            ("result == 1", Some(("==", 1.0))),
            ("result[0] != -3", Some(("!=", -3.0))),
            ("result == \"true\"", None),
            ("result[0] >= 0.95 && result[1] < 1", None),
            ("result[1] > 3", None),
            ("results > 3", None),
            ("len(result) > 0", None),
            ("result > inf", None),
            ("result >", None),
            ("", None),
        ];
        for (cond, want) in cases {
            let got = parse_threshold(cond, false).map(|t| (t.op, t.value, t.success));
            let want = want.map(|(op, v)| (op.to_string(), v, false));
            assert_eq!(got, want, "{cond:?}");
        }
        assert!(parse_threshold("result > 1", true).unwrap().success);
    }
}
