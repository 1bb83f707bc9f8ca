use super::*;
use serde_json::json;

fn smp(target: &Value, patch: &Value) -> Result<Value, PatchError> {
    apply_patch(
        target,
        PatchType::Strategic,
        patch.to_string().as_bytes(),
        true,
    )
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("bad test JSON {s}: {e}"))
}

/// Fails when any map key in `v` is a patch directive.
fn assert_no_directives(v: &Value) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            assert!(!k.starts_with('$'), "directive {k} leaked into {m:?}");
            assert_no_directives(v);
        }),
        Value::Array(l) => l.iter().for_each(assert_no_directives),
        _ => {}
    }
}

const DEPLOYMENT: &str = r#"{
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
  "spec": {
    "replicas": 3,
    "selector": {"matchLabels": {"app": "web"}},
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "containers": [
          {"name": "app", "image": "shop/web:1.0", "args": ["--port", "8080"],
           "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"},
                     {"containerPort": 9090, "name": "metrics", "protocol": "TCP"}],
           "env": [{"name": "MODE", "value": "prod"}, {"name": "LOG", "value": "info"}],
           "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
           "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg"}]},
          {"name": "sidecar", "image": "envoy:1.30",
           "ports": [{"containerPort": 15000, "protocol": "TCP"}],
           "env": [{"name": "ADMIN", "value": "1"}]}
        ],
        "volumes": [{"name": "cfg", "configMap": {"name": "web-cfg"}}],
        "tolerations": [{"key": "a", "operator": "Exists"}]
      }
    }
  }
}"#;

/// Applies `patch` to the Deployment and returns (result, containers of the result).
fn on_deployment(patch: &str) -> (Value, Vec<Value>) {
    let got = smp(&parse(DEPLOYMENT), &parse(patch)).expect("patch applies");
    assert_no_directives(&got);
    let containers = got["spec"]["template"]["spec"]["containers"]
        .as_array()
        .cloned();
    (got, containers.unwrap_or_default())
}

#[test]
fn content_types() {
    let cases = [
        ("application/merge-patch+json", Some(PatchType::Merge)),
        ("application/json-patch+json", Some(PatchType::Json)),
        (
            "application/strategic-merge-patch+json",
            Some(PatchType::Strategic),
        ),
        (
            "Application/Merge-Patch+JSON; charset=utf-8",
            Some(PatchType::Merge),
        ),
        (" application/json-patch+json ;x=y", Some(PatchType::Json)),
        ("application/apply-patch+yaml", None),
        ("application/json", None),
        ("", None),
    ];
    for (ct, want) in cases {
        assert_eq!(PatchType::from_content_type(ct), want, "{ct}");
    }
}

#[test]
fn merge_patch_rfc7386() {
    let target = json!({"a": {"b": 1, "c": 2}, "l": [1, 2], "x": "y"});
    let body = br#"{"a": {"b": null, "d": 3}, "l": [3], "n": {"m": null}}"#;
    let got = apply_patch(&target, PatchType::Merge, body, false).expect("merge");
    assert_eq!(
        got,
        json!({"a": {"c": 2, "d": 3}, "l": [3], "x": "y", "n": {}})
    );
    for body in [&b"not json"[..], b"[1,2]", b"\"s\"", b"null", b""] {
        let err = apply_patch(&target, PatchType::Merge, body, true).expect_err("bad");
        assert!(matches!(err, PatchError::Malformed(_)), "{err:?}");
    }
}

#[test]
fn json_patch_rfc6902() {
    let target = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 1}});
    let body = br#"[
        {"op": "test", "path": "/spec/replicas", "value": 1},
        {"op": "replace", "path": "/spec/replicas", "value": 5},
        {"op": "add", "path": "/metadata/labels/b", "value": "2"},
        {"op": "remove", "path": "/metadata/labels/a"}
    ]"#;
    let got = apply_patch(&target, PatchType::Json, body, false).expect("json patch");
    assert_eq!(
        got,
        json!({"metadata": {"labels": {"b": "2"}}, "spec": {"replicas": 5}})
    );
    // (body, is a 400 rather than a 422)
    let cases: [(&[u8], bool); 8] = [
        (b"{}", true),
        (b"not json", true),
        (br#"[{"op": "frobnicate", "path": "/a"}]"#, true),
        (br#"[{"op": "add"}]"#, true),
        (br#"[{"op": "test", "path": "/spec/replicas", "value": 2}]"#, false),
        (br#"[{"op": "remove", "path": "/spec/missing"}]"#, false),
        (br#"[{"op": "replace", "path": "/nope/x", "value": 1}]"#, false),
        (br#"[{"op": "add", "path": "/a", "value": 1}, {"op": "test", "path": "/x", "value": 1}]"#, false),
    ];
    for (body, malformed) in cases {
        let err = apply_patch(&target, PatchType::Json, body, true).expect_err("must fail");
        let ok = match err {
            PatchError::Malformed(_) => malformed,
            PatchError::Unprocessable(ref m) => !malformed && m.contains("could not be applied"),
            PatchError::Unsupported(_) => false,
        };
        assert!(ok, "{}: {err:?}", String::from_utf8_lossy(body));
    }
}

#[test]
fn strategic_is_unsupported_for_custom_resources_and_needs_an_object() {
    let err = apply_patch(&json!({}), PatchType::Strategic, b"{}", false).expect_err("415");
    let want = "strategic merge patch is not supported for custom resources; \
                use --type merge or --type json";
    assert_eq!(err, PatchError::Unsupported(want.into()));
    for body in [&b"[]"[..], b"nope", b"1"] {
        let err = apply_patch(&json!({}), PatchType::Strategic, body, true).expect_err("bad");
        assert!(matches!(err, PatchError::Malformed(_)), "{err:?}");
    }
}

#[test]
fn kubectl_set_image_keeps_everything_else() {
    // Exactly what `kubectl set image deployment/web app=shop/web:2.0` sends.
    let (got, _) = on_deployment(
        r#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"sidecar"}],
            "containers":[{"image":"shop/web:2.0","name":"app"}]}}}}"#,
    );
    let mut want = parse(DEPLOYMENT);
    want["spec"]["template"]["spec"]["containers"][0]["image"] = json!("shop/web:2.0");
    assert_eq!(got, want);
    // The same with only the patched container named in the order directive.
    let (got, _) = on_deployment(
        r#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"}],
            "containers":[{"image":"envoy:1.31","name":"sidecar"}]}}}}"#,
    );
    let mut want = parse(DEPLOYMENT);
    want["spec"]["template"]["spec"]["containers"][1]["image"] = json!("envoy:1.31");
    assert_eq!(got, want);
}

#[test]
fn deployment_lists_merge_by_key_or_are_replaced() {
    let (got, c) = on_deployment(
        r#"{"spec": {"template": {"spec": {"containers": [{"name": "app", "args": ["--debug"],
              "env": [{"name": "LOG", "value": "debug"}, {"name": "NEW", "value": "x"}],
              "ports": [{"containerPort": 9090, "name": "prom"}],
              "volumeMounts": [{"mountPath": "/etc/cfg", "readOnly": true}]}],
            "tolerations": [{"key": "b", "operator": "Exists"}]}}}}"#,
    );
    let app = parse(
        r#"{"name": "app", "image": "shop/web:1.0", "args": ["--debug"],
            "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"},
                      {"containerPort": 9090, "name": "prom", "protocol": "TCP"}],
            "env": [{"name": "MODE", "value": "prod"}, {"name": "LOG", "value": "debug"},
                    {"name": "NEW", "value": "x"}],
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
            "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg", "readOnly": true}]}"#,
    );
    assert_eq!(c[0], app);
    assert_eq!(
        c[1],
        parse(DEPLOYMENT)["spec"]["template"]["spec"]["containers"][1]
    );
    let tolerations = &got["spec"]["template"]["spec"]["tolerations"];
    assert_eq!(tolerations, &json!([{"key": "b", "operator": "Exists"}]));
}

#[test]
fn deployment_elements_added_deleted_and_maps_merged() {
    // Without `$setElementOrder` a new element lands before the untouched live ones, as the
    // apiserver does (the kubectl-patch docs show the added container listed first).
    let (got, c) = on_deployment(
        r#"{"metadata": {"labels": {"app": null, "tier": "fe"}},
            "spec": {"replicas": 5, "paused": null, "template": {"spec": {
              "containers": [{"name": "debug", "image": "busybox"}],
              "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "ghost", "$patch": "delete"}],
              "imagePullSecrets": [{"name": "regcred"}]}}}}"#,
    );
    let names: Vec<&Value> = c.iter().map(|c| &c["name"]).collect();
    assert_eq!(names, [&json!("debug"), &json!("app"), &json!("sidecar")]);
    let spec = &got["spec"]["template"]["spec"];
    assert_eq!(
        spec["volumes"],
        json!([{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "web-cfg"}}])
    );
    assert_eq!(spec["imagePullSecrets"], json!([{"name": "regcred"}]));
    assert_eq!(got["metadata"]["labels"], json!({"tier": "fe"}));
    assert_eq!(
        (&got["spec"]["replicas"], got["spec"].get("paused")),
        (&json!(5), None)
    );

    let (_, c) = on_deployment(
        r#"{"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"},
              {"name": "app", "env": [{"name": "MODE", "$patch": "delete"}]}]}}}}"#,
    );
    assert_eq!(
        (c.len(), &c[0]["env"]),
        (1, &json!([{"name": "LOG", "value": "info"}]))
    );
}

/// (description, live object, strategic merge patch, expected result or "ERR")
#[rustfmt::skip]
const SMP_CASES: &[(&str, &str, &str, &str)] = &[
    ("maps merge, null deletes", r#"{"a": {"b": 1, "c": 2}, "d": 1}"#,
     r#"{"a": {"b": null, "e": 3}, "f": null}"#, r#"{"a": {"c": 2, "e": 3}, "d": 1}"#),
    ("type change replaces", r#"{"a": {"b": 1}, "l": [1]}"#, r#"{"a": "s", "l": {"x": 1}}"#,
     r#"{"a": "s", "l": {"x": 1}}"#),
    ("service ports merge by port",
     r#"{"kind": "Service", "spec": {"ports": [{"port": 80, "name": "a"}, {"port": 443}]}}"#,
     r#"{"spec": {"ports": [{"port": 443, "targetPort": 9443}]}}"#,
     r#"{"kind": "Service", "spec": {"ports": [{"port": 80, "name": "a"},
        {"port": 443, "targetPort": 9443}]}}"#),
    ("ports elsewhere are replaced", r#"{"kind": "EndpointSlice", "ports": [{"port": 1}]}"#,
     r#"{"ports": [{"port": 3}]}"#, r#"{"kind": "EndpointSlice", "ports": [{"port": 3}]}"#),
    ("conditions merge by type",
     r#"{"status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "Init"}]}}"#,
     r#"{"status": {"conditions": [{"type": "Ready", "status": "True"}]}}"#,
     r#"{"status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Init"}]}}"#),
    ("$patch replace on a map", r#"{"s": {"type": "A", "rollingUpdate": {"x": 1}}}"#,
     r#"{"s": {"$patch": "replace", "type": "B"}}"#, r#"{"s": {"type": "B"}}"#),
    ("$patch delete on a map", r#"{"s": {"type": "A"}, "t": 1}"#,
     r#"{"s": {"$patch": "delete"}}"#, r#"{"t": 1}"#),
    ("$patch merge is the default", r#"{"m": {"a": 1}}"#,
     r#"{"m": {"$patch": "merge", "b": 2}}"#, r#"{"m": {"a": 1, "b": 2}}"#),
    ("$patch replace on a list", r#"{"volumes": [{"name": "a"}, {"name": "b"}]}"#,
     r#"{"volumes": [{"$patch": "replace"}, {"name": "c"}]}"#, r#"{"volumes": [{"name": "c"}]}"#),
    ("$patch delete removes duplicates", r#"{"volumes": [{"name": "a"}, {"name": "b"}, {"name": "a"}]}"#,
     r#"{"volumes": [{"name": "a", "$patch": "delete"}]}"#, r#"{"volumes": [{"name": "b"}]}"#),
    ("$retainKeys drops unlisted keys", r#"{"s": {"type": "A", "rollingUpdate": {"x": 1}}}"#,
     r#"{"s": {"$retainKeys": ["type"], "type": "B"}}"#, r#"{"s": {"type": "B"}}"#),
    ("$retainKeys must list set keys", r#"{"s": {}}"#, r#"{"s": {"$retainKeys": ["a"], "x": 1}}"#, "ERR"),
    ("$retainKeys must be a list", r#"{"s": {}}"#, r#"{"s": {"$retainKeys": "type"}}"#, "ERR"),
    ("$setElementOrder alone reorders", r#"{"volumes": [{"name": "a"}, {"name": "b", "x": 1}]}"#,
     r#"{"$setElementOrder/volumes": [{"name": "b"}, {"name": "a"}]}"#,
     r#"{"volumes": [{"name": "b", "x": 1}, {"name": "a"}]}"#),
    ("$setElementOrder places new elements", r#"{"volumes": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}"#,
     r#"{"$setElementOrder/volumes": [{"name": "a"}, {"name": "n"}, {"name": "b"}],
        "volumes": [{"name": "n"}]}"#,
     r#"{"volumes": [{"name": "a"}, {"name": "n"}, {"name": "b"}, {"name": "c"}]}"#),
    ("$setElementOrder names absent elements", r#"{"volumes": [{"name": "1"}, {"name": "3"}]}"#,
     r#"{"$setElementOrder/volumes": [{"name": "3"}, {"name": "2"}, {"name": "1"}],
        "volumes": [{"name": "3", "v": 3}, {"name": "1"}]}"#,
     r#"{"volumes": [{"name": "3", "v": 3}, {"name": "1"}]}"#),
    ("patch order wins without the directive", r#"{"volumes": [{"name": "1"}, {"name": "2"}, {"name": "3"}]}"#,
     r#"{"volumes": [{"name": "3", "v": "c"}, {"name": "1"}]}"#,
     r#"{"volumes": [{"name": "2"}, {"name": "3", "v": "c"}, {"name": "1"}]}"#),
    ("patch list contradicting $setElementOrder", r#"{"volumes": [{"name": "a"}, {"name": "c"}]}"#,
     r#"{"$setElementOrder/volumes": [{"name": "a"}, {"name": "c"}],
        "volumes": [{"name": "c"}, {"name": "a"}]}"#, "ERR"),
    ("$setElementOrder must be a list", "{}", r#"{"$setElementOrder/volumes": {"name": "a"}}"#, "ERR"),
    ("finalizers merge as a set", r#"{"metadata": {"finalizers": ["a", "b"]}}"#,
     r#"{"metadata": {"finalizers": ["b", "c"]}}"#, r#"{"metadata": {"finalizers": ["a", "b", "c"]}}"#),
    ("$deleteFromPrimitiveList with order", r#"{"metadata": {"finalizers": ["a", "b", "c", "d"]}}"#,
     r#"{"metadata": {"$setElementOrder/finalizers": ["a", "b"],
        "$deleteFromPrimitiveList/finalizers": ["c", "zz"]}}"#,
     r#"{"metadata": {"finalizers": ["a", "b", "d"]}}"#),
    ("$deleteFromPrimitiveList on a replaced list", r#"{"args": ["a", "b", "a"]}"#,
     r#"{"$deleteFromPrimitiveList/args": ["a"]}"#, r#"{"args": ["b"]}"#),
    ("$deleteFromPrimitiveList creates nothing", r#"{"x": 1}"#,
     r#"{"$deleteFromPrimitiveList/args": ["a"]}"#, r#"{"x": 1}"#),
    ("$deleteFromPrimitiveList must be a list", "{}", r#"{"$deleteFromPrimitiveList/a": "a"}"#, "ERR"),
    ("unkeyed primitive lists replace", r#"{"args": ["a", "b"]}"#, r#"{"args": ["c"]}"#,
     r#"{"args": ["c"]}"#),
    ("keyed element without its key", r#"{"volumes": []}"#, r#"{"volumes": [{"x": {}}]}"#, "ERR"),
    ("delete element without its key", r#"{"volumes": []}"#, r#"{"volumes": [{"$patch": "delete"}]}"#, "ERR"),
    ("scalar in a keyed list", r#"{"volumes": []}"#, r#"{"volumes": ["a"]}"#, "ERR"),
    ("object in a set list", "{}", r#"{"metadata": {"finalizers": [{"a": 1}]}}"#, "ERR"),
    ("unknown $patch directive", "{}", r#"{"spec": {"$patch": "explode"}}"#, "ERR"),
    ("directives stripped from new values", r#"{"kind": "Pod"}"#,
     r#"{"spec": {"$retainKeys": ["containers", "volumes"],
        "containers": [{"name": "a", "$patch": "merge",
                        "env": [{"name": "X", "$patch": "delete"}, {"name": "Y"}]}],
        "volumes": [{"$patch": "replace"}, {"name": "v", "emptyDir": {"$patch": "replace"}}]},
        "metadata": {"labels": {"$patch": "replace", "a": "b", "gone": null}}}"#,
     r#"{"kind": "Pod", "metadata": {"labels": {"a": "b"}}, "spec": {
        "containers": [{"name": "a", "env": [{"name": "Y"}]}],
        "volumes": [{"name": "v", "emptyDir": {}}]}}"#),
];

#[test]
fn strategic_merge_table() {
    for (desc, live, patch, want) in SMP_CASES {
        let (live, patch) = (parse(live), parse(patch));
        let got = smp(&live, &patch);
        if *want == "ERR" {
            assert!(
                matches!(got, Err(PatchError::Malformed(_))),
                "{desc}: {got:?}"
            );
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{desc}: {e:?}"));
        assert_no_directives(&got);
        assert_eq!(got, parse(want), "{desc}");
    }
}

#[test]
fn target_is_never_modified() {
    let live = parse(DEPLOYMENT);
    let containers = json!([{"name": "app", "image": "x"}]);
    let patch = json!({"spec": {"replicas": 9, "template": {"spec": {"containers": containers}}}});
    smp(&live, &patch).expect("applies");
    assert_eq!(live, parse(DEPLOYMENT));
}
