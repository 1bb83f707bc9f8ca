//! Deterministic synthetic rollout rows for tests, render snapshots and benchmarks. Not a
//! demo world (that is the simulator's): just varied, realistic rows.

use chrono::{DateTime, Duration, Utc};

use super::detail::{ArgoDetail, FlaggerDetail, Pause, PauseReason};
use super::phase::FlaggerPhase;
use super::rollout::{
    Attention, ControllerKind, Phase, Replicas, RolloutRow, StepProgress, Weights,
};
use super::steps::CanaryStep;
use super::version::{ContainerImages, Image};

const NAMESPACES: [&str; 3] = ["casino-prod", "casino-staging", "payments-eu"];
const NAMES: [&str; 10] = [
    "game-engine",
    "payments",
    "lobby",
    "bonus",
    "wallet",
    "auth",
    "notifications",
    "jackpot",
    "leaderboard",
    "kyc",
];

/// `n` rows, the same for the same `n` and `now`. Row 1 is `casino-prod/payments`, a
/// degraded critical canary at `2/5` ready; row 0 waits for approval at step 5/7.
pub fn synthetic_rows(n: usize, now: DateTime<Utc>) -> Vec<RolloutRow> {
    (0..n).map(|i| row(i, now)).collect()
}

fn row(i: usize, now: DateTime<Utc>) -> RolloutRow {
    let ns = NAMESPACES[(i / NAMES.len()) % NAMESPACES.len()];
    let base = NAMES[i % NAMES.len()];
    let name = if i < NAMES.len() * NAMESPACES.len() {
        base.to_string()
    } else {
        format!("{base}-{}", i / (NAMES.len() * NAMESPACES.len()))
    };
    let kind = match i % 10 {
        0 | 1 | 7 => ControllerKind::ArgoCanary,
        2 | 8 => ControllerKind::ArgoBlueGreen,
        3 => ControllerKind::Flagger,
        _ => ControllerKind::Deployment,
    };
    let mut r = RolloutRow::new(ns, &name, kind);
    let minor = 3 + (i % 7) as u64;
    let image = |tag: &str| Some(Image::new(&format!("ghcr.io/casino/{base}:{tag}")));
    let stable = format!("1.{minor}.{}", i % 4);
    let mut new: Option<String> = None;
    r.replicas = Replicas {
        desired: 5,
        current: 5,
        updated: 5,
        ready: 5,
        available: 5,
    };
    r.since = Some(now - Duration::seconds(37 + 61 * i as i64));
    r.critical = matches!(base, "game-engine" | "payments");
    match i % 10 {
        0 => {
            r.phase = Phase::Paused;
            r.message = "CanaryPauseStep".into();
            r.step = Some(StepProgress { index: 5, total: 7 });
            r.weights = Some(Weights {
                set: 50,
                actual: Some(50),
            });
            new = Some(format!("1.{}.0", minor + 1));
            let pause = Pause {
                reason: PauseReason::CanaryPauseStep,
                since: r.since,
            };
            r.pause = Some(pause.clone());
            r.argo = Some(argo(&[5, 20, 25, -1, 50, 0, 100], 5, vec![pause]));
            r.attention = Some(Attention::WaitingApproval);
        }
        1 => {
            r.phase = Phase::Degraded;
            r.message = "RolloutAborted: metric \"error-rate\" assessed Failed".into();
            r.step = Some(StepProgress { index: 2, total: 7 });
            r.weights = Some(Weights {
                set: 30,
                actual: Some(30),
            });
            r.replicas.ready = 2;
            r.replicas.available = 2;
            new = Some(format!("1.{}.0", minor + 1));
            r.argo = Some(argo(&[10, 30, 30, 30, 60, 30, 100], 2, vec![]));
            r.attention = Some(Attention::AlertFiring);
        }
        2 => {
            r.phase = Phase::Paused;
            r.message = "BlueGreenPause".into();
            new = Some(format!("2.0.{}", i % 3));
            let pause = Pause {
                reason: PauseReason::BlueGreenPause,
                since: r.since,
            };
            r.pause = Some(pause.clone());
            r.argo = Some(ArgoDetail {
                pause_conditions: vec![pause],
                controller_pause: true,
                ..ArgoDetail::default()
            });
            r.attention = Some(Attention::WaitingApproval);
        }
        3 => {
            r.phase = Phase::Progressing;
            r.message = "Progressing: canary weight 20".into();
            r.weights = Some(Weights {
                set: 20,
                actual: Some(20),
            });
            new = Some(format!("1.{minor}.{}", i % 4 + 1));
            r.flagger = Some(FlaggerDetail {
                phase: Some(FlaggerPhase::Progressing),
                canary_weight: 20,
                threshold: Some(3),
                iterations: 2,
                max_weight: Some(50),
                step_weight: Some(10),
                target: base.to_string(),
                ..FlaggerDetail::default()
            });
        }
        7 => {
            r.phase = Phase::Progressing;
            r.step = Some(StepProgress { index: 1, total: 4 });
            r.weights = Some(Weights {
                set: 25,
                actual: Some(20),
            });
            new = Some(format!("1.{}.0", minor + 1));
            r.argo = Some(argo(&[25, 60, 75, 60], 1, vec![]));
        }
        _ => {}
    }
    let stable = if i % 10 == 6 { "latest" } else { &stable };
    r.set_containers(
        vec![ContainerImages {
            name: base.to_string(),
            stable: image(stable),
            canary: new.as_deref().and_then(image),
        }],
        false,
    );
    r
}

/// Argo detail for canary steps written as numbers: `n > 0` in even positions is a
/// `setWeight`, in odd positions a pause of `n` seconds (0 = indefinite), -1 an analysis.
fn argo(steps: &[i64], index: u32, pauses: Vec<Pause>) -> ArgoDetail {
    let steps = steps
        .iter()
        .enumerate()
        .map(|(pos, &n)| match (pos % 2, n) {
            (_, -1) => CanaryStep::Analysis,
            (0, w) => CanaryStep::SetWeight(w as u32),
            (_, 0) => CanaryStep::Pause {
                duration: None,
                seconds: None,
            },
            (_, s) => CanaryStep::Pause {
                duration: Some(format!("{s}s")),
                seconds: Some(s as u64),
            },
        })
        .collect();
    ArgoDetail {
        current_pod_hash: Some("6f7d8c9b5".into()),
        stable_rs: Some("54c8d7f6b9".into()),
        current_step_index: Some(index),
        steps,
        controller_pause: !pauses.is_empty(),
        pause_conditions: pauses,
        ..ArgoDetail::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_deterministic_and_unique() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let a = synthetic_rows(30, now);
        assert_eq!(a, synthetic_rows(30, now));
        let mut keys: Vec<_> = synthetic_rows(100, now)
            .into_iter()
            .map(|r| r.key)
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 100);
        assert_eq!(a[1].key.name, "payments");
        assert_eq!(a[1].phase, Phase::Degraded);
        assert_eq!(a[1].replicas.ready, 2);
        assert_eq!(a[0].stable_version().as_deref(), Some("1.3.0"));
        assert_eq!(a[0].new_version().as_deref(), Some("1.4.0"));
        assert!(
            a[0].argo
                .as_ref()
                .unwrap()
                .current_step()
                .unwrap()
                .is_indefinite_pause()
        );
        assert!(a[6].image_warning(), "the latest tag warns");
        assert!(!a[5].image_warning(), "a tag without digest is only a note");
    }
}
