//! Sample clean-up before the test, as Kayenta's NetflixACAJudge does it: NaN handling, then
//! optional outlier removal, each side on its own.

use super::config::{MetricConfig, NanStrategy, OutlierStrategy};
use super::stats::percentile_sorted;

/// Applies the metric's NaN strategy and outlier policy; returns the kept samples sorted
/// ascending (the order is irrelevant to the judge).
pub fn prepare(values: &[f64], metric: &MetricConfig) -> Vec<f64> {
    let mut kept = handle_nans(values, metric.nan_strategy);
    kept.sort_unstable_by(f64::total_cmp);
    if metric.outliers.strategy == OutlierStrategy::Remove
        && let Some((low, high)) = outlier_fences(&kept, metric.outliers.outlier_factor)
    {
        kept.retain(|v| (low..=high).contains(v));
    }
    kept
}

/// Kayenta's `nanStrategy`: drop NaNs, or count them as 0.
pub fn handle_nans(values: &[f64], strategy: NanStrategy) -> Vec<f64> {
    match strategy {
        NanStrategy::Remove => values.iter().copied().filter(|v| !v.is_nan()).collect(),
        NanStrategy::Replace => values
            .iter()
            .map(|&v| if v.is_nan() { 0.0 } else { v })
            .collect(),
    }
}

/// The fences of Kayenta's IQR detector in its desensitised form (the one the judge uses):
/// values below `min(p1, q1 − factor·iqr)` or above `max(p99, q3 + factor·iqr)` are outliers,
/// with R-7 percentiles. `sorted` must be ascending and NaN-free; `None` for no data.
pub fn outlier_fences(sorted: &[f64], factor: f64) -> Option<(f64, f64)> {
    let q1 = percentile_sorted(sorted, 25.0)?;
    let q3 = percentile_sorted(sorted, 75.0)?;
    let p1 = percentile_sorted(sorted, 1.0)?;
    let p99 = percentile_sorted(sorted, 99.0)?;
    let iqr = q3 - q1;
    Some((p1.min(q1 - factor * iqr), p99.max(q3 + factor * iqr)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::judge::config::OutlierConfig;

    fn remove_outliers(factor: f64) -> MetricConfig {
        MetricConfig {
            outliers: OutlierConfig {
                strategy: OutlierStrategy::Remove,
                outlier_factor: factor,
            },
            ..MetricConfig::new("m")
        }
    }

    #[test]
    fn nan_strategies() {
        let data = [1.0, f64::NAN, 3.0, f64::NAN];
        assert_eq!(handle_nans(&data, NanStrategy::Remove), vec![1.0, 3.0]);
        assert_eq!(
            handle_nans(&data, NanStrategy::Replace),
            vec![1.0, 0.0, 3.0, 0.0]
        );
        assert!(handle_nans(&[f64::NAN], NanStrategy::Remove).is_empty());
    }

    #[test]
    fn prepare_table() {
        let keep = MetricConfig::new("m");
        let replace = MetricConfig {
            nan_strategy: NanStrategy::Replace,
            ..MetricConfig::new("m")
        };
        // 1..=20 and a spike: fences (−24, 404), so only the spike goes.
        let mut spike: Vec<f64> = (1..=20).map(f64::from).collect();
        spike.push(500.0);
        let cases: [(&MetricConfig, &[f64], Vec<f64>); 5] = [
            (&keep, &[3.0, f64::NAN, 1.0], vec![1.0, 3.0]),
            (&replace, &[3.0, f64::NAN, 1.0], vec![0.0, 1.0, 3.0]),
            (&keep, &spike, spike.clone()),
            (&remove_outliers(3.0), &spike, spike[..20].to_vec()),
            (&remove_outliers(3.0), &[], vec![]),
        ];
        for (metric, data, want) in cases {
            assert_eq!(prepare(data, metric), want, "{data:?}");
        }
    }

    #[test]
    fn fences_follow_kayenta_detector() {
        // 1..=10: q1 3.25, q3 7.75, iqr 4.5, p1 1.09, p99 9.91.
        let data: Vec<f64> = (1..=10).map(f64::from).collect();
        let (low, high) = outlier_fences(&data, 1.5).unwrap();
        assert!((low - (3.25 - 6.75)).abs() < 1e-12 && (high - (7.75 + 6.75)).abs() < 1e-12);
        // A narrow IQR is widened by the 1st/99th percentiles (the "reduced sensitivity").
        let mut flat = vec![5.0; 98];
        flat.extend([1.0, 9.0]);
        flat.sort_by(f64::total_cmp);
        let (low, high) = outlier_fences(&flat, 3.0).unwrap();
        assert!(low < 5.0 && high > 5.0, "({low}, {high})");
        assert!(outlier_fences(&[], 3.0).is_none());
    }

    #[test]
    fn kayenta_detector_examples_with_reduced_sensitivity() {
        // DetectorSuite "IQR Detection" data: the desensitised upper fence is the 99th
        // percentile, 29 + 0.93 × 21 = 48.53, so 50 is still an outlier.
        let mut data = vec![21.0, 23.0, 24.0, 25.0, 50.0, 29.0, 23.0, 21.0];
        data.sort_by(f64::total_cmp);
        let (_, high) = outlier_fences(&data, 1.5).unwrap();
        assert!((high - 48.53).abs() < 1e-9, "{high}");
        assert_eq!(prepare(&data, &remove_outliers(1.5)), data[..7].to_vec());
    }

    #[test]
    fn zero_iqr_drops_unique_extremes() {
        // With a zero IQR the 1st/99th percentiles are the fences, so a lone minimum and a
        // lone maximum fall outside them (Kayenta behaves the same).
        let mut data = vec![10.0; 20];
        data.extend([9.0, 11.0]);
        assert_eq!(prepare(&data, &remove_outliers(3.0)), vec![10.0; 20]);
    }
}
