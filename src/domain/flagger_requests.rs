//! Flagger's manual gates as requests (PROTOCOLS.md, "Flagger"): a Canary's gate webhooks
//! point at Flagger's load tester inside the cluster, which shipdeck reaches through the
//! API server's service proxy (`POST /api/v1/namespaces/{ns}/services/{svc}:{port}/proxy/
//! gate/open`). What the confirm dialog shows is what the executor sends. Pure: the
//! Canary's webhooks come in, the plan goes out, or why the action is unavailable.

use serde_json::json;

use super::argo_requests::{Plan, Request};
use super::detail::Webhook;
use super::phase::FlaggerPhase;

/// `application/json`: the load tester's payload `{"name", "namespace"}`.
pub const JSON: &str = "application/json";

/// The webhook types whose gate is the load tester's `/gate/…` (one gate per canary).
const CONFIRM: [&str; 3] = [
    "confirm-rollout",
    "confirm-traffic-increase",
    "confirm-promotion",
];

/// A two-label host ending in one of these is a public host (`example.com`), not
/// `<svc>.<ns>`: a namespace of that name is far less likely than a host on the internet.
const PUBLIC_TLDS: [&str; 16] = [
    "com",
    "org",
    "net",
    "io",
    "dev",
    "app",
    "cloud",
    "co",
    "ai",
    "info",
    "biz",
    "edu",
    "gov",
    "example",
    "localhost",
    "local",
];

const NOT_A_SERVICE: &str = "not a Service in the cluster";

/// Which gate of the load tester an action opens or closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The confirm gate (`/gate/open`, `/gate/close`): approve what waits.
    Approve,
    /// The rollback gate (`/rollback/open`, `/rollback/close`): Flagger fails the canary.
    Rollback,
}

/// Where a webhook URL `http(s)://<svc>[.<ns>[.svc[.cluster.local]]][:port]/…` lives, as
/// the service proxy names it: `(namespace, service, port)`. No namespace in the host means
/// the canary's; the port defaults to 80 for http and 443 for https, and an https service
/// is named `https:<svc>` (the proxy path is then `services/https:<svc>:443/proxy/…`).
/// `Err` says why the URL is not a Service in the cluster (an IP, an external host).
pub fn proxy_base(url: &str, canary_ns: &str) -> Result<(String, String, String), String> {
    let not_http = || "not an http(s) URL".to_string();
    let (scheme, rest) = url.trim().split_once("://").ok_or_else(not_http)?;
    let https = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        _ => return Err(not_http()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(format!("{NOT_A_SERVICE} (credentials in the URL)"));
    }
    if authority.starts_with('[') {
        return Err(format!("an IP address, {NOT_A_SERVICE}"));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port = match port {
        None if https => "443".to_string(),
        None => "80".to_string(),
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n.to_string(),
            _ => return Err(format!("{p:?} is not a port number")),
        },
    };
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err(format!("an IP address, {NOT_A_SERVICE}"));
    }
    let labels: Vec<&str> = host.split('.').collect();
    let (svc, ns) = match labels.as_slice() {
        [svc] => (*svc, canary_ns),
        [svc, ns] if !PUBLIC_TLDS.contains(ns) => (*svc, *ns),
        [svc, ns, "svc"] | [svc, ns, "svc", "cluster", "local"] => (*svc, *ns),
        _ => return Err(NOT_A_SERVICE.to_string()),
    };
    if !dns_label(svc, true) || !dns_label(ns, false) {
        return Err(NOT_A_SERVICE.to_string());
    }
    let svc = if https {
        format!("https:{svc}")
    } else {
        svc.to_string()
    };
    Ok((ns.to_string(), svc, port))
}

/// A DNS label as Kubernetes names Services (RFC 1035: starts with a letter) and
/// namespaces (RFC 1123).
fn dns_label(s: &str, letter_first: bool) -> bool {
    let b = s.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-';
    let edge = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (1..=63).contains(&b.len())
        && b.iter().all(inner)
        && edge(b.first())
        && edge(b.last())
        && (!letter_first || b.first().is_some_and(u8::is_ascii_lowercase))
}

/// The path a webhook URL names (`http://lt.test/gate/check?x` → `/gate/check`).
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("/")
}

/// The plan that opens (or closes) the `gate` of canary `ns/canary`: one POST of
/// `{"name", "namespace"}` through the service proxy per load tester its webhooks name
/// (one, usually). Approve opens the gate of the confirm webhook the phase waits on
/// (Waiting: `confirm-rollout`, WaitingPromotion: `confirm-promotion`, Progressing:
/// `confirm-traffic-increase`); closing it closes the gate behind every confirm webhook
/// (the load tester keeps one per canary), whatever the phase. Rollback opens the gate of
/// the `rollback` webhooks, only while Flagger reads it (a run in flight): an open rollback
/// gate fails every later run. `Err` says why the action is unavailable.
/// `p` on a Flagger canary: `spec.suspend` (Flagger stops analysing it; nothing rolls).
pub fn suspend(ns: &str, canary: &str, on: bool) -> Plan {
    Plan {
        requests: vec![Request {
            verb: "PATCH",
            path: format!("/apis/flagger.app/v1beta1/namespaces/{ns}/canaries/{canary}"),
            content_type: crate::domain::argo_requests::MERGE_PATCH,
            body: serde_json::json!({"spec": {"suspend": on}}),
        }],
        fallback: None,
        skips: Vec::new(),
    }
}

pub fn gate_plan(
    ns: &str,
    canary: &str,
    phase: Option<FlaggerPhase>,
    webhooks: &[Webhook],
    gate: Gate,
    open: bool,
) -> Result<Plan, String> {
    let types: &[&str] = match (gate, open) {
        (Gate::Approve, false) => &CONFIRM,
        (Gate::Approve, true) => match phase {
            Some(FlaggerPhase::Waiting) => &["confirm-rollout"],
            Some(FlaggerPhase::WaitingPromotion) => &["confirm-promotion"],
            Some(FlaggerPhase::Progressing) => &["confirm-traffic-increase"],
            Some(p) => return Err(format!("no gate is waiting (phase {})", p.label())),
            None => return Err("no gate is waiting (no phase yet)".to_string()),
        },
        (Gate::Rollback, _) => &["rollback"],
    };
    if gate == Gate::Rollback && open {
        match phase {
            Some(
                FlaggerPhase::Waiting | FlaggerPhase::Progressing | FlaggerPhase::WaitingPromotion,
            ) => {}
            p => {
                let p = p.map_or("no phase", FlaggerPhase::label);
                return Err(format!(
                    "no canary run to roll back (phase {p}); an open rollback gate would fail \
                     {canary}'s next run"
                ));
            }
        }
    }
    let hooks: Vec<&Webhook> = webhooks
        .iter()
        .filter(|w| types.contains(&w.kind.as_str()))
        .collect();
    if hooks.is_empty() {
        return Err(missing(types, canary, open));
    }
    let action = match (gate, open) {
        (Gate::Approve, true) => "/gate/open",
        (Gate::Approve, false) => "/gate/close",
        (Gate::Rollback, true) => "/rollback/open",
        (Gate::Rollback, false) => "/rollback/close",
    };
    let what = match (gate, open) {
        (_, false) => "close it",
        (Gate::Approve, true) => "approve it",
        (Gate::Rollback, true) => "roll back",
    };
    let mut paths: Vec<String> = Vec::new();
    let mut first_err = None;
    for w in hooks {
        match proxy_path(w, ns, gate, what) {
            Ok(base) => {
                let path = format!("{base}{action}");
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
            // Opening needs every gate; closing closes those it can reach.
            Err(e) if open => return Err(e),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if paths.is_empty() {
        return Err(first_err.unwrap_or_else(|| missing(types, canary, open)));
    }
    let body = json!({"name": canary, "namespace": ns});
    let requests = paths
        .into_iter()
        .map(|path| Request {
            verb: "POST",
            path,
            content_type: JSON,
            body: body.clone(),
        })
        .collect();
    Ok(Plan {
        requests,
        fallback: None,
        skips: Vec::new(),
    })
}

/// `/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy` for a gate webhook of the load
/// tester, or why it is not one.
fn proxy_path(w: &Webhook, canary_ns: &str, gate: Gate, what: &str) -> Result<String, String> {
    let path = url_path(&w.url);
    let gate_path = match gate {
        Gate::Approve if path == "/gate/halt" => {
            return Err(format!(
                "webhook {} always halts (path {path}): no gate opens it",
                w.name
            ));
        }
        Gate::Approve => path.starts_with("/gate/"),
        Gate::Rollback => path == "/rollback/check",
    };
    if !gate_path {
        return Err(format!(
            "webhook {} is not a load-tester gate (path {path})",
            w.name
        ));
    }
    let (ns, svc, port) = proxy_base(&w.url, canary_ns).map_err(|why| {
        format!(
            "webhook {} points at {} — {why}; {what} there",
            w.name, w.url
        )
    })?;
    Ok(format!(
        "/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy"
    ))
}

/// Why there is nothing to send: the canary has no webhook of the types.
fn missing(types: &[&str], canary: &str, open: bool) -> String {
    match (types, open) {
        (["rollback"], true) => format!(
            "no rollback webhook: shipdeck cannot roll back {canary}; Flagger rolls back on \
             failed checks"
        ),
        (["rollback"], false) => "no rollback webhook: no rollback gate to close".to_string(),
        (["confirm-rollout"], _) => {
            "no confirm-rollout webhook: Flagger starts the rollout by itself".to_string()
        }
        (["confirm-traffic-increase"], _) => {
            "no confirm-traffic-increase webhook: Flagger increases the traffic by itself"
                .to_string()
        }
        (["confirm-promotion"], _) => {
            "no confirm-promotion webhook: Flagger promotes by itself".to_string()
        }
        _ => "no confirm webhook: no gate to close".to_string(),
    }
}

#[cfg(test)]
#[path = "flagger_requests_tests.rs"]
mod tests;
