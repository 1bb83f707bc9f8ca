//! How the Argo Rollouts controller reads a Rollout: its spec with the controller's defaults,
//! and the names, hashes and strings it derives from it (step hash, step strings, label
//! selectors).

use serde_json::{Map, Value};

pub const HASH_LABEL: &str = "rollouts-pod-template-hash";
pub const REVISION: &str = "rollout.argoproj.io/revision";
pub const REVISION_HISTORY: &str = "rollout.argoproj.io/revision-history";
pub const DESIRED_REPLICAS: &str = "rollout.argoproj.io/desired-replicas";
pub const SCALE_DOWN_DEADLINE: &str = "scale-down-deadline";
pub const MANAGED_BY: &str = "argo-rollouts.argoproj.io/managed-by-rollouts";
/// The event source of everything the controller records.
pub const COMPONENT: &str = "rollouts-controller";
pub const ROLLOUT_AV: &str = "argoproj.io/v1alpha1";

/// An integer field (JSON numbers only).
pub fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64)
}

pub fn text<'v>(v: &'v Value, ptr: &str) -> &'v str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

pub fn replicas(ro: &Value) -> i64 {
    int(ro.pointer("/spec/replicas")).unwrap_or(1)
}

pub fn canary(ro: &Value) -> Option<&Value> {
    ro.pointer("/spec/strategy/canary")
        .filter(|v| v.is_object())
}

pub fn blue_green(ro: &Value) -> Option<&Value> {
    ro.pointer("/spec/strategy/blueGreen")
        .filter(|v| v.is_object())
}

pub fn steps(ro: &Value) -> &[Value] {
    canary(ro)
        .and_then(|c| c.get("steps"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

pub fn traffic_routing(ro: &Value) -> bool {
    canary(ro).is_some_and(|c| c.get("trafficRouting").is_some_and(Value::is_object))
}

pub fn max_weight(ro: &Value) -> i64 {
    int(ro.pointer("/spec/strategy/canary/trafficRouting/maxTrafficWeight")).unwrap_or(100)
}

pub fn paused(ro: &Value) -> bool {
    ro.pointer("/spec/paused").and_then(Value::as_bool) == Some(true)
}

pub fn progress_deadline(ro: &Value) -> i64 {
    int(ro.pointer("/spec/progressDeadlineSeconds")).unwrap_or(600)
}

pub fn revision_history_limit(ro: &Value) -> i64 {
    int(ro.pointer("/spec/revisionHistoryLimit")).unwrap_or(10)
}

/// `scaleDownDelaySeconds` (30 for blue-green and traffic-routed canaries, 0 for the basic
/// canary, which scales old sets down at once).
pub fn scale_down_delay(ro: &Value) -> i64 {
    if let Some(bg) = blue_green(ro) {
        return int(bg.get("scaleDownDelaySeconds")).unwrap_or(30);
    }
    match canary(ro) {
        Some(c) if traffic_routing(ro) => int(c.get("scaleDownDelaySeconds")).unwrap_or(30),
        _ => 0,
    }
}

/// `abortScaleDownDelaySeconds`: None when the aborted set is never scaled down (value 0),
/// always None for the basic canary (it scales the canary down at once).
pub fn abort_scale_down_delay(ro: &Value) -> Option<i64> {
    let s = if let Some(bg) = blue_green(ro) {
        bg
    } else if traffic_routing(ro) {
        canary(ro)?
    } else {
        return None;
    };
    match int(s.get("abortScaleDownDelaySeconds")).unwrap_or(30) {
        0 => None,
        n => Some(n),
    }
}

/// An int-or-percent value as the controller resolves it (a string is a percentage, with or
/// without `%`).
pub fn int_or_percent(v: Option<&Value>, default: &str, total: i64, round_up: bool) -> i64 {
    let v = v
        .cloned()
        .unwrap_or_else(|| Value::String(default.to_string()));
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            let pct: f64 = s.trim_end_matches('%').trim().parse().unwrap_or(0.0);
            let x = pct * total as f64 / 100.0;
            (if round_up { x.ceil() } else { x.floor() }) as i64
        }
        _ => 0,
    }
}

/// (maxSurge, maxUnavailable) of a canary (at least one of them non-zero).
pub fn fenceposts(ro: &Value) -> (i64, i64) {
    let n = replicas(ro);
    let c = canary(ro);
    let surge = int_or_percent(c.and_then(|c| c.get("maxSurge")), "25", n, true);
    let unavailable = int_or_percent(c.and_then(|c| c.get("maxUnavailable")), "25", n, false);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

pub fn max_surge(ro: &Value) -> i64 {
    if canary(ro).is_none() {
        return 0;
    }
    fenceposts(ro).0
}

pub fn max_unavailable(ro: &Value) -> i64 {
    let n = replicas(ro);
    if n == 0 {
        return 0;
    }
    let m = if canary(ro).is_some() {
        fenceposts(ro).1
    } else {
        let bg = blue_green(ro).and_then(|b| b.get("maxUnavailable"));
        int_or_percent(bg, "25", n, false)
    };
    m.min(n)
}

/// Seconds of a pause duration (an integer, or a Go duration string such as `10s`, `1m30s`).
pub fn duration_secs(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok().or_else(|| go_duration(s)),
        _ => None,
    }
}

fn go_duration(s: &str) -> Option<i64> {
    let mut total = 0.0;
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += n * unit;
        rest = &rest[unit_end..];
    }
    Some(total as i64)
}

/// A label selector as `metav1.FormatLabelSelector` prints it (`app=web,tier in (a,b)`).
pub fn format_selector(sel: &Value) -> String {
    let mut parts: Vec<(String, String)> = sel
        .get("matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))))
                .collect()
        })
        .unwrap_or_default();
    for e in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let key = text(e, "/key");
        let mut vals: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        vals.sort_unstable();
        let s = match text(e, "/operator") {
            "In" => format!("{key} in ({})", vals.join(",")),
            "NotIn" => format!("{key} notin ({})", vals.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {op}"),
        };
        parts.push((key.to_string(), s));
    }
    if parts.is_empty() {
        return "<none>".to_string();
    }
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    let parts: Vec<String> = parts.into_iter().map(|p| p.1).collect();
    parts.join(",")
}

/// `metadata.labels` (or any string map) as a map.
pub fn string_map(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

/// `rollout.argoproj.io/revision` of an object (0 when absent or not a number).
pub fn revision(obj: &Value) -> i64 {
    text(obj, "/metadata/annotations/rollout.argoproj.io~1revision")
        .parse()
        .unwrap_or(0)
}

pub fn annotation<'v>(obj: &'v Value, key: &str) -> Option<&'v str> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

pub fn label<'v>(obj: &'v Value, key: &str) -> Option<&'v str> {
    obj.pointer("/metadata/labels")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

#[cfg(test)]
#[path = "spec_tests.rs"]
mod tests;
