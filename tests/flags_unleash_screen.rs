//! The flags screen with a real Unleash: shipdeck polls its admin API and lists one row per
//! feature and environment; a change made in Unleash shows up at the next poll.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/unleash.rs"]
mod unleash;

use std::time::Duration;

use common::headless::Headless;
use shipdeck::domain::flags::{Backend, FlagState};
use shipdeck::input::KeyChord;
use shipdeck::sim::{self, SimConfig};
use shipdeck::state::Event;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unleash_features_are_listed_and_follow_the_server() {
    let Some(server) = unleash::start().await else {
        return;
    };
    server.create_feature("new-cashier", true).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, &server.token).unwrap();
    let cfg = format!(
        "[flags.flagd]\nenabled = false\n\n[flags.unleash]\nurl = \"{}\"\ntoken_file = \"{}\"\nproject = \"{}\"\nenvironments = [\"development\"]\ninterval = \"1s\"\n",
        server.url,
        token.display(),
        server.project
    );
    let mut h = Headless::start(&sim, "default", &cfg).await;
    h.run_until("the Unleash feature", Duration::from_secs(30), |s| {
        s.flags
            .visible()
            .iter()
            .any(|f| f.key == "new-cashier" && f.backend == Backend::Unleash)
    })
    .await;
    h.send(Event::Key(KeyChord::ch('3')));
    let screen = h.screen(150, 30);
    assert!(screen.contains("new-cashier"), "{screen}");
    assert!(screen.contains("unleash: live"), "{screen}");
    assert!(
        !screen.contains(&server.token),
        "the token never reaches the screen"
    );
    let before = h
        .state
        .flags
        .visible()
        .iter()
        .find(|f| f.key == "new-cashier")
        .map(|f| f.state)
        .unwrap();
    // Someone flips it in Unleash: the next poll shows it.
    let action = if before == FlagState::Enabled {
        "off"
    } else {
        "on"
    };
    let (code, _) = server
        .admin(
            "POST",
            &format!(
                "/api/admin/projects/{}/features/new-cashier/environments/development/{action}",
                server.project
            ),
            None,
        )
        .await;
    assert!((200..300).contains(&code), "{code}");
    h.run_until("the flipped state", Duration::from_secs(30), |s| {
        s.flags
            .visible()
            .iter()
            .any(|f| f.key == "new-cashier" && f.state != before)
    })
    .await;
}
