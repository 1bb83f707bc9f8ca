//! An AnalysisRun's spec as Argo's controller reads it: metrics with their limits (after
//! `{{args.x}}` substitution), validation with Argo's messages, the arguments (secrets read
//! from the store), and the dry-run and measurement-retention rules.

use std::collections::HashMap;

use serde_json::Value;

use super::eval::{go_duration, substitute};
use crate::sim::world::ctx::Ctx;

/// What a secret argument stands for before secrets are read (as Argo does).
const SECRET_PLACEHOLDER: &str = "temp-for-secret";

#[derive(Debug, Clone, Default)]
pub struct Metric {
    pub name: String,
    pub interval: String,
    pub initial_delay: String,
    pub count: Option<i64>,
    pub failure_limit: Option<i64>,
    pub inconclusive_limit: Option<i64>,
    pub consecutive_error_limit: Option<i64>,
    pub consecutive_success_limit: Option<i64>,
    pub success: String,
    pub failure: String,
    pub provider: Value,
}

/// An int-or-string as `IntValue()` reads it (a string that is no number reads 0).
fn int_or_string(v: Option<&Value>) -> Option<i64> {
    let v = v.filter(|v| !v.is_null())?;
    Some(
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(0),
    )
}

impl Metric {
    pub fn from(v: &Value) -> Self {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Self {
            name: s("name"),
            interval: s("interval"),
            initial_delay: s("initialDelay"),
            count: int_or_string(v.get("count")),
            failure_limit: int_or_string(v.get("failureLimit")),
            inconclusive_limit: int_or_string(v.get("inconclusiveLimit")),
            consecutive_error_limit: int_or_string(v.get("consecutiveErrorLimit")),
            consecutive_success_limit: int_or_string(v.get("consecutiveSuccessLimit")),
            success: s("successCondition"),
            failure: s("failureCondition"),
            provider: v.get("provider").cloned().unwrap_or(Value::Null),
        }
    }

    /// How many measurements make the metric complete: `count`, else 1 without an
    /// interval, else none (it runs until the run ends).
    pub fn effective_count(&self) -> Option<i64> {
        match self.count {
            None | Some(0) => self.interval.is_empty().then_some(1),
            c => c,
        }
    }

    pub fn prometheus_query(&self) -> Option<&str> {
        self.provider
            .pointer("/prometheus/query")
            .and_then(Value::as_str)
    }
}

/// Argument (name, value) pairs, and the secret values among them.
pub type Args = (Vec<(String, String)>, Vec<String>);

/// The run's arguments as (name, value); secrets are read from the store when `ctx` is
/// given (returned too, to redact them), else stand-ins.
pub fn args(spec_args: Option<&Value>, ctx: Option<(&Ctx<'_>, &str)>) -> Result<Args, String> {
    let mut out = Vec::new();
    let mut secrets = Vec::new();
    for a in spec_args.and_then(Value::as_array).into_iter().flatten() {
        let name = a
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let secret = a.pointer("/valueFrom/secretKeyRef");
        let value = match (secret, ctx) {
            (Some(_), None) => Some(SECRET_PLACEHOLDER.to_string()),
            (Some(r), Some((ctx, ns))) => {
                let v = read_secret(ctx, ns, r)?;
                secrets.push(v.clone());
                Some(v)
            }
            (None, _) => a.get("value").and_then(Value::as_str).map(str::to_string),
        };
        match value {
            Some(v) => out.push((name, v)),
            None => return Err(format!("argument \"{name}\" was not supplied")),
        }
    }
    Ok((out, secrets))
}

fn read_secret(ctx: &Ctx<'_>, ns: &str, r: &Value) -> Result<String, String> {
    use base64::Engine;
    let name = r.get("name").and_then(Value::as_str).unwrap_or("");
    let key = r.get("key").and_then(Value::as_str).unwrap_or("");
    let secret = ctx
        .get("v1", "Secret", ns, name)
        .ok_or_else(|| format!("secrets \"{name}\" not found"))?;
    let missing = || format!("key '{key}' does not exist in secret '{name}'");
    if let Some(b64) = secret
        .pointer("/data")
        .and_then(|d| d.get(key))
        .and_then(Value::as_str)
    {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| e.to_string())?;
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    secret
        .pointer("/stringData")
        .and_then(|d| d.get(key))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(missing)
}

/// A metric with the arguments substituted (escaped as JSON string content).
pub fn resolve(metric: &Value, args: &[(String, String)]) -> Result<Metric, String> {
    let escaped: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| {
            let q = serde_json::to_string(v).unwrap_or_default();
            let inner = q.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
            (k.clone(), inner.unwrap_or("").to_string())
        })
        .collect();
    let text = serde_json::to_string(metric).map_err(|e| e.to_string())?;
    let text = substitute(&text, &escaped)?;
    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(Metric::from(&v))
}

/// Argo's `ValidateMetrics`, with its messages.
pub fn validate(metrics: &[Metric]) -> Result<(), String> {
    if metrics.is_empty() {
        return Err("no metrics specified".into());
    }
    for (i, m) in metrics.iter().enumerate() {
        if metrics[..i].iter().any(|o| o.name == m.name) {
            return Err(format!("metrics[{i}]: duplicate name '{}'", m.name));
        }
        validate_metric(m).map_err(|e| format!("metrics[{i}]: {e}"))?;
    }
    Ok(())
}

fn validate_metric(m: &Metric) -> Result<(), String> {
    let count = m.count.unwrap_or(0);
    let failure = m.failure_limit.unwrap_or(0);
    let success = m.consecutive_success_limit.unwrap_or(0);
    let inconclusive = m.inconclusive_limit.unwrap_or(0);
    if success < 0 {
        return Err("consecutiveSuccessLimit must be >= 0".into());
    }
    if failure < -1 {
        return Err("failureLimit must be >= 0, or -1 to be disabled".into());
    }
    if success == 0 && failure == -1 {
        return Err("failureLimit and consecutiveSuccessLimit cannot both be disabled".into());
    }
    if inconclusive < 0 {
        return Err("inconclusiveLimit must be >= 0".into());
    }
    if m.consecutive_error_limit.is_some_and(|n| n < 0) {
        return Err("consecutiveErrorLimit must be >= 0".into());
    }
    if count > 0 {
        if failure >= 0 && count < failure + success {
            return Err(format!(
                "count ({count}) must be >= failureLimit + consecutiveSuccessLimit ({failure} + {success}) if both >= 0"
            ));
        }
        if failure < 0 && count < success {
            return Err("count must be >= consecutiveSuccessLimit".into());
        }
        if count < inconclusive {
            return Err("count must be >= inconclusiveLimit".into());
        }
    }
    if count > 1 && m.interval.is_empty() {
        return Err("interval must be specified when count > 1".into());
    }
    if !m.interval.is_empty() {
        go_duration(&m.interval).map_err(|e| format!("invalid interval string: {e}"))?;
    }
    if !m.initial_delay.is_empty() {
        go_duration(&m.initial_delay).map_err(|e| format!("invalid startDelay string: {e}"))?;
    }
    let providers = m.provider.as_object().map_or(0, |p| {
        p.iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match (k.as_str(), v.as_object()) {
                ("plugin", Some(plugins)) => plugins.len(),
                _ => 1,
            })
            .sum()
    });
    match providers {
        0 => Err("no provider specified".into()),
        1 => Ok(()),
        _ => Err("multiple providers specified".into()),
    }
}

/// Whether a rule's `metricName` (a Go regexp, unanchored) matches: literal names, `.*`
/// wildcards and `^`/`$` anchors are understood.
fn rule_matches(pattern: &str, name: &str) -> bool {
    let (start, p) = pattern
        .strip_prefix('^')
        .map_or((false, pattern), |p| (true, p));
    let (end, p) = p.strip_suffix('$').map_or((false, p), |p| (true, p));
    let mut parts: Vec<&str> = p.split(".*").collect();
    let mut hay = name;
    if start {
        let first = parts.remove(0);
        let Some(rest) = hay.strip_prefix(first) else {
            return false;
        };
        hay = rest;
    }
    if end {
        let Some(last) = parts.pop() else {
            return hay.is_empty();
        };
        let Some(rest) = hay.strip_suffix(last) else {
            return false;
        };
        hay = rest;
    }
    for part in parts {
        match hay.find(part) {
            Some(at) => hay = &hay[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// `spec.dryRun` / `spec.measurementRetention` rules → metric name → limit (1 for dry-run).
pub fn rules(
    spec: &Value,
    field: &str,
    metrics: &[Metric],
) -> Result<HashMap<String, i64>, String> {
    let mut out = HashMap::new();
    for (i, rule) in spec
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let pattern = rule.get("metricName").and_then(Value::as_str).unwrap_or("");
        let limit = rule.get("limit").and_then(Value::as_i64).unwrap_or(1);
        let mut matched = false;
        for m in metrics.iter().filter(|m| rule_matches(pattern, &m.name)) {
            out.insert(m.name.clone(), limit);
            matched = true;
        }
        if !matched {
            return Err(format!(
                "{field}[{i}]: Rule didn't match any metric name(s)"
            ));
        }
    }
    Ok(out)
}
