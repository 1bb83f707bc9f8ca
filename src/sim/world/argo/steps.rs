//! Canary steps as the controller names and hashes them: the step strings of events and the
//! CLI, and `status.currentStepHash`.

use serde_json::Value;

use super::spec::{blue_green, canary, int, steps, text};
use crate::sim::world::hash::{fnv32, safe_encode};

/// A step as the CLI and the events print it (`setWeight: 20`, `pause: 10s`, `analysis`).
pub fn step_string(step: &Value) -> String {
    if let Some(w) = step.get("setWeight") {
        return format!("setWeight: {}", int(Some(w)).unwrap_or(0));
    }
    if let Some(p) = step.get("pause") {
        return match p.get("duration") {
            Some(Value::String(s)) => format!("pause: {s}"),
            Some(Value::Number(n)) => format!("pause: {n}"),
            _ => "pause".to_string(),
        };
    }
    if step.get("experiment").is_some() {
        return "experiment".to_string();
    }
    if step.get("analysis").is_some() {
        return "analysis".to_string();
    }
    if let Some(s) = step.get("setCanaryScale") {
        if let Some(w) = int(s.get("weight")) {
            return format!("setCanaryScale{{weight: {w}}}");
        }
        if s.get("matchTrafficWeight").and_then(Value::as_bool) == Some(true) {
            return "setCanaryScale{matchTrafficWeight: true}".to_string();
        }
        if let Some(r) = int(s.get("replicas")) {
            return format!("setCanaryScale{{replicas: {r}}}");
        }
    }
    for (k, label) in [
        ("plugin", "plugin"),
        ("setHeaderRoute", "setHeaderRoute"),
        ("setMirrorRoute", "setMirrorRoute"),
    ] {
        if let Some(x) = step.get(k) {
            return format!("{label}: {}", text(x, "/name"));
        }
    }
    "invalid".to_string()
}

/// `status.currentStepHash`: FNV-32a of the steps marshalled as the controller's Go structs
/// (fields in declaration order, empty optional fields left out), safe-encoded. Empty for
/// blue-green.
pub fn step_hash(ro: &Value) -> String {
    if blue_green(ro).is_some() || canary(ro).is_none() {
        return String::new();
    }
    let items: Vec<String> = steps(ro).iter().map(go_step).collect();
    let json = format!("[{}]", items.join(","));
    safe_encode(&fnv32(json.as_bytes()).to_string())
}

/// How a field is marshalled: a nested struct with its own field order, or as it is.
enum F {
    Raw,
    Ptr,
    Omit,
    Struct(&'static [(&'static str, F)]),
    List(&'static [(&'static str, F)]),
}

const DRY_RUN: &[(&str, F)] = &[("metricName", F::Raw)];
const RETENTION: &[(&str, F)] = &[("metricName", F::Raw), ("limit", F::Omit)];
const VALUE_FROM: &[(&str, F)] = &[
    ("podTemplateHashValue", F::Omit),
    ("fieldRef", F::Struct(&[("fieldPath", F::Raw)])),
];
const ANALYSIS: &[(&str, F)] = &[
    (
        "templates",
        F::List(&[("templateName", F::Raw), ("clusterScope", F::Ptr)]),
    ),
    (
        "args",
        F::List(&[
            ("name", F::Raw),
            ("value", F::Omit),
            ("valueFrom", F::Struct(VALUE_FROM)),
        ]),
    ),
    ("dryRun", F::List(DRY_RUN)),
    ("measurementRetention", F::List(RETENTION)),
    ("analysisRunMetadata", F::Ptr),
];
const STEP: &[(&str, F)] = &[
    ("setWeight", F::Ptr),
    ("pause", F::Struct(&[("duration", F::Ptr)])),
    ("experiment", F::Ptr),
    ("analysis", F::Struct(ANALYSIS)),
    (
        "setCanaryScale",
        F::Struct(&[
            ("weight", F::Ptr),
            ("replicas", F::Ptr),
            ("matchTrafficWeight", F::Omit),
        ]),
    ),
    ("setHeaderRoute", F::Ptr),
    ("setMirrorRoute", F::Ptr),
    ("plugin", F::Ptr),
];

fn go_step(step: &Value) -> String {
    go_struct(step, STEP)
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

fn go_struct(v: &Value, fields: &[(&str, F)]) -> String {
    let Some(obj) = v.as_object() else {
        return "{}".to_string();
    };
    let mut out = Vec::new();
    for (k, f) in fields {
        let Some(x) = obj.get(*k) else { continue };
        let s = match f {
            F::Raw => x.to_string(),
            F::Ptr if x.is_null() => continue,
            F::Ptr => x.to_string(),
            F::Omit if empty(x) => continue,
            F::Omit => x.to_string(),
            F::Struct(_) | F::List(_) if x.is_null() => continue,
            F::Struct(inner) => go_struct(x, inner),
            F::List(inner) => {
                let items = x.as_array().map(Vec::as_slice).unwrap_or(&[]);
                if items.is_empty() {
                    continue;
                }
                let parts: Vec<String> = items.iter().map(|i| go_struct(i, inner)).collect();
                format!("[{}]", parts.join(","))
            }
        };
        out.push(format!("{}:{s}", Value::String((*k).to_string())));
    }
    format!("{{{}}}", out.join(","))
}
