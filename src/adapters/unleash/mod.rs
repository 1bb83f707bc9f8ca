//! Unleash features as flag rows (one per feature × configured environment), read with
//! the admin API, and toggles as the exact admin-API requests (PROTOCOLS.md "Feature
//! flags"). `client` does the HTTP (token, timeouts, ETags); `convert` turns answers into
//! domain rows in pure functions. The token never appears in an error, a log line or
//! `Debug` output.

mod client;
mod convert;
mod http;

use std::time::Duration;

pub use client::UnleashClient;

use crate::domain::argo_requests::{Plan, Request};
use crate::domain::flags::{Flag, FlagSource, FlagState};

/// The content type of a toggle (it has no body).
pub const JSON: &str = "application/json";

/// What [`UnleashClient::poll`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Poll {
    /// The server answered 304 to every conditional request: the rows are as last read.
    Unchanged,
    Changed(Vec<Flag>),
}

/// Why Unleash could not be read or written, worded for the status line and the dialog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnleashError {
    /// The settings cannot be used (bad URL, ...).
    #[error("Unleash config: {0}")]
    Config(String),
    #[error("cannot read the Unleash token file {file}: {reason}")]
    TokenFile { file: String, reason: String },
    /// 401.
    #[error("the token in {file} is not accepted: create an admin token in Unleash → API access")]
    Unauthorized { file: String },
    /// 403: a token of another kind (client, frontend) or a user without the permission.
    #[error(
        "the token in {file} may not {action} (Unleash answered 403{detail}): use an admin token (Unleash → API access) or a personal access token of a user with that permission"
    )]
    Forbidden {
        file: String,
        action: String,
        detail: String,
    },
    /// 404, and the project's overview is 404 too.
    #[error("Unleash has no project \"{project}\" (404): check the configured project")]
    UnknownProject { project: String },
    /// 404 (or absent from the features), and the environment is not enabled in the project.
    #[error(
        "Unleash project \"{project}\" has no environment \"{environment}\" (404; it has {known}): check the configured environments"
    )]
    UnknownEnvironment {
        project: String,
        environment: String,
        known: String,
    },
    /// 404 on a feature of a project and environment that exist.
    #[error(
        "Unleash project \"{project}\" has no feature \"{feature}\" (404): archived or renamed since it was listed?"
    )]
    UnknownFeature { project: String, feature: String },
    #[error("Unleash at {url} did not answer within {}", humantime::format_duration(*.timeout))]
    Timeout { url: String, timeout: Duration },
    #[error(
        "Unleash at {url} refused the connection: nothing listens there (is the server running, the URL right?)"
    )]
    Refused { url: String },
    /// No HTTP answer for another reason (DNS, TLS, reset); the root cause.
    #[error("Unleash at {url} is unreachable: {reason}")]
    Unreachable { url: String, reason: String },
    /// Any other non-2xx answer.
    #[error("Unleash answered HTTP {status} to {what}: {excerpt}")]
    Http {
        status: u16,
        what: String,
        excerpt: String,
    },
    /// An answer that is not the admin API's JSON.
    #[error("Unleash sent an answer shipdeck cannot read ({what}): {reason}")]
    Garbage { what: String, reason: String },
}

impl UnleashError {
    /// Worth asking again later: the server was away, slow or failing (5xx).
    pub fn retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Refused { .. } | Self::Unreachable { .. } => true,
            Self::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// The admin-API path of a feature's environment toggle.
pub fn toggle_path(project: &str, feature: &str, environment: &str, on: bool) -> String {
    format!(
        "/api/admin/projects/{}/features/{}/environments/{}/{}",
        convert::segment(project),
        convert::segment(feature),
        convert::segment(environment),
        if on { "on" } else { "off" }
    )
}

/// What turning `flag` on or off sends: one `POST .../environments/{env}/on|off` without a
/// body. A flag that is not an Unleash row gives an empty plan, which
/// [`UnleashClient::send`] refuses.
pub fn toggle_plan(flag: &Flag, on: bool) -> Plan {
    let FlagSource::Unleash { project } = &flag.source else {
        return Plan::default();
    };
    Plan {
        requests: vec![Request {
            verb: "POST",
            path: toggle_path(project, &flag.key, &flag.environment, on),
            content_type: JSON,
            body: serde_json::Value::Null,
        }],
        fallback: None,
        skips: Vec::new(),
    }
}

/// A toggle's precondition, checked just before it is sent: `None` when the environment is
/// as the operator saw it (its enabled state and strategy count, [`Flag::version`]); else
/// the refusal in the operator's words, `new-slot-ui in production changed since you looked
/// (now enabled); review and try again`.
pub fn changed_since(flag: &Flag, enabled: bool, strategies: usize) -> Option<String> {
    if convert::version(enabled, strategies) == flag.version {
        return None;
    }
    let mut now = if enabled { "enabled" } else { "disabled" }.to_string();
    if strategies != flag.strategies {
        let plural = if strategies == 1 {
            "strategy"
        } else {
            "strategies"
        };
        now.push_str(&format!(
            ", {strategies} {plural} (was {})",
            flag.strategies
        ));
    }
    Some(format!(
        "{} in {} changed since you looked (now {now}); review and try again",
        flag.key, flag.environment
    ))
}

/// What the confirm dialog adds to a toggle: enabling an environment without strategies
/// makes Unleash add its default strategy; with targeting, constraints still apply.
pub fn toggle_note(flag: &Flag, on: bool) -> Option<String> {
    if !on || flag.state == FlagState::Enabled {
        return None;
    }
    if flag.strategies == 0 {
        Some(format!(
            "{} has no strategy in {}: Unleash adds its default strategy (100 % rollout) and serves it to everyone",
            flag.key, flag.environment
        ))
    } else if flag.targeting {
        Some("its strategies' constraints and segments still apply".to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
