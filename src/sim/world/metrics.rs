//! What a metric query measures in the simulated world, until the traffic model
//! ([sim-traffic]) answers real PromQL: per service, a success rate and a p99 latency,
//! which scenario stories change (a regression). A query is matched to a service by name
//! and to a quantity by its shape (`5..` / `success` → success rate; `latency` /
//! `duration` / `quantile` → latency; otherwise the success rate).

use std::collections::HashMap;

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

#[derive(Debug, Clone, Default)]
pub struct MetricModel {
    /// By service (or workload) name; the canary's version of a service as `<name>-canary`.
    pub services: HashMap<String, Health>,
}

impl MetricModel {
    pub fn set(&mut self, service: &str, health: Health) {
        self.services.insert(service.to_string(), health);
    }

    /// The health of the first (longest) known service named in `query`, else the default.
    pub fn health_in(&self, query: &str) -> Health {
        let mut names: Vec<&String> = self
            .services
            .keys()
            .filter(|n| query.contains(n.as_str()))
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names
            .first()
            .and_then(|n| self.services.get(*n))
            .copied()
            .unwrap_or_default()
    }

    /// A Prometheus-like vector result for `query`.
    pub fn query(&self, query: &str) -> Result<Vec<f64>, String> {
        if query.trim().is_empty() {
            return Err("empty query".to_string());
        }
        let h = self.health_in(query);
        let q = query.to_ascii_lowercase();
        let latency = ["latency", "duration", "quantile", "_bucket"]
            .iter()
            .any(|k| q.contains(k));
        Ok(vec![if latency {
            h.p99_seconds
        } else {
            h.success_rate
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_find_their_service_and_quantity() {
        let mut m = MetricModel::default();
        m.set(
            "payments",
            Health {
                success_rate: 0.95,
                p99_seconds: 0.9,
            },
        );
        m.set(
            "payments-canary",
            Health {
                success_rate: 0.60,
                p99_seconds: 2.7,
            },
        );
        let q = r#"sum(rate(http_requests_total{service="payments-canary",code!~"5.."}[1m])) / sum(rate(http_requests_total{service="payments-canary"}[1m]))"#;
        assert_eq!(m.query(q), Ok(vec![0.60]));
        assert_eq!(m.query("histogram_quantile(0.99, rate(http_request_duration_seconds_bucket{service=\"payments\"}[1m]))"), Ok(vec![0.9]));
        assert_eq!(m.query("up{service=\"lobby\"}"), Ok(vec![0.998]));
        assert!(m.query(" ").is_err());
    }
}
