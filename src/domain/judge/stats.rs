//! Small numeric helpers: the standard normal quantile, R-7 percentiles and means.

/// Quantile of the standard normal distribution (inverse CDF), Wichura's algorithm AS 241
/// (the one R's `qnorm` uses), accurate to about 1e-16 relative.
///
/// Returns `-inf`/`+inf` at 0/1 and NaN outside `[0, 1]`.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let num = horner(r, &CENTRAL_NUM);
        let den = horner(r, &CENTRAL_DEN);
        return q * num / den;
    }
    let tail = if q < 0.0 { p } else { 0.5 - p + 0.5 };
    let r = (-tail.ln()).sqrt();
    let value = if r <= 5.0 {
        let r = r - 1.6;
        horner(r, &NEAR_NUM) / horner(r, &NEAR_DEN)
    } else {
        let r = r - 5.0;
        horner(r, &FAR_NUM) / horner(r, &FAR_DEN)
    };
    if q < 0.0 { -value } else { value }
}

/// Evaluates a polynomial whose coefficients are listed from the highest degree down.
fn horner(x: f64, coefficients: &[f64]) -> f64 {
    coefficients.iter().fold(0.0, |acc, &c| acc * x + c)
}

// AS 241 coefficients (Wichura 1988), highest degree first.
const CENTRAL_NUM: [f64; 8] = [
    2509.0809287301227,
    33430.57558358813,
    67265.7709270087,
    45921.95393154987,
    13731.69376550946,
    1971.5909503065513,
    133.14166789178438,
    3.3871328727963665,
];
const CENTRAL_DEN: [f64; 8] = [
    5226.495278852854,
    28729.085735721943,
    39307.89580009271,
    21213.794301586597,
    5394.196021424751,
    687.1870074920579,
    42.31333070160091,
    1.0,
];
const NEAR_NUM: [f64; 8] = [
    7.745450142783414e-4,
    0.022723844989269184,
    0.2417807251774506,
    1.2704582524523684,
    3.6478483247632045,
    5.769497221460691,
    4.630337846156546,
    1.4234371107496835,
];
const NEAR_DEN: [f64; 8] = [
    1.0507500716444169e-9,
    5.475938084995345e-4,
    0.015198666563616457,
    0.14810397642748008,
    0.6897673349851,
    1.6763848301838038,
    2.053191626637759,
    1.0,
];
const FAR_NUM: [f64; 8] = [
    2.0103343992922881e-7,
    2.7115555687434876e-5,
    0.0012426609473880784,
    0.026532189526576124,
    0.29656057182850487,
    1.7848265399172913,
    5.463784911164114,
    6.657904643501103,
];
const FAR_DEN: [f64; 8] = [
    2.0442631033899397e-15,
    1.421511758316446e-7,
    1.8463183175100548e-5,
    7.868691311456133e-4,
    0.014875361290850615,
    0.1369298809227358,
    0.599832206555888,
    1.0,
];

/// The `p`-th percentile (`p` in percent, 0–100) of ascending `sorted` data, estimated as R's
/// default `quantile(type = 7)` (and Kayenta's `EstimationType.R_7`). `None` for no data.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = (p / 100.0).clamp(0.0, 1.0) * last as f64;
    let lo = h.floor();
    // `lo` lies in 0..=last, so the conversion is exact.
    let i = lo as usize;
    let below = *sorted.get(i)?;
    let above = *sorted.get(i + 1).unwrap_or(&below);
    Some(below + (h - lo) * (above - below))
}

/// Arithmetic mean; `None` for no data.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().sum::<f64>() / values.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_matches_reference_values() {
        // (p, qnorm(p)); reference values from an independent AS 241 implementation.
        let cases = [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.025, -1.959_963_984_540_054),
            (0.01, -2.326_347_874_040_840_8),
            (0.99, 2.326_347_874_040_840_8),
            (0.1, -1.281_551_565_544_600_8),
            (0.8, 0.841_621_233_572_914_4),
            (0.075, -1.439_531_470_938_455_7),
            (1e-10, -6.361_340_902_404_056),
            (1e-300, -37.047_096_299_361_2),
        ];
        for (p, want) in cases {
            let got = normal_quantile(p);
            assert!(
                (got - want).abs() <= 1e-14 * want.abs().max(1.0),
                "qnorm({p}) = {got}"
            );
        }
    }

    #[test]
    fn normal_quantile_edges() {
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(-0.1).is_nan());
        assert!(normal_quantile(1.1).is_nan());
        assert!(normal_quantile(f64::NAN).is_nan());
    }

    #[test]
    fn percentile_r7_table() {
        let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        // R: quantile(1:10, c(0, .01, .25, .5, .75, .99, 1))
        let cases = [
            (0.0, 1.0),
            (1.0, 1.09),
            (25.0, 3.25),
            (50.0, 5.5),
            (75.0, 7.75),
            (99.0, 9.91),
            (100.0, 10.0),
        ];
        for (p, want) in cases {
            let got = percentile_sorted(&data, p).unwrap();
            assert!((got - want).abs() < 1e-12, "p{p}: {got}");
        }
        assert_eq!(percentile_sorted(&[4.0], 75.0), Some(4.0));
        assert_eq!(percentile_sorted(&[], 75.0), None);
    }

    #[test]
    fn mean_table() {
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[2.0]), Some(2.0));
        assert_eq!(mean(&[1.0, 2.0, 3.0, 6.0]), Some(3.0));
    }
}
