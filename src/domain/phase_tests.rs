use chrono::TimeZone;

use super::*;

/// A healthy, fully promoted canary without traffic routing: every rule passes.
fn healthy() -> ArgoPhaseFacts {
    ArgoPhaseFacts {
        generation: 7,
        observed_generation: Some("7".into()),
        controller_pause: false,
        pause_reasons: vec![],
        workload_ref: false,
        workload_generation: None,
        workload_observed_generation: None,
        status_phase: None,
        status_message: None,
        conditions: vec![],
        spec_paused: false,
        restart_at: None,
        restarted_at: None,
        desired: 3,
        replicas: 3,
        updated: 3,
        available: 3,
        strategy: ArgoStrategy::Canary {
            traffic_routing: false,
        },
        current_pod_hash: "abc".into(),
        stable_rs: "abc".into(),
        active_selector: String::new(),
    }
}

fn bluegreen() -> ArgoPhaseFacts {
    ArgoPhaseFacts {
        strategy: ArgoStrategy::BlueGreen {
            post_promotion_analysis: false,
            post_promotion_completed: false,
        },
        active_selector: "abc".into(),
        ..healthy()
    }
}

fn cond(kind: &str, reason: &str, message: &str) -> Condition {
    Condition {
        kind: kind.into(),
        reason: reason.into(),
        message: message.into(),
    }
}

fn t(s: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(s)
}

#[test]
fn argo_phase_rules_before_the_computation() {
    use Phase::*;
    type Case = (&'static str, ArgoPhaseFacts, Phase, &'static str);
    let unobserved = "waiting for rollout spec update to be observed";
    let cases: Vec<Case> = vec![
        ("healthy", healthy(), Healthy, ""),
        // 1. observedGeneration
        (
            "observed generation lower",
            ArgoPhaseFacts {
                observed_generation: Some("6".into()),
                status_phase: Some("Healthy".into()),
                ..healthy()
            },
            Progressing,
            unobserved,
        ),
        (
            "observed generation higher counts as observed",
            ArgoPhaseFacts {
                observed_generation: Some("8".into()),
                ..healthy()
            },
            Healthy,
            "",
        ),
        (
            "non-integer observed generation (old hash) counts as observed",
            ArgoPhaseFacts {
                observed_generation: Some("7d6f5c9b8".into()),
                ..healthy()
            },
            Healthy,
            "",
        ),
        (
            "missing observed generation counts as observed",
            ArgoPhaseFacts {
                observed_generation: None,
                ..healthy()
            },
            Healthy,
            "",
        ),
        (
            "signed integer parses",
            ArgoPhaseFacts {
                observed_generation: Some("+6".into()),
                ..healthy()
            },
            Progressing,
            unobserved,
        ),
        // 2. controllerPause without pause conditions
        (
            "unpausing",
            ArgoPhaseFacts {
                controller_pause: true,
                status_phase: Some("Paused".into()),
                ..healthy()
            },
            Progressing,
            "waiting for rollout to unpause",
        ),
        (
            "controller pause with a pause condition is a pause",
            ArgoPhaseFacts {
                controller_pause: true,
                pause_reasons: vec!["CanaryPauseStep".into()],
                ..healthy()
            },
            Paused,
            "CanaryPauseStep",
        ),
        // 3. workloadRef generation
        (
            "workload generation not observed",
            ArgoPhaseFacts {
                workload_ref: true,
                workload_generation: Some("4".into()),
                workload_observed_generation: Some("3".into()),
                status_phase: Some("Healthy".into()),
                ..healthy()
            },
            Progressing,
            "waiting for rollout spec update to be observed for the reference workload",
        ),
        (
            "workload generation observed",
            ArgoPhaseFacts {
                workload_ref: true,
                workload_generation: Some("4".into()),
                workload_observed_generation: Some("4".into()),
                ..healthy()
            },
            Healthy,
            "",
        ),
        (
            "workload generation without annotation or with garbage counts as observed",
            ArgoPhaseFacts {
                workload_ref: true,
                workload_generation: Some("x".into()),
                workload_observed_generation: Some("3".into()),
                ..healthy()
            },
            Healthy,
            "",
        ),
        (
            "workload annotation without workloadRef is ignored",
            ArgoPhaseFacts {
                workload_generation: Some("4".into()),
                workload_observed_generation: Some("3".into()),
                ..healthy()
            },
            Healthy,
            "",
        ),
        // 4. status.phase wins over the computation
        (
            "status phase",
            ArgoPhaseFacts {
                status_phase: Some("Degraded".into()),
                status_message: Some("RolloutAborted: metric failed".into()),
                ..healthy()
            },
            Degraded,
            "RolloutAborted: metric failed",
        ),
        (
            "status paused without message",
            ArgoPhaseFacts {
                status_phase: Some("Paused".into()),
                updated: 0,
                ..healthy()
            },
            Paused,
            "",
        ),
        (
            "unknown status phase",
            ArgoPhaseFacts {
                status_phase: Some("Exploding".into()),
                status_message: Some("boom".into()),
                ..healthy()
            },
            Unknown,
            "boom",
        ),
    ];
    for (name, facts, phase, message) in cases {
        assert_eq!(argo_phase(&facts), (phase, message.to_string()), "{name}");
    }
}

#[test]
fn flagger_phases_map_to_ours() {
    let table = [
        ("Initializing", Phase::Progressing, false),
        ("Initialized", Phase::Healthy, false),
        ("Waiting", Phase::Paused, true),
        ("Progressing", Phase::Progressing, false),
        ("WaitingPromotion", Phase::Paused, true),
        ("Promoting", Phase::Progressing, false),
        ("Finalising", Phase::Progressing, false),
        ("Succeeded", Phase::Healthy, false),
        ("Failed", Phase::Failed, false),
        ("Terminating", Phase::Progressing, false),
        ("Terminated", Phase::Unknown, false),
    ];
    for (raw, phase, waits) in table {
        let (p, message, fp) = flagger_phase(Some(raw), None);
        let fp = fp.unwrap();
        assert_eq!((p, fp.waits_for_approval()), (phase, waits), "{raw}");
        assert_eq!(message, raw);
        assert_eq!(fp.label(), raw);
    }
    let (p, m, _) = flagger_phase(Some("WaitingPromotion"), Some("Waiting for approval."));
    assert_eq!((p, m.as_str()), (Phase::Paused, "Waiting for approval."));
    assert_eq!(flagger_phase(None, None).0, Phase::Unknown);
    assert_eq!(flagger_phase(Some(""), None).0, Phase::Unknown);
    let (p, m, fp) = flagger_phase(Some("Dancing"), None);
    assert_eq!(
        (p, m.as_str(), fp),
        (Phase::Unknown, "unknown Flagger phase \"Dancing\"", None)
    );
}

#[test]
fn deployment_phase_follows_rollout_status() {
    let done = DeploymentFacts {
        generation: 4,
        observed_generation: 4,
        paused: false,
        desired: 3,
        replicas: 3,
        updated: 3,
        available: 3,
        progressing: Some(cond("Progressing", "NewReplicaSetAvailable", "ok")),
    };
    let cases: Vec<(DeploymentFacts, Phase, &str)> = vec![
        (done.clone(), Phase::Healthy, ""),
        (
            DeploymentFacts {
                observed_generation: 3,
                ..done.clone()
            },
            Phase::Progressing,
            "waiting for deployment spec update to be observed",
        ),
        (
            DeploymentFacts {
                progressing: Some(cond(
                    "Progressing",
                    "ProgressDeadlineExceeded",
                    "ReplicaSet \"wallet-7c9\" has timed out progressing.",
                )),
                paused: true,
                ..done.clone()
            },
            Phase::Degraded,
            "ProgressDeadlineExceeded: ReplicaSet \"wallet-7c9\" has timed out progressing.",
        ),
        (
            DeploymentFacts {
                paused: true,
                updated: 1,
                ..done.clone()
            },
            Phase::Paused,
            "manually paused",
        ),
        (
            DeploymentFacts {
                updated: 1,
                replicas: 4,
                ..done.clone()
            },
            Phase::Progressing,
            "1 of 3 new replicas have been updated",
        ),
        (
            DeploymentFacts {
                replicas: 5,
                ..done.clone()
            },
            Phase::Progressing,
            "2 old replicas are pending termination",
        ),
        (
            DeploymentFacts {
                available: 2,
                ..done.clone()
            },
            Phase::Progressing,
            "2 of 3 updated replicas are available",
        ),
    ];
    for (facts, phase, message) in cases {
        assert_eq!(
            deployment_phase(&facts),
            (phase, message.to_string()),
            "{facts:?}"
        );
    }
}

#[test]
fn symbols_and_labels() {
    assert_eq!(Phase::Paused.symbol(false), "‖");
    assert_eq!(Phase::Degraded.symbol(false), "✖");
    assert_eq!(Phase::parse("degraded"), Some(Phase::Degraded));
    assert_eq!(Phase::parse("weird"), None);
}

#[path = "phase_computed_tests.rs"]
mod computed;
