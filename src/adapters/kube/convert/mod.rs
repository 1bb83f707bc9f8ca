//! Kubernetes objects (as JSON: the watchers serialise `DynamicObject`s) become overview rows,
//! in pure functions. A conversion never fails: an object that cannot be read becomes a row
//! with `invalid: Some(reason)` that keeps its namespace, name and kind, so one odd object
//! never hides the others.
//!
//! What the row holds depends on what the caller can give beside the object
//! ([`ConvertCtx`]). The overview watches no ReplicaSets; without them
//! - the actual weight of a canary without traffic routing is unknown (`Weights::actual` is
//!   `None`; the overview shows the set weight alone),
//! - the stable image of a rollout in flight is unknown (`ContainerImages::stable` is `None`;
//!   only the new one is shown), and the CLI's `Images:` list is empty.
//!
//! The detail view passes the rollout's ReplicaSets and gets exactly what
//! `kubectl argo rollouts get rollout` shows.

mod argo;
pub mod argo_facts;
mod deployment;
pub mod detail;
mod flagger;
mod model;
pub mod seen;
mod workload;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use thiserror::Error;

use crate::domain::detail::GitOpsOwner;
use crate::domain::rollout::{ControllerKind, RolloutRow};

pub use argo::rollout_row;
pub use deployment::deployment_row;
pub use flagger::canary_row;

/// What the caller knows beside the object itself, and the options of the conversion.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConvertCtx<'a> {
    /// ReplicaSets of the namespace (or just the object's): those owned by the object are
    /// used, the others and unreadable ones ignored. `None` = not watched.
    pub replica_sets: Option<&'a [Value]>,
    /// The Deployment the object refers to: an Argo Rollout's `spec.workloadRef`, or a
    /// Flagger Canary's `spec.targetRef` (the canary version).
    pub workload: Option<&'a Value>,
    /// A Flagger Canary's `<target>-primary` Deployment (the stable version, the replicas).
    pub primary: Option<&'a Value>,
    /// A tag without digest is a warning, not only a note.
    pub require_digest: bool,
}

/// Why an object could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConvertError {
    #[error("{path}: {message}")]
    Field { path: String, message: String },
    #[error("metadata.name is missing")]
    NoName,
    #[error("spec.strategy has neither canary nor blueGreen")]
    NoStrategy,
}

/// The row of any object this module knows (Rollout, Canary, Deployment); `None` for other
/// kinds.
pub fn row(obj: &Value, ctx: &ConvertCtx) -> Option<RolloutRow> {
    match obj.get("kind").and_then(Value::as_str)? {
        "Rollout" => Some(rollout_row(obj, ctx)),
        "Canary" => Some(canary_row(obj, ctx)),
        "Deployment" => Some(deployment_row(obj, ctx)),
        _ => None,
    }
}

/// Reads the typed view of an object, naming the offending field on error.
fn parse<T: DeserializeOwned>(obj: &Value) -> Result<T, ConvertError> {
    serde_path_to_error::deserialize(obj).map_err(|e| ConvertError::Field {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// The row for an object that could not be converted.
fn invalid_row(obj: &Value, kind: ControllerKind, err: &ConvertError) -> RolloutRow {
    let text = |key: &str| {
        obj.get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let mut row = RolloutRow::new(text("namespace"), text("name"), kind);
    row.phase = crate::domain::rollout::Phase::Unknown;
    row.message = err.to_string();
    row.invalid = Some(err.to_string());
    row
}

/// GitOps ownership from labels and annotations ([`GitOpsOwner::from_metadata`]:
/// `app.kubernetes.io/instance` alone is not evidence).
fn gitops(meta: &model::Meta) -> Option<GitOpsOwner> {
    GitOpsOwner::from_metadata(
        |k| meta.labels.get(k).map(String::as_str),
        |k| meta.annotations.get(k).map(String::as_str),
    )
}

/// When the object last changed state: the latest of the given times, else its creation.
fn since(
    meta: &model::Meta,
    times: impl IntoIterator<Item = Option<DateTime<Utc>>>,
) -> Option<DateTime<Utc>> {
    times
        .into_iter()
        .flatten()
        .max()
        .or(meta.creation_timestamp)
}

/// A count from the API (int32) as shown: negative values read as 0.
fn count(n: Option<i64>) -> u32 {
    u32::try_from(n.unwrap_or(0).max(0)).unwrap_or(u32::MAX)
}

fn phase_condition(c: &model::Condition) -> crate::domain::phase::Condition {
    crate::domain::phase::Condition {
        kind: c.kind.clone(),
        reason: c.reason.clone(),
        message: c.message.clone(),
    }
}

#[cfg(test)]
mod tests;
