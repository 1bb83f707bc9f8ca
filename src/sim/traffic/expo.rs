//! `GET /metrics`: the traffic model's counters in the Prometheus text format (0.0.4):
//! `http_requests_total` (counter, by code) and `http_request_duration_seconds` (histogram),
//! labelled `namespace, service, rollout, track` and, where the serving pods are known
//! (small scenarios), `pod`.

use std::fmt::Write as _;

use super::model::TrafficModel;
use super::series::{BUCKETS, Track, TrafficSeries, Window, Workload};

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub(super) fn labels(w: &Workload, track: Track, pod: Option<&str>) -> String {
    let pod = pod.map(|p| format!(",pod=\"{p}\"")).unwrap_or_default();
    format!(
        "namespace=\"{}\",service=\"{}\",rollout=\"{}\",track=\"{}\"{pod}",
        w.namespace,
        w.service,
        w.rollout,
        track.label()
    )
}

/// A float as the text format writes it (millisecond-precise counts; integers plain).
pub(super) fn num(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// The series groups at `now`: (labels, counters, mean latency), one per track, or one per
/// pod where the pods serving the track are known.
fn groups(model: &TrafficModel, now: f64) -> Vec<(String, Window, f64)> {
    let mut out = Vec::new();
    for w in model.workloads() {
        for t in Track::ALL {
            let total = model.counters(&w, t, now);
            let mean = model.mean_latency(&w, t, now);
            match model.pods.as_ref().and_then(|l| l.pods(&w, t, &total)) {
                Some(pods) => out.extend(
                    pods.into_iter()
                        .map(|(p, c)| (labels(&w, t, Some(p)), c, mean)),
                ),
                None => out.push((labels(&w, t, None), total, mean)),
            }
        }
    }
    out
}

/// The whole exposition at wall time `now`.
pub fn render(model: &TrafficModel, now: f64) -> String {
    let groups = groups(model, now);
    let mut out = String::new();
    out.push_str("# HELP http_requests_total Requests served, by track and status code.\n");
    out.push_str("# TYPE http_requests_total counter\n");
    for (l, c, _) in &groups {
        // Expected counts (fractional): exact rates in any window, monotonic all the same.
        let ok = (c.requests - c.errors).max(0.0);
        let _ = writeln!(out, "http_requests_total{{{l},code=\"200\"}} {}", num(ok));
        let _ = writeln!(
            out,
            "http_requests_total{{{l},code=\"500\"}} {}",
            num(c.errors)
        );
    }
    out.push_str("# HELP http_request_duration_seconds Request latency.\n");
    out.push_str("# TYPE http_request_duration_seconds histogram\n");
    for (l, c, mean) in &groups {
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{l},le=\"{le}\"}} {}",
                num(c.buckets[i])
            );
        }
        let total = c.requests;
        let _ = writeln!(
            out,
            "http_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {}",
            num(total)
        );
        let _ = writeln!(
            out,
            "http_request_duration_seconds_sum{{{l}}} {}",
            num(total * mean)
        );
        let _ = writeln!(
            out,
            "http_request_duration_seconds_count{{{l}}} {}",
            num(total)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_has_every_series_in_the_text_format() {
        let mut m = TrafficModel::new(1000.0, 1);
        m.ensure("casino-prod", "payments", "payments");
        m.set_share("casino-prod", "payments", 0.1, 1000.0);
        let text = render(&m, 1010.0);
        assert!(text.contains("# TYPE http_requests_total counter"));
        assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(lines.len(), 2 * (2 + 12 + 2));
        assert!(lines.iter().any(|l| l.starts_with(
            "http_requests_total{namespace=\"casino-prod\",service=\"payments\",rollout=\"payments\",track=\"canary\",code=\"500\"} "
        )));
        assert!(text.contains("le=\"0.005\"") && text.contains("le=\"+Inf\""));
        for l in &lines {
            let value = l.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{l}");
        }
        assert_eq!(m.series_count(1010.0), lines.len());
    }

    #[test]
    fn known_pods_get_their_own_series_that_add_up_to_the_track() {
        let mut m = TrafficModel::new(1000.0, 1);
        m.ensure("casino-prod", "payments", "payments");
        let w = m.workloads().remove(0);
        let at_start = m.counters(&w, Track::Stable, 1000.0);
        if let Some(l) = m.pods.as_mut() {
            l.assign(
                &w,
                Track::Stable,
                vec!["payments-a".into(), "payments-b".into()],
                at_start.clone(),
            );
        }
        let text = render(&m, 1010.0);
        let count_of = |pod: &str| -> f64 {
            text.lines()
                .find(|l| {
                    l.starts_with("http_request_duration_seconds_count")
                        && l.contains(&format!("pod=\"{pod}\""))
                })
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|v| v.parse().ok())
                .unwrap()
        };
        let grown = m.counters(&w, Track::Stable, 1010.0).requests - at_start.requests;
        assert!(grown > 0.0);
        assert!((count_of("payments-a") + count_of("payments-b") - grown).abs() < 0.01);
        // The canary track has no known pods: one series group without the label.
        assert!(text.contains("track=\"canary\"} "));
        assert_eq!(
            m.series_count(1010.0),
            text.lines().filter(|l| !l.starts_with('#')).count()
        );
        m.pods = None;
        assert!(!render(&m, 1010.0).contains("pod="));
    }
}
