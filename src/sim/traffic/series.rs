//! The contract between the traffic model and the query engine: what a window of a track's
//! traffic holds, as the counters `/metrics` exposes would show it.

/// Histogram bucket upper bounds of `http_request_duration_seconds` (seconds); `+Inf` is
/// implied after the last.
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Track {
    Stable,
    Canary,
}

impl Track {
    pub const ALL: [Track; 2] = [Track::Stable, Track::Canary];

    pub fn label(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::Canary => "canary",
        }
    }
}

/// A workload with traffic (as the `namespace` and `rollout` labels name it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Workload {
    pub namespace: String,
    pub rollout: String,
    /// The `service` label.
    pub service: String,
}

/// What happened on one track in a time window: the increase of the counters.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Requests (all codes).
    pub requests: f64,
    /// Requests answered with a 5xx.
    pub errors: f64,
    /// Cumulative requests per bucket of [`BUCKETS`], then `+Inf` (= `requests`).
    pub buckets: [f64; 12],
}

/// Anything that can say what the counters did (the traffic model; a test double).
/// Times are wall-clock seconds since the Unix epoch.
pub trait TrafficSeries {
    /// Workloads whose series exist, in a stable order.
    fn workloads(&self) -> Vec<Workload>;
    /// The increase of the track's counters over `[from, to]`.
    fn window(&self, w: &Workload, track: Track, from: f64, to: f64) -> Window;
}
