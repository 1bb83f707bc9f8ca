//! Sending a flagd change through the API server: for a `FeatureFlag` its precondition (the
//! object read again), the plan's merge patch, then a Kubernetes Event about the ConfigMap or
//! `FeatureFlag` and the `shipdeck.io/last-action` annotation on it (in the shape
//! `domain::flagd` reads back as the flag's last change). Bookkeeping that fails leaves the
//! change done, with a note.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::recorded;
use crate::adapters::kube::actions::send;
use crate::adapters::kube::flags;
use crate::domain::argo_requests::MERGE_PATCH;
use crate::domain::audit::Outcome;
use crate::domain::audit::{Ending, done_reason, ending, typed};
use crate::domain::flag_request::FlagRequest;
use crate::domain::flagd::{FEATURE_FLAG_API, LAST_ACTION};
use crate::domain::flags::FlagSource;

/// Sends `req`'s plan and, when it went through, the Event and the annotation.
pub(super) async fn execute(
    client: &kube::Client,
    req: &FlagRequest,
    now: DateTime<Utc>,
) -> Ending {
    if matches!(req.flag.source, FlagSource::FeatureFlag { .. })
        && let Err(end) = feature_flag_precondition(client, req).await
    {
        return end;
    }
    let sent = recorded(&req.plan);
    let answer = match flags::apply_answer(client, &req.plan).await {
        Ok(answer) => answer,
        Err(why) => {
            return Ending {
                outcome: Outcome::Failed,
                reason: Some(why),
                sent,
            };
        }
    };
    let notes = match Object::of(&req.flag.source) {
        Some(object) => bookkeeping(client, req, &object, &answer, now).await,
        None => vec!["not a Kubernetes object: no Event, no annotation".to_string()],
    };
    Ending {
        outcome: Outcome::Done,
        reason: done_reason(req.reason.as_deref(), notes),
        sent,
    }
}

/// A `FeatureFlag` is written with PROTOCOLS.md's merge patch of the one field, which carries
/// no resourceVersion (a ConfigMap's does, and the API server answers 409 for it): so the
/// object is read again just before the patch, and the change refused, nothing sent, when its
/// resourceVersion is no longer the one the dialog's requests were prepared from. The words
/// name the very field when that is what changed.
async fn feature_flag_precondition(client: &kube::Client, req: &FlagRequest) -> Result<(), Ending> {
    let (text, version) = flags::current_text(client, &req.flag.source)
        .await
        .map_err(|why| ending(Outcome::Failed, format!("{why}; nothing sent")))?;
    if version == req.flag.version {
        return Ok(());
    }
    let why = match super::preparing::flagd_plan(&req.flag, &req.change, &text, &version) {
        Err(why) => why,
        Ok(_) => format!(
            "{} changed since you looked (resourceVersion {} → {version}); review and try again",
            req.flag.source.label(),
            req.flag.version
        ),
    };
    Err(ending(Outcome::Refused, format!("{why}; nothing sent")))
}

/// The object a flagd definition lives in.
struct Object<'a> {
    api_version: &'static str,
    kind: &'static str,
    namespace: &'a str,
    name: &'a str,
    path: String,
}

impl<'a> Object<'a> {
    fn of(source: &'a FlagSource) -> Option<Self> {
        match source {
            FlagSource::ConfigMap {
                namespace, name, ..
            } => Some(Self {
                api_version: "v1",
                kind: "ConfigMap",
                namespace,
                name,
                path: format!("/api/v1/namespaces/{namespace}/configmaps/{name}"),
            }),
            FlagSource::FeatureFlag { namespace, name } => Some(Self {
                api_version: FEATURE_FLAG_API,
                kind: "FeatureFlag",
                namespace,
                name,
                path: format!(
                    "/apis/{FEATURE_FLAG_API}/namespaces/{namespace}/featureflags/{name}"
                ),
            }),
            FlagSource::Unleash { .. } => None,
        }
    }
}

/// The Event and the annotation; what did not work, as notes for the audit.
async fn bookkeeping(
    client: &kube::Client,
    req: &FlagRequest,
    object: &Object<'_>,
    answer: &Value,
    now: DateTime<Utc>,
) -> Vec<String> {
    let time = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut notes = Vec::new();
    let event = event_body(req, object, answer, &time);
    let events = format!("/api/v1/namespaces/{}/events", object.namespace);
    let json = Some("application/json");
    if let Err(f) = send::send(client, "POST", &events, json, Some(&event)).await {
        notes.push(format!("Event not recorded: {f}"));
    }
    let body = annotation_patch(req, &time);
    if let Err(f) = send::send(
        client,
        "PATCH",
        &object.path,
        Some(MERGE_PATCH),
        Some(&body),
    )
    .await
    {
        notes.push(format!("annotation {LAST_ACTION} not set: {f}"));
    }
    notes
}

/// `{"metadata":{"annotations":{"shipdeck.io/last-action": "{\"action\",…}"}}}`.
pub(super) fn annotation_patch(req: &FlagRequest, time: &str) -> Value {
    let mut last = json!({
        "action": req.action(),
        "identity": req.identity,
        "time": time,
        "flag": req.flag.key,
    });
    if let Some(minutes) = req.platform.as_ref().and_then(|p| p.expected_minutes) {
        last["expected_minutes"] = json!(minutes);
    }
    json!({"metadata": {"annotations": {LAST_ACTION: last.to_string()}}})
}

/// The Event's reason for the audit's action word.
pub(super) fn event_reason(action: &str) -> &'static str {
    match action {
        "disable-flag" => "ShipdeckDisableFlag",
        "enable-flag" => "ShipdeckEnableFlag",
        "platform-read-only-on" | "platform-read-only-off" => "ShipdeckPlatformReadOnly",
        _ => "ShipdeckToggleFlag",
    }
}

/// `toggle-flag new-slot-ui: off → on by sim-operator via shipdeck (reason: INC-12)`.
pub(super) fn event_message(req: &FlagRequest) -> String {
    let mut m = format!(
        "{} {}: {} by {} via shipdeck",
        req.action(),
        req.flag.key,
        req.from_to,
        req.identity
    );
    if let Some(reason) = typed(req.reason.as_deref()) {
        m.push_str(&format!(" (reason: {reason})"));
    }
    m
}

/// The core/v1 Event a done change leaves, about the object as the write left it.
fn event_body(req: &FlagRequest, object: &Object<'_>, answer: &Value, time: &str) -> Value {
    let mut involved = json!({
        "apiVersion": object.api_version,
        "kind": object.kind,
        "name": object.name,
        "namespace": object.namespace,
    });
    for k in ["uid", "resourceVersion"] {
        if let Some(v) = answer
            .pointer(&format!("/metadata/{k}"))
            .filter(|v| v.is_string())
        {
            involved[k] = v.clone();
        }
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": format!("{}.", object.name), "namespace": object.namespace},
        "involvedObject": involved,
        "reason": event_reason(req.action()),
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

fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "shipdeck".to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::domain::argo_requests::Plan;
    use crate::domain::flag_request::{FlagChange, PlatformSwitch};
    use crate::domain::flags::{Backend, Flag, FlagState};

    fn request(change: FlagChange, platform: Option<PlatformSwitch>) -> FlagRequest {
        FlagRequest {
            id: 1,
            flag: Flag {
                key: "platform-read-only".into(),
                backend: Backend::Flagd,
                source: FlagSource::FeatureFlag {
                    namespace: "ns".into(),
                    name: "ff".into(),
                },
                environment: "ns".into(),
                state: FlagState::Enabled,
                default_variant: Some("off".into()),
                variants: BTreeMap::new(),
                targeting: false,
                strategies: 0,
                metadata: BTreeMap::new(),
                last_change: None,
                invalid: None,
                version: "3".into(),
                gitops: None,
            },
            change,
            from_to: "off → on".into(),
            plan: Plan::default(),
            notes: Vec::new(),
            platform,
            reason: Some(" INC-9 ".into()),
            identity: "alice".into(),
            context: "prod".into(),
        }
    }

    #[test]
    fn the_annotation_is_what_the_flag_rows_read_back() {
        let switch = PlatformSwitch {
            on: true,
            expected_minutes: Some(45),
        };
        let req = request(FlagChange::SetDefault(Some("on".into())), Some(switch));
        let body = annotation_patch(&req, "2026-11-26T03:00:00Z");
        let text = body["metadata"]["annotations"][LAST_ACTION]
            .as_str()
            .unwrap();
        let last: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            last,
            json!({"action": "platform-read-only-on", "identity": "alice",
                   "time": "2026-11-26T03:00:00Z", "flag": "platform-read-only",
                   "expected_minutes": 45})
        );
        let obj = json!({"metadata": {"namespace": "ns", "name": "ff", "resourceVersion": "4",
            "annotations": {LAST_ACTION: text}},
            "spec": {"flagSpec": {"flags": {"platform-read-only": {"state": "ENABLED",
                "variants": {"on": true, "off": false}, "defaultVariant": "on"}}}}});
        let rows = crate::domain::flagd::from_feature_flag(&obj);
        let change = rows[0].last_change.clone().unwrap();
        assert_eq!(change.by.as_deref(), Some("alice"));
        assert!(change.via_shipdeck);
        assert_eq!(change.at.unwrap().to_rfc3339(), "2026-11-26T03:00:00+00:00");
    }

    #[test]
    fn events_say_what_changed_and_why() {
        let req = request(FlagChange::SetState(false), None);
        assert_eq!(event_reason(req.action()), "ShipdeckDisableFlag");
        assert_eq!(event_reason("enable-flag"), "ShipdeckEnableFlag");
        assert_eq!(
            event_reason("platform-read-only-off"),
            "ShipdeckPlatformReadOnly"
        );
        assert_eq!(event_reason("toggle-flag"), "ShipdeckToggleFlag");
        assert_eq!(
            event_message(&req),
            "disable-flag platform-read-only: off → on by alice via shipdeck (reason: INC-9)"
        );
        let body = annotation_patch(&req, "t");
        let text = body["metadata"]["annotations"][LAST_ACTION]
            .as_str()
            .unwrap();
        assert!(!text.contains("expected_minutes"), "{text}");
    }
}
