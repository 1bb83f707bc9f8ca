//! The detail screen against the Argo Rollouts CLI: each recorded fixture set is loaded into
//! the simulator, opened in shipdeck's detail (real reducer, executor, scoped watches and
//! conversion), and its header values and revision tree are compared with what
//! `kubectl argo rollouts get rollout` printed for the same objects
//! (`tests/fixtures/argo-rollouts/expected/*.txt`: names, kinds, statuses, INFO; not AGE).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::headless::Headless;
use common::sim::fixtures;
use shipdeck::domain::revision::{DetailSnapshot, TreeNode};
use shipdeck::domain::rollout::{ControllerKind, RolloutRow};
use shipdeck::input::{KeyChord, KeyCode};
use shipdeck::sim::{self, SimConfig};
use shipdeck::state::Event;

fn expected(file: &str) -> String {
    std::fs::read_to_string(fixtures().join("argo-rollouts/expected").join(file)).unwrap()
}

/// `Key:  value` of the CLI's header (the first occurrence, trimmed).
fn field(text: &str, key: &str) -> Option<String> {
    text.lines()
        .take_while(|l| !l.starts_with("NAME "))
        .find_map(|l| l.trim_start().strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_string())
}

/// The `Images:` block: the first line and its continuation lines.
fn images(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in text.lines().take_while(|l| !l.starts_with("NAME ")) {
        if let Some(v) = l.strip_prefix("Images:") {
            inside = true;
            out.push(v.trim().to_string());
        } else if inside && l.starts_with("          ") {
            out.push(l.trim().to_string());
        } else {
            inside = false;
        }
    }
    out
}

/// The tree: name, kind, status, INFO per line (AGE dropped; the CLI's `॥` is our `‖`).
fn expected_tree(text: &str) -> Vec<[String; 4]> {
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

fn ours(tree: &[TreeNode]) -> Vec<[String; 4]> {
    tree.iter()
        .map(|n| {
            [
                n.name.clone(),
                n.kind.label().to_string(),
                format!("{} {}", n.symbol, n.status).trim().to_string(),
                n.info.join(","),
            ]
        })
        .collect()
}

/// Pods are listed by creation time, then name. The CLI's own test harness stamped every
/// object "a week ago", so its expected order is by name; the recorded objects keep their
/// real times. Each run of sibling pods is compared in name order.
fn pods_by_name(mut lines: Vec<[String; 4]>) -> Vec<[String; 4]> {
    let mut i = 0;
    while i < lines.len() {
        let j = (i..lines.len())
            .find(|&j| lines[j][1] != "Pod")
            .unwrap_or(lines.len());
        lines[i..j].sort();
        i = j.max(i + 1);
    }
    lines
}

fn header_matches(file: &str, text: &str, row: &RolloutRow) {
    let want = |k: &str| field(text, k).unwrap_or_default();
    assert_eq!(row.key.name, want("Name"), "{file}");
    assert_eq!(row.key.namespace, want("Namespace"), "{file}");
    let status = format!("{} {}", row.phase.symbol(false), row.phase.label());
    assert_eq!(status, want("Status").replace('॥', "‖"), "{file}");
    assert_eq!(row.message, want("Message"), "{file}");
    let strategy = match row.key.kind {
        ControllerKind::ArgoCanary => "Canary",
        ControllerKind::ArgoBlueGreen => "BlueGreen",
        other => panic!("{file}: {other:?}"),
    };
    assert_eq!(strategy, want("Strategy"), "{file}");
    if let Some(step) = field(text, "Step") {
        let ours = row
            .step
            .map(|s| format!("{}/{}", s.index, s.total))
            .unwrap_or_default();
        assert_eq!(ours, step, "{file}: step");
    }
    if let Some(set) = field(text, "SetWeight") {
        let w = row.weights.unwrap();
        assert_eq!(w.set.to_string(), set, "{file}: set weight");
        let actual = field(text, "ActualWeight").unwrap();
        assert_eq!(
            w.actual.map(|a| a.to_string()),
            Some(actual),
            "{file}: actual"
        );
    }
    let imgs: Vec<String> = row
        .argo
        .as_ref()
        .map(|a| a.images.iter().map(|i| i.line()).collect())
        .unwrap_or_default();
    assert_eq!(imgs, images(text), "{file}: images");
    let r = row.replicas;
    for (k, v) in [
        ("Desired", r.desired),
        ("Current", r.current),
        ("Updated", r.updated),
        ("Ready", r.ready),
        ("Available", r.available),
    ] {
        assert_eq!(v.to_string(), want(k), "{file}: {k}");
    }
}

async fn open(file: &str) {
    let text = expected(file);
    let (name, ns) = (
        field(&text, "Name").unwrap(),
        field(&text, "Namespace").unwrap(),
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = sim::start(SimConfig {
        load: vec![fixtures().join("argo-rollouts/info-testdata")],
        controllers: false,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut app = Headless::start(&sim, &ns, "").await;
    app.run_until("the rollout row", Duration::from_secs(30), |s| {
        s.rollouts.all().any(|r| r.key.name == name)
    })
    .await;
    let key = app
        .state
        .rollouts
        .all()
        .find(|r| r.key.name == name)
        .unwrap()
        .key
        .clone();
    assert!(app.state.rollouts.select_key(&key));
    app.send(Event::Key(KeyChord::plain(KeyCode::Enter)));
    let want = expected_tree(&text);
    app.run_until("the detail tree", Duration::from_secs(30), |s| {
        s.detail
            .as_ref()
            .and_then(|d| d.snapshot.as_ref())
            .is_some_and(|snap| snap.tree.len() >= want.len() && snap.row.is_some())
    })
    .await;
    let snap: DetailSnapshot = app.state.detail.as_ref().unwrap().snapshot.clone().unwrap();
    let (got, want) = (pods_by_name(ours(&snap.tree)), pods_by_name(want));
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{file}: tree line {i}");
    }
    assert_eq!(got.len(), want.len(), "{file}: {got:#?}");
    header_matches(file, &text, snap.row.as_ref().unwrap());
    // And on screen: the detail shows the tree's names.
    let screen = app.screen(150, 45);
    for [name, ..] in want.iter().take(4) {
        assert!(
            screen.contains(name.as_str()),
            "{file}: {name} not on screen\n{screen}"
        );
    }
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_matches_the_cli() {
    open("canary.txt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blue_green_matches_the_cli() {
    open("blue-green.txt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborted_rollout_matches_the_cli() {
    open("rollout-aborted.txt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_rollout_matches_the_cli() {
    open("rollout-invalid.txt").await;
}
