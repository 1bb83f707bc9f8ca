//! Rule 5 of the Argo phase: the client-side computation, first match wins.

use super::*;

#[test]
fn computed_argo_phase_first_match_wins() {
    use Phase::*;
    type Case = (&'static str, ArgoPhaseFacts, Phase, &'static str);
    let cases: Vec<Case> = vec![
        (
            "InvalidSpec condition",
            ArgoPhaseFacts {
                conditions: vec![
                    cond("Available", "AvailableReason", "ok"),
                    cond("InvalidSpec", "InvalidSpec", "bad selector"),
                ],
                spec_paused: true,
                ..healthy()
            },
            Degraded,
            "InvalidSpec: bad selector",
        ),
        (
            "aborted",
            ArgoPhaseFacts {
                conditions: vec![cond(
                    "Progressing",
                    "RolloutAborted",
                    "metric \"web\" failed",
                )],
                spec_paused: true,
                ..healthy()
            },
            Degraded,
            "RolloutAborted: metric \"web\" failed",
        ),
        (
            "deadline exceeded",
            ArgoPhaseFacts {
                conditions: vec![cond("Progressing", "ProgressDeadlineExceeded", "timed out")],
                ..healthy()
            },
            Degraded,
            "ProgressDeadlineExceeded: timed out",
        ),
        (
            "manually paused wins over a pause condition",
            ArgoPhaseFacts {
                spec_paused: true,
                pause_reasons: vec!["CanaryPauseStep".into()],
                conditions: vec![cond("Progressing", "RolloutPaused", "Rollout is paused")],
                ..healthy()
            },
            Paused,
            "manually paused",
        ),
        (
            "first pause condition",
            ArgoPhaseFacts {
                pause_reasons: vec!["BlueGreenPause".into(), "InconclusiveAnalysisRun".into()],
                ..healthy()
            },
            Paused,
            "BlueGreenPause",
        ),
        (
            "restart requested, never done",
            ArgoPhaseFacts {
                restart_at: Some(t(10)),
                ..healthy()
            },
            Progressing,
            "rollout is restarting",
        ),
        (
            "restart requested, another one done",
            ArgoPhaseFacts {
                restart_at: Some(t(10)),
                restarted_at: Some(t(5)),
                ..healthy()
            },
            Progressing,
            "rollout is restarting",
        ),
        (
            "restart done",
            ArgoPhaseFacts {
                restart_at: Some(t(10)),
                restarted_at: Some(t(10)),
                ..healthy()
            },
            Healthy,
            "",
        ),
        (
            "updated below desired",
            ArgoPhaseFacts {
                updated: 2,
                available: 1,
                ..healthy()
            },
            Progressing,
            "more replicas need to be updated",
        ),
        (
            "available below updated",
            ArgoPhaseFacts {
                available: 2,
                ..healthy()
            },
            Progressing,
            "updated replicas are still becoming available",
        ),
        (
            "blue-green cutover pending",
            ArgoPhaseFacts {
                current_pod_hash: "new".into(),
                ..bluegreen()
            },
            Progressing,
            "active service cutover pending",
        ),
        (
            "blue-green without active selector",
            ArgoPhaseFacts {
                active_selector: String::new(),
                ..bluegreen()
            },
            Progressing,
            "active service cutover pending",
        ),
        (
            "blue-green post-promotion analysis running",
            ArgoPhaseFacts {
                strategy: ArgoStrategy::BlueGreen {
                    post_promotion_analysis: true,
                    post_promotion_completed: false,
                },
                stable_rs: "old".into(),
                ..bluegreen()
            },
            Progressing,
            "waiting for analysis to complete",
        ),
        (
            "blue-green post-promotion analysis done, not yet stable",
            ArgoPhaseFacts {
                strategy: ArgoStrategy::BlueGreen {
                    post_promotion_analysis: true,
                    post_promotion_completed: true,
                },
                stable_rs: "old".into(),
                ..bluegreen()
            },
            Progressing,
            "waiting for post-promotion verification to complete",
        ),
        (
            "blue-green without analysis, no stable yet",
            ArgoPhaseFacts {
                stable_rs: String::new(),
                ..bluegreen()
            },
            Progressing,
            "waiting for post-promotion verification to complete",
        ),
        (
            "blue-green healthy, old replicas still up (scale-down delay)",
            ArgoPhaseFacts {
                replicas: 6,
                ..bluegreen()
            },
            Healthy,
            "",
        ),
        (
            "basic canary, old replicas pending termination",
            ArgoPhaseFacts {
                replicas: 4,
                ..healthy()
            },
            Progressing,
            "old replicas are pending termination",
        ),
        (
            "canary with traffic routing ignores old replicas",
            ArgoPhaseFacts {
                replicas: 4,
                strategy: ArgoStrategy::Canary {
                    traffic_routing: true,
                },
                ..healthy()
            },
            Healthy,
            "",
        ),
        (
            "canary not fully promoted",
            ArgoPhaseFacts {
                stable_rs: "old".into(),
                ..healthy()
            },
            Progressing,
            "waiting for all steps to complete",
        ),
        (
            "canary without stable",
            ArgoPhaseFacts {
                stable_rs: String::new(),
                current_pod_hash: String::new(),
                ..healthy()
            },
            Progressing,
            "waiting for all steps to complete",
        ),
        (
            "neither strategy",
            ArgoPhaseFacts {
                strategy: ArgoStrategy::None,
                stable_rs: String::new(),
                ..healthy()
            },
            Healthy,
            "",
        ),
    ];
    for (name, facts, phase, message) in cases {
        assert_eq!(argo_phase(&facts), (phase, message.to_string()), "{name}");
    }
}
