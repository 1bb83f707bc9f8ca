use super::*;
use serde_json::json;

fn labeled(labels: Value) -> Value {
    json!({"metadata": {"name": "x", "labels": labels}})
}

#[test]
fn label_selector_table() {
    let web = labeled(json!({"app": "web", "tier": "fe", "example.com/team": "ops", "n": "7"}));
    let db = labeled(json!({"app": "db", "tier": ""}));
    let bare = json!({"metadata": {"name": "bare"}});
    // (selector, matches web, matches db, matches bare)
    let cases = [
        ("", true, true, true),
        ("   ", true, true, true),
        ("app=web", true, false, false),
        ("app==web", true, false, false),
        (" app = web ", true, false, false),
        ("app!=web", false, true, true),
        ("app != db", true, false, true),
        ("app=web,tier=fe", true, false, false),
        ("app=web, tier=db", false, false, false),
        ("app in (web,db)", true, true, false),
        ("app in (web, db )", true, true, false),
        ("app in(web)", true, false, false),
        ("app notin (web)", false, true, true),
        ("app notin (web, db)", false, false, true),
        ("missing notin (a)", true, true, true),
        ("missing!=a", true, true, true),
        ("app", true, true, false),
        ("!app", false, false, true),
        (" ! app ", false, false, true),
        ("!missing,app", true, true, false),
        ("tier=", false, true, false),
        ("tier in (,fe)", true, true, false),
        ("tier in (fe,)", true, true, false),
        ("tier notin (fe)", false, true, true),
        ("example.com/team=ops", true, false, false),
        ("example.com/team", true, false, false),
        ("app in (web),tier notin (x),!zzz", true, false, false),
        ("n>5", true, false, false),
        ("n<5", false, false, false),
        ("n>7", false, false, false),
    ];
    for (sel, w, d, b) in cases {
        let parsed = LabelSelector::parse(sel).unwrap_or_else(|e| panic!("{sel:?}: {e}"));
        assert_eq!(parsed.is_empty(), sel.trim().is_empty(), "{sel:?}");
        assert_eq!(
            [
                parsed.matches(&web),
                parsed.matches(&db),
                parsed.matches(&bare)
            ],
            [w, d, b],
            "{sel:?}"
        );
    }
}

#[test]
fn label_selector_rejects_bad_syntax() {
    // (selector, part of the error message)
    let cases = [
        ("app=web,", "after ','"),
        (",app", "expected a label key"),
        ("app=web,,tier", "expected a label key"),
        ("app in web", "expected '('"),
        ("app in (web", "expected ')'"),
        ("app in ()", "at least one value"),
        ("app notin ()", "at least one value"),
        ("app in (a b)", "found 'b'"),
        ("app web", "found 'web'"),
        ("app=web tier=fe", "expected ','"),
        ("!app=web", "'!app' must be followed"),
        ("!", "expected a label key"),
        ("=web", "found '='"),
        ("app=(web)", "expected ','"),
        ("app===web", "expected ','"),
        ("-app=web", "invalid label key"),
        ("app=-web", "invalid label value"),
        ("Bad_Prefix/app=x", "prefix"),
        ("/app=x", "prefix"),
        ("a/b/c=x", "invalid label key"),
        ("app=web!", "expected ','"),
        ("n>x", "integer"),
        ("app)", "found ')'"),
    ];
    for (sel, needle) in cases {
        let err = LabelSelector::parse(sel).expect_err(sel);
        assert!(err.contains(needle), "{sel:?}: {err}");
        assert!(
            err.starts_with("unable to parse label selector"),
            "{sel:?}: {err}"
        );
    }
    let long = format!("app={}", "v".repeat(64));
    assert!(LabelSelector::parse(&long).is_err());
    assert!(LabelSelector::parse(&format!("{}=v", "k".repeat(64))).is_err());
    assert!(LabelSelector::parse(&format!("app={}", "v".repeat(63))).is_ok());
}

#[test]
fn label_selector_ignores_non_string_and_missing_labels() {
    let sel = LabelSelector::parse("app=web").expect("parse");
    assert!(!sel.matches(&json!({})));
    assert!(!sel.matches(&json!({"metadata": {"labels": null}})));
    assert!(!sel.matches(&labeled(json!({"app": 1}))));
    let everything = LabelSelector::parse("").expect("parse");
    assert!(everything.matches(&json!({})));
    assert_eq!(everything, LabelSelector::default());
}

fn event() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "canary-demo.17f1", "namespace": "jesse-test"},
        "involvedObject": {
            "kind": "Rollout",
            "namespace": "jesse-test",
            "name": "canary-demo",
            "uid": "5a2b0c9e-1111-4c2d-9c61-0123456789ab",
            "apiVersion": "argoproj.io/v1alpha1",
            "resourceVersion": "1234"
        },
        "reason": "RolloutUpdated",
        "type": "Normal",
        "source": {"component": "rollouts-controller"},
        "reportingComponent": "rollouts-controller"
    })
}

#[test]
fn kubectl_describe_event_selector() {
    let sel = FieldSelector::parse(
        "involvedObject.name=canary-demo,involvedObject.namespace=jesse-test,\
         involvedObject.kind=Rollout,involvedObject.uid=5a2b0c9e-1111-4c2d-9c61-0123456789ab",
        "Event",
    )
    .expect("kubectl describe selector parses");
    assert!(sel.matches(&event()));
    let mut other = event();
    other["involvedObject"]["uid"] = json!("another-uid");
    assert!(!sel.matches(&other));
    let mut other = event();
    other["involvedObject"]["kind"] = json!("Deployment");
    assert!(!sel.matches(&other));
}

#[test]
fn field_selector_table() {
    let ev = event();
    // (selector, kind, matches the event)
    let cases = [
        ("", "Event", true),
        ("metadata.name=canary-demo.17f1", "Event", true),
        ("metadata.name==canary-demo.17f1", "Event", true),
        ("metadata.name!=canary-demo.17f1", "Event", false),
        ("metadata.namespace=jesse-test", "Event", true),
        ("metadata.namespace!=default", "Event", true),
        (
            "involvedObject.apiVersion=argoproj.io/v1alpha1",
            "Event",
            true,
        ),
        ("involvedObject.resourceVersion=1234", "Event", true),
        ("involvedObject.fieldPath=", "Event", true),
        ("involvedObject.fieldPath!=", "Event", false),
        ("reason=RolloutUpdated", "Event", true),
        ("reason!=RolloutUpdated", "Event", false),
        ("type=Warning", "Event", false),
        ("type!=Warning", "Event", true),
        ("source=rollouts-controller", "Event", true),
        ("reportingComponent=rollouts-controller", "Event", true),
        (
            "regarding.name=canary-demo,regarding.kind=Rollout",
            "Event",
            true,
        ),
        (
            "regarding.uid=5a2b0c9e-1111-4c2d-9c61-0123456789ab",
            "Event",
            true,
        ),
        ("regarding.namespace=other", "Event", false),
        ("reason=RolloutUpdated,type=Warning", "Event", false),
        ("metadata.name=canary-demo.17f1,", "Event", true),
        ("metadata.name=canary-demo.17f1", "Pod", true),
        ("metadata.namespace=", "Namespace", false),
    ];
    for (sel, kind, want) in cases {
        let parsed = FieldSelector::parse(sel, kind).unwrap_or_else(|e| panic!("{sel:?}: {e}"));
        assert_eq!(parsed.matches(&ev), want, "{sel:?} on {kind}");
    }
    assert!(FieldSelector::parse("", "Pod").expect("empty").is_empty());
}

#[test]
fn field_selector_missing_fields_read_as_empty() {
    let ns = json!({"kind": "Namespace", "metadata": {"name": "prod"}});
    let sel = FieldSelector::parse("metadata.namespace=", "Namespace").expect("parse");
    assert!(sel.matches(&ns));
    let sel = FieldSelector::parse("metadata.namespace!=x,metadata.name=prod", "Namespace");
    assert!(sel.expect("parse").matches(&ns));
    let bare = json!({"kind": "Event", "metadata": {"name": "e"}});
    let sel = FieldSelector::parse("source=,involvedObject.kind=", "Event").expect("parse");
    assert!(sel.matches(&bare));
}

#[test]
fn field_selector_escapes() {
    let obj = json!({"metadata": {"name": "a,b=c\\d"}});
    let sel = FieldSelector::parse(r"metadata.name=a\,b\=c\\d", "ConfigMap").expect("parse");
    assert!(sel.matches(&obj));
    let sel = FieldSelector::parse(r"metadata.name!=a\,b", "ConfigMap").expect("parse");
    assert!(sel.matches(&obj));
    for bad in [r"metadata.name=a\x", r"metadata.name=a\"] {
        assert!(FieldSelector::parse(bad, "ConfigMap").is_err(), "{bad}");
    }
}

#[test]
fn field_selector_rejects_unsupported_fields_and_bad_terms() {
    let cases = [
        (
            "spec.nodeName=n1",
            "Pod",
            "field label not supported: spec.nodeName",
        ),
        (
            "status.phase=Running",
            "Pod",
            "field label not supported: status.phase",
        ),
        ("reason=x", "Pod", "field label not supported: reason"),
        (
            "involvedObject.name=x",
            "Deployment",
            "field label not supported: involvedObject.name",
        ),
        (
            "regarding.name=x",
            "Pod",
            "field label not supported: regarding.name",
        ),
        (
            "regarding.bogus=x",
            "Event",
            "field label not supported: regarding.bogus",
        ),
        (
            "source.host=x",
            "Event",
            "field label not supported: source.host",
        ),
        (
            "metadata.labels=x",
            "Event",
            "field label not supported: metadata.labels",
        ),
        ("metadata.name", "Pod", "can't understand"),
        ("metadata.name=x,garbage", "Pod", "can't understand"),
    ];
    for (sel, kind, want) in cases {
        let err = FieldSelector::parse(sel, kind).expect_err(sel);
        assert!(err.contains(want), "{sel:?}: {err}");
    }
}
