//! core/v1 Event <-> events.k8s.io/v1 Event, the field mapping the real API server applies
//! when it serves the same stored Events from `/api/v1` and `/apis/events.k8s.io/v1`.
//!
//! Both directions write what a real server would serialize: fields Go always encodes are
//! present (`null` timestamps, empty `{}` references, core's empty `reportingComponent` and
//! `reportingInstance`), fields with `omitempty` are dropped when empty or zero. Events in
//! that canonical form round-trip unchanged.
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::table::{n, or, s, since, time};

/// (core name, events.k8s.io/v1 name, always encoded in core, always encoded in v1)
type Field = (&'static str, &'static str, Presence, Presence);

#[derive(Clone, Copy, PartialEq)]
enum Presence {
    /// Omitted when absent, `null`, `""` or `0`.
    OmitEmpty,
    /// Always present; `null` when absent.
    OrNull,
    /// Always present; `{}` when absent.
    OrEmptyObject,
    /// Always present; `""` when absent.
    OrEmptyString,
}

use Presence::{OmitEmpty, OrEmptyObject, OrEmptyString, OrNull};

const FIELDS: &[Field] = &[
    ("involvedObject", "regarding", OrEmptyObject, OrEmptyObject),
    ("related", "related", OmitEmpty, OmitEmpty),
    ("message", "note", OmitEmpty, OmitEmpty),
    ("reason", "reason", OmitEmpty, OmitEmpty),
    ("type", "type", OmitEmpty, OmitEmpty),
    ("action", "action", OmitEmpty, OmitEmpty),
    (
        "reportingComponent",
        "reportingController",
        OrEmptyString,
        OmitEmpty,
    ),
    (
        "reportingInstance",
        "reportingInstance",
        OrEmptyString,
        OmitEmpty,
    ),
    ("eventTime", "eventTime", OrNull, OrNull),
    ("series", "series", OmitEmpty, OmitEmpty),
    ("source", "deprecatedSource", OrEmptyObject, OrEmptyObject),
    ("firstTimestamp", "deprecatedFirstTimestamp", OrNull, OrNull),
    ("lastTimestamp", "deprecatedLastTimestamp", OrNull, OrNull),
    ("count", "deprecatedCount", OmitEmpty, OmitEmpty),
];

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

fn put(out: &mut Map<String, Value>, name: &str, value: Option<&Value>, presence: Presence) {
    let value = value.filter(|v| !v.is_null());
    let value = match (value, presence) {
        (Some(v), OmitEmpty) if is_empty(v) => return,
        (Some(v), _) => v.clone(),
        (None, OmitEmpty) => return,
        (None, OrNull) => Value::Null,
        (None, OrEmptyObject) => json!({}),
        (None, OrEmptyString) => json!(""),
    };
    out.insert(name.to_string(), value);
}

fn convert(ev: &Value, api_version: &str, to_v1: bool) -> Value {
    let mut out = Map::new();
    out.insert("apiVersion".into(), json!(api_version));
    out.insert("kind".into(), json!("Event"));
    let metadata = ev.get("metadata").filter(|m| m.is_object());
    out.insert(
        "metadata".into(),
        metadata.cloned().unwrap_or_else(|| json!({})),
    );
    for &(core, v1, core_presence, v1_presence) in FIELDS {
        if to_v1 {
            put(&mut out, v1, ev.get(core), v1_presence);
        } else {
            put(&mut out, core, ev.get(v1), core_presence);
        }
    }
    Value::Object(out)
}

/// A core/v1 Event as the events.k8s.io/v1 API serves it.
pub fn core_to_events_v1(core: &Value) -> Value {
    convert(core, "events.k8s.io/v1", true)
}

/// An events.k8s.io/v1 Event in the core/v1 form the simulator stores.
pub fn events_v1_to_core(ev: &Value) -> Value {
    convert(ev, "v1", false)
}

/// A cell of the event printer's columns (`lastseen`, `type`, `reason`, `object`,
/// `subobject`, `source`, `message`, `firstseen`, `count`, `name`) for an Event in either form.
pub fn event_cell(column: &str, ev: &Value, now: DateTime<Utc>) -> Value {
    let core = match ev.get("regarding").is_some() || ev.get("note").is_some() {
        true => events_v1_to_core(ev),
        false => ev.clone(),
    };
    let (e, series) = (&core, core.get("series").filter(|s| s.is_object()));
    let first = since(time(&e["firstTimestamp"]).or(time(&e["eventTime"])), now);
    let kind = s(&e["involvedObject"]["kind"]).to_lowercase();
    let name = s(&e["involvedObject"]["name"]);
    let component = or(s(&e["source"]["component"]), s(&e["reportingComponent"]));
    let instance = or(s(&e["source"]["host"]), s(&e["reportingInstance"]));
    match column {
        "lastseen" => match (series, time(&e["lastTimestamp"])) {
            (Some(series), _) => since(time(&series["lastObservedTime"]), now).into(),
            (None, Some(t)) => since(Some(t), now).into(),
            (None, None) => first.into(),
        },
        "firstseen" => first.into(),
        // Singleton events of the new API have no count.
        "count" => series
            .map_or(n(&e["count"]).max(1), |s| n(&s["count"]))
            .into(),
        "type" | "reason" => s(&e[column]).into(),
        "message" => s(&e["message"]).trim().into(),
        "object" if name.is_empty() => kind.into(),
        "object" => format!("{kind}/{name}").into(),
        "subobject" => s(&e["involvedObject"]["fieldPath"]).into(),
        "source" if instance.is_empty() => component.into(),
        "source" => format!("{component}, {instance}").into(),
        "name" => s(&e["metadata"]["name"]).into(),
        _ => Value::Null,
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
