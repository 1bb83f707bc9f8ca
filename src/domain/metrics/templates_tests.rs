use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::domain::metrics::prom::Sample;
use crate::domain::rollout::{ControllerKind, RolloutKey};

fn target(ns: &str, name: &str) -> MetricTarget {
    MetricTarget {
        key: RolloutKey {
            namespace: ns.to_string(),
            name: name.to_string(),
            kind: ControllerKind::ArgoCanary,
        },
        canary_service: None,
        stable_service: None,
        active_service: None,
        preview_service: None,
        canary_hash: None,
        stable_hash: None,
        release_start: None,
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

fn series(labels: &[(&str, &str)]) -> Series {
    Series {
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        samples: vec![Sample { t: 0.0, v: 1.0 }],
    }
}

fn ns(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

const MIN: Duration = Duration::from_secs(60);

#[test]
fn the_sim_preset_is_exactly_the_simulator_convention() {
    let q = QuerySet::preset(Preset::Sim).unwrap();
    let r = |t: &str| render(t, &ns(&["casino-prod"]), &[], MIN).unwrap();
    assert_eq!(
        r(&q.request_rate),
        r#"sum by (namespace, rollout, track) (rate(http_requests_total{namespace=~"casino-prod"}[1m]))"#
    );
    assert_eq!(
        r(&q.error_ratio),
        r#"sum by (namespace, rollout, track) (rate(http_requests_total{namespace=~"casino-prod",code=~"5.."}[1m])) / sum by (namespace, rollout, track) (rate(http_requests_total{namespace=~"casino-prod"}[1m]))"#
    );
    assert_eq!(
        r(&q.latency_p95),
        r#"histogram_quantile(0.95, sum by (namespace, rollout, track, le) (rate(http_request_duration_seconds_bucket{namespace=~"casino-prod"}[1m])))"#
    );
    assert_eq!(
        r(&q.latency_p99),
        r#"histogram_quantile(0.99, sum by (namespace, rollout, track, le) (rate(http_request_duration_seconds_bucket{namespace=~"casino-prod"}[1m])))"#
    );
    assert_eq!(q.identity, IdentityLabels::default_for("track").unwrap());
    assert_eq!(q.template(MetricKind::LatencyP99), q.latency_p99);
}

#[test]
fn the_istio_preset_uses_destination_labels_and_seconds() {
    let q = QuerySet::preset(Preset::Istio).unwrap();
    let r = |t: &str| render(t, &ns(&["a", "b"]), &[], Duration::from_secs(30)).unwrap();
    let sel = r#"reporter="destination",destination_service_namespace=~"a|b""#;
    let by = "sum by (destination_service_namespace, destination_service_name)";
    assert_eq!(
        r(&q.request_rate),
        format!("{by} (rate(istio_requests_total{{{sel}}}[30s]))")
    );
    assert_eq!(
        r(&q.error_ratio),
        format!(
            "{by} (rate(istio_requests_total{{{sel},response_code=~\"5..\"}}[30s])) / {by} (rate(istio_requests_total{{{sel}}}[30s]))"
        )
    );
    assert_eq!(
        r(&q.latency_p95),
        format!(
            "histogram_quantile(0.95, sum by (destination_service_namespace, destination_service_name, le) (rate(istio_request_duration_milliseconds_bucket{{{sel}}}[30s]))) / 1000"
        )
    );
    assert!(r(&q.latency_p99).starts_with("histogram_quantile(0.99, "));
    assert!(r(&q.latency_p99).ends_with(" / 1000"));
    assert_eq!(
        q.identity,
        IdentityLabels::Service {
            namespace: "destination_service_namespace".into(),
            service: "destination_service_name".into()
        }
    );
}

#[test]
fn the_nginx_preset_uses_ingress_nginx_labels() {
    let q = QuerySet::preset(Preset::Nginx).unwrap();
    let r = |t: &str| render(t, &[], &[], Duration::from_secs(120)).unwrap();
    assert_eq!(
        r(&q.request_rate),
        r#"sum by (namespace, service) (rate(nginx_ingress_controller_requests{namespace=~".*"}[2m]))"#
    );
    assert_eq!(
        r(&q.error_ratio),
        r#"sum by (namespace, service) (rate(nginx_ingress_controller_requests{namespace=~".*",status=~"5.."}[2m])) / sum by (namespace, service) (rate(nginx_ingress_controller_requests{namespace=~".*"}[2m]))"#
    );
    assert_eq!(
        r(&q.latency_p99),
        r#"histogram_quantile(0.99, sum by (namespace, service, le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{namespace=~".*"}[2m])))"#
    );
    assert_eq!(q.identity, IdentityLabels::default_for("service").unwrap());
}

#[test]
fn custom_has_no_preset_and_every_preset_template_validates() {
    assert_eq!(QuerySet::preset(Preset::Custom), None);
    for p in [Preset::Sim, Preset::Istio, Preset::Nginx] {
        let q = QuerySet::preset(p).unwrap();
        for k in MetricKind::ALL {
            validate(q.template(k)).unwrap_or_else(|e| panic!("{p:?} {k:?}: {e}"));
        }
    }
    for p in Preset::ALL {
        assert_eq!(Preset::parse(p.name()), Some(p));
    }
    assert_eq!(Preset::parse("Sim"), None);
}

#[test]
fn per_rollout_placeholders_are_sorted_deduplicated_alternations() {
    let mut a = target("casino-prod", "payments");
    a.canary_service = some("payments-canary");
    a.stable_service = some("payments-stable");
    a.canary_hash = some("6c8f9");
    let mut b = target("casino-prod", "wallet");
    b.canary_service = some("wallet-canary");
    b.stable_hash = some("");
    let mut c = target("blackjack", "payments");
    c.active_service = some("payments-active");
    let t = "{namespace}/{rollout}/{canary_service}/{stable_service}/{active_service}/{preview_service}/{canary_hash}/{stable_hash}";
    assert_eq!(
        render(t, &[], &[a, b, c], MIN).unwrap(),
        "blackjack|casino-prod/payments|wallet/payments-canary|wallet-canary/payments-stable/payments-active/__none__/6c8f9/__none__"
    );
    assert_eq!(
        render("{rollout}|{namespaces}", &[], &[], MIN).unwrap(),
        "__none__|.*"
    );
    assert_eq!(
        render("{namespaces}", &ns(&["b", "a", "b"]), &[], MIN).unwrap(),
        "a|b"
    );
}

#[test]
fn values_are_regex_escaped_for_a_promql_string() {
    let t = target("ns", "api.v2+beta");
    let out = render(r#"x{rollout=~"{rollout}"}"#, &[], &[t], MIN).unwrap();
    // The PromQL string `api\\.v2\\+beta` is the regex `api\.v2\+beta`.
    assert_eq!(out, r#"x{rollout=~"api\\.v2\\+beta"}"#);
    assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\\\c"#);
    assert_eq!(escape("(x|y)"), r"\\(x\\|y\\)");
    assert_eq!(escape("plain-name_1"), "plain-name_1");
}

#[test]
fn promql_braces_pass_through_and_placeholders_are_found_inside_strings() {
    let t = r#"sum(rate(m{a="x{window}y",b=~"5.{2}",__name__=~"m"}[{window}])) # {bogus}"#;
    assert_eq!(
        render(t, &[], &[], Duration::from_millis(1500)).unwrap(),
        r#"sum(rate(m{a="x1s500msy",b=~"5.{2}",__name__=~"m"}[1s500ms])) # {bogus}"#
    );
    assert_eq!(render("up{}", &[], &[], MIN).unwrap(), "up{}");
    assert_eq!(
        render(r#"m{a="\"{namespaces}"}"#, &ns(&["n"]), &[], MIN).unwrap(),
        r#"m{a="\"n"}"#
    );
}

#[test]
fn unknown_placeholders_and_unbalanced_braces_are_errors_listing_the_known_ones() {
    let cases = [
        (r#"m{namespace=~"{namespacez}"}"#, "`{namespacez}`"),
        ("m[{windows}]", "`{windows}`"),
        ("m{a=\"b\"", "`{` at character 2 is never closed"),
        ("m{a=\"b\"}}", "`}` at character 9 closes nothing"),
        (
            r#"m{a="{namespaces"}"#,
            "unclosed placeholder `{namespaces`",
        ),
        (r#"m{a="b}"#, "unterminated string"),
    ];
    for (t, want) in cases {
        let err = validate(t).unwrap_err().0;
        assert!(err.contains(want), "{t}: {err}");
        assert!(
            err.contains("known placeholders: {namespaces}, {window}, {namespace}"),
            "{err}"
        );
        assert!(err.contains("{stable_hash}"), "{err}");
        assert_eq!(render(t, &[], &[], MIN).unwrap_err().0, err);
    }
}

#[test]
fn format_window_writes_prometheus_durations() {
    let cases = [
        (Duration::from_secs(60), "1m"),
        (Duration::from_secs(30), "30s"),
        (Duration::from_secs(90), "1m30s"),
        (Duration::from_millis(250), "250ms"),
        (Duration::from_secs(7200), "2h"),
        (Duration::from_secs(3661), "1h1m1s"),
        (Duration::from_millis(1001), "1s1ms"),
        (Duration::from_secs(48 * 3600), "48h"),
        (Duration::ZERO, "0s"),
        (Duration::from_micros(10), "0s"),
    ];
    for (d, want) in cases {
        assert_eq!(format_window(d), want, "{d:?}");
    }
}

/// [`attribute`], checked against the [`Attributor`] that indexes targets by namespace.
fn both(s: &Series, id: &IdentityLabels, targets: &[MetricTarget]) -> Vec<(usize, Side)> {
    let plain = attribute(s, id, targets);
    assert_eq!(Attributor::new(id, targets).attribute(s), plain, "{s:?}");
    plain
}

#[test]
fn track_identity_attributes_by_namespace_rollout_and_track() {
    let id = IdentityLabels::default_for("track").unwrap();
    let targets = [
        target("casino-prod", "payments"),
        target("casino-prod", "wallet"),
        target("casino-dev", "payments"),
    ];
    let at = |labels: &[(&str, &str)]| both(&series(labels), &id, &targets);
    let s = |r, t| at(&[("namespace", "casino-prod"), ("rollout", r), ("track", t)]);
    assert_eq!(s("payments", "canary"), [(0, Side::Canary)]);
    assert_eq!(s("wallet", "stable"), [(1, Side::Stable)]);
    assert_eq!(s("wallet", "preview"), []);
    assert_eq!(s("poker", "canary"), []);
    assert_eq!(
        at(&[
            ("namespace", "other"),
            ("rollout", "payments"),
            ("track", "canary")
        ]),
        []
    );
    assert_eq!(
        at(&[
            ("namespace", "casino-dev"),
            ("rollout", "payments"),
            ("track", "canary")
        ]),
        [(2, Side::Canary)]
    );
    assert_eq!(at(&[("rollout", "payments"), ("track", "canary")]), []);
}

#[test]
fn service_identity_attributes_canary_preview_stable_and_active() {
    let id = IdentityLabels::Service {
        namespace: "destination_service_namespace".into(),
        service: "destination_service_name".into(),
    };
    let mut canary = target("test", "podinfo");
    canary.canary_service = some("podinfo-canary");
    canary.stable_service = some("podinfo-primary");
    let mut bg = target("test", "checkout");
    bg.active_service = some("checkout-active");
    bg.preview_service = some("checkout-preview");
    let targets = [canary, bg];
    let at = |ns: &str, svc: &str| {
        both(
            &series(&[
                ("destination_service_namespace", ns),
                ("destination_service_name", svc),
            ]),
            &id,
            &targets,
        )
    };
    assert_eq!(at("test", "podinfo-canary"), [(0, Side::Canary)]);
    assert_eq!(at("test", "podinfo-primary"), [(0, Side::Stable)]);
    assert_eq!(at("test", "checkout-preview"), [(1, Side::Canary)]);
    assert_eq!(at("test", "checkout-active"), [(1, Side::Stable)]);
    assert_eq!(at("prod", "podinfo-canary"), []);
    assert_eq!(at("test", "podinfo"), []);
}

#[test]
fn hash_identity_attributes_by_pod_template_hash() {
    let id = IdentityLabels::default_for("hash").unwrap();
    let mut t = target("ns", "api");
    t.canary_hash = some("abc");
    t.stable_hash = some("def");
    let mut promoted = target("ns", "web");
    promoted.canary_hash = some("111");
    promoted.stable_hash = some("111");
    let targets = [t, promoted];
    let at = |ns: &str, h: &str| {
        both(
            &series(&[("namespace", ns), ("rollouts_pod_template_hash", h)]),
            &id,
            &targets,
        )
    };
    assert_eq!(at("ns", "abc"), [(0, Side::Canary)]);
    assert_eq!(at("ns", "def"), [(0, Side::Stable)]);
    assert_eq!(
        at("ns", "111"),
        [(1, Side::Stable)],
        "equal hashes: stable only"
    );
    assert_eq!(at("other", "abc"), []);
    assert_eq!(at("ns", ""), []);
}

#[test]
fn identity_kinds_and_defaults() {
    for k in IdentityLabels::KINDS {
        assert_eq!(IdentityLabels::default_for(k).unwrap().kind(), k);
    }
    assert_eq!(IdentityLabels::default_for("pod"), None);
}
