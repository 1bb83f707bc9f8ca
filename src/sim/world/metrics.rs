//! What metric queries measure in the simulated world: the traffic model (see
//! `sim::traffic`), answered through the same engine as the `/api/v1/query` endpoint. Tests
//! may pin a name's health by hand (`set`); such a name then answers queries that mention it
//! and Flagger's built-in checks.

use std::collections::HashMap;

use crate::sim::traffic::model::TrafficModel;
use crate::sim::traffic::series::{Track, TrafficSeries};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Health {
    /// Fraction of requests without a 5xx (0..=1).
    pub success_rate: f64,
    /// 99th percentile latency in seconds.
    pub p99_seconds: f64,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            success_rate: 0.998,
            p99_seconds: 0.120,
        }
    }
}

/// Wall-clock now, in seconds since the epoch (the traffic model's time).
pub fn wall_now() -> f64 {
    chrono::Utc::now().timestamp_micros() as f64 / 1e6
}

/// How far back health looks (Flagger's checks, tests).
const HEALTH_WINDOW: f64 = 60.0;

#[derive(Debug, Clone)]
pub struct MetricModel {
    pub traffic: TrafficModel,
    /// Health pinned by hand, by name (tests).
    pub services: HashMap<String, Health>,
    /// A world stepped by hand (tests) measures traffic on its own clock: the wall-clock
    /// time it started plus the simulated time since. `None`: the wall clock (a live
    /// simulator, which Prometheus scrapes in real time).
    stepped: Option<(f64, f64)>,
}

impl Default for MetricModel {
    fn default() -> Self {
        Self::new(1)
    }
}

impl MetricModel {
    pub fn new(seed: u64) -> Self {
        Self {
            traffic: TrafficModel::new(wall_now(), seed),
            services: HashMap::new(),
            stepped: None,
        }
    }

    /// A model whose clock is `start` (seconds since the epoch) plus sim time, from the
    /// first sample (replayed worlds).
    pub fn stepped_from(start: f64, seed: u64) -> Self {
        Self {
            traffic: TrafficModel::new(start, seed),
            services: HashMap::new(),
            stepped: Some((start, start)),
        }
    }

    /// Measure traffic on the simulated clock from now on (for worlds stepped by hand).
    pub fn use_stepped_time(&mut self) {
        let start = wall_now();
        self.stepped = Some((start, start));
    }

    /// The world advanced to `sim` (time since the world started).
    pub fn advance_to(&mut self, sim: std::time::Duration) {
        if let Some((start, now)) = &mut self.stepped {
            *now = *start + sim.as_secs_f64();
        }
    }

    /// The traffic model's "now": wall clock, or the stepped clock.
    pub fn now(&self) -> f64 {
        self.stepped.map_or_else(wall_now, |(_, now)| now)
    }

    pub fn set(&mut self, service: &str, health: Health) {
        self.services.insert(service.to_string(), health);
    }

    fn pinned_in(&self, text: &str) -> Option<Health> {
        let mut names: Vec<&String> = self
            .services
            .keys()
            .filter(|n| text.contains(n.as_str()))
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names.first().and_then(|n| self.services.get(*n)).copied()
    }

    /// The health of a workload's track (`name` or `name-canary`) over the last minute of
    /// traffic; pinned health first.
    pub fn health_in(&self, name: &str) -> Health {
        if let Some(h) = self.pinned_in(name) {
            return h;
        }
        let (base, track) = match name.strip_suffix("-canary") {
            Some(b) => (b, Track::Canary),
            None => (name, Track::Stable),
        };
        let Some(w) = self
            .traffic
            .workloads()
            .into_iter()
            .find(|w| w.rollout == base || w.service == base)
        else {
            return Health::default();
        };
        let now = self.now();
        let win = self.traffic.window(&w, track, now - HEALTH_WINDOW, now);
        let success_rate = if win.requests > 0.0 {
            1.0 - win.errors / win.requests
        } else {
            Health::default().success_rate
        };
        let p99_seconds = self
            .traffic
            .rates_at(&w.namespace, &w.rollout, track, now)
            .and_then(|(_, _, lat)| {
                Some(
                    self.traffic
                        .profile(&w.namespace, &w.rollout)?
                        .quantile(0.99, lat),
                )
            })
            .unwrap_or(Health::default().p99_seconds);
        Health {
            success_rate,
            p99_seconds,
        }
    }

    /// A Prometheus-like vector result for `query`, as `/api/v1/query` would answer it now
    /// (one value per result row); pinned names answer the queries that mention them.
    pub fn query(&self, query: &str) -> Result<Vec<f64>, String> {
        if query.trim().is_empty() {
            return Err("empty query".to_string());
        }
        if let Some(h) = self.pinned_in(query) {
            let q = query.to_ascii_lowercase();
            let latency = ["latency", "duration", "quantile", "_bucket"]
                .iter()
                .any(|k| q.contains(k));
            return Ok(vec![if latency {
                h.p99_seconds
            } else {
                h.success_rate
            }]);
        }
        crate::sim::traffic::query::instant(&self.traffic, query, self.now())
            .map(|rows| rows.into_iter().map(|(_, v)| v).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_health_answers_queries_and_checks_that_name_it() {
        let mut m = MetricModel::default();
        m.set(
            "payments-canary",
            Health {
                success_rate: 0.60,
                p99_seconds: 2.7,
            },
        );
        let q = r#"sum(rate(http_requests_total{service="payments-canary",code!~"5.."}[1m]))"#;
        assert_eq!(m.query(q), Ok(vec![0.60]));
        assert_eq!(m.health_in("payments-canary").p99_seconds, 2.7);
        assert!(m.query(" ").is_err());
    }

    #[test]
    fn health_comes_from_traffic_and_faults_move_it() {
        let mut m = MetricModel::default();
        m.traffic.ensure("casino-prod", "bonus", "bonus");
        let now = wall_now();
        m.traffic
            .set_share("casino-prod", "bonus", 0.2, now - 120.0);
        let healthy = m.health_in("bonus-canary");
        assert!((healthy.success_rate - 0.998).abs() < 1e-6, "{healthy:?}");
        m.traffic
            .add_fault(crate::sim::traffic::model::TrafficFault {
                namespace: "casino-prod".into(),
                rollout: "bonus".into(),
                track: Some(Track::Canary),
                kind: crate::sim::traffic::model::FaultKind::Errors(100.0),
                from: now - 120.0,
                until: f64::INFINITY,
            });
        let sick = m.health_in("bonus-canary");
        assert!(sick.success_rate < 0.9, "{sick:?}");
        assert!(
            (m.health_in("bonus").success_rate - 0.998).abs() < 1e-6,
            "the stable track is fine"
        );
    }
}
