//! Runs confirmed actions against the API server: re-read, precondition, the plan's exact
//! requests (with the /status 404 fallback), then a Kubernetes Event and the
//! `shipdeck.io/last-action` annotation. Every way it ends is an audit entry.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::convert::seen;
use crate::domain::action_request::{self, ActionRequest};
use crate::domain::actions::Action;
use crate::domain::argo_requests::{MERGE_PATCH, Plan, Request};
use crate::domain::audit::{
    AuditEntry, Ending, Outcome, RecordedRequest, done_reason, ending, typed,
};
use crate::domain::rollout::RolloutKey;

#[path = "actions_send.rs"]
pub(crate) mod send;
#[path = "actions_undo.rs"]
mod undo;
#[path = "actions_undo_deploy.rs"]
pub mod undo_deploy;

pub use undo::prepare_undo;

use send::{Failure, describe};

/// The annotation a done action leaves on the Rollout.
pub const LAST_ACTION: &str = "shipdeck.io/last-action";
const ARGO: &str = "argoproj.io/v1alpha1";
const REVISION: &str = "rollout.argoproj.io/revision";

/// Runs `req` (already confirmed by the operator) and says how it ended. Never panics.
pub async fn run(client: &kube::Client, req: &ActionRequest, now: DateTime<Utc>) -> AuditEntry {
    let end = execute(client, req, now).await;
    let (action, object) = (req.action.label(), req.object());
    let (identity, sent) = (&req.identity, end.sent.len());
    let reason = end.reason.as_deref().unwrap_or("");
    if end.outcome == Outcome::Done {
        tracing::info!(action, %object, %identity, sent, reason, "action done");
    } else {
        let outcome = &end.outcome;
        tracing::warn!(action, %object, %identity, sent, reason, ?outcome, "action not done");
    }
    AuditEntry {
        time: now,
        identity: req.identity.clone(),
        context: req.context.clone(),
        namespace: req.key.namespace.clone(),
        name: req.key.name.clone(),
        action: action.to_string(),
        requests: end.sent,
        outcome: end.outcome,
        reason: end.reason,
    }
}

fn object_path(key: &RolloutKey) -> String {
    action_request::object_path(key)
}

/// The object an Event is about.
struct Involved {
    api_version: &'static str,
    kind: &'static str,
    obj: Value,
}

async fn execute(client: &kube::Client, req: &ActionRequest, now: DateTime<Utc>) -> Ending {
    let path = object_path(&req.key);
    let rollout = match send::get(client, &path).await {
        Ok(v) => v,
        Err(f) => return ending(Outcome::Failed, describe("GET", &path, &f)),
    };
    let seen = match seen::of(req.key.kind, &rollout) {
        Ok(s) => s,
        Err(e) => {
            let why = format!("cannot read {}: {e}; nothing sent", req.object());
            return ending(Outcome::Failed, why);
        }
    };
    if let Err(why) = action_request::precondition(req, &seen) {
        return ending(Outcome::Refused, why);
    }
    // A done action settles a pending two-person request on the object.
    let settles = req.action != Action::RequestApproval
        && rollout
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(crate::domain::approval::ANNOTATION))
            .is_some();
    let mut involved = if req.action == Action::Terminate {
        match analysis_run(client, req).await {
            Ok(run) => Involved {
                api_version: ARGO,
                kind: "AnalysisRun",
                obj: run,
            },
            Err(end) => return end,
        }
    } else {
        Involved {
            api_version: action_request::api_version(req.key.kind),
            kind: action_request::kind_name(req.key.kind),
            obj: rollout,
        }
    };
    if req.plan.requests.is_empty() {
        return ending(Outcome::Refused, "nothing to send".to_string());
    }
    let mut sent = Vec::new();
    let last = match send_plan(client, &req.plan, &mut sent).await {
        Ok(last) => last,
        Err(why) => {
            return Ending {
                outcome: Outcome::Failed,
                reason: Some(why),
                sent,
            };
        }
    };
    // The Event points at the object as the action left it.
    if last.pointer("/metadata/uid") == involved.obj.pointer("/metadata/uid")
        && let Some(rv) = last.pointer("/metadata/resourceVersion")
        && let Some(meta) = involved
            .obj
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
    {
        meta.insert("resourceVersion".into(), rv.clone());
    }
    let notes = bookkeeping(client, req, &involved, now, settles).await;
    Ending {
        outcome: Outcome::Done,
        reason: done_reason(req.reason.as_deref(), notes),
        sent,
    }
}

/// `:terminate`'s own check: the AnalysisRun must still be running.
async fn analysis_run(client: &kube::Client, req: &ActionRequest) -> Result<Value, Ending> {
    let Some(run) = req.analysis_run.as_deref() else {
        return Err(ending(Outcome::Refused, "no AnalysisRun named".into()));
    };
    let path = format!(
        "/apis/{ARGO}/namespaces/{}/analysisruns/{run}",
        req.key.namespace
    );
    let obj = send::get(client, &path)
        .await
        .map_err(|f| ending(Outcome::Failed, describe("GET", &path, &f)))?;
    let phase = obj
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("");
    if matches!(phase, "Successful" | "Failed" | "Error" | "Inconclusive") {
        let why = format!("analysis run {run} already finished ({phase})");
        return Err(ending(Outcome::Refused, why));
    }
    if obj.pointer("/spec/terminate") == Some(&Value::Bool(true)) {
        let why = format!("analysis run {run} was already terminated");
        return Err(ending(Outcome::Refused, why));
    }
    Ok(obj)
}

fn record(r: &Request) -> RecordedRequest {
    RecordedRequest {
        verb: r.verb.to_string(),
        path: r.path.clone(),
        content_type: r.content_type.to_string(),
        body: r.body.clone(),
    }
}

async fn send_one(client: &kube::Client, r: &Request) -> Result<Value, Failure> {
    send::send(client, r.verb, &r.path, Some(r.content_type), Some(&r.body)).await
}

/// The plan's requests in order, stopping at the first failure; a 404 on the first
/// `/status` request sends the fallback instead. Returns the last answer.
async fn send_plan(
    client: &kube::Client,
    plan: &Plan,
    sent: &mut Vec<RecordedRequest>,
) -> Result<Value, String> {
    let mut last = Value::Null;
    for (i, r) in plan.requests.iter().enumerate() {
        sent.push(record(r));
        match send_one(client, r).await {
            Ok(v) => last = v,
            Err(f) if i == 0 && f.code() == Some(404) && r.path.ends_with("/status") => {
                let Some(fallback) = &plan.fallback else {
                    return Err(describe(r.verb, &r.path, &f));
                };
                tracing::info!(path = %r.path, "no status subresource: sending the fallback");
                for r in fallback {
                    sent.push(record(r));
                    last = send_one(client, r)
                        .await
                        .map_err(|f| describe(r.verb, &r.path, &f))?;
                }
                return Ok(last);
            }
            Err(f) => return Err(describe(r.verb, &r.path, &f)),
        }
    }
    Ok(last)
}

/// The Event and the annotation; what did not work, as notes for the audit.
async fn bookkeeping(
    client: &kube::Client,
    req: &ActionRequest,
    involved: &Involved,
    now: DateTime<Utc>,
    settles: bool,
) -> Vec<String> {
    let time = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut notes = Vec::new();
    let ns = &req.key.namespace;
    let event = event_body(req, involved, &time);
    let events = format!("/api/v1/namespaces/{ns}/events");
    if let Err(f) = send::send(
        client,
        "POST",
        &events,
        Some("application/json"),
        Some(&event),
    )
    .await
    {
        notes.push(format!("Event not recorded: {f}"));
    }
    let last = json!({"action": req.action.label(), "identity": req.identity, "time": time});
    let mut body = json!({"metadata": {"annotations": {LAST_ACTION: last.to_string()}}});
    if settles {
        body["metadata"]["annotations"][crate::domain::approval::ANNOTATION] = Value::Null;
    }
    let path = object_path(&req.key);
    if let Err(f) = send::send(client, "PATCH", &path, Some(MERGE_PATCH), Some(&body)).await {
        notes.push(format!("annotation {LAST_ACTION} not set: {f}"));
    }
    notes
}

/// The core/v1 Event a done action leaves.
fn event_body(req: &ActionRequest, involved: &Involved, time: &str) -> Value {
    let meta = |k: &str| involved.obj.pointer(&format!("/metadata/{k}")).cloned();
    let name = meta("name")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| req.key.name.clone());
    let mut object = json!({
        "apiVersion": involved.api_version,
        "kind": involved.kind,
        "name": name,
        "namespace": req.key.namespace,
    });
    for k in ["uid", "resourceVersion"] {
        if let Some(v) = meta(k).filter(Value::is_string) {
            object[k] = v;
        }
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": format!("{name}."), "namespace": req.key.namespace},
        "involvedObject": object,
        "reason": req.action.event_reason(),
        "message": event_message(req),
        "type": "Normal",
        "source": {"component": "shipdeck"},
        "reportingComponent": "shipdeck",
        "reportingInstance": hostname(),
        "firstTimestamp": time,
        "lastTimestamp": time,
        "count": 1,
    })
}

/// `approve by sim-operator via shipdeck: step 1/7 → 2/7 (reason: INC-12)`.
fn event_message(req: &ActionRequest) -> String {
    let mut m = format!("{} by {} via shipdeck", req.action.label(), req.identity);
    if let Some(run) = req
        .analysis_run
        .as_deref()
        .filter(|_| req.action == Action::Terminate)
    {
        m.push_str(&format!(" (analysis run {run})"));
    }
    if let Some(change) = &req.change {
        m.push_str(&format!(": {change}"));
    }
    if let Some(reason) = typed(req.reason.as_deref()) {
        m.push_str(&format!(" (reason: {reason})"));
    }
    m
}

fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "shipdeck".to_string())
}
