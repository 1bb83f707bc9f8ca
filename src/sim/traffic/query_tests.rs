use std::cell::RefCell;

use super::*;

/// Per-second rates per workload and track (requests, errors, cumulative buckets); a window
/// holds rate × its length. Tracks without a row have no traffic.
pub(super) struct Fake {
    rows: Vec<(Workload, Track, f64, f64, [f64; 12])>,
    pub(super) calls: RefCell<Vec<(String, Track, f64, f64)>>,
}

fn wl(ns: &str, rollout: &str, service: &str) -> Workload {
    Workload {
        namespace: ns.into(),
        rollout: rollout.into(),
        service: service.into(),
    }
}

pub(super) fn fake() -> Fake {
    let prod_slots = wl("casino-prod", "slots", "slots-svc");
    let poker = wl("casino-prod", "poker", "poker");
    let dev_slots = wl("casino-dev", "slots", "slots");
    let web = wl("other", "web", "web");
    Fake {
        rows: vec![
            (
                prod_slots.clone(),
                Track::Stable,
                10.0,
                1.0,
                [0.0, 0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 9.0, 9.5, 9.8, 9.9, 10.0],
            ),
            (
                prod_slots,
                Track::Canary,
                2.0,
                0.5,
                [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 1.8, 2.0, 2.0, 2.0, 2.0],
            ),
            (
                poker,
                Track::Stable,
                4.0,
                0.0,
                [0.0, 0.0, 0.0, 0.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0],
            ),
            (dev_slots, Track::Stable, 1.0, 1.0, [1.0; 12]),
            (
                web,
                Track::Stable,
                3.0,
                0.0,
                [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0],
            ),
        ],
        calls: RefCell::new(Vec::new()),
    }
}

impl TrafficSeries for Fake {
    fn workloads(&self) -> Vec<Workload> {
        let mut w: Vec<Workload> = self.rows.iter().map(|r| r.0.clone()).collect();
        w.dedup();
        w
    }

    fn window(&self, w: &Workload, track: Track, from: f64, to: f64) -> Window {
        self.calls
            .borrow_mut()
            .push((w.rollout.clone(), track, from, to));
        let d = to - from;
        match self.rows.iter().find(|r| &r.0 == w && r.1 == track) {
            Some((_, _, req, err, b)) => Window {
                requests: req * d,
                errors: err * d,
                buckets: b.map(|x| x * d),
            },
            None => Window {
                requests: 0.0,
                errors: 0.0,
                buckets: [0.0; 12],
            },
        }
    }
}

const T: f64 = 1_700_000_000.0;

pub(super) fn rate(ns: &str, w: &str) -> String {
    format!(
        "sum by (namespace, rollout, track) (rate(http_requests_total{{namespace=~\"{ns}\"}}[{w}]))"
    )
}

pub(super) fn ratio(ns: &str, w: &str) -> String {
    format!(
        "sum by (namespace, rollout, track) \
         (rate(http_requests_total{{namespace=~\"{ns}\",code=~\"5..\"}}[{w}])) / {}",
        rate(ns, w)
    )
}

pub(super) fn quantile(q: &str, ns: &str, w: &str) -> String {
    format!(
        "histogram_quantile({q}, sum by (namespace, rollout, track, le) \
         (rate(http_request_duration_seconds_bucket{{namespace=~\"{ns}\"}}[{w}])))"
    )
}

/// `(namespace/rollout/track, value)` rows of an instant query.
fn rows(q: &str) -> Vec<(String, f64)> {
    let rows = instant(&fake(), q, T).unwrap();
    rows.into_iter()
        .map(|(l, v)| {
            assert_eq!(
                l.keys().collect::<Vec<_>>(),
                ["namespace", "rollout", "track"],
                "{q}"
            );
            (
                format!("{}/{}/{}", l["namespace"], l["rollout"], l["track"]),
                v,
            )
        })
        .collect()
}

fn assert_rows(q: &str, want: &[(&str, f64)]) {
    let got = rows(q);
    let names: Vec<&str> = got.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(names, want.iter().map(|w| w.0).collect::<Vec<_>>(), "{q}");
    for ((name, g), (_, w)) in got.iter().zip(want) {
        let same = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() < 1e-12;
        assert!(same, "{q}: {name} = {g}, want {w}");
    }
}

const ALL: [&str; 8] = [
    "casino-dev/slots/canary",
    "casino-dev/slots/stable",
    "casino-prod/poker/canary",
    "casino-prod/poker/stable",
    "casino-prod/slots/canary",
    "casino-prod/slots/stable",
    "other/web/canary",
    "other/web/stable",
];

fn all(values: [f64; 8]) -> Vec<(&'static str, f64)> {
    ALL.into_iter().zip(values).collect()
}

#[test]
fn request_rate_of_every_workload_and_track() {
    assert_rows(
        &rate(".*", "1m"),
        &all([0.0, 1.0, 0.0, 4.0, 2.0, 10.0, 0.0, 3.0]),
    );
    assert_rows(
        &rate("casino-.*", "30s"),
        &all([0.0, 1.0, 0.0, 4.0, 2.0, 10.0, 0.0, 3.0])[..6],
    );
    let picked = [(ALL[0], 0.0), (ALL[1], 1.0), (ALL[6], 0.0), (ALL[7], 3.0)];
    assert_rows(&rate("other|casino-dev", "5m"), &picked);
}

#[test]
fn rate_reads_the_window_ending_at_the_evaluation_time() {
    let f = fake();
    instant(&f, &rate("other", "5m"), T).unwrap();
    assert_eq!(
        *f.calls.borrow(),
        [
            ("web".to_string(), Track::Stable, T - 300.0, T),
            ("web".to_string(), Track::Canary, T - 300.0, T)
        ]
    );
}

#[test]
fn error_ratio_with_zero_traffic_is_nan() {
    assert_rows(
        &ratio("casino-.*", "1m"),
        &all([f64::NAN, 1.0, f64::NAN, 0.0, 0.25, 0.1, 0.0, 0.0])[..6],
    );
}

#[test]
fn division_by_zero_is_infinite() {
    let q = "sum by (namespace, rollout, track) \
             (rate(http_requests_total{code=~\"5..\", namespace=\"casino-dev\"}[1m])) \
             / sum by (namespace, rollout, track) \
             (rate(http_requests_total{namespace=\"casino-dev\",code!~\"5..\"}[1m]))";
    assert_rows(q, &[(ALL[0], f64::NAN), (ALL[1], f64::INFINITY)]);
}

#[test]
fn quantiles_as_prometheus_interpolates_them() {
    // prod/slots stable: rank 9.5 falls in (1, 2.5] holding 0.5 of it: 2.5; rank 9.9 → (5, 10].
    // prod/slots canary: rank 1.9 in (1, 2.5] (1.8 → 2): 1 + 1.5 × 0.5. poker: (0.05, 0.1].
    // dev/slots: first bucket, from 0. web: everything in +Inf → the largest finite bound.
    let p95 = [
        f64::NAN,
        0.00475,
        f64::NAN,
        0.0975,
        1.75,
        2.5,
        f64::NAN,
        10.0,
    ];
    assert_rows(&quantile("0.95", ".*", "1m"), &all(p95));
    let p99 = rows(&quantile("0.99", "casino-prod", "1m"));
    assert_eq!(
        (p99[1].0.as_str(), p99[3].0.as_str(), p99[3].1),
        (ALL[3], ALL[5], 10.0)
    );
    assert!((p99[1].1 - (0.05 + 0.05 * 0.99)).abs() < 1e-12, "{p99:?}");
    assert!(
        (p99[2].1 - (1.0 + 1.5 * (1.98 - 1.8) / 0.2)).abs() < 1e-12,
        "{p99:?}"
    );
}

#[test]
fn quantile_edge_cases() {
    let b = |counts: &[f64]| {
        BUCKETS
            .iter()
            .copied()
            .chain([f64::INFINITY])
            .zip(counts.iter().copied())
            .collect::<Vec<_>>()
    };
    let some = b(&[0.0, 0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 9.0, 9.5, 9.8, 9.9, 10.0]);
    assert_eq!(bucket_quantile(0.5, some.clone()), 0.1 + 0.15 * 0.5);
    assert_eq!(bucket_quantile(-0.1, some.clone()), f64::NEG_INFINITY);
    assert_eq!(bucket_quantile(1.1, some.clone()), f64::INFINITY);
    assert!(bucket_quantile(f64::NAN, some.clone()).is_nan());
    assert!(bucket_quantile(0.5, b(&[0.0; 12])).is_nan());
    assert!(
        bucket_quantile(0.5, vec![(f64::INFINITY, 3.0)]).is_nan(),
        "fewer than 2 buckets"
    );
    assert!(
        bucket_quantile(0.5, some[..11].to_vec()).is_nan(),
        "no +Inf bucket"
    );
    // Unsorted input, a decrease forced monotonic, and a negative first bound.
    let mut shuffled = some.clone();
    shuffled.reverse();
    assert_eq!(bucket_quantile(0.5, shuffled), 0.175);
    assert_eq!(
        bucket_quantile(0.5, vec![(1.0, 4.0), (2.0, 3.0), (f64::INFINITY, 4.0)]),
        0.5
    );
    assert_eq!(
        bucket_quantile(0.1, vec![(-1.0, 2.0), (1.0, 4.0), (f64::INFINITY, 4.0)]),
        -1.0
    );
    // Ranks in the +Inf bucket answer the largest finite bound.
    assert_eq!(
        bucket_quantile(1.0, vec![(1.0, 1.0), (2.0, 1.0), (f64::INFINITY, 2.0)]),
        2.0
    );
}

#[test]
fn extra_matchers_select_one_series() {
    let q = |m: &str| {
        format!("sum by (namespace, rollout, track) (rate(http_requests_total{{{m}}}[1m]))")
    };
    assert_rows(
        &q(r#"namespace="casino-prod",rollout="slots""#),
        &[(ALL[4], 2.0), (ALL[5], 10.0)],
    );
    assert_rows(
        &q(r#"track="canary", namespace=~"casino-prod", rollout=~"sl.+""#),
        &[(ALL[4], 2.0)],
    );
    assert_rows(
        &q(r#"service="slots-svc",track="stable""#),
        &[(ALL[5], 10.0)],
    );
    assert_rows(
        &q(r#"track=~"stable|canary",service="slots-svc""#),
        &[(ALL[4], 2.0), (ALL[5], 10.0)],
    );
    assert_rows(
        &q(r#"code!~"5..",namespace="casino-prod",rollout="slots",track="stable""#),
        &[(ALL[5], 9.0)],
    );
    assert_rows(
        &q(r#"code=~"5..",rollout=~"[a-z]+",namespace=~"casino\\-dev""#),
        &[(ALL[0], 0.0), (ALL[1], 1.0)],
    );
    assert_rows(&q(r#"rollout="nope""#), &[]);
}

#[test]
fn by_clause_position_order_and_whitespace_are_free() {
    let a = rows(&ratio("casino-.*", "1m"));
    let b = rows(
        "sum(rate(http_requests_total{code=~'5..',namespace=~\"casino-.*\"}[60s])) by (track,rollout,namespace)\n  /\n  sum ( rate ( http_requests_total { namespace =~ `casino-.*` } [ 1m ] ) ) BY (rollout, namespace, track)",
    );
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn other_shapes_follow_prometheus() {
    let f = fake();
    let one = |q: &str| instant(&f, q, T).unwrap();
    assert_eq!(
        one("sum(rate(http_requests_total[1m]))"),
        [(Labels::new(), 20.0)]
    );
    assert_eq!(
        one("sum(increase(http_requests_total{rollout=\"web\"}[2m])) * 100 / 2"),
        [(Labels::new(), 18000.0)]
    );
    assert_eq!(one("1 + 2 * 3 ^ 2"), [(Labels::new(), 19.0)]);
    let raw = one("rate(http_requests_total{rollout=\"web\",track=\"stable\"}[1m])");
    let keys: Vec<Vec<&String>> = raw.iter().map(|r| r.0.keys().collect()).collect();
    assert_eq!(
        keys[0],
        ["code", "namespace", "rollout", "service", "track"]
    );
    assert_eq!(raw.iter().map(|r| r.1).collect::<Vec<_>>(), [3.0, 0.0]);
    let le = one("sum by (le) (rate(http_request_duration_seconds_bucket{rollout=\"web\"}[1m]))");
    assert_eq!(
        le.iter()
            .map(|r| r.0["le"].as_str())
            .take(4)
            .collect::<Vec<_>>(),
        ["+Inf", "0.005", "0.01", "0.025"]
    );
    assert_eq!(
        le.iter().find(|r| r.0["le"] == "1.0").map(|r| r.1),
        Some(0.0)
    );
    assert_eq!(
        one("sum(rate(http_request_duration_seconds_count[1m]))"),
        [(Labels::new(), 20.0)]
    );
}

#[test]
fn unsupported_queries_are_refused() {
    let f = fake();
    for (q, what) in [
        ("avg(rate(http_requests_total[1m]))", "aggregation avg"),
        (
            "http_requests_total",
            "instant vector selector outside rate() or increase()",
        ),
        (
            "rate(http_request_duration_seconds_sum[1m])",
            "metric http_request_duration_seconds_sum",
        ),
        ("irate(http_requests_total[1m])", "function irate()"),
        ("rate(http_requests_total[1m]) > 1", "comparison operator >"),
        ("rate(http_requests_total[1m] offset 1m)", "offset modifier"),
    ] {
        assert_eq!(
            instant(&f, q, T).unwrap_err(),
            format!("unsupported by simulator: {what}"),
            "{q}"
        );
    }
}

#[test]
fn values_are_formatted_as_go_formats_them() {
    for (v, s) in [
        (0.1, "0.1"),
        (1e-7, "0.0000001"),
        (12345678.9, "12345678.9"),
        (1.0, "1"),
        (1e21, "1000000000000000000000"),
        (-2.5, "-2.5"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "+Inf"),
        (f64::NEG_INFINITY, "-Inf"),
    ] {
        assert_eq!(fmt_value(v), s);
    }
    assert_eq!(le_label(1.0), "1.0");
    assert_eq!(le_label(0.025), "0.025");
}
