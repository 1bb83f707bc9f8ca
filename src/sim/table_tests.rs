use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::*;

const NOW: &str = "2024-05-01T12:00:00Z";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn def(plural: &str, custom: bool, cols: Vec<PrinterColumn>) -> ResourceDef {
    let kind = if custom { "Rollout" } else { "Pod" };
    ResourceDef {
        group: if custom { "argoproj.io" } else { "" }.into(),
        version: if custom { "v1alpha1" } else { "v1" }.into(),
        plural: plural.into(),
        singular: kind.to_lowercase(),
        kind: kind.into(),
        list_kind: format!("{kind}List"),
        namespaced: true,
        short_names: vec![],
        categories: vec![],
        verbs: vec!["get".into(), "list".into()],
        status_subresource: custom,
        scale_subresource: custom,
        printer_columns: cols,
        schema: None,
        custom,
    }
}

fn builtin(plural: &str) -> ResourceDef {
    def(plural, false, builtin_columns(plural))
}

/// A CRD printer column (`additionalPrinterColumns` entry).
fn pc(name: &str, type_: &str, json_path: &str, description: &str) -> PrinterColumn {
    let mut c = builtin_columns("*").remove(0);
    (c.name, c.type_, c.format) = (name.into(), type_.into(), String::new());
    (c.json_path, c.description) = (json_path.into(), description.into());
    c
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

/// The rows of the Table of `objects` at `now`, one line each, cells separated by ` | `:
/// string cells as they are, other cells as `#` and their JSON (`#5`, `#null`).
fn rows(d: &ResourceDef, objects: Value, now: &str) -> String {
    let t = table(d, arr(&objects), IncludeObject::None, "1", at(now));
    let cell = |c: &Value| c.as_str().map_or(format!("#{c}"), str::to_string);
    let row = |r: &Value| {
        let cells: Vec<String> = arr(&r["cells"]).iter().map(cell).collect();
        cells.join(" | ")
    };
    let rows: Vec<String> = arr(&t["rows"]).iter().map(row).collect();
    rows.join("\n")
}

/// Headers as kubectl prints them (`wide`: with `-o wide`).
fn headers(d: &ResourceDef, wide: bool) -> String {
    let t = table(d, &[], IncludeObject::None, "1", at(NOW));
    let cols = arr(&t["columnDefinitions"]).iter();
    let cols = cols.filter(|c| wide || c["priority"] == 0);
    let names: Vec<String> = cols.map(|c| c["name"].to_string().to_uppercase()).collect();
    names.join(" ").replace('"', "")
}

/// The `additionalPrinterColumns` of sim-data/crds/rollout-crd.yaml (name|type|path|doc).
fn rollout_def() -> ResourceDef {
    let spec = "\
Desired|integer|.spec.replicas|Number of desired pods
Current|integer|.status.replicas|Total number of non-terminated pods targeted by this rollout
Up-to-date|integer|.status.updatedReplicas|Total number of non-terminated pods targeted by this \
rollout that have the desired template spec
Available|integer|.status.availableReplicas|Total number of available pods (ready for at least \
minReadySeconds) targeted by this rollout
Age|date|.metadata.creationTimestamp|Time since resource was created";
    let fields = spec.lines().map(|l| l.split('|').collect::<Vec<_>>());
    let cols = fields.map(|f| pc(f[0], f[1], f[2], f[3])).collect();
    def("rollouts", true, cols)
}

/// shared/fixtures/argo-rollouts/info-testdata/canary/canary-rollout.yaml, the fields that
/// matter here.
fn canary_rollout() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {
            "annotations": {"rollout.argoproj.io/revision": "31"},
            "creationTimestamp": "2019-10-25T06:07:18Z", "generation": 429,
            "labels": {"app": "canary-demo", "app.kubernetes.io/instance": "jesse-test"},
            "name": "canary-demo", "namespace": "jesse-test", "resourceVersion": "28253567",
            "uid": "b350ba76-f6ed-11e9-a15b-42010aa80033"
        },
        "spec": {"replicas": 5, "selector": {"matchLabels": {"app": "canary-demo"}}},
        "status": {
            "HPAReplicas": 6, "availableReplicas": 5, "readyReplicas": 5, "replicas": 6,
            "updatedReplicas": 1, "currentPodHash": "65fb5ffc84", "observedGeneration": "429",
            "selector": "app=canary-demo", "stableRS": "877894d5b"
        }
    })
}

#[test]
fn rollout_table_matches_kubectl_get_rollouts() {
    let (d, rollout) = (rollout_def(), [canary_rollout()]);
    let now = at("2019-10-28T06:07:18Z");
    let t = table(&d, &rollout, IncludeObject::Metadata, "28253600", now);
    assert_eq!(t["kind"], "Table");
    assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(t["metadata"], json!({"resourceVersion": "28253600"}));
    let name = json!({"name": "Name", "type": "string", "format": "name", "priority": 0,
        "description": NAME_DESCRIPTION});
    assert_eq!(t["columnDefinitions"][0], name);
    let age = json!({"name": "Age", "type": "date", "format": "", "priority": 0,
        "description": "Time since resource was created"});
    assert_eq!(t["columnDefinitions"][5], age);
    let header = "NAME DESIRED CURRENT UP-TO-DATE AVAILABLE AGE";
    assert_eq!(headers(&d, false), header);
    // kubectl get rollouts: canary-demo   5   6   1   5   3d
    let cells = json!(["canary-demo", 5, 6, 1, 5, "3d"]);
    assert_eq!(t["rows"][0]["cells"], cells);
    let obj = &t["rows"][0]["object"];
    assert_eq!(obj["kind"], "PartialObjectMetadata");
    assert_eq!(obj["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(obj["metadata"], canary_rollout()["metadata"]);
    assert!(obj.get("spec").is_none());
    let later = |now| rows(&d, json!(rollout), now);
    let row = |age| format!("canary-demo | #5 | #6 | #1 | #5 | {age}");
    assert_eq!(later("2019-10-29T10:07:18Z"), row("4d4h"));
    assert_eq!(later("2024-10-25T06:07:18Z"), row("5y2d"));
    assert_eq!(later("2019-10-25T06:07:17Z"), row("0s"));
}

#[test]
fn include_object_variants() {
    let query = IncludeObject::from_query;
    assert_eq!(query(None), IncludeObject::Metadata);
    assert_eq!(query(Some("Metadata")), IncludeObject::Metadata);
    assert_eq!(query(Some("None")), IncludeObject::None);
    assert_eq!(query(Some("Object")), IncludeObject::Object);
    assert_eq!(query(Some("bogus")), IncludeObject::Metadata);
    let (d, objs, bare, now) = (rollout_def(), [canary_rollout()], [json!({})], at(NOW));
    let full = table(&d, &objs, IncludeObject::Object, "1", now);
    assert_eq!(full["rows"][0]["object"], canary_rollout());
    let none = table(&d, &objs, IncludeObject::None, "1", now);
    assert_eq!(none["rows"][0].get("object"), Some(&Value::Null));
    let bare = table(&d, &bare, IncludeObject::Metadata, "1", now);
    assert_eq!(bare["rows"][0]["object"]["metadata"], json!({}));
    let empty = table(&d, &[], IncludeObject::Metadata, "7", now);
    assert_eq!(empty["rows"], json!([]));
    assert_eq!(arr(&empty["columnDefinitions"]).len(), 6);
}

#[test]
fn crd_without_columns_gets_age() {
    let d = def("widgets", true, vec![]);
    let t = table(&d, &[], IncludeObject::None, "1", at(NOW));
    let age = &t["columnDefinitions"][1];
    assert_eq!(age["type"], "date");
    assert_eq!(age["description"], CREATION_DESCRIPTION);
    let w = json!([{"metadata": {"name": "w", "creationTimestamp": "2024-05-01T11:54:58Z"}}, {}]);
    assert_eq!(rows(&d, w, NOW), "w | 5m2s\n | #null");
}

#[test]
fn crd_cells_follow_the_column_type() {
    let specs = "integer .v.f, integer .v.s, number .v.i, number .v.f, boolean .v.b, boolean .v.s, \
        string .v.s, string .v.i, string .v.f, string .v.b, string .v.o, string .v.a, string .v.n, \
        string .v.nope.deeper, date .v.s, date .v.empty, date .v.i, string {.v.a[1].k}, integer .v.n";
    let specs = specs.split(',').map(|s| s.trim().split_once(' ').unwrap());
    let mut cols: Vec<PrinterColumn> = specs.map(|(t, p)| pc("C", t, p, "")).collect();
    cols[1].priority = 1;
    let d = def("widgets", true, cols);
    let obj = json!({"metadata": {"name": "w"}, "v": {"f": 2.7, "s": "text", "i": 3, "b": true,
        "n": null, "empty": "", "o": {"z": 1, "a": "<b>"}, "a": [1, {"k": "second"}]}});
    let expected = r#"w | #2 | #null | #3 | #2.7 | #true | #null | text | 3 | 2.7 | true | {"a":"\u003cb\u003e","z":1} | [1,{"k":"second"}] | <no value> | #null | <invalid> | <unknown> | #null | second | #null"#;
    assert_eq!(rows(&d, json!([obj]), NOW), expected);
    let t = table(&d, &[], IncludeObject::None, "1", at(NOW));
    let described = "Custom resource definition column (in JSONPath format): .v.f";
    assert_eq!(t["columnDefinitions"][1]["description"], described);
    assert_eq!(t["columnDefinitions"][2]["priority"], 1);
    assert_eq!(headers(&d, false).split(' ').count(), 19);
}

#[test]
fn json_path_subset() {
    let o = json!({"a": {"b": [{"c": 1}, {"c": 2}], "d.e": "x", "n": null, "s": "t"}});
    let eval = |p: &str| eval_json_path(&o, p);
    assert_eq!(eval(".a.b[1].c"), Some(json!(2)));
    assert_eq!(eval("{.a.b[0].c}"), Some(json!(1)));
    assert_eq!(eval("$.a.b[-1].c"), Some(json!(2)));
    assert_eq!(eval(".a['d.e']"), Some(json!("x")));
    assert_eq!(eval(".a[\"d.e\"]"), Some(json!("x")));
    assert_eq!(eval(".a.n"), Some(Value::Null));
    assert_eq!(eval(".a"), o.get("a").cloned());
    for missing in ".a.n.x .a.b[5].c .a.missing .a.b.c .a..c .a.s[0] .a.b[x]".split(' ') {
        assert_eq!(eval(missing), None, "{missing}");
    }
}

#[test]
fn human_durations_match_the_real_rules() {
    let cases = "-5 <invalid>, -1 0s, 0 0s, 59 59s, 119 119s, 120 2m, 302 5m2s, 600 10m, \
        10799 179m, 10800 3h, 11100 3h5m, 28800 8h, 172799 47h, 172800 2d, 273600 3d4h, \
        691200 8d, 62985600 729d, 63072000 2y, 63331200 2y3d, 252288000 8y";
    for case in cases.split(", ") {
        let (secs, want) = case.split_once(' ').unwrap();
        let got = human_duration(TimeDelta::seconds(secs.parse().unwrap()));
        assert_eq!(got, want, "{secs}s");
    }
    assert_eq!(human_duration(TimeDelta::milliseconds(-1500)), "0s");
}

#[test]
fn builtin_headers_as_kubectl_prints_them() {
    let expected = "\
namespaces NAME STATUS AGE | NAME STATUS AGE
pods NAME READY STATUS RESTARTS AGE | NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE \
READINESS GATES
services NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE | NAME TYPE CLUSTER-IP EXTERNAL-IP \
PORT(S) AGE SELECTOR
configmaps NAME DATA AGE | NAME DATA AGE
events LAST SEEN TYPE REASON OBJECT MESSAGE | LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE \
MESSAGE FIRST SEEN COUNT NAME
deployments NAME READY UP-TO-DATE AVAILABLE AGE | NAME READY UP-TO-DATE AVAILABLE AGE \
CONTAINERS IMAGES SELECTOR
replicasets NAME DESIRED CURRENT READY AGE | NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES \
SELECTOR
selfsubjectreviews NAME AGE | NAME AGE
selfsubjectaccessreviews NAME AGE | NAME AGE";
    for line in expected.lines() {
        let (plural, _) = line.split_once(' ').unwrap();
        let d = builtin(plural);
        let got = format!("{plural} {} | {}", headers(&d, false), headers(&d, true));
        assert_eq!(got, line);
    }
    let rs = builtin_columns("replicasets");
    assert!(rs.iter().all(|c| c.json_path.starts_with("builtin:")));
    assert_eq!((rs[0].format.as_str(), rs[0].priority), ("name", 0));
    assert_eq!((rs[1].type_.as_str(), rs[5].priority), ("integer", 1));
    assert_eq!(rs[4].description, CREATION_DESCRIPTION);
    // Without catalog columns, a built-in kind's are looked up by plural.
    let bare = def("pods", false, vec![]);
    assert_eq!(headers(&bare, true), headers(&builtin("pods"), true));
}

#[test]
fn namespaces_and_configmaps() {
    let ns = json!([
        {"metadata": {"name": "shop", "creationTimestamp": "2024-04-01T12:00:00Z"}, "status": {"phase": "Terminating"}},
        {"metadata": {"name": "new"}}
    ]);
    let got = rows(&builtin("namespaces"), ns, NOW);
    assert_eq!(got, "shop | Terminating | 30d\nnew | Active | <unknown>");
    let cms = json!([
        {"metadata": {"name": "cfg", "creationTimestamp": "2024-05-01T11:59:15Z"}, "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}},
        {"metadata": {"name": "empty", "creationTimestamp": "2024-05-01T09:00:00Z"}}
    ]);
    let got = rows(&builtin("configmaps"), cms, NOW);
    assert_eq!(got, "cfg | #3 | 45s\nempty | #0 | 3h");
}

#[test]
fn pod_cells() {
    let running = json!({"running": {"startedAt": "2024-05-01T11:00:05Z"}});
    let restarted = json!({"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:55:00Z"}});
    let meta = |name: &str| json!({"name": name, "creationTimestamp": "2024-05-01T11:00:00Z"});
    let spec = json!({"containers": [{"name": "app", "image": "shop:1"}, {"name": "proxy", "image": "envoy"}], "nodeName": "node-a"});
    let pods = json!([
        {"metadata": meta("ok"), "spec": spec, "status": {"phase": "Running", "podIP": "10.0.0.7", "podIPs": [{"ip": "10.0.0.7"}], "containerStatuses": [
            {"name": "app", "ready": true, "restartCount": 2, "state": running, "lastState": restarted},
            {"name": "proxy", "ready": true, "restartCount": 1, "state": running}]}},
        {"metadata": meta("crash"), "spec": spec, "status": {"phase": "Running", "containerStatuses": [
            {"name": "app", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
            {"name": "proxy", "ready": true, "restartCount": 0, "state": running}]}},
        {"metadata": meta("init"), "spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "migrate"}, {"name": "seed"}]},
         "status": {"phase": "Pending", "initContainerStatuses": [
            {"name": "migrate", "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
            {"name": "seed", "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}},
        {"metadata": meta("queued"), "spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "migrate"}]},
         "status": {"phase": "Pending", "initContainerStatuses": [{"name": "migrate", "restartCount": 0, "state": {"running": {}}}]}},
        {"metadata": meta("done"), "spec": {"containers": [{"name": "job"}], "readinessGates": [{"conditionType": "example.com/ready"}]},
         "status": {"phase": "Succeeded", "conditions": [{"type": "example.com/ready", "status": "True"}], "containerStatuses": [
            {"name": "job", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}},
        {"metadata": {"name": "gone", "deletionTimestamp": "2024-05-01T11:59:00Z"}, "spec": {"containers": [{"name": "app"}]},
         "status": {"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": running}]}},
        {"metadata": meta("oom"), "spec": {"containers": [{"name": "app"}]}, "status": {"phase": "Running", "containerStatuses": [
            {"name": "app", "restartCount": 4, "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}},
        {"metadata": meta("killed"), "spec": {"containers": [{"name": "app"}]}, "status": {"phase": "Running", "containerStatuses": [
            {"name": "app", "restartCount": 0, "state": {"terminated": {"exitCode": 143, "signal": 15}}}]}},
        {"metadata": meta("gated"), "spec": {"containers": [{"name": "app"}]},
         "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}},
        {"metadata": {"name": "new", "creationTimestamp": "2024-05-01T11:59:50Z"}, "spec": {"containers": [{"name": "a"}]}, "status": {"phase": "Pending"}}
    ]);
    // A real server would show `Init:CrashLoopBackOff` and `SchedulingGated` for `init` and
    // `gated`: init container failures and scheduling gates are not modelled.
    let expected = "\
ok | 2/2 | Running | 3 (5m ago) | 60m | 10.0.0.7 | node-a | <none> | <none>
crash | 1/2 | CrashLoopBackOff | 0 | 60m | <none> | node-a | <none> | <none>
init | 0/1 | Init:1/2 | 3 | 60m | <none> | <none> | <none> | <none>
queued | 0/1 | Init:0/1 | 0 | 60m | <none> | <none> | <none> | <none>
done | 0/1 | Completed | 0 | 60m | <none> | <none> | <none> | 1/1
gone | 1/1 | Terminating | 0 | <unknown> | <none> | <none> | <none> | <none>
oom | 0/1 | OOMKilled | 4 | 60m | <none> | <none> | <none> | <none>
killed | 0/1 | Signal:15 | 0 | 60m | <none> | <none> | <none> | <none>
gated | 0/1 | Pending | 0 | 60m | <none> | <none> | <none> | <none>
new | 0/1 | Pending | 0 | 10s | <none> | <none> | <none> | <none>";
    assert_eq!(rows(&builtin("pods"), pods.clone(), NOW), expected);
    let t = table(
        &builtin("pods"),
        arr(&pods),
        IncludeObject::None,
        "1",
        at(NOW),
    );
    let completed = json!([{"type": "Completed", "status": "True", "reason": "Succeeded",
        "message": "The pod has completed successfully."}]);
    assert_eq!(t["rows"][4]["conditions"], completed);
    assert!(t["rows"][0].get("conditions").is_none());
}

#[test]
fn service_cells() {
    let meta = json!({"name": "web", "creationTimestamp": "2024-04-30T12:00:00Z"});
    let services = json!([
        {"metadata": meta, "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
            "ports": [{"port": 80, "protocol": "TCP"}, {"port": 443}], "selector": {"tier": "web", "app": "shop"}}},
        {"metadata": meta, "spec": {"type": "LoadBalancer", "clusterIPs": ["10.96.0.11"], "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}},
        {"metadata": meta, "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.12", "externalIPs": ["198.51.100.1"]},
            "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}, {"hostname": "lb.example.com"}]}}},
        {"metadata": meta, "spec": {"type": "ExternalName", "externalName": "db.example.com"}},
        {"metadata": meta, "spec": {"clusterIP": "None", "ports": [{"port": 53, "protocol": "UDP"}]}}
    ]);
    let expected = "\
web | ClusterIP | 10.96.0.10 | <none> | 80/TCP,443/TCP | 24h | app=shop,tier=web
web | LoadBalancer | 10.96.0.11 | <pending> | 80:30080/TCP | 24h | <none>
web | LoadBalancer | 10.96.0.12 | 203.0.113.9,lb.example.com,198.51.100.1 | <none> | 24h | <none>
web | ExternalName | <none> | db.example.com | <none> | 24h | <none>
web | ClusterIP | None | <none> | 53/UDP | 24h | <none>";
    assert_eq!(rows(&builtin("services"), services, NOW), expected);
}

#[test]
fn event_cells_from_both_forms() {
    let events = json!([
        {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web-1.17c1", "namespace": "shop"},
         "involvedObject": {"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{app}"},
         "reason": "BackOff", "message": "  Back-off restarting failed container\n", "type": "Warning",
         "source": {"component": "kubelet", "host": "node-a"}, "firstTimestamp": "2024-05-01T10:00:00Z",
         "lastTimestamp": "2024-05-01T11:58:00Z", "count": 7, "eventTime": null,
         "reportingComponent": "kubelet", "reportingInstance": "node-a"},
        {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "rs.17c2"},
         "eventTime": "2024-05-01T11:30:00.000000Z", "reportingController": "deployment-controller",
         "reason": "ScalingReplicaSet", "regarding": {"kind": "Deployment", "name": "web"},
         "note": "Scaled up replica set web-7d4b9c to 3", "type": "Normal",
         "series": {"count": 4, "lastObservedTime": "2024-05-01T11:59:00.000000Z"}},
        {"metadata": {"name": "e"}, "involvedObject": {"kind": "Node"}, "eventTime": "2024-05-01T11:59:30Z"}
    ]);
    let expected = "\
2m | Warning | BackOff | pod/web-1 | spec.containers{app} | kubelet, node-a | Back-off restarting failed container | 120m | #7 | web-1.17c1
60s | Normal | ScalingReplicaSet | deployment/web |  | deployment-controller | Scaled up replica set web-7d4b9c to 3 | 30m | #4 | rs.17c2
30s |  |  | node |  |  |  | 30s | #1 | e";
    assert_eq!(rows(&builtin("events"), events, NOW), expected);
}

#[test]
fn deployment_and_replicaset_cells() {
    let tmpl = json!({"spec": {"containers": [{"name": "app", "image": "shop:2"}, {"name": "proxy", "image": "envoy:1"}]}});
    let selector = json!({"matchLabels": {"app": "shop"}, "matchExpressions": [
        {"key": "env", "operator": "In", "values": ["prod", "canary"]}, {"key": "legacy", "operator": "DoesNotExist"},
        {"key": "arch", "operator": "NotIn", "values": ["arm"]}, {"key": "zone", "operator": "Exists"}]});
    let deployments = json!([
        {"metadata": {"name": "web", "creationTimestamp": "2024-05-01T04:00:00Z"}, "spec": {"replicas": 3, "selector": selector, "template": tmpl},
         "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}},
        {"metadata": {"name": "fresh"}, "spec": {"template": {"spec": {"containers": []}}}}
    ]);
    let expected = "\
web | 2/3 | #3 | #2 | 8h | app,proxy | shop:2,envoy:1 | app=shop,arch notin (arm),env in (canary,prod),!legacy,zone
fresh | 0/1 | #0 | #0 | <unknown> |  |  | ";
    assert_eq!(rows(&builtin("deployments"), deployments, NOW), expected);
    let replicasets = json!([
        {"metadata": {"name": "web-7d4b9c", "creationTimestamp": "2024-04-28T12:00:00Z"},
         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "shop", "pod-template-hash": "7d4b9c"}}, "template": tmpl},
         "status": {"replicas": 3, "readyReplicas": 1}},
        {"metadata": {"name": "fresh"}},
        {"metadata": {"name": "bad"}, "spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}}}
    ]);
    let expected = "\
web-7d4b9c | #3 | #3 | #1 | 3d | app,proxy | shop:2,envoy:1 | app=shop,pod-template-hash=7d4b9c
fresh | #1 | #0 | #0 | <unknown> |  |  | <none>
bad | #1 | #0 | #0 | <unknown> |  |  | <error>";
    assert_eq!(rows(&builtin("replicasets"), replicasets, NOW), expected);
}
