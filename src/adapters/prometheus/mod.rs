//! The Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`) of Prometheus, Thanos,
//! Mimir, VictoriaMetrics and friends. `client` does the HTTP (auth, TLS, timeouts);
//! `convert` turns an answer into `domain::metrics::prom` values in a pure function.

mod client;
mod convert;

use std::time::Duration;

pub use client::PromClient;
pub use convert::parse_response;

/// Why a query gave no data, worded for the status line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PromError {
    /// The `[prometheus]` section cannot be used (bad URL, unreadable token file, ...).
    #[error("Prometheus config: {0}")]
    Config(String),
    /// No HTTP answer: connection refused, DNS, TLS handshake; the root cause.
    #[error("Prometheus unreachable: {0}")]
    Unreachable(String),
    /// No complete answer within the configured timeout.
    #[error("Prometheus timed out after {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    /// A non-2xx answer that is not a Prometheus error (proxy page, 401, 404, ...).
    #[error("Prometheus answered HTTP {status}: {excerpt}")]
    Http { status: u16, excerpt: String },
    /// `{"status":"error","errorType":..,"error":..}`: Prometheus refused the query.
    #[error("Prometheus error ({error_type}): {message}")]
    Api { error_type: String, message: String },
    /// An answer that is not the Prometheus API's JSON, or of the wrong shape.
    #[error("Prometheus sent garbage: {0}")]
    Garbage(String),
}

impl PromError {
    /// Worth asking again later: the server was away, slow or failing (5xx), not
    /// refusing the query itself.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Unreachable(_) | Self::Timeout(_) => true,
            Self::Http { status, .. } => *status >= 500,
            // The error types Prometheus answers with 5xx (503 / 500).
            Self::Api { error_type, .. } => matches!(
                error_type.as_str(),
                "timeout" | "canceled" | "unavailable" | "internal"
            ),
            Self::Config(_) | Self::Garbage(_) => false,
        }
    }
}
