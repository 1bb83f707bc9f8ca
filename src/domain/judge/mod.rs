//! Kayenta's canary judge (NetflixACAJudge) in pure Rust: a statistical second opinion on a
//! canary, shown next to the threshold alerts.
//!
//! **Display only.** The judge never raises alerts, never gates a promotion and never
//! triggers a rollback; it produces a [`JudgeResult`] for the UI and nothing else. It is pure
//! maths: no I/O, no clock, no async.
//!
//! # How it is fed
//!
//! * **Window**: the current canary step, i.e. the samples since the last traffic-weight
//!   change. Earlier steps mix different weights and are not compared.
//! * **Samples**: per metric, one value per metric interval per side, the canary pods as the
//!   *experiment* and the baseline pods as the *control* (never the whole production fleet),
//!   given as [`MetricSamples`] and matched to [`MetricConfig`]s by name.
//! * **Minimum**: each side needs [`JudgeConfig::min_samples`] usable samples (default
//!   [`DEFAULT_MIN_SAMPLES`] = 10, counted after NaN and outlier handling), otherwise the metric
//!   is Nodata (or NodataFail when it must have data). Early in a step most metrics are
//!   therefore Nodata, and ≥ 50 % Nodata forces the score to 0: the UI should present that as
//!   "not enough data yet" rather than as a failure.
//!
//! # What it computes
//!
//! Per metric ([`classify_metric`]):
//! 1. NaN handling (`remove`, or `replace` with 0) and, if configured, IQR outlier removal
//!    with Kayenta's desensitised fences (`outliers.strategy = remove`, factor default 3.0).
//! 2. Too few samples on a side → Nodata / NodataFail. Identical samples, or a single value
//!    across both sides → Pass.
//! 3. The Mann-Whitney confidence interval of the shift canary − baseline and its
//!    Hodges-Lehmann-type estimate, exactly as R's
//!    `wilcox.test(x, y, conf.int = TRUE, correct = TRUE, exact = FALSE)` (normal
//!    approximation with tie and continuity corrections, Brent root finding at tolerance
//!    1e-4), at confidence 0.98 by default ([`mann_whitney`]). When each side is a single
//!    repeated value the shift is exact and used directly.
//! 4. Dead band `0.25 × |estimate|`: **High** when `ci_low > band`, the direction allows an
//!    increase and the effect size (mean ratio, or CLES) reaches `allowedIncrease`; **Low**
//!    is the mirror image; otherwise **Pass**. A critical metric's High/Low is a critical
//!    failure unless its effect stays inside `criticalIncrease`/`criticalDecrease`; a
//!    critical metric that is Nodata or Error is a critical failure too.
//!
//! Overall ([`summarize`]): group score `100 × Pass / (Pass + High + Low + NodataFail)`,
//! summary = Σ group score × weight (groups without any scored metric count as 100; groups
//! without a configured weight share the rest of 100), rounded to two decimals, forced to 0
//! by a critical failure or by ≥ 50 % Nodata; muted metrics are left out. Verdict: Pass at or
//! above the pass threshold, Marginal at or above the marginal one, else Fail.
//!
//! Deliberate differences from Kayenta: an empty side is Nodata under either NaN strategy
//! (Kayenta passes it under `replace`); constant-vs-constant data uses the exact shift instead
//! of random jitter; the estimate follows R (no continuity correction) where Kayenta keeps the
//! correction; a critical metric in Error is a critical failure; weights never go negative.

mod brent;
mod classify;
mod config;
mod format;
mod kayenta;
mod mann_whitney;
mod preprocess;
mod score;
mod stats;

pub use brent::{MAX_ITERATIONS, ROOT_TOLERANCE, Root, zeroin};
pub use classify::{Classification, Interval, MetricVerdict, classify_metric};
pub use config::{
    DEFAULT_CONFIDENCE, DEFAULT_DEAD_BAND, DEFAULT_MIN_SAMPLES, DEFAULT_OUTLIER_FACTOR, Direction,
    EffectMeasure, EffectSizeConfig, JudgeConfig, JudgeConfigError, MetricConfig, NanStrategy,
    OutlierConfig, OutlierStrategy, ScoreThresholds,
};
pub use kayenta::{KayentaConfigError, from_kayenta_canary_config};
pub use mann_whitney::{
    MannWhitneyError, MannWhitneyResult, common_language_effect_size, mann_whitney,
};
pub use preprocess::{handle_nans, outlier_fences, prepare};
pub use score::{
    ClassificationCounts, GroupScore, JudgeResult, NODATA_THRESHOLD_PERCENT, Verdict, summarize,
};
pub use stats::{normal_quantile, percentile_sorted};

use serde::{Deserialize, Serialize};

/// Samples of one metric over the judged window.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MetricSamples {
    /// Matches [`MetricConfig::name`].
    pub name: String,
    /// Canary samples (NaN allowed).
    pub experiment: Vec<f64>,
    /// Baseline samples (NaN allowed).
    pub control: Vec<f64>,
}

impl MetricSamples {
    pub fn new(
        name: impl Into<String>,
        experiment: impl Into<Vec<f64>>,
        control: impl Into<Vec<f64>>,
    ) -> Self {
        Self {
            name: name.into(),
            experiment: experiment.into(),
            control: control.into(),
        }
    }
}

/// Judges every configured metric (a configured metric without samples is Nodata), scores
/// the groups and returns the verdict. Sample sets whose name matches no config are reported
/// as muted Error results and do not affect the score.
pub fn judge(config: &JudgeConfig, metrics: &[MetricSamples]) -> JudgeResult {
    let mut verdicts: Vec<MetricVerdict> = config
        .metrics
        .iter()
        .map(|metric| {
            let samples = metrics.iter().find(|s| s.name == metric.name);
            let (experiment, control) =
                samples.map_or((&[][..], &[][..]), |s| (&s.experiment[..], &s.control[..]));
            classify_metric(config, metric, experiment, control)
        })
        .collect();
    for (i, samples) in metrics.iter().enumerate() {
        let first = metrics[..i].iter().all(|s| s.name != samples.name);
        if first && config.metric(&samples.name).is_none() {
            verdicts.push(classify::unconfigured(
                &samples.name,
                &samples.experiment,
                &samples.control,
            ));
        }
    }
    summarize(verdicts, &config.group_weights, &config.thresholds)
}

#[cfg(test)]
mod tests;
