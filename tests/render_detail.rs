//! Render snapshots of the rollout detail screen (TestBackend + insta) at 120×36 and 80×24:
//! a paused canary, a blue-green waiting for promotion, an aborted canary with a failed
//! analysis, an invalid object, a Flagger canary. The detail snapshots are built by hand
//! (the converter is tested on fixtures elsewhere). Each snapshot also asserts its key facts
//! in plain text, so a wrong snapshot cannot be accepted by accident.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/draw.rs"]
mod draw;

use chrono::{DateTime, Duration, TimeZone, Utc};
use draw::draw;
use shipdeck::domain::detail::{
    AnalysisPhase, AnalysisRunStatus, FlaggerDetail, GitOpsOwner, Webhook,
};
use shipdeck::domain::phase::FlaggerPhase;
use shipdeck::domain::revision::{
    AnalysisMetricView, AnalysisRunView, DetailSnapshot, EventView, MeasurementView, NodeKind,
    Threshold, TreeNode,
};
use shipdeck::domain::rollout::{ControllerKind, Phase, RolloutRow, Weights};
use shipdeck::domain::sample::synthetic_rows;
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::state::detail::DetailState;
use shipdeck::state::{AppState, Session, SessionInfo};
use shipdeck::theme::{ColorDepth, Role, Theme};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

fn ago(s: i64) -> Option<DateTime<Utc>> {
    Some(now() - Duration::seconds(s))
}

fn session(read_only: bool) -> Session {
    Session::new(
        SessionInfo {
            context: "sim-operator".into(),
            cluster_url: "https://127.0.0.1:6443".into(),
            namespaces: NamespaceScope::Some(vec!["casino-prod".into(), "casino-staging".into()]),
            context_read_only: false,
            kube_user: "sim-operator".into(),
        },
        vec!["sim-operator".into()],
        read_only,
    )
}

/// The synthetic rows with `edit` applied, and the detail of `name` open with `snapshot`.
fn state(
    name: &str,
    edit: impl FnOnce(&mut Vec<RolloutRow>),
    snapshot: Option<DetailSnapshot>,
) -> AppState {
    let mut rows = synthetic_rows(30, now());
    edit(&mut rows);
    let key = rows
        .iter()
        .find(|r| r.key.name == name && r.key.namespace == "casino-prod")
        .unwrap()
        .key
        .clone();
    let mut s = AppState::with_rows(session(false), rows, now());
    s.detail = Some(DetailState {
        key,
        generation: 1,
        snapshot,
        error: None,
        tree_cursor: 1,
    });
    s
}

fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{screen}"))
}

fn node(
    depth: u8,
    kind: NodeKind,
    name: &str,
    symbol: &str,
    status: &str,
    info: &[&str],
) -> TreeNode {
    TreeNode {
        depth,
        kind,
        name: name.into(),
        status: status.into(),
        symbol: symbol.into(),
        created: ago(3600),
        info: info.iter().map(|s| s.to_string()).collect(),
        revision: None,
    }
}

fn revision(n: u64) -> TreeNode {
    TreeNode {
        revision: Some(n),
        ..node(1, NodeKind::Revision, &format!("revision:{n}"), "", "", &[])
    }
}

fn event(warning: bool, reason: &str, message: &str, age: i64, count: u32) -> EventView {
    EventView {
        warning,
        reason: reason.into(),
        message: message.into(),
        count,
        last_seen: ago(age),
    }
}

fn measurement(value: &str, phase: &str, age: i64) -> MeasurementView {
    MeasurementView {
        value: value.into(),
        at: ago(age),
        phase: phase.into(),
        message: String::new(),
    }
}

fn metric(name: &str, phase: &str, cond: &str, threshold: Threshold) -> AnalysisMetricView {
    AnalysisMetricView {
        name: name.into(),
        phase: phase.into(),
        success_condition: cond.into(),
        failure_condition: String::new(),
        threshold: Some(threshold),
        successful: 0,
        failed: 0,
        failure_limit: None,
        inconclusive: 0,
        inconclusive_limit: None,
        consecutive_error: 0,
        consecutive_error_limit: None,
        message: String::new(),
        measurements: Vec::new(),
    }
}

fn canary_snapshot(prefix: &str) -> DetailSnapshot {
    let mut success = metric(
        "success-rate",
        "Successful",
        "result[0] >= 0.99",
        Threshold {
            op: ">=".into(),
            value: 0.99,
            success: true,
        },
    );
    success.successful = 3;
    success.measurements = vec![
        measurement("[0.995]", "Successful", 200),
        measurement("[0.993]", "Successful", 140),
        measurement("[0.998]", "Successful", 80),
    ];
    DetailSnapshot {
        row: None,
        tree: vec![
            node(0, NodeKind::Rollout, prefix, "‖", "Paused", &[]),
            revision(4),
            node(
                2,
                NodeKind::ReplicaSet,
                &format!("{prefix}-6f7d8c9b5"),
                "✔",
                "Healthy",
                &["canary"],
            ),
            node(
                3,
                NodeKind::Pod,
                &format!("{prefix}-6f7d8c9b5-x2k9p"),
                "✔",
                "Running",
                &["ready:1/1"],
            ),
            node(
                2,
                NodeKind::AnalysisRun,
                &format!("{prefix}-6f7d8c9b5-4"),
                "✔",
                "Successful",
                &["✔ 3"],
            ),
            revision(3),
            node(
                2,
                NodeKind::ReplicaSet,
                &format!("{prefix}-54c8d7f6b9"),
                "✔",
                "Healthy",
                &["stable"],
            ),
            node(
                3,
                NodeKind::Pod,
                &format!("{prefix}-54c8d7f6b9-a1b2c"),
                "✔",
                "Running",
                &["ready:1/1"],
            ),
            node(
                3,
                NodeKind::Pod,
                &format!("{prefix}-54c8d7f6b9-d3e4f"),
                "✔",
                "Running",
                &["ready:1/1", "restarts:2"],
            ),
            revision(2),
            node(
                2,
                NodeKind::ReplicaSet,
                &format!("{prefix}-7c9f6d5b8"),
                "•",
                "ScaledDown",
                &[],
            ),
        ],
        analysis: vec![AnalysisRunView {
            name: format!("{prefix}-6f7d8c9b5-4"),
            phase: "Successful".into(),
            message: String::new(),
            background: false,
            revision: Some(4),
            created: ago(260),
            metrics: vec![success],
        }],
        events: vec![
            event(
                false,
                "RolloutPaused",
                "Rollout is paused (CanaryPauseStep)",
                252,
                1,
            ),
            event(
                false,
                "RolloutStepCompleted",
                "Rollout step 4/7 completed (setWeight: 50)",
                255,
                1,
            ),
            event(
                false,
                "AnalysisRunSuccessful",
                "Step Analysis Run successful",
                262,
                1,
            ),
        ],
    }
}

#[test]
fn paused_canary_120x36() {
    let mut s = state(
        "game-engine",
        |rows| {
            let r = &mut rows[0];
            let since = ago(252);
            r.pause.as_mut().unwrap().since = since;
            let a = r.argo.as_mut().unwrap();
            a.pause_conditions[0].since = since;
            a.step_analysis = Some(AnalysisRunStatus {
                name: "game-engine-6f7d8c9b5-4".into(),
                phase: AnalysisPhase::Successful,
                message: String::new(),
            });
            r.gitops = Some(GitOpsOwner::ArgoCd {
                app: Some("casino-prod".into()),
            });
        },
        Some(canary_snapshot("game-engine")),
    );
    let (text, term) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("detail_paused_canary_120x36", text);
    assert!(line_with(&text, "Status").contains("‖ Paused"));
    assert!(text.contains("paused 4m12s — CanaryPauseStep"));
    assert!(text.contains("1.3.0 → 1.4.0 (minor)"));
    assert!(text.contains("GitOps: Argo CD app casino-prod"));
    // The timeline: done steps ticked, the current one marked.
    assert!(line_with(&text, "setWeight: 50").contains('✔'));
    assert!(line_with(&text, " 5 pause").contains('▶'));
    // Actions: possible ones with keys, impossible with their reason.
    let actions = line_with(&text, "Actions");
    assert!(actions.contains("a approve"), "{actions}");
    assert!(actions.contains("retry: not aborted"), "{actions}");
    // The tree as the CLI draws it, the cursor's node highlighted.
    assert!(line_with(&text, "revision:4").contains("├──# revision:4"));
    assert!(line_with(&text, "-x2k9p").contains("│  │  └──□"));
    assert!(line_with(&text, "6f7d8c9b5-4 ").contains("α"));
    let y = text
        .lines()
        .position(|l| l.contains("# revision:4"))
        .unwrap();
    let x = text
        .lines()
        .nth(y)
        .unwrap()
        .chars()
        .position(|c| c == '#')
        .unwrap();
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let cell = &term.backend().buffer()[(x as u16, y as u16)];
    assert_eq!(cell.bg, theme.style(Role::ChromeSelection).bg.unwrap());
    // Analysis values against the threshold, and the events.
    assert!(line_with(&text, "success-rate").contains("≥ 0.99"));
    assert!(text.contains("[0.998] ✔"));
    assert!(text.contains("RolloutPaused"));
    assert!(text.contains("Metrics"));
}

#[test]
fn paused_canary_80x24() {
    let mut s = state(
        "game-engine",
        |rows| {
            rows[0].pause.as_mut().unwrap().since = ago(252);
            rows[0].argo.as_mut().unwrap().pause_conditions[0].since = ago(252);
        },
        Some(canary_snapshot("game-engine")),
    );
    let (text, _) = draw(&mut s, 80, 24);
    insta::assert_snapshot!("detail_paused_canary_80x24", text);
    assert!(text.contains("‖ Paused"));
    assert!(text.contains("paused 4m12s"));
    assert!(text.contains("Revisions"));
    assert!(line_with(&text, "Actions").contains("a approve"));
    assert!(text.lines().all(|l| l.chars().count() <= 80));
}

#[test]
fn blue_green_waiting_for_promotion_120x36() {
    let mut s = state(
        "lobby",
        |rows| {
            let r = &mut rows[2];
            let a = r.argo.as_mut().unwrap();
            a.active_service = Some("lobby-active".into());
            a.preview_service = Some("lobby-preview".into());
            a.active_selector = Some("5d9f8b7c6".into());
            a.preview_selector = Some("7b8c9d6f5".into());
            a.current_pod_hash = Some("7b8c9d6f5".into());
            a.stable_rs = Some("5d9f8b7c6".into());
        },
        Some(DetailSnapshot {
            row: None,
            tree: vec![
                node(0, NodeKind::Rollout, "lobby", "‖", "Paused", &[]),
                revision(2),
                node(
                    2,
                    NodeKind::ReplicaSet,
                    "lobby-7b8c9d6f5",
                    "✔",
                    "Healthy",
                    &["preview"],
                ),
                node(
                    3,
                    NodeKind::Pod,
                    "lobby-7b8c9d6f5-q8w7e",
                    "✔",
                    "Running",
                    &["ready:1/1"],
                ),
                revision(1),
                node(
                    2,
                    NodeKind::ReplicaSet,
                    "lobby-5d9f8b7c6",
                    "✔",
                    "Healthy",
                    &["stable", "active"],
                ),
                node(
                    3,
                    NodeKind::Pod,
                    "lobby-5d9f8b7c6-z5wps",
                    "✔",
                    "Running",
                    &["ready:1/1"],
                ),
            ],
            analysis: Vec::new(),
            events: vec![event(
                false,
                "RolloutPaused",
                "Rollout is paused (BlueGreenPause)",
                160,
                1,
            )],
        }),
    );
    let (text, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("detail_blue_green_120x36", text);
    assert!(text.contains(" Blue-green "));
    assert!(text.contains("— BlueGreenPause"));
    assert!(text.contains("waiting for promotion"));
    assert!(line_with(&text, "preview lobby-preview").contains("7b8c9d6f5"));
    assert!(line_with(&text, "Actions").contains("a approve"));
    assert!(line_with(&text, "lobby-5d9f8b7c6 ").contains("stable,active"));
}

#[test]
fn aborted_with_failed_analysis_120x36() {
    let mut s = state(
        "payments",
        |rows| {
            let r = &mut rows[1];
            r.message =
                "RolloutAborted: metric \"error-rate\" assessed Failed due to failed (2) > failureLimit (1)"
                    .into();
            r.weights = Some(Weights {
                set: 0,
                actual: Some(0),
            });
            let a = r.argo.as_mut().unwrap();
            a.aborted = true;
            a.aborted_at = ago(95);
            a.steps[2] = shipdeck::domain::steps::CanaryStep::Analysis;
            a.step_analysis = Some(AnalysisRunStatus {
                name: "payments-6f7d8c9b5-2".into(),
                phase: AnalysisPhase::Failed,
                message: "metric \"error-rate\" assessed Failed".into(),
            });
        },
        Some({
            let mut m = metric(
                "error-rate",
                "Failed",
                "result[0] <= 0.05",
                Threshold {
                    op: "<=".into(),
                    value: 0.05,
                    success: true,
                },
            );
            m.failed = 2;
            m.failure_limit = Some(1);
            m.successful = 1;
            m.measurements = vec![
                measurement("[0.012]", "Successful", 215),
                measurement("[0.081]", "Failed", 155),
                measurement("[0.093]", "Failed", 95),
            ];
            m.message = "metric assessed Failed".into();
            DetailSnapshot {
                row: None,
                tree: vec![
                    node(0, NodeKind::Rollout, "payments", "✖", "Degraded", &[]),
                    revision(7),
                    node(
                        2,
                        NodeKind::ReplicaSet,
                        "payments-6f7d8c9b5",
                        "•",
                        "ScaledDown",
                        &["canary"],
                    ),
                    node(
                        2,
                        NodeKind::AnalysisRun,
                        "payments-6f7d8c9b5-2",
                        "✖",
                        "Failed",
                        &["✔ 1", "✖ 2"],
                    ),
                    revision(6),
                    node(
                        2,
                        NodeKind::ReplicaSet,
                        "payments-54c8d7f6b9",
                        "✔",
                        "Healthy",
                        &["stable"],
                    ),
                ],
                analysis: vec![AnalysisRunView {
                    name: "payments-6f7d8c9b5-2".into(),
                    phase: "Failed".into(),
                    message:
                        "metric \"error-rate\" assessed Failed due to failed (2) > failureLimit (1)"
                            .into(),
                    background: false,
                    revision: Some(7),
                    created: ago(230),
                    metrics: vec![m],
                }],
                events: vec![
                    event(
                        true,
                        "RolloutAborted",
                        "Rollout aborted update to revision 7",
                        95,
                        1,
                    ),
                    event(true, "AnalysisRunFailed", "Step Analysis Run failed", 95, 1),
                    event(
                        false,
                        "RolloutStepCompleted",
                        "Rollout step 1/7 completed (pause: 30s)",
                        180,
                        1,
                    ),
                ],
            }
        }),
    );
    let (text, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("detail_aborted_failed_analysis_120x36", text);
    assert!(line_with(&text, "Status").contains("✖ Degraded"));
    assert!(text.contains("aborted 1m35s ago"));
    assert!(text.contains("✖ Failed payments-6f7d8c9b5-2"));
    let m = line_with(&text, "✖ error-rate Failed");
    assert!(m.contains("≤ 0.05") && m.contains("failed 2/1"), "{m}");
    assert!(text.contains("[0.093] ✖ 1m35s"));
    assert!(line_with(&text, "[0.093]").contains("vs ≤ 0.05"));
    assert!(line_with(&text, "RolloutAborted: Rollout aborted").contains("⚠  1m35s"));
    let actions = line_with(&text, "Actions");
    assert!(actions.contains("r retry"), "{actions}");
    assert!(actions.contains("abort: already aborted"), "{actions}");
}

#[test]
fn invalid_rollout_120x36() {
    let mut s = state(
        "broken",
        |rows| {
            let mut r = RolloutRow::new("casino-prod", "broken", ControllerKind::ArgoCanary);
            r.phase = Phase::Unknown;
            r.invalid = Some("spec.strategy.canary.steps[2].setWeight: expected an integer".into());
            rows.push(r);
        },
        Some(DetailSnapshot::default()),
    );
    let (text, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("detail_invalid_120x36", text);
    assert!(line_with(&text, "Status").contains("⚠ Invalid"));
    assert!(text.contains("invalid object: spec.strategy.canary.steps[2].setWeight"));
    assert!(text.contains("no steps: the object is invalid"));
    assert!(line_with(&text, "Actions").contains("approve: invalid object"));
}

#[test]
fn flagger_canary_120x36() {
    let mut s = state(
        "bonus",
        |rows| {
            let r = &mut rows[3];
            r.phase = Phase::Paused;
            r.message = "WaitingPromotion".into();
            r.flagger = Some(FlaggerDetail {
                phase: Some(FlaggerPhase::WaitingPromotion),
                canary_weight: 50,
                failed_checks: 1,
                iterations: 5,
                max_weight: Some(50),
                threshold: Some(3),
                step_weight: Some(10),
                target: "bonus".into(),
                webhooks: vec![
                    Webhook {
                        name: "load-test".into(),
                        kind: "rollout".into(),
                        url: "http://flagger-loadtester.casino-prod/".into(),
                    },
                    Webhook {
                        name: "gate".into(),
                        kind: "confirm-promotion".into(),
                        url: "http://flagger-loadtester.casino-prod/gate/check".into(),
                    },
                ],
                ..FlaggerDetail::default()
            });
            r.weights = Some(Weights {
                set: 50,
                actual: Some(50),
            });
        },
        Some(DetailSnapshot {
            row: None,
            tree: vec![
                node(0, NodeKind::Canary, "bonus", "‖", "WaitingPromotion", &[]),
                node(
                    1,
                    NodeKind::Deployment,
                    "bonus",
                    "✔",
                    "Healthy",
                    &["canary"],
                ),
                node(
                    1,
                    NodeKind::Deployment,
                    "bonus-primary",
                    "✔",
                    "Healthy",
                    &["primary"],
                ),
            ],
            analysis: Vec::new(),
            events: vec![
                event(
                    false,
                    "Synced",
                    "Confirm-promotion check confirm-promotion is waiting",
                    40,
                    3,
                ),
                event(
                    true,
                    "Synced",
                    "Halt advancement bonus.casino-prod request-success-rate 97.12% < 99%",
                    120,
                    1,
                ),
            ],
        }),
    );
    let (text, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("detail_flagger_120x36", text);
    assert!(text.contains(" Flagger "));
    assert!(line_with(&text, "weight").contains("50% / max 50%"));
    assert!(line_with(&text, "checks").contains("failed 1/3"));
    assert!(line_with(&text, "confirm-promotion waits").contains("gates    ‖"));
    assert!(line_with(&text, "iter").contains('5'));
    assert!(
        line_with(&text, "hooks").contains("load-test (rollout), gate"),
        "{text}"
    );
    assert!(line_with(&text, "Halt advancement").contains('⚠'));
    let actions = line_with(&text, "Actions");
    assert!(actions.contains("a approve"), "{actions}");
    assert!(actions.contains("promote-full: Flagger"), "{actions}");
}

#[test]
fn loading_ascii_read_only_and_tiny_terminals_never_panic() {
    let mut s = state("game-engine", |_| {}, None);
    s.ascii = true;
    let (text, _) = draw(&mut s, 100, 30);
    assert!(text.contains("loading the revision tree..."));
    assert!(text.contains("= Paused"));
    s.detail.as_mut().unwrap().snapshot = Some(canary_snapshot("game-engine"));
    let (text, _) = draw(&mut s, 100, 30);
    assert!(text.contains("|--# revision:4"), "{text}");
    assert!(text.lines().all(|l| l.is_ascii()), "{text}");
    let mut ro = AppState::with_rows(session(true), synthetic_rows(5, now()), now());
    ro.detail = s.detail.clone();
    let (text, _) = draw(&mut ro, 120, 36);
    assert!(line_with(&text, "Actions").contains("read-only"));
    for (w, h) in [(10, 4), (30, 8), (60, 12), (80, 16), (200, 60)] {
        draw(&mut s, w, h);
    }
    // A rollout that went away while open.
    s.detail.as_mut().unwrap().key.name = "gone".into();
    let (text, _) = draw(&mut s, 80, 24);
    assert!(text.contains("is gone"));
}
