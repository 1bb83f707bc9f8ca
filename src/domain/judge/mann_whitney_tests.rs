use super::*;
use proptest::strategy::Strategy;

/// Straightforward average-rank computation of R's `W(d)` ingredients, for cross-checking.
fn brute_force(x: &[f64], y: &[f64], d: f64) -> Counts {
    let mut all: Vec<(f64, bool)> = x.iter().map(|v| (v - d, true)).collect();
    all.extend(y.iter().map(|&v| (v, false)));
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum_x = 0.0;
    let mut ties = 0;
    let mut i = 0;
    while i < all.len() {
        let mut k = i;
        while k < all.len() && all[k].0 == all[i].0 {
            k += 1;
        }
        let average_rank = (i + 1 + k) as f64 / 2.0;
        let in_x = all[i..k].iter().filter(|e| e.1).count();
        rank_sum_x += average_rank * in_x as f64;
        ties += tie_term((k - i) as u64);
        i = k;
    }
    let nx = x.len() as f64;
    let u = rank_sum_x - nx * (nx + 1.0) / 2.0;
    Counts {
        twice_u: (2.0 * u) as u64,
        ties,
    }
}

/// A deterministic pseudo-random sequence (xorshift) quantised to produce ties.
fn sample(seed: u64, n: usize, step: f64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s % 40) as f64) * step
        })
        .collect()
}

#[test]
fn counts_match_brute_force_ranking() {
    let cases = [
        (sample(1, 30, 0.5), sample(2, 25, 0.5)),
        (sample(3, 7, 0.1), sample(4, 13, 0.1)),
        (sample(5, 50, 1.0), sample(6, 50, 1.0)),
        (vec![1.0, 1.0, 1.0], vec![1.0, 2.0]),
        (vec![3.0], vec![3.0]),
    ];
    for (x, y) in &cases {
        let (xs, ys) = (sorted(x), sorted(y));
        let ranks = ShiftedRanks::new(&xs, &ys).unwrap();
        for d in [
            -20.0, -1.5, -0.5, -0.1, 0.0, 0.1, 0.3, 0.5, 1.0, 2.0, 7.5, 20.0,
        ] {
            assert_eq!(ranks.counts(d), brute_force(x, y, d), "d = {d}");
        }
    }
}

#[test]
fn statistic_matches_hand_computation() {
    // x = [1, 2, 3], y = [4, 5], d = 0: U = 0, n·m/2 = 3, dz = −3, cc = −0.5,
    // σ² = 6/12 · (3 + 2 + 1) = 3 (no ties).
    let ranks = ShiftedRanks::new(&[1.0, 2.0, 3.0], &[4.0, 5.0]).unwrap();
    let want = (-3.0 + 0.5) / 3.0_f64.sqrt();
    assert!((ranks.statistic(0.0, true).unwrap() - want).abs() < 1e-15);
    let want = -3.0 / 3.0_f64.sqrt();
    assert!((ranks.statistic(0.0, false).unwrap() - want).abs() < 1e-15);
}

#[test]
fn kayenta_small_case() {
    // MannWhitneySuite "Mann-Whitney Confidence Interval & Estimate" at confidence 0.95.
    let r = mann_whitney(&[10.0, 20.0, 30.0, 40.0], &[1.0, 2.0, 3.0, 4.0], 0.95).unwrap();
    assert!((r.ci_low - 6.0).abs() < 1e-6, "{r:?}");
    assert!((r.ci_high - 39.0).abs() < 1e-6, "{r:?}");
    assert!((r.estimate - 22.5).abs() < 1e-4, "{r:?}");
}

#[test]
fn errors_table() {
    use MannWhitneyError::*;
    let cases: [(&[f64], &[f64], f64, MannWhitneyError); 8] = [
        (&[], &[1.0], 0.95, EmptySample),
        (&[1.0], &[], 0.95, EmptySample),
        (&[1.0, f64::NAN], &[1.0], 0.95, NonFinite),
        (&[1.0], &[f64::INFINITY], 0.95, NonFinite),
        (&[1.0, 2.0], &[1.0], 0.0, InvalidConfidence),
        (&[1.0, 2.0], &[1.0], 1.0, InvalidConfidence),
        (&[2.0, 2.0], &[1.0, 1.0, 1.0], 0.95, Degenerate),
        (&[5.0], &[5.0], 0.95, Degenerate),
    ];
    for (x, y, confidence, want) in cases {
        assert_eq!(mann_whitney(x, y, confidence), Err(want), "{x:?} vs {y:?}");
    }
}

#[test]
fn interval_contains_estimate_and_tracks_shifts() {
    let y = sample(11, 40, 0.25);
    for shift in [-5.0, -1.0, 0.0, 2.0, 10.0] {
        let x: Vec<f64> = sample(12, 40, 0.25).iter().map(|v| v + shift).collect();
        let r = mann_whitney(&x, &y, 0.98).unwrap();
        assert!(
            r.ci_low <= r.estimate + 1e-4 && r.estimate <= r.ci_high + 1e-4,
            "{r:?}"
        );
        assert!(
            r.ci_low <= shift + 2.0 && shift - 2.0 <= r.ci_high,
            "{shift}: {r:?}"
        );
    }
}

#[test]
fn wider_interval_at_higher_confidence() {
    let (x, y) = (sample(21, 30, 0.3), sample(22, 30, 0.3));
    let narrow = mann_whitney(&x, &y, 0.8).unwrap();
    let wide = mann_whitney(&x, &y, 0.99).unwrap();
    assert!(wide.ci_low <= narrow.ci_low + 1e-4 && narrow.ci_high <= wide.ci_high + 1e-4);
}

#[test]
fn extreme_case_returns_range_ends() {
    // R: wilcox.test(1, 2:60, conf.int = TRUE) returns endpoints of the range.
    let y: Vec<f64> = (2..=60).map(f64::from).collect();
    let r = mann_whitney(&[1.0], &y, 0.95).unwrap();
    let (lo, hi) = (1.0 - 60.0, 1.0 - 2.0);
    assert!(r.ci_low >= lo && r.ci_high <= hi, "{r:?}");
}

#[test]
fn cles_table() {
    let cases: [(&[f64], &[f64], f64); 4] = [
        (&[2.0, 3.0], &[1.0], 1.0),
        (&[1.0], &[2.0, 3.0], 0.0),
        (&[1.0, 2.0], &[1.0, 2.0], 0.5),
        (&[1.0, 3.0], &[2.0, 2.0], 0.5),
    ];
    for (x, y, want) in cases {
        assert_eq!(common_language_effect_size(x, y), Some(want));
    }
    assert_eq!(common_language_effect_size(&[], &[1.0]), None);
}

proptest::proptest! {
    #[test]
    fn counts_match_brute_force_for_any_shift(
        x in proptest::collection::vec((-40i32..40).prop_map(|v| f64::from(v) * 0.5), 1..25),
        y in proptest::collection::vec((-40i32..40).prop_map(|v| f64::from(v) * 0.5), 1..25),
        d in (-100i32..100).prop_map(|v| f64::from(v) * 0.25),
    ) {
        let (xs, ys) = (sorted(&x), sorted(&y));
        let ranks = ShiftedRanks::new(&xs, &ys).unwrap();
        proptest::prop_assert_eq!(ranks.counts(d), brute_force(&x, &y, d));
    }
}
