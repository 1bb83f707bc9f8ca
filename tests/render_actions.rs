//! Render snapshots (TestBackend + insta, 100×32 and 80×24) of the confirm dialog (abort with
//! its 404 fallback, a promote that skips a step, an undo's long JSON patch, loading, error,
//! a typed reason) and of the audit screen (every outcome, filtered, empty), the requests
//! from the real plan builders. Each also asserts its key facts in plain text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/draw.rs"]
mod draw;

use chrono::{TimeZone, Utc};
use draw::draw;
use ratatui::backend::Backend;
use serde_json::json;
use shipdeck::domain::action_request::{ActionRequest, Seen, change_text, plan_for};
use shipdeck::domain::actions::Action;
use shipdeck::domain::argo_requests::{Plan, RolloutFacts, undo};
use shipdeck::domain::audit::{AuditEntry, Outcome};
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};
use shipdeck::domain::sample::synthetic_rows;
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::state::actions::{ConfirmDialog, recorded};
use shipdeck::state::{AppState, Overlay, Screen, Session, SessionInfo};
use tui_input::Input;

#[path = "render_actions/dialogs.rs"]
mod dialogs;

const PATH: &str = "/apis/argoproj.io/v1alpha1/namespaces/casino-prod/rollouts/payments";

fn state() -> AppState {
    let session = Session::new(
        SessionInfo {
            context: "prod-eu".into(),
            cluster_url: "https://127.0.0.1:6443".into(),
            namespaces: NamespaceScope::Some(vec!["casino-prod".into(), "casino-staging".into()]),
            context_read_only: false,
            kube_user: "alice".into(),
        },
        vec!["prod-eu".into()],
        false,
    );
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    AppState::with_rows(session, synthetic_rows(30, now), now)
}

/// `casino-prod/payments`, a canary paused by the operator at step 2/5, step 3 an analysis.
fn facts() -> RolloutFacts {
    RolloutFacts {
        namespace: "casino-prod".into(),
        name: "payments".into(),
        canary: true,
        spec_paused: true,
        current_step_index: Some(2),
        steps: 5,
        current_step: Some("analysis".into()),
        current_pod_hash: Some("6f7d8c9b5".into()),
        stable_rs: Some("54c8d7f6b9".into()),
        ..RolloutFacts::default()
    }
}

fn request(action: Action, plan: Plan, undo_to: Option<u64>) -> ActionRequest {
    let seen = Seen {
        resource_version: "41872".into(),
        generation: 9,
        revision: Some(7),
        facts: facts(),
        phase: None,
    };
    ActionRequest {
        id: 1,
        key: RolloutKey {
            namespace: "casino-prod".into(),
            name: "payments".into(),
            kind: ControllerKind::ArgoCanary,
        },
        action,
        target: "casino-prod/payments (Argo canary)".into(),
        change: change_text(action, &seen, undo_to),
        plan,
        seen,
        analysis_run: None,
        undo_to,
        reason: None,
        identity: "alice@example.com".into(),
        context: "prod-eu".into(),
    }
}

fn open(s: &mut AppState, request: ActionRequest, edit: impl FnOnce(&mut ConfirmDialog)) {
    let mut d = ConfirmDialog::new(request, Vec::new(), None);
    edit(&mut d);
    s.overlay = Overlay::Confirm(Box::new(d));
}

fn planned(action: Action) -> ActionRequest {
    request(action, plan_for(action, &facts()).unwrap(), None)
}

/// A pod template as a ReplicaSet carries it (with its hash label), or as the Rollout does:
/// long enough for the patch to wrap.
fn template(tag: &str, hash: Option<&str>) -> serde_json::Value {
    let mut labels = json!({"app": "payments"});
    if let Some(h) = hash {
        labels["rollouts-pod-template-hash"] = json!(h);
    }
    json!({
        "metadata": {"labels": labels},
        "spec": {"containers": [{
            "name": "payments",
            "image": format!("ghcr.io/casino/payments:{tag}"),
            "ports": [{"containerPort": 8080, "name": "http"}],
            "env": [{"name": "PAYMENTS_PROVIDER_URL", "value": "https://psp.example.com/v2"}],
            "resources": {"limits": {"cpu": "1", "memory": "512Mi"}}
        }]}
    })
}

fn undo_request() -> ActionRequest {
    let owned = [
        (7, template("1.9.0", Some("6f7d8c9b5"))),
        (6, template("1.8.2", Some("54c8d7f6b9"))),
    ];
    let current = template("1.9.0", None);
    let plan = undo(&facts(), &current, &owned, Some(6)).unwrap().unwrap();
    request(Action::Undo, plan, Some(6))
}

/// The dialog's rows inside its borders, joined without line breaks (wrapped paths and
/// bodies read whole again). Panics unless the dialog is drawn whole, bottom border included.
fn joined(screen: &str) -> String {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let (top, left) = rows
        .iter()
        .enumerate()
        .find_map(|(y, r)| r.iter().skip(1).position(|c| *c == '┌').map(|x| (y, x + 1)))
        .unwrap_or_else(|| panic!("no dialog in\n{screen}"));
    let right = left + rows[top][left..].iter().position(|c| *c == '┐').unwrap();
    let mut out = String::new();
    for r in &rows[top + 1..] {
        if r[left] == '└' && r[right] == '┘' {
            return out;
        }
        assert_eq!((r[left], r[right]), ('│', '│'), "dialog cut:\n{screen}");
        out.push_str(String::from_iter(&r[left + 1..right]).trim());
    }
    panic!("the dialog has no bottom border:\n{screen}");
}

#[test]
fn abort_dialog_shows_the_status_request_and_its_fallback_100x32() {
    let mut s = state();
    open(&mut s, planned(Action::Abort), |_| {});
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!("confirm_abort_100x32", text);
    assert!(text.contains("Abort — casino-prod/payments"));
    assert!(text.contains("Target:  casino-prod/payments (Argo canary)"));
    assert!(text.contains("Change:  step 2/5 → aborted (traffic to stable)"));
    assert!(text.contains(&format!("PATCH {PATH}/status")));
    assert!(text.contains("  Content-Type: application/merge-patch+json"));
    assert!(text.contains(r#"{"status":{"abort":true}}"#));
    assert!(text.contains("If the API server has no status subresource (404), instead:"));
    assert!(text.contains(&format!("PATCH {PATH} ")));
    assert!(text.contains("Reason (optional, recorded in the audit):"));
    assert!(joined(&text).ends_with("Enter confirm · Esc cancel"));
    assert!(text.contains("Enter confirm  Esc cancel  type a reason"));
}

#[test]
fn promote_dialog_says_what_it_skips_and_numbers_its_requests_100x32() {
    let mut s = state();
    open(&mut s, planned(Action::Approve), |_| {});
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!("confirm_promote_skip_100x32", text);
    assert!(text.contains("Approve / promote one step — casino-prod/payments"));
    assert!(text.contains("Skips:   skips step 3/5 (analysis) without waiting for it"));
    assert!(text.contains(&format!("1. PATCH {PATH}/status")));
    assert!(text.contains(r#"{"status":{"currentStepIndex":3,"pauseConditions":null}}"#));
    assert!(text.contains(&format!("2. PATCH {PATH}")));
    assert!(text.contains(r#"{"spec":{"paused":false}}"#));
    assert!(text.contains("If the API server has no status subresource (404), instead:"));
    assert!(joined(&text).ends_with("Enter confirm · Esc cancel"));
}

#[test]
fn undo_dialog_wraps_its_json_patch_instead_of_cutting_it_100x32() {
    let mut s = state();
    let req = undo_request();
    let body = serde_json::to_string(&req.plan.requests[0].body).unwrap();
    open(&mut s, req, |_| {});
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!("confirm_undo_json_patch_100x32", text);
    assert!(text.contains("Undo — casino-prod/payments"));
    assert!(text.contains("Change:  revision 7 → 6"));
    assert!(text.contains(&format!("PATCH {PATH}")));
    assert!(text.contains("application/json-patch+json"));
    assert!(body.len() > 200, "the body must be long enough to wrap");
    let whole = joined(&text);
    assert!(whole.contains(&body) && whole.ends_with("Enter confirm · Esc cancel"));
    assert!(!text.contains("rollouts-pod-template-hash"));
}

#[test]
fn undo_dialog_loading_then_failed_only_closes_100x32() {
    let mut s = state();
    open(&mut s, request(Action::Undo, Plan::default(), None), |d| {
        d.loading = true
    });
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!("confirm_undo_loading_100x32", text);
    assert!(text.contains("Undo — casino-prod/payments"));
    assert!(text.contains("Reading the ReplicaSets…"));
    assert!(!text.contains("PATCH") && !text.contains("Reason (optional"));
    assert!(joined(&text).ends_with("Esc close"));
    assert!(!text.contains("Enter confirm"));
    let why = undo(&facts(), &json!({}), &[(7, json!({}))], Some(4)).unwrap_err();
    let why = why.to_string();
    let req = request(Action::Undo, Plan::default(), Some(4));
    open(&mut s, req, |d| d.error = Some(why.clone()));
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!("confirm_error_100x32", text);
    assert!(text.contains(&format!("⚠ {why}")));
    assert!(text.contains("revision 4 not found among the rollout's ReplicaSets"));
    assert!(joined(&text).ends_with("Esc close"));
    assert!(!text.contains("Enter confirm") && !text.contains("PATCH"));
}

#[test]
fn a_dialog_taller_than_the_terminal_says_so_and_keeps_its_keys_80x24() {
    let mut s = state();
    let mut req = planned(Action::Pause);
    req.plan.requests[0].body = json!({"spec": {"note": "y".repeat(2000)}});
    open(&mut s, req, |_| {});
    let (text, _) = draw(&mut s, 80, 24);
    assert!(
        text.contains("more lines do not fit: make the terminal taller"),
        "{text}"
    );
    let whole = joined(&text);
    assert!(whole.contains("Reason (optional, recorded in the audit):"));
    assert!(whole.ends_with("Enter confirm · Esc cancel"));
}

#[test]
fn typed_reason_shows_with_the_cursor_after_it_80x24() {
    let mut s = state();
    open(&mut s, planned(Action::Abort), |d| {
        d.reason = Input::new("p99 at 2.4s, paging SRE".into());
    });
    let (text, mut term) = draw(&mut s, 80, 24);
    insta::assert_snapshot!("confirm_abort_reason_80x24", text);
    assert!(text.contains("Reason (optional, recorded in the audit): p99 at 2.4s, paging SRE"));
    // The terminal cursor sits right after the typed text.
    let cursor = term.backend_mut().get_cursor_position().unwrap();
    let row = text.lines().nth(usize::from(cursor.y)).unwrap();
    let before: String = row.chars().take(usize::from(cursor.x)).collect();
    assert!(before.ends_with("p99 at 2.4s, paging SRE"), "{before:?}");
    // At 80 columns the status path does not fit after the verb: it goes whole on the
    // next line.
    let whole = joined(&text);
    assert!(whole.contains(&format!("PATCH{PATH}/status")), "{whole}");
    assert!(text.contains(&format!("│ {PATH}/status ")));
    assert!(whole.contains(r#"{"status":{"abort":true}}"#));
    assert!(text.contains("application/merge-patch+json"));
    assert!(whole.ends_with("Enter confirm · Esc cancel"));
}

/// Four attempts, oldest first, one per outcome: time, object, action, outcome, reason.
const LOG: [&str; 4] = [
    "02:41:07 casino-prod/payments approve done canary error rate flat for 10 min",
    "02:55:30 casino-prod/lobby abort refused read-only session",
    "03:02:11 casino-staging/game-engine pause failed the object has been modified; please \
     apply your changes to the latest version and try again",
    "03:05:42 casino-prod/payments promote-full cancelled",
];

/// An audit line of `LOG`, with the requests of the real plan when they were sent.
fn entry(line: &str) -> AuditEntry {
    let mut words = line.splitn(5, ' ');
    let mut next = || words.next().unwrap_or("");
    let (time, object, action, outcome, why) = (next(), next(), next(), next(), next());
    let (ns, name) = object.split_once('/').unwrap();
    use Action::{Abort, Approve, Pause, PromoteFull};
    let actions = [Approve, Abort, Pause, PromoteFull];
    let action = actions.into_iter().find(|a| a.label() == action).unwrap();
    let outcome: Outcome = serde_json::from_value(json!(outcome)).unwrap();
    let f = RolloutFacts {
        namespace: ns.into(),
        name: name.into(),
        ..facts()
    };
    let requests = match outcome {
        Outcome::Done | Outcome::Failed => recorded(&plan_for(action, &f).unwrap()),
        Outcome::Refused | Outcome::Cancelled => Vec::new(),
    };
    AuditEntry {
        time: format!("2026-11-26T{time}Z").parse().unwrap(),
        identity: "alice@example.com".into(),
        context: "prod-eu".into(),
        namespace: ns.into(),
        name: name.into(),
        action: action.label().into(),
        requests,
        outcome,
        reason: (!why.is_empty()).then(|| why.to_string()),
    }
}

fn audit_state() -> AppState {
    let mut s = state();
    s.screen = Screen::Audit;
    s.audit.loaded = true;
    s.audit.entries = LOG.iter().map(|l| entry(l)).collect();
    s
}

#[test]
fn audit_screen_lists_every_outcome_and_the_selected_requests_100x32() {
    let mut s = audit_state();
    s.audit.cursor = 3; // the oldest: the done approve and its two requests
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!("audit_entries_100x32", text);
    assert!(text.contains("Audit — 4 recorded") && text.contains("TIME (UTC)"));
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("2026-11-26 0"))
        .collect();
    assert!(rows[0].contains("03:05:42") && rows[0].contains("- cancelled"));
    assert!(rows[1].contains("03:02:11") && rows[1].contains("✖ failed"));
    assert!(rows[2].contains("02:55:30") && rows[2].contains("⚠ refused"));
    assert!(rows[3].contains("02:41:07") && rows[3].contains("✔ done"));
    assert!(rows[1].contains("casino-staging/game-engine") && rows[1].contains("the object"));
    assert!(text.contains("Reason:  canary error rate flat for 10 min"));
    assert!(text.contains(&format!("1. PATCH {PATH}/status")));
    assert!(text.contains(&format!("2. PATCH {PATH}")));
    assert!(text.contains(r#"{"spec":{"paused":false}}"#));
}

#[test]
fn audit_screen_filtered_says_so_in_its_title_100x32() {
    let mut s = audit_state();
    s.audit.set_filter("payments");
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!("audit_filtered_100x32", text);
    assert!(text.contains("Audit — filter: payments (2 of 4)"));
    assert!(!text.contains("game-engine") && !text.contains("casino-prod/lobby"));
    assert!(text.contains("no requests were sent")); // the cancelled one is selected
}

#[test]
fn audit_screen_at_80x24_keeps_the_time_and_outcome() {
    let mut s = audit_state();
    s.audit.cursor = 1;
    let (text, _) = draw(&mut s, 80, 24);
    insta::assert_snapshot!("audit_entries_80x24", text);
    assert!(text.contains("2026-11-26 03:02:11 ✖ failed"));
    assert!(!text.contains("CONTEXT")); // no room for it at 80 columns
    let path = PATH.replace(
        "casino-prod/rollouts/payments",
        "casino-staging/rollouts/game-engine",
    );
    assert!(text.contains(&format!("│ {path} ")));
    assert!(text.contains(r#"{"spec":{"paused":true}}"#));
}

#[test]
fn empty_audit_screen_says_what_will_appear_100x32() {
    let mut s = state();
    s.screen = Screen::Audit;
    s.audit.loaded = true;
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!("audit_empty_100x32", text);
    assert!(text.contains("No actions recorded yet."));
    assert!(text.contains("[audit] path"));
    s.audit.loaded = false;
    let (text, _) = draw(&mut s, 100, 32);
    assert!(text.contains("reading the audit file…"));
}
