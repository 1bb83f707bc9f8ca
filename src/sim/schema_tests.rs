use std::time::Instant;

use serde_json::json;

use super::errors::{go_number, go_value, k8s_path};
use super::*;
use crate::sim::crds::Catalog;

fn def(group: &str, version: &str, plural: &str) -> &'static ResourceDef {
    Catalog::get()
        .find(group, version, plural)
        .unwrap_or_else(|| panic!("{plural} missing"))
}

fn rollout() -> &'static ResourceDef {
    def("argoproj.io", "v1alpha1", "rollouts")
}

fn errors(d: &ResourceDef, obj: &Value) -> Vec<String> {
    validate(d, obj).err().unwrap_or_default()
}

/// A minimal valid canary Rollout.
fn canary() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "demo", "namespace": "default"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "demo"}},
            "template": {"metadata": {"labels": {"app": "demo"}},
                         "spec": {"containers": [{"name": "app", "image": "demo:1", "ports": [{"containerPort": 8080}]}]}},
            "strategy": {"canary": {"maxSurge": "25%", "steps": [{"setWeight": 20}, {"pause": {}}]}}
        }
    })
}

#[test]
fn every_schema_compiles_and_compiling_is_timed() {
    for d in Catalog::get().defs().iter().filter(|d| d.custom) {
        let schema = d
            .schema
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no schema", d.kind));
        let start = Instant::now();
        let built = prep::build(&prep::to_json_schema(schema));
        eprintln!(
            "{}: schema converted and compiled in {:?}",
            d.kind,
            start.elapsed()
        );
        assert!(built.is_ok(), "{}: {:?}", d.kind, built.err());
        assert!(compiled(d, schema).is_some());
    }
    let obj = canary();
    let start = Instant::now();
    assert_eq!(validate(rollout(), &obj), Ok(()));
    eprintln!("validating a Rollout: {:?}", start.elapsed());
}

#[test]
fn a_valid_rollout_passes() {
    assert_eq!(validate(rollout(), &canary()), Ok(()));
    let mut obj = canary();
    obj["spec"]["strategy"]["canary"]["maxSurge"] = json!(1);
    obj["spec"]["unknownField"] = json!({"anything": [1, 2]});
    obj["spec"]["replicas"] = Value::Null; // not nullable: pruned, as a real server does
    assert_eq!(validate(rollout(), &obj), Ok(()));
}

#[test]
fn wrong_type() {
    let mut obj = canary();
    obj["spec"]["replicas"] = json!("five");
    assert_eq!(
        errors(rollout(), &obj),
        [
            r#"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#
        ]
    );
    let causes = validate_causes(rollout(), &obj).err().unwrap_or_default();
    assert_eq!(
        causes[0].to_cause(),
        json!({"reason": "FieldValueTypeInvalid", "field": "spec.replicas",
               "message": r#"Invalid value: "string": spec.replicas in body must be of type integer: "string""#})
    );
    let mut obj = canary();
    obj["spec"]["strategy"]["canary"]["steps"][0]["setWeight"] = json!(2.5);
    assert_eq!(
        errors(rollout(), &obj),
        [
            r#"spec.strategy.canary.steps[0].setWeight: Invalid value: "number": spec.strategy.canary.steps[0].setWeight in body must be of type integer: "number""#
        ]
    );
    let mut obj = canary();
    obj["spec"]["template"]["spec"]["containers"] = json!({"name": "x"});
    assert_eq!(
        errors(rollout(), &obj),
        [
            r#"spec.template.spec.containers: Invalid value: "object": spec.template.spec.containers in body must be of type array: "object""#
        ]
    );
}

#[test]
fn int_or_string() {
    let mut obj = canary();
    obj["spec"]["strategy"]["canary"]["maxSurge"] = json!(true);
    let mut errs = errors(rollout(), &obj);
    errs.sort();
    assert_eq!(
        errs,
        [
            r#"<nil>: Invalid value: "": "spec.strategy.canary.maxSurge" must validate at least one schema (anyOf)"#,
            r#"spec.strategy.canary.maxSurge: Invalid value: "boolean": spec.strategy.canary.maxSurge in body must be of type integer,string: "boolean""#,
            r#"spec.strategy.canary.maxSurge: Invalid value: "boolean": spec.strategy.canary.maxSurge in body must be of type integer: "boolean""#,
        ]
    );
}

#[test]
fn missing_required() {
    let mut obj = canary();
    obj.as_object_mut().map(|m| m.remove("spec"));
    assert_eq!(errors(rollout(), &obj), ["spec: Required value"]);
    let causes = validate_causes(rollout(), &obj).err().unwrap_or_default();
    assert_eq!(causes[0].reason, "FieldValueRequired");
    let mut obj = canary();
    obj["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .map(|m| m.remove("name"));
    assert_eq!(
        errors(rollout(), &obj),
        ["spec.template.spec.containers[0].name: Required value"]
    );
    // A null for a required, non-nullable field is pruned first, so it reads as missing.
    let mut obj = canary();
    obj["spec"]["template"]["spec"]["containers"][0]["name"] = Value::Null;
    assert_eq!(
        errors(rollout(), &obj),
        ["spec.template.spec.containers[0].name: Required value"]
    );
}

#[test]
fn enum_violation() {
    let canary_def = def("flagger.app", "v1beta1", "canaries");
    let obj = json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo"},
        "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "podinfo"},
                 "service": {"port": 80},
                 "analysis": {"interval": "1m", "threshold": 5, "stepWeight": 10}}
    });
    assert_eq!(
        errors(canary_def, &obj),
        [
            r#"spec.targetRef.kind: Unsupported value: "StatefulSet": supported values: "DaemonSet", "Deployment", "Service""#
        ]
    );
    let causes = validate_causes(canary_def, &obj).err().unwrap_or_default();
    assert_eq!(causes[0].reason, "FieldValueNotSupported");
}

#[test]
fn one_of() {
    let canary_def = def("flagger.app", "v1beta1", "canaries");
    let obj = json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo"},
        "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                 "service": {"port": 80}, "analysis": {"interval": "1m", "threshold": 5}}
    });
    assert_eq!(
        errors(canary_def, &obj),
        [
            r#"<nil>: Invalid value: "": "spec.analysis" must validate one and only one schema (oneOf). Found none valid"#,
            "spec.analysis.iterations: Required value",
        ]
    );
}

#[test]
fn formats_the_server_enforces() {
    let ar = def("argoproj.io", "v1alpha1", "analysisruns");
    let mut obj = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun", "metadata": {"name": "ar"},
        "spec": {"metrics": [{"name": "m", "provider": {"job": {"spec": {"template": {"spec": {"containers": []}}}}}}]},
        "status": {"phase": "Running", "startedAt": "2020-09-22T07:48:29Z"}
    });
    assert_eq!(validate(ar, &obj), Ok(()));
    obj["status"]["startedAt"] = json!("yesterday");
    assert_eq!(
        errors(ar, &obj),
        [
            r#"status.startedAt: Invalid value: "yesterday": status.startedAt in body must be of type date-time: "yesterday""#
        ]
    );
    obj["status"]["startedAt"] = json!(5);
    assert_eq!(
        errors(ar, &obj),
        [
            r#"status.startedAt: Invalid value: "int64": status.startedAt in body must be of type date-time: "int64""#
        ]
    );
    obj["status"]["startedAt"] = json!("2020-09-22T07:48:29");
    assert_eq!(validate(ar, &obj), Ok(()));
    // int32/int64 are not enforced by a real server: a huge count is accepted, and so is an
    // integral float where an integer belongs.
    let mut obj = canary();
    obj["spec"]["strategy"]["canary"]["steps"][0]["setWeight"] = json!(20.0);
    assert_eq!(validate(rollout(), &obj), Ok(()));
    let mut obj = canary();
    obj["spec"]["replicas"] = json!(1_u64 << 40);
    assert_eq!(validate(rollout(), &obj), Ok(()));
}

#[test]
fn names_must_be_dns_subdomains() {
    let mut obj = canary();
    obj["metadata"]["name"] = json!("Bad_Name");
    let errs = errors(rollout(), &obj);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with(r#"metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of"#), "{errs:?}");
    // Updates do not check the name (it cannot change).
    assert_eq!(validate_update(rollout(), &obj), Ok(()));
    obj["spec"]["replicas"] = json!("x");
    assert_eq!(
        validate_update(rollout(), &obj).err().map(|e| e.len()),
        Some(1)
    );
    obj["spec"]["replicas"] = json!(1);
    obj["metadata"] = json!({"generateName": "demo-"});
    assert_eq!(validate(rollout(), &obj), Ok(()));
    obj["metadata"] = json!({});
    assert_eq!(
        errors(rollout(), &obj),
        ["metadata.name: Required value: name or generateName is required"]
    );
    // The schema's own metadata part is not applied.
    obj["metadata"] = json!({"name": "a.b-c", "labels": {"x": "y"}, "annotations": 5});
    assert_eq!(validate(rollout(), &obj), Ok(()));
}

#[test]
fn several_errors_are_all_reported() {
    let mut obj = canary();
    obj["spec"]["replicas"] = json!("x");
    obj["spec"]["paused"] = json!("yes");
    obj["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .map(|m| m.remove("name"));
    let mut errs = errors(rollout(), &obj);
    errs.sort();
    assert_eq!(
        errs,
        [
            r#"spec.paused: Invalid value: "string": spec.paused in body must be of type boolean: "string""#,
            r#"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
            "spec.template.spec.containers[0].name: Required value",
        ]
    );
}

#[test]
fn defaults_and_pruning() {
    let at = def("argoproj.io", "v1alpha1", "analysistemplates");
    let mut obj = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate", "metadata": {"name": "t"},
        "spec": {"metrics": [{"name": "m", "provider": {"datadog": {"query": "q", "interval": null}}, "bogus": 1}]}
    });
    assert_eq!(validate(at, &obj), Ok(()));
    apply_defaults(at, &mut obj);
    assert_eq!(
        obj["spec"]["metrics"][0]["provider"]["datadog"]["apiVersion"],
        "v1"
    );
    assert_eq!(obj["metadata"], json!({"name": "t"}));
    let removed = prune_unknown(at, &mut obj);
    assert_eq!(removed, ["spec.metrics[0].bogus"]);
    assert!(obj["spec"]["metrics"][0].get("bogus").is_none());
    let mut ro = canary();
    ro["spec"]["template"]["metadata"]["creationTimestamp"] = Value::Null;
    ro["status"] = json!({"whatever": 1});
    let removed = prune_unknown(rollout(), &mut ro);
    assert_eq!(
        removed,
        [
            "spec.template.metadata.creationTimestamp",
            "status.whatever"
        ]
    );
}

#[test]
fn featureflag_preserves_unknown_fields() {
    let ff = def("core.openfeature.dev", "v1beta1", "featureflags");
    let mut obj = json!({
        "apiVersion": "core.openfeature.dev/v1beta1", "kind": "FeatureFlag", "metadata": {"name": "f"},
        "spec": {"flagSpec": {"flags": {"a": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on",
                                              "targeting": {"if": [true, "on"]}}}}}
    });
    assert_eq!(validate(ff, &obj), Ok(()));
    assert!(prune_unknown(ff, &mut obj).is_empty());
    obj["spec"]["flagSpec"]["flags"]["a"]["state"] = json!("MAYBE");
    assert_eq!(
        errors(ff, &obj),
        [
            r#"spec.flagSpec.flags.a.state: Unsupported value: "MAYBE": supported values: "ENABLED", "DISABLED""#
        ]
    );
}

#[test]
fn k8s_paths_and_go_values() {
    let root = json!({"a": {"b": [{"c": 1}, {"0": 2}]}});
    assert_eq!(k8s_path(&root, "/a/b/1/0"), "a.b[1].0");
    assert_eq!(k8s_path(&root, ""), "");
    assert_eq!(go_value(&json!("x\"y")), r#""x\"y""#);
    assert_eq!(go_value(&json!(3)), "3");
    assert_eq!(go_number(&json!(100.0)), "100");
    assert_eq!(go_number(&json!(1.5)), "1.5");
}

#[test]
fn status_message_like_a_real_server() {
    let one = vec!["spec.replicas: Required value".to_string()];
    assert_eq!(
        invalid_message(rollout(), "demo", &one),
        r#"Rollout.argoproj.io "demo" is invalid: spec.replicas: Required value"#
    );
    let two = vec![
        "a: Required value".to_string(),
        "b: Required value".to_string(),
        "a: Required value".to_string(),
    ];
    assert_eq!(
        invalid_message(rollout(), "demo", &two),
        r#"Rollout.argoproj.io "demo" is invalid: [a: Required value, b: Required value]"#
    );
    let pods = Catalog::get()
        .find("", "v1", "pods")
        .unwrap_or_else(|| panic!("pods"));
    assert_eq!(invalid_message(pods, "p", &[]), r#"Pod "p" is invalid"#);
}

#[path = "schema_fixture_tests.rs"]
mod fixtures;
