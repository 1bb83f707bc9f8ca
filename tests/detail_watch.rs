//! The detail screen's scoped watches, end to end: shipdeck's real reducer and executor
//! (headless, see common/headless.rs) against the simulator running the casino story.
//! Enter on game-engine starts watches of its ReplicaSets and Pods (label selector), its
//! AnalysisRuns and its Events (field selector), and a snapshot arrives; Esc stops them
//! (the simulator's request log shows no new detail watch afterwards) and the overview
//! selection is still game-engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::headless::Headless;
use common::sim::{client, fault, mark, requests};
use serde_json::{Value, json};
use shipdeck::input::{KeyChord, KeyCode};
use shipdeck::sim::{self, SimConfig};
use shipdeck::state::{AppState, Event};

fn selected(s: &AppState) -> Option<String> {
    s.rollouts.selected().map(|r| r.key.name.clone())
}

fn is_watch(r: &Value) -> bool {
    let q = r["query"].as_str().unwrap_or("");
    q.split('&').any(|kv| kv == "watch=true" || kv == "watch=1")
}

fn path(r: &Value) -> &str {
    r["path"].as_str().unwrap_or("")
}

fn query(r: &Value) -> String {
    let q = r["query"].as_str().unwrap_or("");
    // Enough decoding to read selectors: `%3D` is `=`, `%2C` is `,`.
    q.replace("%3D", "=")
        .replace("%3d", "=")
        .replace("%2C", ",")
        .replace("%2c", ",")
}

/// A watch the detail starts (the overview watches no ReplicaSets, Pods, AnalysisRuns or
/// Events, and watches rollouts without a field selector).
fn is_detail_watch(r: &Value) -> bool {
    let p = path(r);
    is_watch(r)
        && (["/replicasets", "/pods", "/analysisruns", "/events"]
            .iter()
            .any(|k| p.ends_with(k))
            || (p.ends_with("/rollouts") && query(r).contains("fieldSelector")))
}

/// Runs the app's loop for `d`.
async fn pump(app: &mut Headless, d: Duration) {
    let start = Instant::now();
    app.run_until("time to pass", d + Duration::from_secs(5), |_| {
        start.elapsed() >= d
    })
    .await;
}

/// Runs the loop until the requests since `since` satisfy `done` (at most 20 s).
async fn wait_for_requests(
    app: &mut Headless,
    kube: &kube::Client,
    since: u64,
    done: impl Fn(&[Value]) -> bool,
) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if done(&requests(kube, since).await) {
            return true;
        }
        pump(app, Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_detail_watches_start_on_open_and_stop_on_close() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = sim::start(SimConfig {
        scenario: "casino".into(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let kube = client(&sim, "sim-operator").await;
    let mut app = Headless::start(&sim, "casino-prod", "").await;
    app.run_until("the game-engine row", Duration::from_secs(30), |s| {
        s.rollouts.visible().any(|r| r.key.name == "game-engine")
    })
    .await;

    // Select game-engine with the keys an operator would press.
    app.send(Event::Key(KeyChord::ch('g')));
    for _ in 0..app.state.rollouts.visible_len() {
        if selected(&app.state).as_deref() == Some("game-engine") {
            break;
        }
        app.send(Event::Key(KeyChord::ch('j')));
    }
    assert_eq!(selected(&app.state).as_deref(), Some("game-engine"));

    // Before Enter: no detail watches at all.
    let before = requests(&kube, 0).await;
    assert!(
        !before.iter().any(is_detail_watch),
        "a detail watch before the detail opened: {before:#?}"
    );
    let opened = mark(&kube).await;
    app.send(Event::Key(KeyChord::plain(KeyCode::Enter)));
    assert!(app.state.detail.is_some(), "Enter opens the detail");
    app.run_until("the first detail snapshot", Duration::from_secs(30), |s| {
        s.detail.as_ref().is_some_and(|d| d.snapshot.is_some())
    })
    .await;
    let d = app.state.detail.as_ref().unwrap();
    assert_eq!(d.key.name, "game-engine");
    assert_eq!(d.error, None, "the watches work");

    // The log shows each scoped watch, with its selector. A kind's watch starts once its
    // list is done, so the first snapshot may come before the last watch: wait for them.
    let find_in = |sent: &[Value], suffix: &str, needle: &str| {
        sent.iter().any(|r| {
            is_detail_watch(r)
                && path(r).starts_with("/api")
                && path(r).ends_with(suffix)
                && query(r).contains(needle)
        })
    };
    let all_five = |sent: &[Value]| {
        find_in(sent, "/replicasets", "labelSelector=")
            && find_in(sent, "/pods", "labelSelector=")
            && find_in(sent, "/analysisruns", "")
            && find_in(
                sent,
                "/events",
                "fieldSelector=involvedObject.name=game-engine",
            )
            && find_in(sent, "/rollouts", "fieldSelector=metadata.name=game-engine")
    };
    wait_for_requests(&mut app, &kube, opened, all_five).await;
    let sent: Vec<Value> = requests(&kube, opened)
        .await
        .into_iter()
        .filter(is_detail_watch)
        .collect();
    let find = |suffix: &str, needle: &str| find_in(&sent, suffix, needle);
    let ns = "/namespaces/casino-prod/";
    assert!(
        sent.iter().all(|r| path(r).contains(ns)),
        "every detail watch is namespaced: {sent:#?}"
    );
    assert!(find("/replicasets", "labelSelector="), "{sent:#?}");
    assert!(find("/pods", "labelSelector="), "{sent:#?}");
    assert!(find("/analysisruns", ""), "{sent:#?}");
    assert!(
        find("/events", "fieldSelector=involvedObject.name=game-engine"),
        "{sent:#?}"
    );
    assert!(
        find("/rollouts", "fieldSelector=metadata.name=game-engine"),
        "{sent:#?}"
    );

    // While it is open, the watches are alive: dropped by the server, they come back.
    let dropped = mark(&kube).await;
    fault(&kube, json!({"kind": "watch-drop"})).await;
    let back = wait_for_requests(&mut app, &kube, dropped, |reqs| {
        ["/replicasets", "/pods", "/analysisruns", "/events"]
            .iter()
            .all(|k| {
                reqs.iter()
                    .any(|r| is_detail_watch(r) && path(r).ends_with(k))
            })
    })
    .await;
    assert!(back, "the detail watches resume after a drop while open");

    // Esc closes the detail; the overview selection is still game-engine.
    app.send(Event::Key(KeyChord::plain(KeyCode::Esc)));
    assert!(app.state.detail.is_none(), "Esc closes the detail");
    assert_eq!(selected(&app.state).as_deref(), Some("game-engine"));
    // Let in-flight requests land, then drop every open watch: the overview's watchers
    // come back, the detail's do not (they were stopped).
    pump(&mut app, Duration::from_millis(300)).await;
    let closed = mark(&kube).await;
    fault(&kube, json!({"kind": "watch-drop"})).await;
    let overview_back = wait_for_requests(&mut app, &kube, closed, |reqs| {
        reqs.iter().any(|r| {
            is_watch(r) && path(r).ends_with("/rollouts") && !query(r).contains("fieldSelector")
        })
    })
    .await;
    assert!(overview_back, "the overview's rollouts watch resumes");
    pump(&mut app, Duration::from_secs(2)).await;
    let after: Vec<Value> = requests(&kube, closed)
        .await
        .into_iter()
        .filter(|r| {
            let p = path(r);
            is_detail_watch(r)
                || ["/replicasets", "/pods", "/analysisruns", "/events"]
                    .iter()
                    .any(|k| p.ends_with(k))
        })
        .collect();
    assert!(after.is_empty(), "detail requests after close: {after:#?}");
    assert!(app.state.detail.is_none());
    assert_eq!(selected(&app.state).as_deref(), Some("game-engine"));
    sim.stop().await;
}
