//! The executor's flag half: prepares a flag change's exact requests and sends confirmed
//! ones (flagd through the API server, Unleash through its admin API), then records them.
//!
//! Preparing a flagd change re-reads the definition (the ConfigMap key's whole text and the
//! object's resourceVersion): a change of the very field since the operator looked is refused
//! in words; otherwise the plan is built from the fresh text, with the version actually read
//! as its precondition. Running checks the precondition once more where the write itself
//! cannot (a `FeatureFlag`'s merge patch carries no resourceVersion; Unleash's toggle is a
//! bare POST): the object or environment is read again and the change refused, nothing sent,
//! when it moved since it was prepared. Then it sends the plan, then (flagd) a Kubernetes
//! Event and the `shipdeck.io/last-action` annotation, and appends one audit line however it
//! ends. One change per flag at a time: a second one while the first runs sends nothing
//! (refused, audited).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::adapters::audit;
use crate::adapters::kube::KubeTarget;
use crate::adapters::unleash::{self, UnleashClient};
use crate::config::UnleashConfig;
use crate::domain::argo_requests::Plan;
use crate::domain::audit::{AuditEntry, Ending, Outcome, RecordedRequest, done_reason, ending};
use crate::domain::flag_request::FlagRequest;
use crate::domain::flags::Backend;
use crate::state::Event;

use super::session;

#[path = "flag_actions_kube.rs"]
mod kube_write;
#[path = "flag_actions_prepare.rs"]
mod preparing;

/// How long an Unleash request may take.
const UNLEASH_TIMEOUT: Duration = Duration::from_secs(10);

/// Flags with a change running (see [`in_flight_key`]).
static RUNNING: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);

/// A flag's place in [`RUNNING`], given back when dropped.
struct InFlight(String);

impl InFlight {
    /// `None` when a change of the same flag is running.
    fn claim(key: String) -> Option<Self> {
        let fresh = RUNNING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone());
        // Built only when claimed: dropping one gives the key back.
        fresh.then(|| Self(key))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

/// Where the flag lives (cluster or Unleash server) and which flag it is.
fn in_flight_key(req: &FlagRequest, target: &KubeTarget, unleash: &UnleashConfig) -> String {
    let server = match req.flag.backend {
        Backend::Flagd => &target.cluster_url,
        Backend::Unleash => &unleash.url,
    };
    format!(
        "{server} {} {} {}",
        req.flag.source.label(),
        req.flag.environment,
        req.flag.key
    )
}

/// Fills in `req.plan` and answers `Event::FlagPrepared`.
pub fn prepare(
    req: FlagRequest,
    target: KubeTarget,
    _unleash: UnleashConfig,
    events: mpsc::Sender<Event>,
) {
    tokio::spawn(async move {
        let id = req.id;
        let object = req.object();
        let result = preparing::prepare(req, &target).await;
        if let Err(why) = &result {
            tracing::info!(%object, %why, "flag change not prepared");
        }
        let result = result.map(Box::new);
        let _ = events.send(Event::FlagPrepared { id, result }).await;
    });
}

/// Sends a confirmed change, records it in `audit`, and answers `Event::FlagFinished`.
pub fn run(
    req: FlagRequest,
    target: KubeTarget,
    unleash: UnleashConfig,
    audit: PathBuf,
    events: mpsc::Sender<Event>,
) {
    let now = crate::adapters::clock::now();
    let Some(claim) = InFlight::claim(in_flight_key(&req, &target, &unleash)) else {
        let object = req.object();
        tracing::warn!(%object, "refused a second flag change while one runs");
        let why = format!(
            "a change of {} is still running; nothing sent",
            req.flag.key
        );
        let entry = entry(&req, now, ending(Outcome::Refused, why));
        tokio::spawn(finish(audit, req.id, entry, events));
        return;
    };
    tokio::spawn(async move {
        let end = execute(&req, &target, &unleash, now).await;
        drop(claim);
        let (object, action, sent) = (req.object(), req.action(), end.sent.len());
        let reason = end.reason.clone().unwrap_or_default();
        if end.outcome == Outcome::Done {
            tracing::info!(action, %object, sent, %reason, "flag change done");
        } else {
            let outcome = &end.outcome;
            tracing::warn!(action, %object, sent, %reason, ?outcome, "flag change not done");
        }
        finish(audit, req.id, entry(&req, now, end), events).await;
    });
}

/// A plan's requests as the audit records them: verb, path, content type, body.
fn recorded(plan: &Plan) -> Vec<RecordedRequest> {
    plan.requests
        .iter()
        .map(|r| RecordedRequest {
            verb: r.verb.to_string(),
            path: r.path.clone(),
            content_type: r.content_type.to_string(),
            body: r.body.clone(),
        })
        .collect()
}

async fn execute(
    req: &FlagRequest,
    target: &KubeTarget,
    unleash: &UnleashConfig,
    now: DateTime<Utc>,
) -> Ending {
    if req.plan.requests.is_empty() {
        let why = "nothing to send: the change was not prepared".to_string();
        return ending(Outcome::Refused, why);
    }
    match req.flag.backend {
        Backend::Flagd => match session::client_for(target).await {
            Ok(client) => kube_write::execute(&client, req, now).await,
            Err(e) => ending(
                Outcome::Failed,
                format!("cannot connect: {e}; nothing sent"),
            ),
        },
        Backend::Unleash => send_unleash(req, unleash).await,
    }
}

async fn send_unleash(req: &FlagRequest, config: &UnleashConfig) -> Ending {
    let Some(token_file) = config.token_file.as_deref() else {
        let why = "[flags.unleash] token_file is not set; nothing sent".to_string();
        return ending(Outcome::Failed, why);
    };
    let client = match UnleashClient::new(
        &config.url,
        token_file,
        &config.project,
        &config.environments,
        UNLEASH_TIMEOUT,
    ) {
        Ok(c) => c,
        Err(e) => return ending(Outcome::Failed, format!("{e}; nothing sent")),
    };
    // The precondition: the environment as the operator saw it, read again just before
    // the toggle (Unleash's admin API has no conditional write).
    match client
        .environment_now(&req.flag.key, &req.flag.environment)
        .await
    {
        Ok((enabled, strategies)) => {
            if let Some(why) = unleash::changed_since(&req.flag, enabled, strategies) {
                return ending(Outcome::Refused, format!("{why}; nothing sent"));
            }
        }
        Err(e) => return ending(Outcome::Failed, format!("{e}; nothing sent")),
    }
    let sent = recorded(&req.plan);
    match client.send(&req.plan).await {
        Ok(()) => Ending {
            outcome: Outcome::Done,
            reason: done_reason(req.reason.as_deref(), Vec::new()),
            sent,
        },
        Err(e) => Ending {
            outcome: Outcome::Failed,
            reason: Some(e.to_string()),
            sent,
        },
    }
}

/// The audit line: namespace is the flag's environment (flagd namespace, Unleash
/// environment), name its key.
fn entry(req: &FlagRequest, now: DateTime<Utc>, end: Ending) -> AuditEntry {
    AuditEntry {
        time: now,
        identity: req.identity.clone(),
        context: req.context.clone(),
        namespace: req.flag.environment.clone(),
        name: req.flag.key.clone(),
        action: req.action().to_string(),
        requests: end.sent,
        outcome: end.outcome,
        reason: end.reason,
    }
}

/// Records the outcome, then tells the reducer.
async fn finish(path: PathBuf, id: u64, entry: AuditEntry, events: mpsc::Sender<Event>) {
    let line = entry.clone();
    let written = tokio::task::spawn_blocking(move || audit::append(&path, &line))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    if let Err(e) = written {
        tracing::error!(error = %e, "the audit line of a flag change could not be written");
        let text = format!("audit write failed: {e}");
        let _ = events.send(Event::Notice { error: true, text }).await;
    }
    let entry = Box::new(entry);
    let _ = events.send(Event::FlagFinished { id, entry }).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_is_claimed_once_until_its_change_ends() {
        let key = "test-cluster flagd x y".to_string();
        let first = InFlight::claim(key.clone());
        assert!(first.is_some());
        assert!(InFlight::claim(key.clone()).is_none());
        assert!(InFlight::claim("test-cluster flagd x z".into()).is_some());
        drop(first);
        assert!(InFlight::claim(key).is_some());
    }
}
