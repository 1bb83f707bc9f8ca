//! The conversion of real objects: every Rollout of Argo Rollouts' own `info` test data must
//! show what `kubectl argo rollouts get rollout` printed for it (`expected/*.txt`, the CLI's
//! test outputs), and every example object of Argo Rollouts and Flagger must convert.
//!
//! Symbols: the CLI draws Paused as `॥`; we draw `‖` (font safety). Every other status
//! symbol is the CLI's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use shipdeck::adapters::kube::convert::{ConvertCtx, rollout_row, row};
use shipdeck::domain::phase::Phase;
use shipdeck::domain::rollout::RolloutRow;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every document of every YAML file under `dir` (recursively), sorted by path.
fn load(dir: &Path) -> Vec<Value> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            serde_saphyr::from_multiple::<Value>(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .filter(|v| !v.is_null())
        .collect()
}

fn of_kind<'a>(objs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objs.iter().filter(|o| o["kind"] == kind).collect()
}

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap()
}

/// A set of the info test data converted as the CLI sees it: with its ReplicaSets and the
/// Deployment a `workloadRef` names.
fn convert_set(set: &str) -> BTreeMap<String, RolloutRow> {
    let objs = load(&fixtures().join("argo-rollouts/info-testdata").join(set));
    let replica_sets: Vec<Value> = of_kind(&objs, "ReplicaSet").into_iter().cloned().collect();
    let deployments = of_kind(&objs, "Deployment");
    of_kind(&objs, "Rollout")
        .into_iter()
        .map(|ro| {
            let wref = ro["spec"]["workloadRef"]["name"].as_str();
            let ctx = ConvertCtx {
                replica_sets: Some(&replica_sets),
                workload: deployments.iter().copied().find(|d| Some(name(d)) == wref),
                ..ConvertCtx::default()
            };
            (name(ro).to_string(), rollout_row(ro, &ctx))
        })
        .collect()
}

/// The header of `kubectl argo rollouts get rollout`: label → value lines (an `Images:`
/// block continues on indented lines).
fn expected(file: &str) -> BTreeMap<String, Vec<String>> {
    let text =
        std::fs::read_to_string(fixtures().join("argo-rollouts/expected").join(file)).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut last = String::new();
    for line in text.lines().take_while(|l| !l.is_empty()) {
        let trimmed = line.trim_start();
        if let Some((label, value)) = trimmed.split_once(':')
            && !label.contains(' ')
            && (line.starts_with(char::is_alphabetic) || line.starts_with("  "))
            && !line.starts_with("                 ")
        {
            last = label.to_string();
            out.entry(last.clone())
                .or_default()
                .push(value.trim().to_string());
        } else {
            out.entry(last.clone())
                .or_default()
                .push(trimmed.to_string());
        }
    }
    out
}

fn cli_symbol(phase: Phase) -> &'static str {
    match phase {
        Phase::Paused => "॥",
        p => p.symbol(false),
    }
}

#[test]
fn info_testdata_shows_what_the_cli_shows() {
    for (set, file) in [
        ("blue-green", "blue-green.txt"),
        ("canary", "canary.txt"),
        ("rollout-aborted", "rollout-aborted.txt"),
        ("rollout-invalid", "rollout-invalid.txt"),
    ] {
        let want = expected(file);
        let one = |k: &str| want.get(k).map(|v| v[0].clone());
        let rows = convert_set(set);
        let r = &rows[&one("Name").unwrap()];
        let ctx = format!("{file}: {r:#?}");
        assert_eq!(r.invalid, None, "{ctx}");
        assert_eq!(Some(r.key.namespace.clone()), one("Namespace"), "{ctx}");
        let status = format!("{} {}", cli_symbol(r.phase), r.phase.label());
        assert_eq!(Some(status), one("Status"), "{ctx}");
        assert_eq!(one("Message").unwrap_or_default(), r.message, "{ctx}");
        let step = r.step.map(|s| format!("{}/{}", s.index, s.total));
        assert_eq!(
            one("Step").unwrap_or_default(),
            step.unwrap_or_default(),
            "{ctx}"
        );
        if one("Strategy").as_deref() == Some("Canary") {
            let w = r.weights.unwrap();
            assert_eq!(one("SetWeight"), Some(w.set.to_string()), "{ctx}");
            assert_eq!(
                one("ActualWeight"),
                w.actual.map(|a| a.to_string()),
                "{ctx}"
            );
        } else {
            assert_eq!(r.weights, None, "{ctx}");
        }
        let images: Vec<String> = r
            .argo
            .as_ref()
            .unwrap()
            .images
            .iter()
            .map(|i| i.line())
            .collect();
        assert_eq!(
            want.get("Images").cloned().unwrap_or_default(),
            images,
            "{ctx}"
        );
        let count = |label: &str| one(label).map(|v| v.parse::<u32>().unwrap());
        let rep = r.replicas;
        assert_eq!(count("Desired"), Some(rep.desired), "{ctx}");
        assert_eq!(count("Current"), Some(rep.current), "{ctx}");
        assert_eq!(count("Updated"), Some(rep.updated), "{ctx}");
        assert_eq!(count("Ready"), Some(rep.ready), "{ctx}");
        assert_eq!(count("Available"), Some(rep.available), "{ctx}");
    }
}

/// The other canary Rollouts of the set have no `expected/` file; their expected values
/// come from the CLI's own tests (`get_test.go` TestGetCanaryPingPongRollout, `info_test.go`
/// TestCanaryRolloutInfoWeights) at the fixtures' commit.
#[test]
fn the_canary_variants() {
    let rows = convert_set("canary");
    assert_eq!(rows.len(), 6);
    for r in rows.values() {
        assert_eq!(r.invalid, None, "{r:#?}");
        assert_eq!(r.phase, Phase::Degraded);
        assert_eq!(
            r.message,
            "ProgressDeadlineExceeded: ReplicaSet \"canary-demo-65fb5ffc84\" has timed out progressing."
        );
    }
    // The same status everywhere: step 0 of 8 at set weight 20. The actual weight is the
    // canary ReplicaSet's share without traffic routing (0 available), else the reported
    // weight or the set weight.
    let canary_txt = expected("canary.txt");
    for (n, actual) in [
        ("canary-demo", 0),
        ("canary-demo-workloadRef", 0),
        ("canary-demo-workloadRef-deploy", 0),
        ("canary-demo-pingpong", 0),
        ("canary-demo-weights", 20),
        ("canary-demo-weights-na", 20),
    ] {
        let r = &rows[n];
        let step = r.step.unwrap();
        assert_eq!((step.index, step.total), (0, 8), "{n}");
        assert_eq!(r.weights.unwrap().set, 20, "{n}");
        assert_eq!(r.weights.unwrap().actual, Some(actual), "{n}");
        if n != "canary-demo-pingpong" {
            // They share the UID of `canary-demo`, so they own the same ReplicaSets.
            let lines: Vec<String> = r
                .argo
                .as_ref()
                .unwrap()
                .images
                .iter()
                .map(|i| i.line())
                .collect();
            assert_eq!(lines, canary_txt["Images"], "{n}");
        }
    }
    let images = |n: &str| -> Vec<String> {
        rows[n]
            .argo
            .as_ref()
            .unwrap()
            .images
            .iter()
            .map(|i| i.line())
            .collect()
    };
    assert_eq!(
        images("canary-demo-pingpong"),
        [
            "argoproj/rollouts-demo:does-not-exist (canary, ping)",
            "argoproj/rollouts-demo:green (stable, pong)"
        ]
    );
    let weights = |n: &str| rows[n].weights.unwrap();
    // Traffic routing with reported weights: the reported canary weight.
    assert_eq!(weights("canary-demo-weights").actual, Some(20));
    // Traffic routing without reported weights: the set weight.
    let na = weights("canary-demo-weights-na");
    assert_eq!(na.actual, Some(na.set));
    // workloadRef to a Deployment: the containers come from it.
    let wref = &rows["canary-demo-workloadRef-deploy"];
    let c = &wref.containers[0];
    assert_eq!(c.name, "canary-demo-deploy");
    assert_eq!(c.canary.as_ref().unwrap().raw, "argoproj/rollouts-demo:red");
    assert_eq!(
        wref.argo.as_ref().unwrap().workload_ref.as_deref(),
        Some("canary-demo-deploy")
    );
    // workloadRef to something else: the current ReplicaSet's containers.
    let rs_ref = &rows["canary-demo-workloadRef"];
    assert_eq!(
        rs_ref.containers[0].canary.as_ref().unwrap().raw,
        "argoproj/rollouts-demo:does-not-exist"
    );
    // Stable and canary image of the container, from the ReplicaSets.
    let plain = &rows["canary-demo"];
    assert_eq!(plain.stable_version().as_deref(), Some("green"));
    assert_eq!(plain.new_version().as_deref(), Some("does-not-exist"));
    assert!(!plain.image_warning());
}

#[test]
fn without_replica_sets_the_overview_shows_what_it_can() {
    let objs = load(&fixtures().join("argo-rollouts/info-testdata"));
    let ctx = ConvertCtx::default();
    let rows: BTreeMap<String, RolloutRow> = of_kind(&objs, "Rollout")
        .into_iter()
        .map(|ro| (name(ro).to_string(), rollout_row(ro, &ctx)))
        .collect();
    let canary = &rows["canary-demo"];
    let w = canary.weights.unwrap();
    assert_eq!(
        (w.set, w.actual),
        (20, None),
        "actual needs the canary ReplicaSet"
    );
    assert_eq!(
        canary.stable_version(),
        None,
        "stable needs the stable ReplicaSet"
    );
    assert_eq!(canary.new_version().as_deref(), Some("does-not-exist"));
    assert!(canary.argo.as_ref().unwrap().images.is_empty());
    // Weights that need no ReplicaSet are known.
    assert_eq!(
        rows["canary-demo-weights"].weights.unwrap().actual,
        Some(20)
    );
    let aborted = rows["rollout-background-analysis"].weights.unwrap();
    assert_eq!((aborted.set, aborted.actual), (0, None));
    assert_eq!(rows["rollout-invalid"].weights.unwrap().actual, Some(100));
    // Phases do not depend on related objects.
    assert_eq!(rows["bluegreen-demo"].phase, Phase::Paused);
    assert_eq!(rows["bluegreen-demo"].message, "BlueGreenPause");
}

#[test]
fn attention_and_pauses_of_the_fixtures() {
    use shipdeck::domain::detail::PauseReason;
    use shipdeck::domain::rollout::Attention;
    let bg = &convert_set("blue-green")["bluegreen-demo"];
    assert_eq!(bg.attention, Some(Attention::WaitingApproval));
    let pause = bg.pause.as_ref().unwrap();
    assert_eq!(pause.reason, PauseReason::BlueGreenPause);
    assert_eq!(
        pause.since.unwrap().to_rfc3339(),
        "2019-10-28T04:50:20+00:00"
    );
    assert_eq!(
        bg.containers[0].stable.as_ref().unwrap().raw,
        "argoproj/rollouts-demo:blue"
    );
    assert_eq!(
        bg.containers[0].canary.as_ref().unwrap().raw,
        "argoproj/rollouts-demo:green"
    );
    let aborted = &convert_set("rollout-aborted")["rollout-background-analysis"];
    assert_eq!(aborted.attention, Some(Attention::Degraded));
    let detail = aborted.argo.as_ref().unwrap();
    assert!(detail.aborted);
    assert_eq!(
        detail.background_analysis.as_ref().unwrap().name,
        "rollout-background-analysis-db976bc44-2"
    );
    let invalid = &convert_set("rollout-invalid")["rollout-invalid"];
    assert_eq!(invalid.attention, Some(Attention::Degraded));
    // `app.kubernetes.io/instance` alone is not GitOps ownership.
    assert_eq!(convert_set("canary")["canary-demo"].gitops, None);
}

#[test]
fn every_example_converts() {
    let mut seen = BTreeMap::new();
    for dir in ["argo-rollouts/examples", "flagger/examples"] {
        for obj in load(&fixtures().join(dir)) {
            if let Some(r) = row(&obj, &ConvertCtx::default()) {
                assert_eq!(r.invalid, None, "{dir}/{}: {r:#?}", name(&obj));
                assert!(!r.key.name.is_empty());
                *seen.entry(r.key.kind.label()).or_insert(0) += 1;
            }
        }
    }
    assert!(seen.get("canary").copied().unwrap_or(0) >= 3, "{seen:?}");
    assert!(seen.get("bluegreen").copied().unwrap_or(0) >= 1, "{seen:?}");
    assert_eq!(seen.get("flagger").copied(), Some(2), "{seen:?}");
}
