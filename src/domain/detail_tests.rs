use super::*;

fn paused(reason: PauseReason) -> Pause {
    Pause {
        reason,
        since: None,
    }
}

fn analysis(phase: AnalysisPhase) -> Option<AnalysisRunStatus> {
    Some(AnalysisRunStatus {
        name: "run-1".into(),
        phase,
        message: String::new(),
    })
}

fn at_step(step: CanaryStep) -> ArgoDetail {
    ArgoDetail {
        steps: vec![CanaryStep::SetWeight(10), step],
        current_step_index: Some(1),
        pause_conditions: vec![paused(PauseReason::CanaryPauseStep)],
        ..ArgoDetail::default()
    }
}

#[test]
fn argo_attention_reasons_in_order_of_urgency() {
    use Attention::*;
    let indefinite = CanaryStep::Pause {
        duration: None,
        seconds: None,
    };
    let timed = CanaryStep::Pause {
        duration: Some("30s".into()),
        seconds: Some(30),
    };
    let cases: Vec<(&str, Phase, ArgoDetail, Option<Attention>)> = vec![
        ("healthy", Phase::Healthy, ArgoDetail::default(), None),
        (
            "indefinite pause step",
            Phase::Paused,
            at_step(indefinite.clone()),
            Some(WaitingApproval),
        ),
        (
            "timed pause step",
            Phase::Paused,
            at_step(timed.clone()),
            None,
        ),
        (
            "pause step at an unknown step",
            Phase::Paused,
            ArgoDetail {
                current_step_index: None,
                ..at_step(timed)
            },
            Some(WaitingApproval),
        ),
        (
            "blue-green pause",
            Phase::Paused,
            ArgoDetail {
                pause_conditions: vec![paused(PauseReason::BlueGreenPause)],
                ..ArgoDetail::default()
            },
            Some(WaitingApproval),
        ),
        (
            "manual pause is the operator's own",
            Phase::Paused,
            ArgoDetail::default(),
            None,
        ),
        (
            "inconclusive pause",
            Phase::Paused,
            ArgoDetail {
                pause_conditions: vec![paused(PauseReason::InconclusiveAnalysisRun)],
                ..ArgoDetail::default()
            },
            Some(InconclusiveAnalysis),
        ),
        (
            "inconclusive experiment",
            Phase::Paused,
            ArgoDetail {
                pause_conditions: vec![paused(PauseReason::InconclusiveExperiment)],
                ..ArgoDetail::default()
            },
            Some(InconclusiveAnalysis),
        ),
        (
            "inconclusive step analysis",
            Phase::Progressing,
            ArgoDetail {
                step_analysis: analysis(AnalysisPhase::Inconclusive),
                ..ArgoDetail::default()
            },
            Some(InconclusiveAnalysis),
        ),
        (
            "degraded",
            Phase::Degraded,
            at_step(indefinite.clone()),
            Some(Degraded),
        ),
        (
            "aborted",
            Phase::Progressing,
            ArgoDetail {
                aborted: true,
                ..ArgoDetail::default()
            },
            Some(Degraded),
        ),
        (
            "failing step analysis beats everything",
            Phase::Degraded,
            ArgoDetail {
                step_analysis: analysis(AnalysisPhase::Failed),
                ..at_step(indefinite.clone())
            },
            Some(FailingAnalysis),
        ),
        (
            "analysis error",
            Phase::Progressing,
            ArgoDetail {
                step_analysis: analysis(AnalysisPhase::Error),
                ..ArgoDetail::default()
            },
            Some(FailingAnalysis),
        ),
        (
            "running analysis",
            Phase::Progressing,
            ArgoDetail {
                step_analysis: analysis(AnalysisPhase::Running),
                ..ArgoDetail::default()
            },
            None,
        ),
    ];
    for (name, phase, detail, want) in cases {
        assert_eq!(argo_attention(phase, &detail), want, "{name}");
    }
}

#[test]
fn flagger_attention() {
    let with = |phase: FlaggerPhase, failed_checks: u32| FlaggerDetail {
        phase: Some(phase),
        failed_checks,
        ..FlaggerDetail::default()
    };
    assert_eq!(
        super::flagger_attention(&with(FlaggerPhase::Failed, 3)),
        Some(Attention::Degraded)
    );
    assert_eq!(
        super::flagger_attention(&with(FlaggerPhase::Progressing, 1)),
        Some(Attention::FailingAnalysis)
    );
    assert_eq!(
        super::flagger_attention(&with(FlaggerPhase::Progressing, 0)),
        None
    );
    assert_eq!(
        super::flagger_attention(&with(FlaggerPhase::Waiting, 0)),
        Some(Attention::WaitingApproval)
    );
    assert_eq!(
        super::flagger_attention(&with(FlaggerPhase::WaitingPromotion, 0)),
        Some(Attention::WaitingApproval)
    );
    assert_eq!(
        super::flagger_attention(&with(FlaggerPhase::Succeeded, 0)),
        None
    );
    assert_eq!(super::flagger_attention(&FlaggerDetail::default()), None);
}

#[test]
fn labels() {
    let line = TaggedImage {
        image: "argoproj/rollouts-demo:blue".into(),
        tags: vec![ImageTag::Stable, ImageTag::Active],
    };
    assert_eq!(line.line(), "argoproj/rollouts-demo:blue (stable, active)");
    assert_eq!(
        PauseReason::parse("CanaryPauseStep"),
        PauseReason::CanaryPauseStep
    );
    assert_eq!(PauseReason::parse("Custom").label(), "Custom");
    assert_eq!(
        GitOpsOwner::ArgoCd {
            app: Some("lobby".into())
        }
        .label(),
        "Argo CD app lobby"
    );
    assert!(AnalysisPhase::parse("Inconclusive").completed());
    assert!(!AnalysisPhase::parse("Running").completed());
}
