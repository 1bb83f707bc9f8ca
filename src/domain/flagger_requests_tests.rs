use serde_json::json;

use super::*;

const LT: &str = "http://flagger-loadtester.test";
const PROXY: &str = "/api/v1/namespaces/test/services/flagger-loadtester:80/proxy";

fn hook(name: &str, kind: &str, url: &str) -> Webhook {
    Webhook {
        name: name.into(),
        kind: kind.into(),
        url: url.into(),
    }
}

/// The casino's canary: a load test, a confirm-promotion gate and a rollback gate.
fn hooks() -> Vec<Webhook> {
    vec![
        hook("load-test", "rollout", &format!("{LT}/")),
        hook(
            "confirm-promotion",
            "confirm-promotion",
            &format!("{LT}/gate/check"),
        ),
        hook("rollback", "rollback", &format!("{LT}/rollback/check")),
    ]
}

fn base(ns: &str, svc: &str, port: &str) -> Result<(String, String, String), String> {
    Ok((ns.into(), svc.into(), port.into()))
}

/// The one request of a plan: (verb, path, content type, body).
fn only(plan: &Plan) -> (&str, &str, &str, &serde_json::Value) {
    assert_eq!(plan.requests.len(), 1, "{plan:?}");
    assert_eq!((plan.fallback.as_ref(), plan.skips.len()), (None, 0));
    let r = &plan.requests[0];
    (r.verb, r.path.as_str(), r.content_type, &r.body)
}

#[test]
fn in_cluster_urls_name_a_service_and_port() {
    let ns = "casino-prod";
    let cases = [
        (
            "http://flagger-loadtester.test/gate/check",
            base("test", "flagger-loadtester", "80"),
        ),
        (
            "http://flagger-loadtester.test.svc.cluster.local:8080/gate/check",
            base("test", "flagger-loadtester", "8080"),
        ),
        (
            "http://flagger-loadtester.test.svc/",
            base("test", "flagger-loadtester", "80"),
        ),
        (
            "http://flagger-loadtester/gate/check",
            base(ns, "flagger-loadtester", "80"),
        ),
        ("http://lt:9090?x=1", base(ns, "lt", "9090")),
        (
            "https://lt.qa/rollback/check",
            base("qa", "https:lt", "443"),
        ),
        (
            "https://lt.qa:8443/gate/check",
            base("qa", "https:lt", "8443"),
        ),
        (
            "HTTP://Flagger-Loadtester.Test./gate/check",
            base("test", "flagger-loadtester", "80"),
        ),
    ];
    for (url, want) in cases {
        assert_eq!(proxy_base(url, ns), want, "{url}");
    }
}

#[test]
fn other_urls_are_not_services_in_the_cluster() {
    let not = |url: &str| proxy_base(url, "casino-prod").unwrap_err();
    assert_eq!(
        not("https://example.com/gate/check"),
        "not a Service in the cluster"
    );
    assert_eq!(
        not("http://gates.example.org:8080/x"),
        "not a Service in the cluster"
    );
    assert_eq!(
        not("http://lt.test.svc.mycluster.example/"),
        "not a Service in the cluster"
    );
    assert_eq!(
        not("http://10.0.0.7/gate/check"),
        "an IP address, not a Service in the cluster"
    );
    assert_eq!(
        not("http://[fd00::7]:80/"),
        "an IP address, not a Service in the cluster"
    );
    assert_eq!(not("http://1lt.test/"), "not a Service in the cluster");
    assert_eq!(not("http://lt_x/"), "not a Service in the cluster");
    assert_eq!(not("http:///gate/check"), "not a Service in the cluster");
    assert_eq!(not("ftp://lt.test/"), "not an http(s) URL");
    assert_eq!(
        not("flagger-loadtester.test/gate/check"),
        "not an http(s) URL"
    );
    assert_eq!(not("http://lt.test:http/"), "\"http\" is not a port number");
    assert_eq!(not("http://lt.test:0/"), "\"0\" is not a port number");
    assert_eq!(
        not("http://admin:pw@lt.test/"),
        "not a Service in the cluster (credentials in the URL)"
    );
}

#[test]
fn approve_opens_the_gate_the_phase_waits_on() {
    let plan = gate_plan(
        "test",
        "podinfo",
        Some(FlaggerPhase::WaitingPromotion),
        &hooks(),
        Gate::Approve,
        true,
    )
    .unwrap();
    let body = json!({"name": "podinfo", "namespace": "test"});
    let open = format!("{PROXY}/gate/open");
    assert_eq!(
        only(&plan),
        ("POST", open.as_str(), "application/json", &body)
    );

    // Waiting → confirm-rollout, Progressing → confirm-traffic-increase, each at its URL.
    let hooks = [
        hook(
            "rollout-gate",
            "confirm-rollout",
            "http://lt-a.test/gate/check",
        ),
        hook(
            "traffic",
            "confirm-traffic-increase",
            "http://lt-b:8080/gate/check",
        ),
    ];
    let plan = |p| gate_plan("test", "podinfo", Some(p), &hooks, Gate::Approve, true);
    let path = |p| plan(p).unwrap().requests[0].path.clone();
    assert_eq!(
        path(FlaggerPhase::Waiting),
        "/api/v1/namespaces/test/services/lt-a:80/proxy/gate/open"
    );
    assert_eq!(
        path(FlaggerPhase::Progressing),
        "/api/v1/namespaces/test/services/lt-b:8080/proxy/gate/open"
    );
    assert_eq!(
        plan(FlaggerPhase::WaitingPromotion).unwrap_err(),
        "no confirm-promotion webhook: Flagger promotes by itself"
    );
    assert_eq!(
        plan(FlaggerPhase::Succeeded).unwrap_err(),
        "no gate is waiting (phase Succeeded)"
    );
    let none = gate_plan("test", "podinfo", None, &hooks, Gate::Approve, true);
    assert_eq!(none.unwrap_err(), "no gate is waiting (no phase yet)");
}

#[test]
fn missing_confirm_webhooks_say_flagger_moves_by_itself() {
    let plan = |p| gate_plan("test", "podinfo", Some(p), &[], Gate::Approve, true);
    assert_eq!(
        plan(FlaggerPhase::Waiting).unwrap_err(),
        "no confirm-rollout webhook: Flagger starts the rollout by itself"
    );
    assert_eq!(
        plan(FlaggerPhase::Progressing).unwrap_err(),
        "no confirm-traffic-increase webhook: Flagger increases the traffic by itself"
    );
    let close = gate_plan("test", "podinfo", None, &[], Gate::Approve, false);
    assert_eq!(close.unwrap_err(), "no confirm webhook: no gate to close");
}

#[test]
fn closing_the_gate_does_not_depend_on_the_phase() {
    for phase in [
        None,
        Some(FlaggerPhase::Succeeded),
        Some(FlaggerPhase::Promoting),
    ] {
        let plan = gate_plan("test", "podinfo", phase, &hooks(), Gate::Approve, false).unwrap();
        let close = format!("{PROXY}/gate/close");
        let body = json!({"name": "podinfo", "namespace": "test"});
        assert_eq!(
            only(&plan),
            ("POST", close.as_str(), "application/json", &body)
        );
    }
    // Two confirm hooks on one load tester share its gate: one request. A hook it cannot
    // reach is left out of closing (it cannot have been opened by shipdeck).
    let hooks = [
        hook("a", "confirm-rollout", &format!("{LT}/gate/check")),
        hook(
            "b",
            "confirm-promotion",
            "http://flagger-loadtester.test.svc:80/gate/check",
        ),
        hook(
            "c",
            "confirm-promotion",
            "https://gates.example.com/gate/check",
        ),
    ];
    let plan = gate_plan("test", "podinfo", None, &hooks, Gate::Approve, false).unwrap();
    assert_eq!(only(&plan).1, format!("{PROXY}/gate/close"));
    // Opening needs every gate the phase waits on.
    let open = gate_plan(
        "test",
        "podinfo",
        Some(FlaggerPhase::WaitingPromotion),
        &hooks,
        Gate::Approve,
        true,
    );
    assert_eq!(
        open.unwrap_err(),
        "webhook c points at https://gates.example.com/gate/check — not a Service in the \
         cluster; approve it there"
    );
}

#[test]
fn gates_on_two_load_testers_are_opened_both() {
    let hooks = [
        hook("a", "confirm-promotion", "http://lt-a.test/gate/check"),
        hook("b", "confirm-promotion", "http://lt-b.qa/gate/check"),
    ];
    let plan = gate_plan(
        "test",
        "podinfo",
        Some(FlaggerPhase::WaitingPromotion),
        &hooks,
        Gate::Approve,
        true,
    )
    .unwrap();
    let paths: Vec<&str> = plan.requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/namespaces/test/services/lt-a:80/proxy/gate/open",
            "/api/v1/namespaces/qa/services/lt-b:80/proxy/gate/open",
        ]
    );
}

#[test]
fn rollback_opens_and_closes_the_rollback_gate() {
    let body = json!({"name": "podinfo", "namespace": "test"});
    for phase in [
        FlaggerPhase::Progressing,
        FlaggerPhase::WaitingPromotion,
        FlaggerPhase::Waiting,
    ] {
        let plan = gate_plan(
            "test",
            "podinfo",
            Some(phase),
            &hooks(),
            Gate::Rollback,
            true,
        );
        let open = format!("{PROXY}/rollback/open");
        assert_eq!(
            only(&plan.unwrap()),
            ("POST", open.as_str(), "application/json", &body)
        );
    }
    let plan = gate_plan(
        "test",
        "podinfo",
        Some(FlaggerPhase::Failed),
        &hooks(),
        Gate::Rollback,
        false,
    );
    let close = format!("{PROXY}/rollback/close");
    assert_eq!(
        only(&plan.unwrap()),
        ("POST", close.as_str(), "application/json", &body)
    );
    let done = gate_plan(
        "test",
        "podinfo",
        Some(FlaggerPhase::Succeeded),
        &hooks(),
        Gate::Rollback,
        true,
    );
    assert_eq!(
        done.unwrap_err(),
        "no canary run to roll back (phase Succeeded); an open rollback gate would fail \
         podinfo's next run"
    );
}

#[test]
fn no_rollback_webhook_means_no_rollback() {
    let hooks = &hooks()[..2];
    let plan = |open| {
        let p = Some(FlaggerPhase::Progressing);
        gate_plan("test", "bonus", p, hooks, Gate::Rollback, open)
    };
    assert_eq!(
        plan(true).unwrap_err(),
        "no rollback webhook: shipdeck cannot roll back bonus; Flagger rolls back on failed \
         checks"
    );
    assert_eq!(
        plan(false).unwrap_err(),
        "no rollback webhook: no rollback gate to close"
    );
}

#[test]
fn webhooks_that_are_not_load_tester_gates_are_refused() {
    let p = Some(FlaggerPhase::WaitingPromotion);
    let with = |kind: &str, url: &str, gate| {
        let hooks = [hook("x", kind, url)];
        gate_plan("test", "podinfo", p, &hooks, gate, true).unwrap_err()
    };
    assert_eq!(
        with(
            "confirm-promotion",
            "http://approver.test/foo",
            Gate::Approve
        ),
        "webhook x is not a load-tester gate (path /foo)"
    );
    assert_eq!(
        with("confirm-promotion", "http://lt.test", Gate::Approve),
        "webhook x is not a load-tester gate (path /)"
    );
    assert_eq!(
        with(
            "confirm-promotion",
            &format!("{LT}/gate/halt"),
            Gate::Approve
        ),
        "webhook x always halts (path /gate/halt): no gate opens it"
    );
    assert_eq!(
        with("rollback", &format!("{LT}/gate/check"), Gate::Rollback),
        "webhook x is not a load-tester gate (path /gate/check)"
    );
    assert_eq!(
        with("rollback", "http://10.0.0.7/rollback/check", Gate::Rollback),
        "webhook x points at http://10.0.0.7/rollback/check — an IP address, not a Service in \
         the cluster; roll back there"
    );
    assert_eq!(
        with(
            "confirm-promotion",
            "https://example.com/gate/check",
            Gate::Approve
        ),
        "webhook x points at https://example.com/gate/check — not a Service in the cluster; \
         approve it there"
    );
}

#[test]
fn an_https_load_tester_goes_through_the_proxy_by_scheme() {
    let hooks = [hook("g", "confirm-promotion", "https://lt.test/gate/check")];
    let plan = gate_plan(
        "test",
        "podinfo",
        Some(FlaggerPhase::WaitingPromotion),
        &hooks,
        Gate::Approve,
        true,
    )
    .unwrap();
    assert_eq!(
        only(&plan).1,
        "/api/v1/namespaces/test/services/https:lt:443/proxy/gate/open"
    );
}
