use axum::body::Bytes;
use serde_json::json;

use super::*;

fn post(h: &ProxyHandler, path: &str, body: &str) -> (u16, String) {
    let r = h(ProxyRequest {
        method: "POST".into(),
        path: path.into(),
        query: String::new(),
        body: Bytes::from(body.to_string()),
    });
    assert_eq!(r.content_type, "text/plain; charset=utf-8");
    (r.status, String::from_utf8(r.body.to_vec()).unwrap())
}

const BONUS: &str = r#"{"name":"bonus","namespace":"casino-prod"}"#;

#[test]
fn gates_answer_as_the_load_tester_does() {
    let gates = Gates::default();
    let h = handler(gates.clone());
    let ok = |s: &str| (200, s.to_string());
    let (accepted, forbidden) = ((202, String::new()), (403, "Forbidden".to_string()));
    // A gate never opened is closed.
    assert_eq!(post(&h, "/gate/check", BONUS), forbidden);
    assert_eq!(post(&h, "/gate/open", BONUS), accepted);
    assert_eq!(post(&h, "/gate/check", BONUS), ok("Approved"));
    // Open stays open (never closed automatically), until closed.
    assert_eq!(post(&h, "/gate/check", BONUS), ok("Approved"));
    assert_eq!(post(&h, "/gate/close", BONUS), accepted);
    assert_eq!(post(&h, "/gate/check", BONUS), forbidden);
    // The rollback gate is a separate key.
    assert_eq!(post(&h, "/rollback/check", BONUS), forbidden);
    assert_eq!(post(&h, "/rollback/open", BONUS), accepted);
    assert_eq!(post(&h, "/rollback/check", BONUS), ok("Approved"));
    assert_eq!(post(&h, "/gate/check", BONUS), forbidden);
    assert_eq!(post(&h, "/rollback/close", BONUS), accepted);
    assert_eq!(post(&h, "/rollback/check", BONUS), forbidden);
    // Keyed by name and namespace.
    post(&h, "/gate/open", BONUS);
    let other = r#"{"name":"bonus","namespace":"casino-staging"}"#;
    assert_eq!(post(&h, "/gate/check", other), forbidden);
    assert_eq!(
        gates.snapshot(),
        vec![
            ("bonus.casino-prod".to_string(), true),
            ("bonus.casino-staging".to_string(), false),
            ("rollback.bonus.casino-prod".to_string(), false),
        ]
    );
}

#[test]
fn fixed_answers_bad_bodies_and_tasks() {
    let h = handler(Gates::default());
    assert_eq!(post(&h, "/gate/approve", ""), (200, "OK".into()));
    assert_eq!(post(&h, "/gate/halt", BONUS), (403, "Forbidden".into()));
    assert_eq!(post(&h, "/healthz", ""), (200, "OK".into()));
    for bad in ["", "not json", "[1]", r#"{"name": 3}"#] {
        assert_eq!(post(&h, "/gate/open", bad), (400, String::new()), "{bad}");
        assert_eq!(post(&h, "/rollback/check", bad).0, 400, "{bad}");
    }
    // Anything else is a task: it needs metadata.
    let task = json!({"name": "bonus", "namespace": "t", "metadata": {"cmd": "hey -z 1m"}});
    assert_eq!(post(&h, "/", &task.to_string()), (202, String::new()));
    let missing = (400, "metadata not found in payload".to_string());
    assert_eq!(post(&h, "/", BONUS), missing);
}

#[test]
fn webhook_calls_read_the_same_gates() {
    let gates = Gates::default();
    let h = handler(gates.clone());
    let url = "http://flagger-loadtester.test/gate/check";
    assert_eq!(url_path(url), "/gate/check");
    assert_eq!(
        url_path("http://lt.test:80/rollback/check?x=1"),
        "/rollback/check"
    );
    assert_eq!(url_path("http://flagger-loadtester.test"), "/");
    assert_eq!(call(&gates, url, "bonus", "test"), Err("Forbidden".into()));
    post(&h, "/gate/open", r#"{"name":"bonus","namespace":"test"}"#);
    assert_eq!(call(&gates, url, "bonus", "test"), Ok(()));
    // A close webhook (pre-rollout, as some setups use) closes it.
    let close = "http://flagger-loadtester.test/gate/close";
    assert_eq!(call(&gates, close, "bonus", "test"), Ok(()));
    assert!(!gates.is_open("bonus.test"));
    // Fixed gates, and webhooks that are not gates.
    assert!(call(&gates, "http://flagger-loadtester.test/gate/halt", "b", "t").is_err());
    assert_eq!(
        call(&gates, "http://flagger-loadtester.test/", "b", "t"),
        Ok(())
    );
    assert_eq!(call(&gates, "http://tests.example/run", "b", "t"), Ok(()));
    // A canary's webhooks of one type, in order, until the first failure.
    let cd = json!({"metadata": {"name": "bonus", "namespace": "test"}, "spec": {"analysis": {
    "webhooks": [
        {"name": "a", "type": "confirm-promotion", "url": "http://lt.test/gate/approve"},
        {"name": "load", "url": "http://lt.test/"},
        {"name": "b", "type": "confirm-promotion", "url": "http://lt.test/gate/check"},
        {"name": "c", "type": "confirm-promotion", "url": "http://lt.test/gate/approve"},
    ]}}});
    let names = |v: Vec<(String, Result<(), String>)>| -> Vec<(String, bool)> {
        v.into_iter().map(|(n, r)| (n, r.is_ok())).collect()
    };
    let got = names(webhooks(&gates, &cd, "confirm-promotion", false));
    assert_eq!(got, vec![("a".into(), true), ("b".into(), false)]);
    assert_eq!(
        names(webhooks(&gates, &cd, "rollout", false)),
        vec![("load".into(), true)]
    );
    // Until the first success (rollback hooks).
    let got = names(webhooks(&gates, &cd, "confirm-promotion", true));
    assert_eq!(got, vec![("a".into(), true)]);
}
