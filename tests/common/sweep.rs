//! The read-only sweep: every key of every scope on every screen, each followed by Enter
//! (confirming whatever dialog it might open) and Escape, then every palette command; and
//! the filter that finds what in a request log would have changed something.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use shipdeck::input::{KeyCode, KeyMap};
use shipdeck::state::palette::COMMANDS;

use super::tmux::Tmux;

/// The tmux name of a key.
pub fn tmux_key(code: KeyCode, ctrl: bool) -> Option<String> {
    Some(match (code, ctrl) {
        (KeyCode::Char(c), true) => format!("C-{c}"),
        (KeyCode::Char(c), false) => c.to_string(),
        (KeyCode::Enter, _) => "Enter".into(),
        (KeyCode::Esc, _) => "Escape".into(),
        (KeyCode::Tab, _) => "Tab".into(),
        (KeyCode::BackTab, _) => "BTab".into(),
        (KeyCode::Backspace, _) => "BSpace".into(),
        (KeyCode::Delete, _) => "DC".into(),
        (KeyCode::Up, _) => "Up".into(),
        (KeyCode::Down, _) => "Down".into(),
        (KeyCode::Left, _) => "Left".into(),
        (KeyCode::Right, _) => "Right".into(),
        (KeyCode::PageUp, _) => "PPage".into(),
        (KeyCode::PageDown, _) => "NPage".into(),
        (KeyCode::Home, _) => "Home".into(),
        (KeyCode::End, _) => "End".into(),
        (KeyCode::F(n), _) => format!("F{n}"),
    })
}

/// Requests that change something (review objects only ask; the control API is the
/// test's own).
pub fn mutating(log: &[Value]) -> Vec<Value> {
    log.iter()
        .filter(|r| r["method"] != "GET")
        .filter(|r| {
            let p = r["path"].as_str().unwrap_or("");
            !p.ends_with("/selfsubjectaccessreviews") && !p.ends_with("/selfsubjectreviews")
        })
        .filter(|r| !r["path"].as_str().unwrap_or("").starts_with("/sim/"))
        .filter(|r| {
            !r["path"]
                .as_str()
                .unwrap_or("")
                .starts_with("/api/v1/query")
        })
        .cloned()
        .collect()
}

/// A read-only session's request log: nothing mutating from `identity`, and more than a few
/// requests from it at all (the session did talk). `who` names the session in the message.
pub fn assert_read_only(log: &[Value], identity: &str, who: &str) {
    let ours: Vec<Value> = mutating(log)
        .into_iter()
        .filter(|r| r["identity"] == identity)
        .collect();
    assert!(ours.is_empty(), "mutating requests from {who}: {ours:#?}");
    assert!(
        log.iter().filter(|r| r["identity"] == identity).count() > 10,
        "{who} did talk to its API server"
    );
}

/// Presses every bound key (but quit) on screens 1–4, on the first two rows, each
/// followed by Enter and Escape; then runs every palette command (but quit) with an
/// argument where it takes one, confirming twice.
pub fn every_key_and_command(tmux: &Tmux) {
    let keys: Vec<String> = KeyMap::default()
        .bindings()
        .iter()
        .filter(|b| b.intent.name() != "quit")
        .filter_map(|b| tmux_key(b.chord.code, b.chord.ctrl))
        .collect();
    for screen in ["1", "2", "3", "4"] {
        for row in 0..2 {
            tmux.keys(&[screen]);
            for _ in 0..row {
                tmux.keys(&["j"]);
            }
            for k in &keys {
                tmux.keys_at_once(&[k.as_str(), "Enter"]);
                std::thread::sleep(Duration::from_millis(30));
                tmux.keys_at_once(&["Escape"]);
                std::thread::sleep(Duration::from_millis(30));
            }
        }
    }
    for cmd in COMMANDS.iter().filter(|c| c.name != "q") {
        let line = match cmd.name {
            "ns" => "ns all".to_string(),
            "ctx" => "ctx sim-operator".to_string(),
            "sort" => "sort name".to_string(),
            "theme" => "theme default".to_string(),
            "undo" => "undo 1".to_string(),
            "terminate" => "terminate payments-x".to_string(),
            other => other.to_string(),
        };
        tmux.keys(&["1", ":"]);
        tmux.text(&line);
        tmux.keys(&["Enter", "Enter", "Escape", "Escape"]);
    }
}
