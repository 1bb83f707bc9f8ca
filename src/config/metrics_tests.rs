use std::time::Duration;

use super::*;
use crate::config::{ConfigError, parse};

fn ok(text: &str) -> Config {
    parse("c.toml", text)
        .unwrap_or_else(|e| panic!("{text}\n{e}"))
        .0
}

fn err(text: &str) -> (String, String) {
    match parse("c.toml", text) {
        Err(ConfigError::Invalid { key, message, .. }) => (key, message),
        other => panic!("{text}\nexpected an invalid config, got {other:?}"),
    }
}

const CUSTOM: &str = r#"
[prometheus]
preset = "custom"
[queries]
request_rate = "sum by (namespace, app, version) (rate(req_total{namespace=~\"{namespaces}\"}[{window}]))"
error_ratio = "sum(rate(err_total[{window}]))"
latency_p95 = "histogram_quantile(0.95, sum by (le) (rate(lat_bucket[{window}])))"
latency_p99 = "histogram_quantile(0.99, sum by (le) (rate(lat_bucket[{window}])))"
identity = "hash"
hash_label = "pod_template_hash"
"#;

#[test]
fn defaults_are_valid_and_metrics_are_off() {
    let c = ok("");
    assert!(!c.prometheus.enabled());
    assert_eq!(
        c.query_set().unwrap(),
        QuerySet::preset(Preset::Sim).unwrap()
    );
    let c = ok("[prometheus]\nurl = \"https://mimir.example/prometheus\"\n");
    assert!(c.prometheus.enabled());
}

#[test]
fn every_rejected_value_names_its_key() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[prometheus]\nurl = \"prometheus:9090\"\n",
            "prometheus.url",
            "http://",
        ),
        (
            "[prometheus]\nurl = \"ftp://p\"\n",
            "prometheus.url",
            "http(s)",
        ),
        (
            "[prometheus]\nurl = \"http://\"\n",
            "prometheus.url",
            "no host",
        ),
        (
            "[prometheus]\nurl = \"http://p:99999\"\n",
            "prometheus.url",
            "port",
        ),
        (
            "[prometheus]\nurl = \"http://p q\"\n",
            "prometheus.url",
            "whitespace",
        ),
        (
            "[prometheus]\nurl = \"http://u:secret@\"\n",
            "prometheus.url",
            "hidden",
        ),
        (
            "[prometheus]\npreset = \"linkerd\"\n",
            "prometheus.preset",
            "sim, istio, nginx, custom",
        ),
        (
            "[prometheus]\nmethod = \"put\"\n",
            "prometheus.method",
            "\"post\" or \"get\"",
        ),
        (
            "[prometheus]\nmethod = \"POST\"\n",
            "prometheus.method",
            "\"post\"",
        ),
        (
            "[prometheus]\ntimeout = \"50ms\"\n",
            "prometheus.timeout",
            "at least 100ms",
        ),
        (
            "[prometheus]\ninterval = \"500ms\"\n",
            "prometheus.interval",
            "at least 1s",
        ),
        (
            "[prometheus]\nheaders = { \"X Tenant\" = \"a\" }\n",
            "prometheus.headers.X Tenant",
            "header name",
        ),
        (
            "[prometheus]\nheaders = { \"X-Tenant\" = \"a\\nb\" }\n",
            "prometheus.headers.X-Tenant",
            "cannot carry",
        ),
        (
            "[prometheus]\nbasic_auth_user = \"ops\"\n",
            "prometheus.basic_auth_user",
            "basic_auth_password_file",
        ),
        (
            "[prometheus]\nbasic_auth_password_file = \"/p\"\n",
            "prometheus.basic_auth_password_file",
            "basic_auth_user",
        ),
        (
            "[prometheus]\nbearer_token_file = \"/t\"\nbasic_auth_user = \"ops\"\nbasic_auth_password_file = \"/p\"\n",
            "prometheus.bearer_token_file",
            "not both",
        ),
        (
            "[prometheus]\nurl = \"http://u:p@prom:9090\"\nbearer_token_file = \"/t\"\n",
            "prometheus.bearer_token_file",
            "not both",
        ),
        (
            "[prometheus]\npreset = \"custom\"\n",
            "queries.request_rate",
            "missing: request_rate, error_ratio, latency_p95, latency_p99",
        ),
        (
            "[prometheus]\npreset = \"custom\"\n[queries]\nrequest_rate = \"a\"\nerror_ratio = \"b\"\nlatency_p95 = \"c\"\n",
            "queries.latency_p99",
            "missing: latency_p99",
        ),
        (
            "[prometheus]\npreset = \"custom\"\n[queries]\nrequest_rate = \"a\"\nerror_ratio = \"b\"\nlatency_p95 = \"c\"\nlatency_p99 = \"d\"\n",
            "queries.identity",
            "needs identity",
        ),
        (
            "[queries]\nerror_ratio = \"x{namespace=~\\\"{namespacez}\\\"}\"\n",
            "queries.error_ratio",
            "unknown placeholder `{namespacez}`",
        ),
        (
            "[queries]\nlatency_p95 = \"x{a=\\\"b\\\"\"\n",
            "queries.latency_p95",
            "never closed",
        ),
        (
            "[queries]\nrequest_rate = \" \"\n",
            "queries.request_rate",
            "is empty",
        ),
        (
            "[queries]\nidentity = \"pod\"\n",
            "queries.identity",
            "track, service or hash",
        ),
        (
            "[queries]\nhash_label = \"h\"\n",
            "queries.hash_label",
            "identity \"hash\" only",
        ),
        (
            "[queries]\nidentity = \"service\"\nworkload_label = \"app\"\n",
            "queries.workload_label",
            "identity \"track\" only",
        ),
        (
            "[queries]\nnamespace_label = \"k8s-ns\"\n",
            "queries.namespace_label",
            "label name",
        ),
        (
            "[rules]\nerror_ratio_growth = 0.0\n",
            "rules.error_ratio_growth",
            "more than 0",
        ),
        (
            "[rules]\nlatency_growth = -0.2\n",
            "rules.latency_growth",
            "more than 0",
        ),
        (
            "[rules]\nlatency_growth = nan\n",
            "rules.latency_growth",
            "more than 0",
        ),
        (
            "[rules]\nerror_ratio_floor = -1.0\n",
            "rules.error_ratio_floor",
            "0 to 100",
        ),
        (
            "[rules]\nbreach_intervals = 0\n",
            "rules.breach_intervals",
            "at least 1",
        ),
        (
            "[rules]\nclear_intervals = 0\n",
            "rules.clear_intervals",
            "at least 1",
        ),
        (
            "[rules]\nwindow = \"500ms\"\n",
            "rules.window",
            "at least 1s",
        ),
        ("[rules]\nbefore = \"0s\"\n", "rules.before", "at least 1s"),
        (
            "[[services]]\nname = \"payments\"\n",
            "services[0].namespace",
            "is missing",
        ),
        (
            "[[services]]\nnamespace = \"casino-prod\"\n",
            "services[0].name",
            "is missing",
        ),
        (
            "[[services]]\nnamespace = \"Casino\"\nname = \"payments\"\n",
            "services[0].namespace",
            "Kubernetes name",
        ),
        (
            "[[services]]\nnamespace = \"a\"\nname = \"p\"\n[[services]]\nnamespace = \"a\"\nname = \"p\"\n",
            "services[1].name",
            "services[0]",
        ),
        (
            "[[services]]\nnamespace = \"a\"\nname = \"p\"\nlatency_growth = 0.0\n",
            "services[0].latency_growth",
            "more than 0",
        ),
        (
            "[[services]]\nnamespace = \"a\"\nname = \"p\"\nerror_ratio_floor = 101.0\n",
            "services[0].error_ratio_floor",
            "0 to 100",
        ),
    ];
    for (text, key, needle) in cases {
        let (k, message) = err(text);
        assert_eq!(k, *key, "{text}\n{message}");
        assert!(message.contains(needle), "{text}\n{k}: {message}");
    }
    // A password in the URL is never echoed.
    let (_, message) = err("[prometheus]\nurl = \"http://u:secret@\"\n");
    assert!(!message.contains("secret"), "{message}");
}

#[test]
fn accepted_urls_and_headers() {
    for url in [
        "http://prometheus:9090",
        "https://mimir.example/prometheus",
        "HTTPS://Thanos.example:443/",
        "http://127.0.0.1:9090/prom?x=1#f",
        "http://[::1]:9090",
        "http://user:pass@prom.internal",
    ] {
        ok(&format!("[prometheus]\nurl = \"{url}\"\n"));
    }
    let c = ok(
        "[prometheus]\nurl = \"https://mimir.example/prometheus\"\nmethod = \"get\"\n\
         headers = { \"X-Scope-OrgID\" = \"casino\" }\nbasic_auth_user = \"ops\"\n\
         basic_auth_password_file = \"/run/secrets/p\"\n",
    );
    assert_eq!(c.prometheus.headers["X-Scope-OrgID"], "casino");
}

#[test]
fn the_query_set_overrides_single_templates_and_labels() {
    let c = ok(
        "[prometheus]\npreset = \"nginx\"\n[queries]\nrequest_rate = \"sum by (namespace, service) (rate(x[{window}]))\"\nnamespace_label = \"exported_namespace\"\n",
    );
    let q = c.query_set().unwrap();
    let nginx = QuerySet::preset(Preset::Nginx).unwrap();
    assert_eq!(
        q.request_rate,
        "sum by (namespace, service) (rate(x[{window}]))"
    );
    assert_eq!(q.error_ratio, nginx.error_ratio);
    assert_eq!(
        q.identity,
        IdentityLabels::Service {
            namespace: "exported_namespace".into(),
            service: "service".into()
        }
    );
    // Istio keeps its own label names while the identity kind is its own.
    let c = ok("[prometheus]\npreset = \"istio\"\n[queries]\nidentity = \"service\"\n");
    assert_eq!(
        c.query_set().unwrap().identity,
        QuerySet::preset(Preset::Istio).unwrap().identity
    );
    // Another kind starts from that kind's defaults.
    let c = ok("[prometheus]\npreset = \"istio\"\n[queries]\nidentity = \"hash\"\n");
    assert_eq!(
        c.query_set().unwrap().identity,
        IdentityLabels::default_for("hash").unwrap()
    );
}

#[test]
fn a_custom_query_set_comes_from_queries() {
    let c = ok(CUSTOM);
    let q = c.query_set().unwrap();
    assert!(
        q.request_rate
            .starts_with("sum by (namespace, app, version)")
    );
    assert!(q.latency_p99.starts_with("histogram_quantile(0.99"));
    assert_eq!(
        q.identity,
        IdentityLabels::Hash {
            namespace: "namespace".into(),
            hash: "pod_template_hash".into()
        }
    );
    // The free function names the key on error.
    let prom = PrometheusConfig {
        preset: "custom".into(),
        ..PrometheusConfig::default()
    };
    let e = query_set(&prom, &QueriesConfig::default()).unwrap_err();
    assert!(e.starts_with("queries.request_rate: "), "{e}");
}

#[test]
fn thresholds_in_domain_units_with_service_overrides() {
    let c = ok(r#"
[rules]
error_ratio_growth = 0.25
error_ratio_floor = 0.5
latency_growth = 0.3
latency_floor = "20ms"
min_requests = 80
breach_intervals = 3
clear_intervals = 4

[[services]]
namespace = "casino-prod"
name = "payments"
critical = true
error_ratio_floor = 1.0
latency_floor = "250ms"
min_requests = 10

[[services]]
namespace = "casino-prod"
name = "wallet"
latency_growth = 0.5
"#);
    let t = c.rules.thresholds();
    assert_eq!(t.error_ratio_growth, 0.25);
    assert!((t.error_ratio_floor - 0.005).abs() < 1e-12);
    assert_eq!(t.latency_growth, 0.3);
    assert!((t.latency_floor - 0.020).abs() < 1e-12);
    assert_eq!(t.min_requests, 80.0);
    assert_eq!((t.breach_intervals, t.clear_intervals), (3, 4));

    let p = c
        .rules
        .thresholds_for(&c.services, "casino-prod", "payments");
    assert!((p.error_ratio_floor - 0.01).abs() < 1e-12);
    assert!((p.latency_floor - 0.25).abs() < 1e-12);
    assert_eq!(p.min_requests, 10.0);
    assert_eq!(p.error_ratio_growth, 0.25, "not overridden");
    let w = c.rules.thresholds_for(&c.services, "casino-prod", "wallet");
    assert_eq!(w.latency_growth, 0.5);
    assert_eq!(c.rules.thresholds_for(&c.services, "other", "payments"), t);

    assert!(is_critical(&c.services, "casino-prod", "payments"));
    assert!(!is_critical(&c.services, "casino-prod", "wallet"));
    assert!(!is_critical(&c.services, "blackjack", "payments"));
}

#[test]
fn default_rules_are_the_default_thresholds() {
    let t = RulesConfig::default().thresholds();
    let d = Thresholds::default();
    assert_eq!(t.error_ratio_growth, d.error_ratio_growth);
    assert!((t.error_ratio_floor - d.error_ratio_floor).abs() < 1e-12);
    assert!((t.latency_floor - d.latency_floor).abs() < 1e-12);
    assert_eq!(t.min_requests, d.min_requests);
    assert_eq!(
        RulesConfig::default().window.0,
        Duration::from_secs(60),
        "the default {{window}}"
    );
}
