//! Number formatting for the one-line reasons.

/// About three significant digits, no exponent, trailing zeros trimmed: `0.11`, `38.2`,
/// `1234`, `-0.05`.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    let magnitude = v.abs().log10().floor();
    // Between 0 and 12 decimals; the float-to-int conversion saturates.
    let decimals = (2.0 - magnitude).clamp(0.0, 12.0) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" { "0".to_owned() } else { text }
}

/// A ratio as a signed percentage change: 1.38 → `+38 %`, 0.996 → `-0.4 %`.
pub fn percent_change(ratio: f64) -> String {
    let p = (ratio - 1.0) * 100.0;
    if p.abs() >= 0.95 || p == 0.0 {
        format!("{p:+.0} %")
    } else {
        format!("{p:+.1} %")
    }
}

/// `value` followed by ` unit` when there is a unit.
pub fn with_unit(value: &str, unit: Option<&str>) -> String {
    match unit {
        Some(u) if !u.is_empty() => format!("{value} {u}"),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_table() {
        let cases = [
            (0.0, "0"),
            (0.11, "0.11"),
            (0.19, "0.19"),
            (0.123_456, "0.123"),
            (38.24, "38.2"),
            (1.5, "1.5"),
            (123.4, "123"),
            (98_765.4, "98765"),
            (-0.05, "-0.05"),
            (2.0e-7, "0.0000002"),
            (-1.0e-13, "0"),
            (f64::INFINITY, "inf"),
        ];
        for (v, want) in cases {
            assert_eq!(number(v), want, "{v}");
        }
    }

    #[test]
    fn percent_table() {
        let cases = [
            (1.38, "+38 %"),
            (1.0, "+0 %"),
            (0.5, "-50 %"),
            (0.996, "-0.4 %"),
            (2.5, "+150 %"),
        ];
        for (r, want) in cases {
            assert_eq!(percent_change(r), want, "{r}");
        }
    }

    #[test]
    fn unit_table() {
        assert_eq!(with_unit("0.2", Some("s")), "0.2 s");
        assert_eq!(with_unit("0.2", Some("")), "0.2");
        assert_eq!(with_unit("0.2", None), "0.2");
    }
}
