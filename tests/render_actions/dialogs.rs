//! The remaining dialogs, one per action: pause, resume, retry, promote-full, restart and
//! terminate, each with the exact request it will send.

use shipdeck::domain::argo_requests::{restart, terminate};

use super::*;

fn shows(action: Action, request: ActionRequest, name: &str, want: &[&str]) {
    let mut s = state();
    open(&mut s, request, |_| {});
    let (text, _) = draw(&mut s, 100, 32);
    insta::assert_snapshot!(name, text);
    assert!(
        text.contains(&format!("{} — casino-prod/payments", action.title())),
        "{text}"
    );
    let whole = joined(&text);
    for w in want {
        assert!(whole.contains(w), "{w:?} missing from\n{text}");
    }
    assert!(whole.ends_with("Enter confirm · Esc cancel"));
}

#[test]
fn pause_and_resume_touch_only_spec_paused() {
    let mut pause = facts();
    pause.spec_paused = false;
    let plan = plan_for(Action::Pause, &pause).unwrap();
    shows(
        Action::Pause,
        request(Action::Pause, plan, None),
        "confirm_pause_100x32",
        &[
            "Change:  running → paused",
            &format!("PATCH {PATH}"),
            "Content-Type: application/merge-patch+json",
            r#"{"spec":{"paused":true}}"#,
        ],
    );
    shows(
        Action::Resume,
        planned(Action::Resume),
        "confirm_resume_100x32",
        &["Change:  paused → running", r#"{"spec":{"paused":false}}"#],
    );
}

#[test]
fn retry_and_promote_full_patch_the_status_first() {
    shows(
        Action::Retry,
        planned(Action::Retry),
        "confirm_retry_100x32",
        &[
            &format!("PATCH {PATH}/status"),
            r#"{"status":{"abort":false}}"#,
            "If the API server has no status subresource (404), instead:",
        ],
    );
    shows(
        Action::PromoteFull,
        planned(Action::PromoteFull),
        "confirm_promote_full_100x32",
        &[
            "Change:  step 2/5 → fully promoted",
            "Skips:   every remaining step",
            &format!("1. PATCH {PATH}/status"),
            r#"{"status":{"promoteFull":true}}"#,
            &format!("2. PATCH {PATH}"),
            r#"{"spec":{"paused":false}}"#,
        ],
    );
}

#[test]
fn restart_and_terminate_name_their_time_and_run() {
    let plan = restart(&facts(), "2026-11-26T03:00:00Z");
    shows(
        Action::Restart,
        request(Action::Restart, plan, None),
        "confirm_restart_100x32",
        &[
            "Change:  every pod replaced",
            r#"{"spec":{"restartAt":"2026-11-26T03:00:00Z"}}"#,
        ],
    );
    let plan = terminate("casino-prod", "payments-6f7d8c9b5-3");
    let mut req = request(Action::Terminate, plan, None);
    req.analysis_run = Some("payments-6f7d8c9b5-3".into());
    shows(
        Action::Terminate,
        req,
        "confirm_terminate_100x32",
        &[
            "PATCH /apis/argoproj.io/v1alpha1/namespaces/casino-prod/analysisruns/payments-6f7d8c9b5-3",
            r#"{"spec":{"terminate":true}}"#,
        ],
    );
}
