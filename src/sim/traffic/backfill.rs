//! The hour before the simulator started, as OpenMetrics text for
//! `promtool tsdb create-blocks-from openmetrics`: the same series `/metrics` exposes
//! (aggregated per track, without the `pod` label), every `step` seconds, so a freshly
//! started Prometheus has pre-release history to compare against.

use std::fmt::Write as _;

use super::expo::{labels, num};
use super::model::TrafficModel;
use super::series::{BUCKETS, Track, TrafficSeries};

/// Samples from `from` to `to` (seconds since the epoch, `to` excluded) every `step`
/// seconds. Each series' points are contiguous and in time order, as OpenMetrics asks.
pub fn openmetrics(model: &TrafficModel, from: f64, to: f64, step: f64) -> String {
    let step = if step.is_finite() && step > 0.0 {
        step
    } else {
        15.0
    };
    let mut times = Vec::new();
    let mut t = from;
    while t < to {
        times.push(t);
        t += step;
    }
    let series: Vec<_> = model
        .workloads()
        .into_iter()
        .flat_map(|w| Track::ALL.map(|track| (w.clone(), track)))
        .collect();
    let mut out = String::new();
    out.push_str("# HELP http_requests Requests served, by track and status code.\n");
    out.push_str("# TYPE http_requests counter\n");
    for (w, track) in &series {
        let l = labels(w, *track, None);
        for code in ["200", "500"] {
            for &at in &times {
                let c = model.counters(w, *track, at);
                let v = if code == "200" {
                    (c.requests - c.errors).max(0.0)
                } else {
                    c.errors
                };
                let _ = writeln!(
                    out,
                    "http_requests_total{{{l},code=\"{code}\"}} {} {at:.3}",
                    num(v)
                );
            }
        }
    }
    out.push_str("# HELP http_request_duration_seconds Request latency.\n");
    out.push_str("# TYPE http_request_duration_seconds histogram\n");
    for (w, track) in &series {
        let l = labels(w, *track, None);
        for &at in &times {
            let c = model.counters(w, *track, at);
            let mean = model.mean_latency(w, *track, at);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{l},le=\"{le}\"}} {} {at:.3}",
                    num(c.buckets[i])
                );
            }
            let total = num(c.requests);
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {total} {at:.3}"
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{l}}} {} {at:.3}",
                num(c.requests * mean)
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{l}}} {total} {at:.3}"
            );
        }
    }
    out.push_str("# EOF\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_openmetrics_with_contiguous_series_in_time_order() {
        let mut m = TrafficModel::new(10_000.0, 1);
        m.ensure("casino-prod", "payments", "payments");
        let text = openmetrics(&m, 10_000.0 - 60.0, 10_000.0, 15.0);
        assert!(text.ends_with("# EOF\n"));
        assert!(text.contains("# TYPE http_requests counter\n"));
        let stable_ok: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.starts_with("http_requests_total{")
                    && l.contains("track=\"stable\"")
                    && l.contains("code=\"200\"")
            })
            .collect();
        assert_eq!(stable_ok.len(), 4, "{stable_ok:?}");
        let values: Vec<f64> = stable_ok
            .iter()
            .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
            .collect();
        assert!(
            values.windows(2).all(|p| p[1] > p[0]),
            "counters grow: {values:?}"
        );
        let stamps: Vec<&str> = stable_ok
            .iter()
            .map(|l| l.split(' ').nth(2).unwrap())
            .collect();
        assert_eq!(stamps, ["9940.000", "9955.000", "9970.000", "9985.000"]);
    }
}
