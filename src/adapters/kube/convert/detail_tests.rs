//! The detail snapshot against the CLI's own outputs (`expected/*.txt` of
//! `kubectl argo rollouts get rollout` for Argo Rollouts' `info-testdata`), plus analysis
//! values, thresholds, events and Deployment trees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::*;

fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

fn argo_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/argo-rollouts")
}

/// Every object of every YAML file of an info test data set (every document; the items of
/// a `List`). As the CLI's test harness does (`info/testdata/testdata.go`), every object is
/// created at the same time (a week ago), so ties in creation order fall back to names.
fn load(set: &str) -> Vec<Value> {
    let dir = argo_fixtures().join("info-testdata").join(set);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    paths.sort();
    let docs = paths.iter().flat_map(|p| {
        let text = std::fs::read_to_string(p).unwrap();
        serde_saphyr::from_multiple::<Value>(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    });
    docs.flat_map(|d| match d["kind"].as_str() {
        Some("List") => d["items"].as_array().cloned().unwrap_or_default(),
        _ => vec![d],
    })
    .filter(|v| !v.is_null())
    .map(|mut v| {
        v["metadata"]["creationTimestamp"] = json!((now() - TimeDelta::days(7)).to_rfc3339());
        v
    })
    .collect()
}

fn of_kind(objs: &[Value], kind: &str) -> Vec<Value> {
    objs.iter().filter(|o| o["kind"] == kind).cloned().collect()
}

/// The snapshot of the Rollout `name` of a data set, with all its set's objects.
fn rollout_snapshot(set: &str, name: &str) -> DetailSnapshot {
    let objs = load(set);
    let ro = objs
        .iter()
        .find(|o| o["kind"] == "Rollout" && o["metadata"]["name"] == name)
        .unwrap();
    snapshot_at(
        now(),
        ro,
        &of_kind(&objs, "ReplicaSet"),
        &of_kind(&objs, "Pod"),
        &of_kind(&objs, "AnalysisRun"),
        &[],
    )
}

/// Our tree as the CLI's columns: name, KIND, `symbol status`, INFO (cells joined by `,`
/// as the CLI joins them).
fn render(tree: &[TreeNode]) -> Vec<[String; 4]> {
    let status = |n: &TreeNode| format!("{} {}", n.symbol, n.status).trim().to_string();
    let cells = |n: &TreeNode| {
        [
            n.name.clone(),
            n.kind.label().into(),
            status(n),
            n.info.join(","),
        ]
    };
    tree.iter().map(cells).collect()
}

/// The tree of an expected output: columns split on runs of 2+ spaces after the drawing
/// glyphs and the icon; AGE dropped; the CLI's `॥` read as our `‖`.
fn expected_tree(file: &str) -> Vec<[String; 4]> {
    let text = std::fs::read_to_string(argo_fixtures().join("expected").join(file)).unwrap();
    text.lines()
        .skip_while(|l| !l.starts_with("NAME "))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let l = l.trim_start_matches(['│', '├', '└', '─', ' ']).trim_end();
            let cols: Vec<&str> = l
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            let name = cols[0].split_once(' ').unwrap().1.to_string();
            let col = |i: usize| cols.get(i).map_or(String::new(), |c| c.replace('॥', "‖"));
            [name, col(1), col(2), col(4)]
        })
        .collect()
}

fn assert_tree(snapshot: &DetailSnapshot, file: &str) {
    let (got, want) = (render(&snapshot.tree), expected_tree(file));
    assert!(
        want.len() > 1 || file == "rollout-invalid.txt",
        "{file}: nothing"
    );
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{file}: line {i}");
    }
    assert_eq!(got.len(), want.len(), "{file}: {got:#?}");
}

#[test]
fn canary_tree_matches_the_cli() {
    let s = rollout_snapshot("canary", "canary-demo");
    assert_tree(&s, "canary.txt");
    let pull = s
        .tree
        .iter()
        .find(|n| n.status == "ImagePullBackOff")
        .unwrap();
    assert_eq!(
        (pull.depth, pull.revision, pull.symbol.as_str()),
        (3, Some(31), "⚠")
    );
}

#[test]
fn blue_green_tree_matches_the_cli() {
    let s = rollout_snapshot("blue-green", "bluegreen-demo");
    assert_tree(&s, "blue-green.txt");
    let depths: Vec<u8> = s.tree.iter().map(|n| n.depth).collect();
    assert_eq!(&depths[..6], &[0, 1, 2, 3, 3, 3]);
}

#[test]
fn aborted_tree_matches_the_cli() {
    let s = rollout_snapshot("rollout-aborted", "rollout-background-analysis");
    assert_tree(&s, "rollout-aborted.txt");
}

#[test]
fn invalid_rollout_is_a_lone_degraded_line() {
    let s = rollout_snapshot("rollout-invalid", "rollout-invalid");
    assert_tree(&s, "rollout-invalid.txt");
    assert!(s.analysis.is_empty() && s.events.is_empty());
}

#[test]
fn ping_pong_tags_follow_the_stable_side() {
    // canary-demo-pingpong: stablePingPong = pong, so the canary is ping.
    let s = rollout_snapshot("canary", "canary-demo-pingpong");
    let info = |name: &str| {
        s.tree
            .iter()
            .find(|n| n.name == name)
            .unwrap()
            .info
            .join(",")
    };
    assert_eq!(info("canary-demo-877894d5b"), "stable,pong");
    assert_eq!(info("canary-demo-65fb5ffc84"), "canary,ping");
}

#[test]
fn aborted_analysis_shows_the_measured_value() {
    let s = rollout_snapshot("rollout-aborted", "rollout-background-analysis");
    let [run] = s.analysis.as_slice() else {
        panic!("{:?}", s.analysis)
    };
    assert_eq!(run.name, "rollout-background-analysis-db976bc44-2");
    assert_eq!(
        (run.phase.as_str(), run.revision, run.background),
        ("Failed", Some(2), true)
    );
    assert_eq!(
        run.message,
        "metric \"web\" assessed Failed due to failed (1) > failureLimit (0)"
    );
    let [m] = run.metrics.as_slice() else {
        panic!()
    };
    assert_eq!((m.name.as_str(), m.phase.as_str()), ("web", "Failed"));
    // A string comparison: kept raw, no numeric threshold.
    assert_eq!(m.success_condition, "result == \"true\"");
    assert_eq!(m.threshold, None);
    assert_eq!((m.failed, m.successful), (1, 0));
    let limits = (m.failure_limit, m.inconclusive_limit);
    assert_eq!(
        (limits, m.consecutive_error_limit),
        ((Some(0), Some(0)), Some(4))
    );
    let [meas] = m.measurements.as_slice() else {
        panic!()
    };
    assert_eq!(
        (meas.value.as_str(), meas.phase.as_str()),
        ("false", "Failed")
    );
    assert_eq!(meas.at, "2020-09-22T09:10:04Z".parse().ok());
}

#[test]
fn numeric_condition_gives_a_threshold_and_limits_are_read() {
    let objs = load("rollout-aborted");
    let mut run = of_kind(&objs, "AnalysisRun").remove(0);
    run["metadata"]["labels"] =
        json!({"rollouts-pod-template-hash": "db976bc44", "step-index": "1"});
    run["metadata"]["annotations"] = json!({});
    let metric = &mut run["spec"]["metrics"][0];
    metric["successCondition"] = json!("result[0] >= 0.95");
    metric["failureLimit"] = json!("2");
    metric["consecutiveErrorLimit"] = json!(1);
    run["status"]["metricResults"][0]["measurements"][0]["value"] = json!("[0.91]");
    run["status"]["metricResults"][0]["error"] = json!(2);
    let ro = of_kind(&objs, "Rollout").remove(0);
    let s = snapshot_at(now(), &ro, &of_kind(&objs, "ReplicaSet"), &[], &[run], &[]);
    let run = &s.analysis[0];
    // No revision annotation: the revision of the ReplicaSet with the run's hash.
    assert_eq!((run.revision, run.background), (Some(2), false));
    let m = &run.metrics[0];
    let t = m.threshold.clone().unwrap();
    assert_eq!((t.op.as_str(), t.value, t.success), (">=", 0.95, true));
    assert_eq!(m.measurements[0].value, "[0.91]");
    assert_eq!(
        (m.failure_limit, m.consecutive_error_limit),
        (Some(2), Some(1))
    );
    let line = s
        .tree
        .iter()
        .find(|n| n.kind == NodeKind::AnalysisRun)
        .unwrap();
    assert_eq!(line.info, ["✖ 1", "⚠ 2"]);
}

fn event(i: i64, about: &str, kind: &str) -> Value {
    let at = now() - TimeDelta::minutes(i);
    json!({
        "apiVersion": "v1", "kind": "Event",
        "involvedObject": {"kind": kind, "name": about, "namespace": "shop"},
        "type": if i % 2 == 0 { "Warning" } else { "Normal" },
        "reason": format!("R{i}"), "message": format!("m{i}"), "count": 2,
        "lastTimestamp": at.to_rfc3339(), "eventTime": null
    })
}

#[test]
fn events_are_the_workloads_newest_first_and_capped() {
    let ro = json!({"kind": "Rollout", "metadata": {"name": "web", "namespace": "shop"}});
    // Shuffled ages 0..25 minutes, plus events of other objects that must not show.
    let mut events: Vec<Value> = (0..25)
        .map(|i| event((i * 7) % 25, "web", "Rollout"))
        .collect();
    events.push(event(0, "web", "Deployment"));
    events.push(event(0, "other", "Rollout"));
    events.push(json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "regarding": {"kind": "Rollout", "name": "web", "namespace": "shop"},
        "type": "Warning", "reason": "Series", "note": "from series",
        "eventTime": (now() - TimeDelta::hours(1)).to_rfc3339(),
        "series": {"count": 9, "lastObservedTime": (now() + TimeDelta::seconds(1)).to_rfc3339()}
    }));
    events.push(json!({"kind": "Event", "involvedObject": "not an object"}));
    let s = snapshot_at(now(), &ro, &[], &[], &[], &events);
    assert_eq!(s.events.len(), MAX_EVENTS);
    let first = &s.events[0];
    assert_eq!(
        (first.reason.as_str(), first.message.as_str()),
        ("Series", "from series")
    );
    assert_eq!((first.count, first.warning), (9, true));
    let reasons: Vec<&str> = s.events[1..].iter().map(|e| e.reason.as_str()).collect();
    let want: Vec<String> = (0..19).map(|i| format!("R{i}")).collect();
    assert_eq!(reasons, want);
    assert!(s.events[1].warning && !s.events[2].warning);
    assert!(
        s.events
            .windows(2)
            .all(|w| w[0].last_seen >= w[1].last_seen)
    );
}

fn rs(name: &str, rev: u32, replicas: i64, available: i64) -> Value {
    json!({
        "kind": "ReplicaSet",
        "metadata": {
            "name": name, "namespace": "shop", "uid": format!("uid-{name}"), "generation": 1,
            "creationTimestamp": "2026-03-01T10:00:00Z",
            "labels": {"pod-template-hash": name.rsplit('-').next()},
            "annotations": {"deployment.kubernetes.io/revision": rev.to_string()},
            "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "uid-web"}]
        },
        "spec": {"replicas": replicas},
        "status": {"observedGeneration": 1, "replicas": replicas, "availableReplicas": available}
    })
}

fn pod(name: &str, owner: &str, created: &str, status: Value) -> Value {
    json!({
        "kind": "Pod",
        "metadata": {
            "name": name, "namespace": "shop", "creationTimestamp": created,
            "ownerReferences": [{"kind": "ReplicaSet", "name": owner, "uid": format!("uid-{owner}")}]
        },
        "spec": {"containers": [{"name": "app"}, {"name": "envoy"}]},
        "status": status
    })
}

fn running(restarts: i64) -> Value {
    json!({"restartCount": restarts, "ready": true, "state": {"running": {}}})
}

#[test]
fn deployment_tree_has_revisions_replica_sets_and_pods() {
    let d = json!({
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "uid": "uid-web", "generation": 3},
        "spec": {"replicas": 2},
        "status": {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1}
    });
    let rss = [
        rs("web-new", 3, 2, 1),
        rs("web-old", 2, 0, 0),
        json!({"kind": "ReplicaSet"}),
    ];
    let crash = json!({"phase": "Running", "containerStatuses": [
        running(0),
        {"restartCount": 4, "ready": false, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
    ]});
    let ok = json!({"phase": "Running", "containerStatuses": [running(1), running(0)]});
    let pods = [
        pod("web-new-b", "web-new", "2026-03-01T11:00:00Z", crash),
        pod("web-new-a", "web-new", "2026-03-01T11:30:00Z", ok),
        pod("stray", "other", "2026-03-01T11:00:00Z", json!({})),
    ];
    let s = snapshot_at(now(), &d, &rss, &pods, &[], &[]);
    let got: Vec<String> = render(&s.tree).iter().map(|c| c.join("|")).collect();
    assert_eq!(
        got,
        [
            "web|Deployment|◌ Progressing|",
            "revision:3|||",
            "web-new|ReplicaSet|◌ Progressing|",
            "web-new-b|Pod|✖ CrashLoopBackOff|ready:1/2,restarts:4",
            "web-new-a|Pod|✔ Running|ready:2/2,restarts:1",
            "revision:2|||",
            "web-old|ReplicaSet|• ScaledDown|",
        ]
    );
}

#[test]
fn scale_down_deadline_shows_the_delay() {
    let objs = load("blue-green");
    let ro = of_kind(&objs, "Rollout").remove(0);
    let mut rss = of_kind(&objs, "ReplicaSet");
    let deadline = |secs: i64| json!((now() + TimeDelta::seconds(secs)).to_rfc3339());
    for (rs, at) in rss
        .iter_mut()
        .zip([deadline(25), deadline(-5), json!("soon")])
    {
        rs["metadata"]["annotations"]["scale-down-deadline"] = at;
    }
    let s = snapshot_at(now(), &ro, &rss, &[], &[], &[]);
    let mut delays: Vec<String> = s
        .tree
        .iter()
        .flat_map(|n| n.info.iter().filter(|i| i.starts_with("delay:")).cloned())
        .collect();
    delays.sort();
    assert_eq!(delays, ["delay:", "delay:25s", "delay:passed"]);
}

#[test]
fn no_workload_yet_is_an_empty_snapshot_and_a_canary_a_single_line() {
    let ev = event(1, "web", "Rollout");
    assert_eq!(
        snapshot(&Value::Null, &[], &[], &[], &[ev]),
        DetailSnapshot::default()
    );
    let canary = json!({"kind": "Canary", "metadata": {"name": "web"}, "spec": {"targetRef": {"name": "web"}}});
    let s = snapshot_at(now(), &canary, &[rs("web-new", 3, 2, 1)], &[], &[], &[]);
    let [line] = s.tree.as_slice() else {
        panic!("{:?}", s.tree)
    };
    assert_eq!(
        (line.kind, line.name.as_str(), line.depth),
        (NodeKind::Canary, "web", 0)
    );
}
