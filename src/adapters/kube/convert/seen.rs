//! What the operator saw of an object, per kind: the precondition an action carries and the
//! executor compares after re-reading (`resourceVersion`, `generation`, the revision, and
//! what the kind's plans depend on).

use serde_json::Value;

use super::model::{Canary, Deployment, Meta};
use super::{ConvertError, parse};
use crate::domain::action_request::Seen;
use crate::domain::argo_requests::RolloutFacts;
use crate::domain::rollout::ControllerKind;

const DEPLOYMENT_REVISION: &str = "deployment.kubernetes.io/revision";

fn base(meta: &Meta, revision: Option<u64>) -> Seen {
    Seen {
        resource_version: meta.resource_version.clone().unwrap_or_default(),
        generation: meta.generation.unwrap_or(0),
        revision,
        facts: RolloutFacts {
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            ..RolloutFacts::default()
        },
        phase: None,
    }
}

/// A Deployment: its revision annotation and `spec.paused`.
pub fn deployment(meta: &Meta, paused: bool) -> Seen {
    let revision = meta
        .annotations
        .get(DEPLOYMENT_REVISION)
        .and_then(|r| r.parse().ok());
    let mut seen = base(meta, revision);
    seen.facts.spec_paused = paused;
    seen
}

/// A Flagger Canary: its phase.
pub fn canary(meta: &Meta, phase: Option<&str>) -> Seen {
    let mut seen = base(meta, None);
    seen.phase = phase.map(str::to_string);
    seen
}

/// A two-person request on the object: the row carries it and, unless something more urgent
/// holds, is pinned as "awaiting second approval".
pub fn approval(row: &mut crate::domain::rollout::RolloutRow, meta: &Meta) {
    use crate::domain::approval::{ANNOTATION, parse};
    use crate::domain::rollout::Attention;
    row.approval = parse(meta.annotations.get(ANNOTATION).map(String::as_str));
    if row.approval.is_some() && row.attention.is_none_or(|a| a > Attention::SecondApproval) {
        row.attention = Some(Attention::SecondApproval);
    }
}

/// What the executor reads back from the object it re-read, by the kind of the row.
pub fn of(kind: ControllerKind, obj: &Value) -> Result<Seen, ConvertError> {
    match kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => super::argo_facts::seen(obj),
        ControllerKind::Deployment => {
            let d: Deployment = parse(obj)?;
            Ok(deployment(&d.metadata, d.spec.paused))
        }
        ControllerKind::Flagger => {
            let c: Canary = parse(obj)?;
            let phase = c.status.as_ref().and_then(|s| s.phase.as_deref());
            Ok(canary(&c.metadata, phase))
        }
    }
}
