//! The requests of `kubectl argo rollouts` on a canary in flight: promote (each branch),
//! promote --full, pause / resume, abort / retry, and analysis outcomes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::canary_tests::web;
use super::testutil::*;
use crate::sim::world::testkit::Kit;

#[test]
fn promote_skips_a_timed_pause_and_a_running_analysis() {
    let mut k = Kit::new();
    let name = web(&mut k);
    set_image(&mut k, &name, "web:1.1.0");
    assert!(until(&mut k, 20, |k| index(k, "web") == 1));
    promote(&mut k, &name); // branch b: clears the pause
    assert!(until(&mut k, 20, |k| index(k, "web") == 3));
    promote(&mut k, &name); // branch b again: the timed pause has its condition
    assert!(
        until(&mut k, 3, |k| index(k, "web") == 4),
        "the timed pause is skipped"
    );
    run(&mut k, 2);
    let v2 = st(&k, &name)["currentPodHash"]
        .as_str()
        .unwrap()
        .to_string();
    let run_name = format!("web-{v2}-2-4");
    assert!(
        k.get(AV, "AnalysisRun", NS, &run_name)["spec"]
            .get("terminate")
            .is_none()
    );
    promote(&mut k, &name); // branch c: no pause, skip the running analysis
    assert_eq!(index(&k, &name), 5);
    run(&mut k, 1);
    assert_eq!(
        k.get(AV, "AnalysisRun", NS, &run_name)["spec"]["terminate"],
        true
    );
    assert!(
        st(&k, &name)["canary"]
            .get("currentStepAnalysisRunStatus")
            .is_none()
    );
    assert!(until(&mut k, 30, |k| phase(k, "web").0 == "Healthy"));
    k.assert_no_refused_writes();
}

#[test]
fn promote_full_jumps_to_the_end() {
    let mut k = Kit::new();
    let name = web(&mut k);
    set_image(&mut k, &name, "web:1.1.0");
    assert!(until(&mut k, 20, |k| index(k, "web") == 1));
    promote_full(&mut k, &name);
    assert!(
        until(&mut k, 30, |k| phase(k, "web").0 == "Healthy"),
        "{:#}",
        st(&k, &name)
    );
    let s = st(&k, &name);
    assert!(s.get("promoteFull").is_none() && s.get("pauseConditions").is_none());
    assert_eq!(s["stableRS"], s["currentPodHash"]);
    assert!(
        k.event_reasons(NS, &name)
            .iter()
            .any(|r| r == "RolloutCompleted")
    );
    let v2 = s["currentPodHash"].as_str().unwrap();
    assert!(has_event(
        &k,
        &name,
        "RolloutCompleted",
        &format!("Rollout completed update to revision 2 ({v2}): Full promotion requested")
    ));
    k.assert_no_refused_writes();
}

#[test]
fn pause_and_resume_never_advance_a_step() {
    let mut k = Kit::new();
    let name = web(&mut k);
    set_image(&mut k, &name, "web:1.1.0");
    run(&mut k, 1);
    set_paused(&mut k, &name, true);
    run(&mut k, 30);
    assert_eq!(
        phase(&k, &name),
        ("Paused".to_string(), "manually paused".to_string())
    );
    let s = st(&k, &name);
    assert_eq!(
        (
            cond(&s, "Paused")["status"].clone(),
            cond(&s, "Progressing")["reason"].clone()
        ),
        (json!("True"), json!("RolloutPaused"))
    );
    let at = index(&k, &name);
    set_paused(&mut k, &name, false);
    assert!(until(&mut k, 20, |k| index(k, "web") == 1
        && phase(k, "web").1 == "CanaryPauseStep"));
    // Resume while at the indefinite pause: the step stays.
    set_paused(&mut k, &name, true);
    run(&mut k, 5);
    set_paused(&mut k, &name, false);
    run(&mut k, 20);
    assert!(at <= 1);
    assert_eq!(
        (index(&k, &name), phase(&k, &name).1),
        (1, "CanaryPauseStep".to_string())
    );
    assert_eq!(
        cond(&st(&k, &name), "Progressing")["reason"],
        "RolloutPaused"
    );
    k.assert_no_refused_writes();
}

#[test]
fn abort_goes_back_to_stable_and_retry_starts_over() {
    let mut k = Kit::new();
    let name = web(&mut k);
    set_image(&mut k, &name, "web:1.1.0");
    assert!(until(&mut k, 20, |k| index(k, "web") == 1));
    promote(&mut k, &name);
    assert!(until(&mut k, 20, |k| index(k, "web") == 3));
    abort(&mut k, &name);
    assert!(
        until(&mut k, 30, |k| split(k, "web") == (0, 5)),
        "{:?}",
        split(&k, &name)
    );
    let s = st(&k, &name);
    let msg = "RolloutAborted: Rollout aborted update to revision 2";
    assert_eq!(phase(&k, &name), ("Degraded".to_string(), msg.to_string()));
    assert_eq!(
        (s["abort"].clone(), s["currentStepIndex"].clone()),
        (json!(true), json!(0))
    );
    assert!(s["abortedAt"].is_string() && s.get("pauseConditions").is_none());
    assert_eq!(cond(&s, "Progressing")["reason"], "RolloutAborted");
    assert_eq!(cond(&s, "Progressing")["status"], "False");
    assert!(has_event(
        &k,
        &name,
        "RolloutAborted",
        "Rollout aborted update to revision 2"
    ));
    run(&mut k, 30);
    assert_eq!(phase(&k, &name).0, "Degraded");
    retry(&mut k, &name);
    assert!(
        until(&mut k, 20, |k| index(k, "web") == 1),
        "{:#}",
        st(&k, &name)
    );
    let s = st(&k, &name);
    assert!(s.get("abort").is_none() && s.get("abortedAt").is_none());
    assert_eq!(split(&k, &name), (1, 4));
    assert!(has_event(
        &k,
        &name,
        "RolloutStepCompleted",
        "Rollout step 1/6 completed (setWeight: 20)"
    ));
    k.assert_no_refused_writes();
}

#[test]
fn a_failed_analysis_aborts_with_its_message() {
    let mut k = Kit::new();
    let name = web(&mut k);
    set_image(&mut k, &name, "web:1.1.0");
    assert!(until(&mut k, 20, |k| index(k, "web") == 1));
    promote(&mut k, &name);
    assert!(until(&mut k, 30, |k| index(k, "web") == 4));
    run(&mut k, 1);
    let v2 = st(&k, &name)["currentPodHash"]
        .as_str()
        .unwrap()
        .to_string();
    let run_name = format!("web-{v2}-2-4");
    let m = "metric \"check\" assessed Failed due to failed (1) > failureLimit (0)";
    set_run_phase(&mut k, &run_name, "Failed", m);
    assert!(until(&mut k, 30, |k| split(k, "web") == (0, 5)));
    let expected = format!(
        "RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: {m}"
    );
    assert_eq!(phase(&k, &name), ("Degraded".to_string(), expected));
    assert!(
        k.event_reasons(NS, &name)
            .contains(&"AnalysisRunFailed".to_string())
    );
    let prefix = format!("Step Analysis Run '{run_name}' Status New: 'Failed' Previous: ");
    assert!(event_starting(&k, &name, "AnalysisRunFailed", &prefix));
    k.assert_no_refused_writes();
}

#[test]
fn an_inconclusive_analysis_pauses_until_promoted() {
    let mut k = Kit::new();
    let name = web(&mut k);
    set_image(&mut k, &name, "web:1.1.0");
    assert!(until(&mut k, 20, |k| index(k, "web") == 1));
    promote(&mut k, &name);
    assert!(until(&mut k, 30, |k| index(k, "web") == 4));
    run(&mut k, 1);
    let v2 = st(&k, &name)["currentPodHash"]
        .as_str()
        .unwrap()
        .to_string();
    set_run_phase(&mut k, &format!("web-{v2}-2-4"), "Inconclusive", "");
    assert!(until(&mut k, 10, |k| phase(k, "web").1
        == "InconclusiveAnalysisRun"));
    let s = st(&k, &name);
    assert_eq!(s["controllerPause"], true);
    assert_eq!(
        s["canary"]["currentStepAnalysisRunStatus"]["status"],
        "Inconclusive"
    );
    run(&mut k, 30);
    assert_eq!(index(&k, &name), 4);
    promote(&mut k, &name); // branch a
    assert!(
        until(&mut k, 30, |k| phase(k, "web").0 == "Healthy"),
        "{:#}",
        st(&k, &name)
    );
    k.assert_no_refused_writes();
}

#[test]
fn a_failed_background_analysis_aborts_the_update() {
    let mut k = Kit::new();
    k.apply(job_template("bg-checks"));
    let mut r = canary("bgw", 4, json!([{"setWeight": 25}, {"pause": {}}]));
    r["spec"]["strategy"]["canary"]["analysis"] = json!({
        "templates": [{"templateName": "bg-checks"}],
        "args": [{"name": "service", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
    });
    let name = deployed(&mut k, r);
    assert!(
        runs(&k).is_empty(),
        "no background analysis for a first deploy"
    );
    set_image(&mut k, &name, "bgw:2.0.0");
    assert!(until(&mut k, 20, |k| phase(k, "bgw").1 == "CanaryPauseStep"));
    let v2 = st(&k, &name)["currentPodHash"]
        .as_str()
        .unwrap()
        .to_string();
    let run_name = format!("bgw-{v2}-2");
    let ar = k.get(AV, "AnalysisRun", NS, &run_name);
    assert_eq!(ar["metadata"]["labels"]["rollout-type"], "Background");
    assert!(ar["metadata"]["labels"].get("step-index").is_none());
    assert_eq!(
        ar["spec"]["args"],
        json!([{"name": "service", "value": "bgw"}])
    );
    set_run_phase(&mut k, &run_name, "Running", "");
    run(&mut k, 1);
    let prefix = format!("Background Analysis Run '{run_name}' Status New: 'Running' Previous: ");
    assert!(event_starting(&k, &name, "AnalysisRunRunning", &prefix));
    let m = "metric \"check\" assessed Failed due to failed (1) > failureLimit (0)";
    set_run_phase(&mut k, &run_name, "Failed", m);
    assert!(until(&mut k, 20, |k| split(k, "bgw") == (0, 4)));
    assert_eq!(
        phase(&k, &name).1,
        format!(
            "RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: {m}"
        )
    );
    k.assert_no_refused_writes();
}
