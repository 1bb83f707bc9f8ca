//! Shared by the fleet-scale benches: the `scale` scenario's objects converted exactly as
//! the watchers convert them, an `AppState` holding the rows, and a test terminal.
//!
//! The fleet matches `scripts/bench-scale`: 5,000 workloads over 200 namespaces, 50 canaries
//! in flight, 1 in 100 degraded.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use shipdeck::adapters::kube::rows::{DEPLOYMENTS, Objects, ROLLOUTS};
use shipdeck::domain::identity::{Identity, IdentitySource};
use shipdeck::domain::rollout::RolloutRow;
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::sim::scenario::ScaleOptions;
use shipdeck::sim::scenario::scale;
use shipdeck::state::{AppState, Event, Session, SessionInfo, update};
use shipdeck::theme::{ColorDepth, Theme};

pub const ROLLOUTS_N: usize = 5_000;
pub const NAMESPACES_N: usize = 200;
pub const INFLIGHT_N: usize = 50;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

pub fn options(n: usize) -> ScaleOptions {
    ScaleOptions {
        rollouts: n,
        namespaces: NAMESPACES_N,
        inflight: INFLIGHT_N,
        churn: 0.0,
    }
}

/// The source (watcher) an object of the scenario belongs to; `None` for namespaces.
pub fn source_of(obj: &Value) -> Option<&'static str> {
    match obj["kind"].as_str() {
        Some("Rollout") => Some(ROLLOUTS),
        Some("Deployment") => Some(DEPLOYMENTS),
        _ => None,
    }
}

/// The workloads of the `scale` scenario with what the API server adds (uid,
/// resourceVersion, creationTimestamp), each with its source.
pub fn scale_objects(n: usize) -> Vec<(&'static str, Value)> {
    let (objects, _) = scale::objects(&options(n));
    objects
        .into_iter()
        .filter_map(|mut o| {
            let source = source_of(&o)?;
            let i = o["metadata"]["name"]
                .as_str()
                .and_then(|s| s.trim_start_matches("svc-").parse::<i64>().ok())
                .unwrap_or(0);
            let created = now() - Duration::seconds(37 + 61 * (i % 5_000));
            o["metadata"]["uid"] = json!(format!("00000000-0000-0000-0000-{i:012}"));
            o["metadata"]["resourceVersion"] = json!((i + 1).to_string());
            o["metadata"]["creationTimestamp"] = json!(created.to_rfc3339());
            Some((source, o))
        })
        .collect()
}

/// The watchers' object cache after the initial lists (one per source, all namespaces).
pub fn objects(list: &[(&'static str, Value)]) -> Objects {
    let mut o = Objects::default();
    for source in [ROLLOUTS, DEPLOYMENTS] {
        let of_source: Vec<Value> = list
            .iter()
            .filter(|(s, _)| *s == source)
            .map(|(_, v)| v.clone())
            .collect();
        o.replace(source, None, of_source);
    }
    o
}

/// `n` overview rows, converted from the `scale` scenario as the watchers convert them.
pub fn fleet_rows(n: usize) -> Vec<RolloutRow> {
    let rows = objects(&scale_objects(n)).all_rows();
    assert_eq!(rows.len(), n, "every workload is one row");
    rows
}

pub fn session() -> Session {
    Session::new(
        SessionInfo {
            context: "sim-operator".into(),
            cluster_url: "https://127.0.0.1:6443".into(),
            namespaces: NamespaceScope::All,
            context_read_only: false,
            kube_user: "sim-operator".into(),
        },
        vec!["sim-operator".into()],
        false,
    )
}

/// A state holding `rows`, sized `w`×`h`, as after the first resync.
pub fn state_with(rows: Vec<RolloutRow>, w: u16, h: u16) -> AppState {
    let mut s = AppState::with_rows(session(), rows, now());
    update(
        &mut s,
        Event::Identity(Identity {
            username: "alice@example.com".into(),
            source: IdentitySource::SelfSubjectReview,
        }),
    );
    update(
        &mut s,
        Event::Resize {
            width: w,
            height: h,
        },
    );
    s
}

pub fn theme() -> Theme {
    Theme::embedded("default", ColorDepth::TrueColor).unwrap()
}

pub fn terminal(w: u16, h: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(w, h)).unwrap()
}

/// One frame, as the runtime draws it (ratatui diffs it against the previous one).
pub fn draw(term: &mut Terminal<TestBackend>, state: &AppState, theme: &Theme) {
    term.draw(|f| shipdeck::ui::render(state, theme, f))
        .unwrap();
}

/// The screen as text (for sanity checks before measuring).
pub fn screen(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let area = buf.area;
    let mut text = String::new();
    for y in 0..area.height {
        for x in 0..area.width {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}
