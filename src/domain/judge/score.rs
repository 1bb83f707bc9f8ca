//! Group scores, the weighted summary score and the verdict (Kayenta's WeightedSumScorer and
//! ThresholdScoreClassifier).

use std::collections::BTreeMap;

use serde::Serialize;

use super::classify::{Classification, MetricVerdict};
use super::config::ScoreThresholds;

/// Share of Nodata metrics (in percent) at or above which the summary score is forced to 0.
pub const NODATA_THRESHOLD_PERCENT: f64 = 50.0;

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Verdict {
    Pass,
    Marginal,
    Fail,
}

impl Verdict {
    /// Pass at or above `pass`, Marginal at or above `marginal`, Fail below.
    pub fn from_score(score: f64, thresholds: &ScoreThresholds) -> Self {
        if score >= thresholds.pass {
            Self::Pass
        } else if score >= thresholds.marginal {
            Self::Marginal
        } else {
            Self::Fail
        }
    }
}

/// How many metrics got each classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ClassificationCounts {
    pub pass: usize,
    pub high: usize,
    pub low: usize,
    pub nodata: usize,
    pub nodata_fail: usize,
    pub error: usize,
}

impl ClassificationCounts {
    fn add(&mut self, c: Classification) {
        let slot = match c {
            Classification::Pass => &mut self.pass,
            Classification::High => &mut self.high,
            Classification::Low => &mut self.low,
            Classification::Nodata => &mut self.nodata,
            Classification::NodataFail => &mut self.nodata_fail,
            Classification::Error => &mut self.error,
        };
        *slot += 1;
    }

    /// Metrics that count in a group score: Pass, High, Low and NodataFail.
    pub fn scored(&self) -> usize {
        self.pass + self.high + self.low + self.nodata_fail
    }
}

/// Score of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    pub name: String,
    /// `100 × Pass / (Pass + High + Low + NodataFail)`; 0 when none of those exist.
    pub score: f64,
    /// No metric of the group counted; the summary then credits the group with 100.
    pub no_data: bool,
    /// Effective weight in percent.
    pub weight: f64,
    pub counts: ClassificationCounts,
}

/// The whole judgement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgeResult {
    /// Per metric, in config order (unconfigured sample sets last).
    pub metrics: Vec<MetricVerdict>,
    /// Per group, in order of first appearance.
    pub groups: Vec<GroupScore>,
    /// Summary score, 0–100, rounded to two decimals.
    pub score: f64,
    pub verdict: Verdict,
    /// Why the score was forced to 0, if it was.
    pub forced_zero: Option<String>,
}

/// Scores classified metrics: muted ones are left out; a critical failure or ≥ 50 % Nodata
/// forces 0; otherwise the weighted sum of group scores.
pub fn summarize(
    metrics: Vec<MetricVerdict>,
    weights: &BTreeMap<String, f64>,
    thresholds: &ScoreThresholds,
) -> JudgeResult {
    let active: Vec<&MetricVerdict> = metrics.iter().filter(|m| !m.muted).collect();
    let mut groups = group_scores(&active);
    assign_weights(&mut groups, weights);

    let nodata = active
        .iter()
        .filter(|m| m.classification == Classification::Nodata)
        .count();
    let forced_zero = if let Some(failure) = active.iter().find(|m| m.critical) {
        Some(format!("critical metric failed: {}", failure.reason))
    } else if !active.is_empty()
        && nodata as f64 / active.len() as f64 * 100.0 >= NODATA_THRESHOLD_PERCENT
    {
        Some(format!(
            "{nodata} of {} metrics have no data (at least {NODATA_THRESHOLD_PERCENT} %)",
            active.len()
        ))
    } else {
        None
    };
    let score = if forced_zero.is_some() {
        0.0
    } else {
        let sum: f64 = groups
            .iter()
            .map(|g| if g.no_data { 100.0 } else { g.score } * g.weight / 100.0)
            .sum();
        (sum * 100.0).round() / 100.0
    };
    JudgeResult {
        verdict: Verdict::from_score(score, thresholds),
        metrics,
        groups,
        score,
        forced_zero,
    }
}

fn group_scores(metrics: &[&MetricVerdict]) -> Vec<GroupScore> {
    let mut groups: Vec<GroupScore> = Vec::new();
    for metric in metrics {
        for name in &metric.groups {
            let index = match groups.iter().position(|g| &g.name == name) {
                Some(i) => i,
                None => {
                    groups.push(GroupScore {
                        name: name.clone(),
                        score: 0.0,
                        no_data: true,
                        weight: 0.0,
                        counts: ClassificationCounts::default(),
                    });
                    groups.len() - 1
                }
            };
            if let Some(group) = groups.get_mut(index) {
                group.counts.add(metric.classification);
            }
        }
    }
    for group in &mut groups {
        let scored = group.counts.scored();
        group.no_data = scored == 0;
        group.score = if scored == 0 {
            0.0
        } else {
            group.counts.pass as f64 / scored as f64 * 100.0
        };
    }
    groups
}

/// Configured weights apply as given; groups without one share `100 − Σ configured` equally
/// (never below 0).
fn assign_weights(groups: &mut [GroupScore], weights: &BTreeMap<String, f64>) {
    let configured: f64 = weights.values().sum();
    let unweighted = groups
        .iter()
        .filter(|g| !weights.contains_key(&g.name))
        .count();
    let share = if unweighted == 0 {
        0.0
    } else {
        ((100.0 - configured) / unweighted as f64).max(0.0)
    };
    for group in groups {
        group.weight = weights.get(&group.name).copied().unwrap_or(share);
    }
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
