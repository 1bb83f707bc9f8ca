//! `shipdeck demo` end to end: the real binary in tmux, the in-process simulator reached
//! through `--info-file`, the story operated as a newcomer would (approve, roll back, flip
//! a flag), a read-only sweep, an API outage, and everything cleaned up on quit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::demo::{Demo, eventually, get};
use common::sim::{fault, requests};
use common::sweep::{assert_read_only, every_key_and_command};
use common::tmux::line;
use serde_json::{Value, json};

const ROLLOUTS: &str = "/apis/argoproj.io/v1alpha1/namespaces/casino-prod/rollouts";

/// Runs blocking tmux work off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_help_and_filter_work_and_q_restores_the_terminal() {
    let Some(demo) = Demo::start("--no-prometheus") else {
        return;
    };
    let demo = blocking(move || {
        let t = &demo.tmux;
        let s = t.wait_for("the casino world", Duration::from_secs(60), |s| {
            [
                "game-engine",
                "payments",
                "lobby",
                "bonus",
                "wallet",
                "notifications",
            ]
            .iter()
            .all(|n| s.contains(n))
        });
        assert!(
            s.contains("DEMO") && s.contains("metrics: simulated"),
            "{s}"
        );
        assert!(s.contains("press ? for keys"), "first-run hint:\n{s}");
        assert!(s.contains("casino-staging"), "{s}");
        t.keys(&["?"]);
        let s = t.wait_for("help", Duration::from_secs(60), |s| {
            s.contains("Keys in effect")
        });
        assert!(
            !s.contains("press ? for keys"),
            "the hint goes with the first key"
        );
        t.keys(&["Escape", "/"]);
        t.text("payments");
        t.keys(&["Enter"]);
        let s = t.wait_for("the filter", Duration::from_secs(60), |s| {
            !s.contains("lobby") && !s.contains("wallet")
        });
        assert!(line(&s, &["casino-prod", "payments"]).is_some(), "{s}");
        t.keys(&["q"]);
        assert_eq!(demo.wait_exit(), 0, "stderr: {}", demo.stderr());
        let s = t.screen();
        assert!(
            !s.contains("Rollouts") && !s.contains("payments"),
            "the alternate screen is gone after q:\n{s}"
        );
        demo
    })
    .await;
    assert!(!demo.info_path.exists(), "the info file is removed on exit");
    assert!(
        !demo.path("kubeconfig").exists(),
        "the temporary kubeconfig is removed on exit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_the_waiting_game_engine_step_advances_it_in_the_simulator() {
    let Some(demo) = Demo::start("--no-prometheus --speed 4") else {
        return;
    };
    let c = demo.client("sim-operator").await;
    let demo = blocking(move || {
        let t = &demo.tmux;
        t.keys(&["/"]);
        t.text("game-engine");
        t.keys(&["Enter"]);
        // 5/7: the indefinite pause at 50 % (≈ 60 s of story, 15 s at speed 4).
        let s = t.wait_for("game-engine waiting at 50%", Duration::from_secs(90), |s| {
            line(s, &["casino-prod", "game-engine", "5/7", "Paused"]).is_some()
        });
        assert!(
            line(&s, &["▌", "casino-prod", "game-engine"]).is_some(),
            "the waiting rollout is selected (pinned first):\n{s}"
        );
        t.keys(&["a"]);
        t.wait_for("the approve dialog", Duration::from_secs(60), |s| {
            s.contains("type game-engine to confirm")
        });
        t.text("game-engine");
        t.keys(&["Enter"]);
        t.wait_for("the result", Duration::from_secs(60), |s| {
            s.contains("approve done")
        });
        demo
    })
    .await;
    let step = eventually("the step to advance", Duration::from_secs(30), || {
        let c = c.clone();
        async move {
            let ro = get(&c, &format!("{ROLLOUTS}/game-engine")).await;
            let i = ro["status"]["currentStepIndex"].as_i64().unwrap_or(0);
            (i >= 6).then_some(i)
        }
    })
    .await;
    assert!(step >= 6, "past the pause at index 5");
    let audit = std::fs::read_to_string(demo.path("audit_path")).unwrap();
    assert!(
        audit.contains("\"action\":\"approve\"") && audit.contains("\"outcome\":\"done\""),
        "{audit}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payments_alert_and_r_abort_the_canary_onto_stable_with_an_audit_line() {
    let Some(demo) = Demo::start("--no-prometheus --speed 4") else {
        return;
    };
    let c = demo.client("sim-operator").await;
    let demo = blocking(move || {
        let t = &demo.tmux;
        // The regression starts at 60 s of story; the alert needs two breaching intervals.
        t.wait_for("the payments alert", Duration::from_secs(120), |s| {
            s.contains("critical)") && s.contains("payments")
        });
        t.keys(&["/"]);
        t.text("payments");
        t.keys(&["Enter"]);
        t.wait_for("payments selected", Duration::from_secs(60), |s| {
            line(s, &["▌", "casino-prod", "payments"]).is_some()
        });
        t.keys(&["R"]);
        t.wait_for("the rollback dialog", Duration::from_secs(60), |s| {
            s.contains("type payments to confirm")
        });
        t.text("payments");
        t.keys(&["Enter"]);
        // The flash says "abort done" for a moment; the row says Degraded for good.
        t.wait_for("the abort result", Duration::from_secs(60), |s| {
            s.contains("abort done") || line(s, &["casino-prod", "payments", "Degraded"]).is_some()
        });
        demo
    })
    .await;
    let ro = eventually("traffic back on stable", Duration::from_secs(30), || {
        let c = c.clone();
        async move {
            let ro = get(&c, &format!("{ROLLOUTS}/payments")).await;
            // Aborted: back at step 0 (the stable weight), Degraded; a reported canary
            // weight, where traffic routing reports one, is 0.
            let st = &ro["status"];
            let w = &st["canary"]["weights"]["canary"]["weight"];
            (st["abort"] == json!(true)
                && st["phase"] == "Degraded"
                && st["currentStepIndex"] == json!(0)
                && (w.is_null() || w == &json!(0)))
                .then_some(ro)
        }
    })
    .await;
    assert_eq!(ro["status"]["abort"], json!(true));
    let log = requests(&c, 0).await;
    assert!(
        log.iter().any(|r| r["method"] == "PATCH"
            && r["path"] == format!("{ROLLOUTS}/payments/status")
            && r["body"] == json!({"status": {"abort": true}})),
        "the abort request as PROTOCOLS.md says"
    );
    let audit = std::fs::read_to_string(demo.path("audit_path")).unwrap();
    let done: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["action"] == "abort" && e["outcome"] == "done")
        .collect();
    assert_eq!(done.len(), 1, "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toggling_new_slot_ui_changes_the_flag_in_the_simulator() {
    let Some(demo) = Demo::start("--no-prometheus") else {
        return;
    };
    let c = demo.client("sim-operator").await;
    let _demo = blocking(move || {
        let t = &demo.tmux;
        t.keys(&["3"]);
        t.wait_for("the flags", Duration::from_secs(60), |s| {
            line(s, &["new-slot-ui", "off"]).is_some()
        });
        t.keys(&["/"]);
        t.text("new-slot-ui");
        t.keys(&["Enter", "t"]);
        t.wait_for("the toggle dialog", Duration::from_secs(60), |s| {
            s.contains("off → on") || s.contains("off -> on")
        });
        t.keys(&["Enter"]);
        t.wait_for("the flag on screen", Duration::from_secs(60), |s| {
            line(s, &["new-slot-ui", "on (true)"]).is_some()
        });
        demo
    })
    .await;
    let cm = get(&c, "/api/v1/namespaces/casino-prod/configmaps/flags").await;
    let doc: Value =
        serde_json::from_str(cm["data"]["flags.flagd.json"].as_str().unwrap()).unwrap();
    assert_eq!(
        doc["flags"]["new-slot-ui"]["defaultVariant"], "on",
        "{doc:#}"
    );
    assert!(
        cm["metadata"]["annotations"]["shipdeck.io/last-action"].is_string(),
        "{cm:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_demo_sends_nothing_mutating_whatever_it_is_asked() {
    let Some(demo) = Demo::start("--no-prometheus --readonly --speed 4") else {
        return;
    };
    let c = demo.client("sim-operator").await;
    let demo = blocking(move || {
        demo.tmux.wait_for(
            "the casino world, read-only",
            Duration::from_secs(60),
            |s| s.contains("[RO]") && s.contains("payments") && s.contains("lobby"),
        );
        every_key_and_command(&demo.tmux);
        let s = demo.tmux.screen();
        assert!(s.contains("[RO]"), "still running, still read-only:\n{s}");
        demo
    })
    .await;
    let log = requests(&c, 0).await;
    assert_read_only(&log, "sim-operator", "a read-only demo");
    drop(demo);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_seconds_of_api_down_show_stale_then_recover() {
    let Some(demo) = Demo::start("--no-prometheus") else {
        return;
    };
    let c = demo.client("sim-operator").await;
    let demo = blocking(move || {
        demo.tmux
            .wait_for("live sources", Duration::from_secs(60), |s| {
                s.contains("rollouts ●") && s.contains("payments")
            });
        demo
    })
    .await;
    fault(&c, json!({"kind": "api-down", "duration": "10s"})).await;
    let demo = blocking(move || {
        let s = demo
            .tmux
            .wait_for("stale, reconnecting", Duration::from_secs(30), |s| {
                s.contains("reconnecting")
            });
        assert!(s.contains("stale"), "{s}");
        demo.tmux
            .wait_for("recovered", Duration::from_secs(60), |s| {
                // Healthy slots may be shown compact (a mark only) when the line is full.
                !s.contains("reconnecting") && !s.contains("stale") && s.contains("rollouts ●")
            });
        demo
    })
    .await;
    drop(demo);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_prometheus_the_demo_backfills_history_and_stops_it_on_quit() {
    if !common::sim::require_tool("prometheus") || !common::sim::require_tool("promtool") {
        return;
    }
    let Some(demo) = Demo::start("") else {
        return;
    };
    let prom = demo.info["prometheus_url"].as_str().unwrap().to_string();
    let s = blocking({
        let t = demo.tmux.screen();
        move || t
    })
    .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    // An hour of pre-release history is there at once (backfilled, not scraped).
    let q = "sum(increase(http_requests_total[30m] offset 10m))";
    let v: Value = http
        .get(format!("{prom}/api/v1/query"))
        .query(&[("query", q)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let n: f64 = v["data"]["result"][0]["value"][1]
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap();
    assert!(n > 1000.0, "backfilled history: {v}\nscreen:\n{s}");
    let demo = blocking(move || {
        let s = demo
            .tmux
            .wait_for("the header", Duration::from_secs(30), |s| {
                s.contains("payments")
            });
        assert!(s.contains("metrics: Prometheus 2."), "{s}");
        demo.tmux.keys(&["q"]);
        assert_eq!(demo.wait_exit(), 0, "stderr: {}", demo.stderr());
        demo
    })
    .await;
    let gone = http
        .get(format!("{prom}/-/ready"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(gone.is_err(), "Prometheus stopped with the demo");
    assert!(!demo.path("kubeconfig").exists());
}
