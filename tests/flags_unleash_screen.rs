//! The flags screen with a real Unleash: shipdeck polls its admin API and lists one row per
//! feature and environment; a change made in Unleash shows up at the next poll; a read-only
//! session that presses every key and runs every palette command changes nothing (Unleash's
//! event log and the server's flag states).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/unleash.rs"]
mod unleash;

use std::time::Duration;

use common::headless::Headless;
use shipdeck::domain::flags::{Backend, FlagState};
use shipdeck::input::{Intent, KeyChord, KeyCode, KeyMap};
use shipdeck::sim::{self, SimConfig};
use shipdeck::state::palette::COMMANDS;
use shipdeck::state::{AppState, Event, Overlay};

/// A config with flagd off and Unleash on (`server`'s token written into `dir`), polling
/// every second in `environments` (a TOML array).
fn unleash_only(server: &unleash::Unleash, dir: &std::path::Path, environments: &str) -> String {
    let token = dir.join("token");
    std::fs::write(&token, &server.token).unwrap();
    format!(
        "[flags.flagd]\nenabled = false\n\n[flags.unleash]\nurl = \"{}\"\ntoken_file = \"{}\"\nproject = \"{}\"\nenvironments = {environments}\ninterval = \"1s\"\n",
        server.url,
        token.display(),
        server.project
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unleash_features_are_listed_and_follow_the_server() {
    let Some(server) = unleash::start().await else {
        return;
    };
    server.create_feature("new-cashier", true).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = unleash_only(&server, dir.path(), r#"["development"]"#);
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

/// Had a key opened a flag dialog, its requests would be read first (Enter before that sends
/// nothing): wait for them, so that the Enter after it would really confirm.
async fn settle(h: &mut Headless) {
    let loading = |s: &AppState| matches!(&s.overlay, Overlay::FlagConfirm(d) if d.loading);
    if loading(&h.state) {
        h.run_until("the dialog's requests", Duration::from_secs(30), |s| {
            !loading(s)
        })
        .await;
    }
}

/// `:` then `line` then Enter (and Enter, Esc, Esc for whatever it opened), on the flags screen.
async fn palette(h: &mut Headless, line: &str) {
    h.send(Event::Key(KeyChord::ch('3')));
    h.send(Event::Key(KeyChord::ch(':')));
    for c in line.chars() {
        h.send(Event::Key(KeyChord::ch(c)));
    }
    h.send(Event::Key(KeyChord::plain(KeyCode::Enter)));
    settle(h).await;
    for code in [KeyCode::Enter, KeyCode::Esc, KeyCode::Esc] {
        h.send(Event::Key(KeyChord::plain(code)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_session_toggles_nothing_in_unleash_whatever_it_is_asked() {
    let Some(server) = unleash::start().await else {
        return;
    };
    server.create_feature("new-cashier", true).await;
    server.create_feature("platform-read-only", false).await;
    server.create_feature("sentinel", false).await;
    let envs = ["development", "production"];
    let mut before = Vec::new();
    for f in ["new-cashier", "platform-read-only"] {
        for e in envs {
            before.push(server.environment(f, e).await);
        }
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = unleash_only(&server, dir.path(), r#"["development", "production"]"#)
        + "\n[platform]\nread_only_flag = \"platform-read-only\"\n";
    // Everything Unleash logged so far is the setup's.
    let mark = server.last_event_id().await;
    let mut h = Headless::start_as(&sim, "default", &cfg, "sim-operator", true).await;
    assert!(h.state.session.is_read_only());
    h.run_until("the Unleash rows", Duration::from_secs(30), |s| {
        s.flags.visible().len() == 6
    })
    .await;

    // Every key of every scope on every row of the flags screen, each followed by Enter
    // (confirming whatever dialog it might have opened) and Esc.
    let chords: Vec<KeyChord> = KeyMap::default()
        .bindings()
        .iter()
        .filter(|b| b.intent != Intent::Quit)
        .map(|b| b.chord)
        .collect();
    assert!(chords.contains(&KeyChord::ch('t')) && chords.contains(&KeyChord::ch('M')));
    for row in 0..6 {
        for chord in &chords {
            h.send(Event::Key(KeyChord::ch('3')));
            h.state.flags.cursor = row;
            h.send(Event::Key(*chord));
            if [KeyChord::ch('t'), KeyChord::ch('M')].contains(chord) {
                // Refused by the reducer, in words; no dialog.
                let said = h.state.flash.as_ref().map(|f| f.text.clone());
                assert!(
                    said.as_deref()
                        .is_some_and(|t| t.contains("read-only session")),
                    "{chord:?}: {said:?}"
                );
                assert!(matches!(h.state.overlay, Overlay::None));
            }
            settle(&mut h).await;
            h.send(Event::Key(KeyChord::plain(KeyCode::Enter)));
            h.send(Event::Key(KeyChord::plain(KeyCode::Esc)));
        }
        // The flag commands of the palette, with the row selected.
        for line in ["disable-flag", "enable-flag"] {
            h.send(Event::Key(KeyChord::ch('3')));
            h.state.flags.cursor = row;
            palette(&mut h, line).await;
        }
    }
    // Every palette command (arguments where it takes them).
    for cmd in COMMANDS.iter().filter(|c| !matches!(c.name, "q" | "ctx")) {
        let line = match cmd.name {
            "ns" => "ns all".to_string(),
            "sort" => "sort name".to_string(),
            "theme" => "theme default".to_string(),
            "undo" => "undo 1".to_string(),
            "terminate" => "terminate x".to_string(),
            other => other.to_string(),
        };
        palette(&mut h, &line).await;
    }
    assert!(h.state.session.is_read_only(), "still read-only");
    assert!(h.state.flags.in_flight.is_empty(), "no change in flight");

    // A change made in Unleash after the sweep, seen by shipdeck's poller: whatever the sweep
    // could have sent went out long before.
    let (code, _) = server
        .admin(
            "POST",
            &format!(
                "/api/admin/projects/{}/features/sentinel/environments/development/on",
                server.project
            ),
            None,
        )
        .await;
    assert!((200..300).contains(&code), "{code}");
    h.run_until("the sentinel turned on", Duration::from_secs(30), |s| {
        s.flags.all().iter().any(|f| {
            f.key == "sentinel" && f.environment == "development" && f.state == FlagState::Enabled
        })
    })
    .await;

    // Unleash's event log: no feature event since the session started but the sentinel's.
    let (sentinel, ours): (Vec<_>, Vec<_>) = server
        .feature_events_after(mark)
        .await
        .into_iter()
        .partition(|e| e["featureName"] == "sentinel");
    // (Enabling it without strategies also logs the default strategy Unleash added.)
    assert!(
        sentinel
            .iter()
            .any(|e| e["type"] == "feature-environment-enabled"),
        "the log holds the sentinel's change: {sentinel:#?}"
    );
    assert!(
        ours.is_empty(),
        "a read-only session changed Unleash: {ours:#?}"
    );
    // The server's flags are as they were.
    let mut after = Vec::new();
    for f in ["new-cashier", "platform-read-only"] {
        for e in envs {
            after.push(server.environment(f, e).await);
        }
    }
    assert_eq!(after, before);
    // Nothing was attempted past the reducer: no done or failed line.
    if let Ok(text) = std::fs::read_to_string(h.audit_path()) {
        assert!(!text.contains("\"outcome\":\"done\""), "{text}");
        assert!(!text.contains("\"outcome\":\"failed\""), "{text}");
    }
}
