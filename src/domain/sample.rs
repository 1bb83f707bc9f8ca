//! Deterministic synthetic rollout rows for tests, render snapshots and benchmarks. Not a
//! demo world (that is the simulator's): just varied, realistic rows.

use chrono::{DateTime, Duration, Utc};

use super::rollout::{
    Attention, ControllerKind, Phase, Replicas, RolloutRow, StepProgress, Weights,
};

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
    r.stable_version = Some(format!("1.{minor}.{}", i % 4));
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
                actual: 50,
            });
            r.new_version = Some(format!("1.{}.0", minor + 1));
            r.attention = Some(Attention::WaitingApproval);
        }
        1 => {
            r.phase = Phase::Degraded;
            r.message = "RolloutAborted: metric \"error-rate\" assessed Failed".into();
            r.step = Some(StepProgress { index: 2, total: 7 });
            r.weights = Some(Weights {
                set: 30,
                actual: 30,
            });
            r.replicas.ready = 2;
            r.replicas.available = 2;
            r.new_version = Some(format!("1.{}.0", minor + 1));
            r.attention = Some(Attention::AlertFiring);
        }
        2 => {
            r.phase = Phase::Paused;
            r.message = "BlueGreenPause".into();
            r.new_version = Some(format!("2.0.{}", i % 3));
            r.attention = Some(Attention::WaitingApproval);
        }
        3 => {
            r.phase = Phase::Progressing;
            r.message = "Progressing: canary weight 20".into();
            r.weights = Some(Weights {
                set: 20,
                actual: 20,
            });
            r.new_version = Some(format!("1.{minor}.{}", i % 4 + 1));
        }
        7 => {
            r.phase = Phase::Progressing;
            r.step = Some(StepProgress { index: 1, total: 4 });
            r.weights = Some(Weights {
                set: 25,
                actual: 20,
            });
            r.new_version = Some(format!("1.{}.0", minor + 1));
        }
        6 => {
            r.stable_version = Some("latest".into());
        }
        _ => {}
    }
    r
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
    }
}
