//! Flagger's load tester (`flagger-loadtester`) as far as manual gating goes: the gate and
//! rollback-gate HTTP API of fluxcd/flagger's `pkg/loadtester/server.go`, with the same
//! status codes and bodies, over gate state held in memory and keyed as the real one keys
//! it (`<canary>.<ns>`, `rollback.<canary>.<ns>`). Gates are never closed automatically.
//! The simulated Flagger "calls" its webhooks through [`call`], which answers a gate URL
//! from the same state the HTTP handler writes (the simulator makes no HTTP calls).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use serde_json::{Value, json};

use crate::sim::proxy::{ProxyHandler, ProxyRequest, ProxyResponse};

/// Gate state shared by the load tester's HTTP API and the simulated Flagger.
#[derive(Debug, Clone, Default)]
pub struct Gates(Arc<Mutex<HashMap<String, bool>>>);

impl Gates {
    pub fn set(&self, key: &str, open: bool) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(key.to_string(), open);
        }
    }

    /// Whether the gate `key` is open; an unknown gate is closed (and remembered as closed,
    /// as the real one stores it on first check).
    pub fn is_open(&self, key: &str) -> bool {
        self.0
            .lock()
            .map(|mut m| *m.entry(key.to_string()).or_insert(false))
            .unwrap_or(false)
    }

    /// The keys and states known, sorted (for tests and diagnostics).
    pub fn snapshot(&self) -> Vec<(String, bool)> {
        let mut v: Vec<(String, bool)> = self
            .0
            .lock()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
}

/// The webhook payload as the load tester decodes it: `(name, namespace, has metadata)`;
/// `None` when it does not decode (the load tester then answers 400).
fn payload(body: &[u8]) -> Option<(String, String, bool)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if v.is_null() {
        return Some((String::new(), String::new(), false));
    }
    let field = |k: &str| match v.get(k) {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => None,
    };
    let metadata = match v.get("metadata") {
        None | Some(Value::Null) => false,
        Some(Value::Object(m)) if m.values().all(Value::is_string) => !m.is_empty(),
        Some(_) => return None,
    };
    if !v.is_object() {
        return None;
    }
    Some((field("name")?, field("namespace")?, metadata))
}

/// What the load tester answers to a request on `path` with `body`: (status, body).
pub fn answer(gates: &Gates, path: &str, body: &[u8]) -> (u16, &'static str) {
    match path {
        "/healthz" | "/gate/approve" => return (200, "OK"),
        "/gate/halt" => return (403, "Forbidden"),
        "/metrics" => return (200, ""),
        _ => {}
    }
    let Some((name, ns, metadata)) = payload(body) else {
        return (400, "");
    };
    let gate = format!("{name}.{ns}");
    let rollback = format!("rollback.{gate}");
    let check = |key: &str| match gates.is_open(key) {
        true => (200, "Approved"),
        false => (403, "Forbidden"),
    };
    match path {
        "/gate/check" => check(&gate),
        "/rollback/check" => check(&rollback),
        "/gate/open" | "/gate/close" | "/rollback/open" | "/rollback/close" => {
            let key = if path.starts_with("/gate/") {
                &gate
            } else {
                &rollback
            };
            gates.set(key, path.ends_with("/open"));
            (202, "")
        }
        // Anything else is a task for the load tester to run (a load test, a helm test…).
        _ if metadata => (202, ""),
        _ => (400, "metadata not found in payload"),
    }
}

/// The load tester's HTTP API, for the API server's service proxy.
pub fn handler(gates: Gates) -> ProxyHandler {
    Arc::new(move |req: ProxyRequest| {
        let (status, body) = answer(&gates, &req.path, &req.body);
        ProxyResponse {
            status,
            content_type: "text/plain; charset=utf-8".to_string(),
            body: Bytes::from_static(body.as_bytes()),
        }
    })
}

/// The path a webhook URL names (`http://flagger-loadtester.test/gate/check` → `/gate/check`).
pub fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("/")
}

/// Flagger POSTing `{"name", "namespace"}` to a webhook URL: a load tester gate path
/// (`/gate/…`, `/rollback/…`) is answered from `gates` as the load tester would; any other
/// webhook succeeds. Like Flagger, a status above 202 fails, with the body as the error.
pub fn call(gates: &Gates, url: &str, name: &str, ns: &str) -> Result<(), String> {
    let path = url_path(url);
    if !(path.starts_with("/gate/") || path.starts_with("/rollback/")) {
        return Ok(());
    }
    let body = json!({"name": name, "namespace": ns}).to_string();
    match answer(gates, path, body.as_bytes()) {
        (status, text) if status > 202 => Err(text.to_string()),
        _ => Ok(()),
    }
}

/// Flagger calling the webhooks of type `ty` of canary `cd` (an untyped one is `rollout`) in
/// order, until one fails (or, with `until_ok`, until one succeeds): (webhook name, result).
pub fn webhooks(
    gates: &Gates,
    cd: &Value,
    ty: &str,
    until_ok: bool,
) -> Vec<(String, Result<(), String>)> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let (name, ns) = (s(&cd["metadata"]["name"]), s(&cd["metadata"]["namespace"]));
    let mut out: Vec<(String, Result<(), String>)> = Vec::new();
    for w in cd["spec"]["analysis"]["webhooks"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let t = w["type"]
            .as_str()
            .filter(|t| !t.is_empty())
            .unwrap_or("rollout");
        if out.last().is_some_and(|(_, r)| r.is_ok() == until_ok) {
            break;
        }
        if t == ty {
            out.push((s(&w["name"]), call(gates, &s(&w["url"]), &name, &ns)));
        }
    }
    out
}

#[cfg(test)]
#[path = "loadtester_tests.rs"]
mod tests;
