//! Canary steps and the weights `kubectl argo rollouts get` shows for them.

use serde::{Deserialize, Serialize};

/// One step of an Argo canary strategy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CanaryStep {
    SetWeight(u32),
    /// `duration` as written (`30s`, `1h`, `60`); `None` = wait until promoted.
    Pause {
        duration: Option<String>,
        seconds: Option<u64>,
    },
    Analysis,
    Experiment,
    SetCanaryScale,
    SetHeaderRoute,
    SetMirrorRoute,
    Plugin(String),
    /// A step of a kind this version does not know.
    Other,
}

impl CanaryStep {
    /// A pause without duration: only a promote moves the rollout on.
    pub fn is_indefinite_pause(&self) -> bool {
        matches!(self, Self::Pause { duration: None, .. })
    }

    pub fn label(&self) -> String {
        match self {
            Self::SetWeight(w) => format!("setWeight: {w}"),
            Self::Pause {
                duration: Some(d), ..
            } => format!("pause: {d}"),
            Self::Pause { duration: None, .. } => "pause".to_string(),
            Self::Analysis => "analysis".to_string(),
            Self::Experiment => "experiment".to_string(),
            Self::SetCanaryScale => "setCanaryScale".to_string(),
            Self::SetHeaderRoute => "setHeaderRoute".to_string(),
            Self::SetMirrorRoute => "setMirrorRoute".to_string(),
            Self::Plugin(name) => format!("plugin: {name}"),
            Self::Other => "unknown step".to_string(),
        }
    }
}

/// Seconds of a pause duration: a bare integer (seconds, as a number or a string), or a Go
/// duration (`1h30m`, `90s`, `1.5m`, `500ms`); `None` when it is neither.
pub fn duration_seconds(text: &str) -> Option<u64> {
    if let Ok(n) = text.parse::<u64>() {
        return Some(n);
    }
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest.get(..num_len)?.parse().ok()?;
        rest = rest.get(num_len..)?;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match rest.get(..unit_len)? {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = rest.get(unit_len..)?;
        total += number * scale;
    }
    Some(total as u64)
}

/// What the canary strategy says about weights: the facts the CLI's SetWeight and
/// ActualWeight are computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightFacts<'a> {
    pub steps: &'a [CanaryStep],
    pub current_step_index: Option<u32>,
    pub aborted: bool,
    /// `trafficRouting.maxTrafficWeight` (default 100).
    pub max_weight: u32,
    pub traffic_routing: bool,
    /// `status.canary.weights.canary.weight`, when the controller reports it.
    pub reported_canary_weight: Option<u32>,
    /// `status.availableReplicas`.
    pub available: u32,
    /// Available pods of the canary ReplicaSet: `None` when the ReplicaSets are not known.
    pub canary_rs_available: Option<u32>,
}

impl WeightFacts<'_> {
    /// The step being executed: `None` when there are no steps or all are done.
    pub fn current_step(&self) -> Option<&CanaryStep> {
        self.steps
            .get(self.current_step_index.unwrap_or(0) as usize)
    }

    /// The weight the steps ask for: 0 when aborted, the maximum after the last step, else
    /// the last `setWeight` at or before the current step.
    pub fn set_weight(&self) -> u32 {
        if self.aborted {
            return 0;
        }
        if self.current_step().is_none() {
            return self.max_weight;
        }
        let idx = self.current_step_index.unwrap_or(0) as usize;
        self.steps
            .iter()
            .take(idx + 1)
            .rev()
            .find_map(|s| match s {
                CanaryStep::SetWeight(w) => Some(*w),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// The weight really served, as the CLI computes it; `None` only when it needs the
    /// canary ReplicaSet (no traffic routing) and that was not given.
    pub fn actual_weight(&self) -> Option<u32> {
        if self.current_step().is_none() {
            return Some(self.max_weight);
        }
        if self.available == 0 {
            return Some(0);
        }
        if self.traffic_routing {
            return Some(
                self.reported_canary_weight
                    .unwrap_or_else(|| self.set_weight()),
            );
        }
        let canary = self.canary_rs_available?;
        Some((u64::from(canary) * u64::from(self.max_weight) / u64::from(self.available)) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pause(d: Option<&str>) -> CanaryStep {
        CanaryStep::Pause {
            duration: d.map(str::to_string),
            seconds: d.and_then(duration_seconds),
        }
    }

    fn facts(steps: &[CanaryStep], idx: Option<u32>) -> WeightFacts<'_> {
        WeightFacts {
            steps,
            current_step_index: idx,
            aborted: false,
            max_weight: 100,
            traffic_routing: false,
            reported_canary_weight: None,
            available: 5,
            canary_rs_available: Some(1),
        }
    }

    #[test]
    fn durations_read_as_argo_reads_them() {
        assert_eq!(duration_seconds("60"), Some(60));
        assert_eq!(duration_seconds("10s"), Some(10));
        assert_eq!(duration_seconds("1h30m"), Some(5400));
        assert_eq!(duration_seconds("1.5m"), Some(90));
        assert_eq!(duration_seconds("500ms"), Some(0));
        assert_eq!(duration_seconds(""), None);
        assert_eq!(duration_seconds("10x"), None);
        assert_eq!(duration_seconds("s"), None);
        assert!(pause(None).is_indefinite_pause());
        assert!(!pause(Some("10s")).is_indefinite_pause());
        assert_eq!(pause(Some("10s")).label(), "pause: 10s");
    }

    #[test]
    fn set_weight_is_the_last_set_weight_at_or_before_the_step() {
        let steps = [
            CanaryStep::SetWeight(20),
            pause(None),
            CanaryStep::SetWeight(40),
            pause(Some("10s")),
        ];
        assert_eq!(facts(&steps, Some(0)).set_weight(), 20);
        assert_eq!(facts(&steps, Some(1)).set_weight(), 20);
        assert_eq!(facts(&steps, Some(3)).set_weight(), 40);
        assert_eq!(
            facts(&steps, None).set_weight(),
            20,
            "no index reads as step 0"
        );
        assert_eq!(
            facts(&steps, Some(4)).set_weight(),
            100,
            "after the last step"
        );
        assert_eq!(facts(&[], None).set_weight(), 100, "no steps");
        let first_pause = [pause(None), CanaryStep::SetWeight(50)];
        assert_eq!(facts(&first_pause, Some(0)).set_weight(), 0);
        let aborted = WeightFacts {
            aborted: true,
            ..facts(&steps, Some(4))
        };
        assert_eq!(aborted.set_weight(), 0);
        let capped = WeightFacts {
            max_weight: 1000,
            ..facts(&steps, Some(4))
        };
        assert_eq!(capped.set_weight(), 1000);
    }

    #[test]
    fn actual_weight_follows_the_cli() {
        let steps = [CanaryStep::SetWeight(20), pause(None)];
        // Without traffic routing: canary RS available * max / available.
        assert_eq!(facts(&steps, Some(1)).actual_weight(), Some(20));
        let unknown = WeightFacts {
            canary_rs_available: None,
            ..facts(&steps, Some(1))
        };
        assert_eq!(unknown.actual_weight(), None);
        // Nothing available: 0, whatever the routing.
        let none_available = WeightFacts {
            available: 0,
            traffic_routing: true,
            ..facts(&steps, Some(1))
        };
        assert_eq!(none_available.actual_weight(), Some(0));
        // With traffic routing: the reported weight, else the set weight.
        let routed = WeightFacts {
            traffic_routing: true,
            canary_rs_available: None,
            ..facts(&steps, Some(1))
        };
        assert_eq!(routed.actual_weight(), Some(20));
        let reported = WeightFacts {
            reported_canary_weight: Some(7),
            ..routed
        };
        assert_eq!(reported.actual_weight(), Some(7));
        // After the last step: the maximum weight, even when aborted.
        let done = WeightFacts {
            aborted: true,
            canary_rs_available: None,
            ..facts(&steps, Some(2))
        };
        assert_eq!(done.actual_weight(), Some(100));
    }
}
