//! The flags screen on the real path: the casino world's flagd ConfigMap, watched through
//! the kube client, listed on screen 3 with what each flag serves; an invalid definition
//! written by another client shows as invalid with its reason, live.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::headless::Headless;
use common::sim::client;
use serde_json::{Value, json};
use shipdeck::input::KeyChord;
use shipdeck::state::Event;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_casino_flags_are_listed_live_on_screen_three() {
    let sim = common::sim::casino_at_rest().await;
    let mut h = Headless::start(&sim, "casino-prod", "").await;
    h.run_until("the casino flags", Duration::from_secs(30), |s| {
        s.flags.total() >= 4
    })
    .await;
    h.send(Event::Key(KeyChord::ch('3')));
    let screen = h.screen(150, 36);
    for key in [
        "new-slot-ui",
        "jackpot-banner",
        "platform-read-only",
        "bonus-wheel",
    ] {
        assert!(screen.contains(key), "{key} missing:\n{screen}");
    }
    assert!(screen.contains("flagd ConfigMaps: live"), "{screen}");
    assert!(screen.contains("casino-prod"));

    // Another client breaks a definition: the row turns invalid with the reason, live.
    let c = client(&sim, "sim-operator").await;
    let cm: Value = c
        .request(
            http::Request::get("/api/v1/namespaces/casino-prod/configmaps?labelSelector=")
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap();
    let (name, key) = cm["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|o| {
            let data = o["data"].as_object()?;
            let key = data
                .iter()
                .find(|(_, v)| v.as_str().is_some_and(|t| t.contains("new-slot-ui")))?
                .0
                .clone();
            Some((o["metadata"]["name"].as_str()?.to_string(), key))
        })
        .unwrap();
    let broken = json!({"flags": {"new-slot-ui": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "maybe"}}});
    let body = json!({"data": {key.clone(): broken.to_string()}});
    let req = http::Request::patch(format!("/api/v1/namespaces/casino-prod/configmaps/{name}"))
        .header("content-type", "application/merge-patch+json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    let _: Value = c.request(req).await.unwrap();
    h.run_until("the invalid row", Duration::from_secs(30), |s| {
        s.flags
            .visible()
            .iter()
            .any(|f| f.key == "new-slot-ui" && f.invalid.is_some())
    })
    .await;
    let screen = h.screen(150, 36);
    assert!(screen.contains("⚠ invalid"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t_on_the_flags_screen_flips_a_flag_through_the_dialog() {
    let sim = common::sim::casino_at_rest().await;
    let mut h = Headless::start(&sim, "casino-prod", "").await;
    h.run_until("the casino flags", Duration::from_secs(30), |s| {
        s.flags.total() >= 4
    })
    .await;
    h.send(Event::Key(KeyChord::ch('3')));
    let at = h
        .state
        .flags
        .visible()
        .iter()
        .position(|f| f.key == "new-slot-ui")
        .unwrap();
    let before = h.state.flags.visible()[at].default_variant.clone();
    h.state.flags.cursor = at;
    h.send(Event::Key(KeyChord::ch('t')));
    h.run_until(
        "the dialog with its requests",
        Duration::from_secs(30),
        |s| matches!(&s.overlay, shipdeck::state::Overlay::FlagConfirm(d) if !d.loading),
    )
    .await;
    let screen = h.screen(150, 44);
    assert!(screen.contains("toggle-flag"), "{screen}");
    assert!(screen.contains("application/merge-patch+json"), "{screen}");
    h.send(Event::Key(shipdeck::input::KeyChord::plain(
        shipdeck::input::KeyCode::Enter,
    )));
    // The watch may show the flip before the executor has written its Event, annotation
    // and audit line: wait for both.
    h.run_until(
        "the flipped flag and its audit line",
        Duration::from_secs(30),
        |s| {
            s.flags
                .visible()
                .iter()
                .any(|f| f.key == "new-slot-ui" && f.default_variant != before)
                && s.audit.entries.iter().any(|e| e.action == "toggle-flag")
        },
    )
    .await;
    let done = h.state.audit.entries.last().unwrap();
    assert_eq!(done.action, "toggle-flag");
    assert_eq!(done.outcome, shipdeck::domain::audit::Outcome::Done);
    assert_eq!(done.requests.len(), 1);
}
