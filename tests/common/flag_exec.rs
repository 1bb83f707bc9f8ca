//! What the flag-change tests share: an executor's flag half (`prepare`, `run`) with an audit
//! file, the casino simulator with its flags, raw API calls, and readers of the request log and
//! the audit. Include with `#[path = "common/flag_exec.rs"] mod flag_exec;` next to
//! `mod common;` (and `common/unleash.rs` as `unleash`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use shipdeck::adapters::kube::{KubeTarget, resolve};
use shipdeck::config::UnleashConfig;
use shipdeck::domain::audit::AuditEntry;
use shipdeck::domain::flag_request::{FlagChange, FlagRequest};
use shipdeck::domain::flagd::LAST_ACTION;
use shipdeck::domain::flags::Flag;
use shipdeck::runtime::flag_actions;
use shipdeck::sim::SimHandle;
use shipdeck::state::Event;
use tokio::sync::mpsc;

use crate::common;

pub const NS: &str = "casino-prod";
pub const CM: &str = "/api/v1/namespaces/casino-prod/configmaps/flags";
pub const FF: &str = "/apis/core.openfeature.dev/v1beta1/namespaces/casino-prod/featureflags";
pub const KEY: &str = "flags.flagd.json";
pub const MERGE: &str = "application/merge-patch+json";
pub const JSON: &str = "application/json";

/// What `prepare` and `run` get from the executor.
pub struct Exec {
    pub t: KubeTarget,
    pub u: UnleashConfig,
    pub audit: PathBuf,
}

impl Exec {
    pub fn new(kubeconfig: &Path, u: UnleashConfig, dir: &Path) -> Self {
        let t = resolve(Some(&kubeconfig.as_os_str().to_owned()), None, None).unwrap();
        let audit = dir.join("audit.jsonl");
        Self { t, u, audit }
    }

    pub async fn prepare(&self, req: &FlagRequest) -> Result<FlagRequest, String> {
        let (tx, mut rx) = mpsc::channel(8);
        flag_actions::prepare(req.clone(), self.t.clone(), self.u.clone(), tx);
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Event::FlagPrepared { id, result })) if id == req.id => result.map(|r| *r),
            other => panic!("no FlagPrepared: {other:?}"),
        }
    }

    /// Runs `reqs` at once; their audit entries in the order they finished.
    pub async fn run(&self, reqs: &[&FlagRequest]) -> Vec<AuditEntry> {
        let (tx, mut rx) = mpsc::channel(8);
        for r in reqs {
            let (t, u, a) = (self.t.clone(), self.u.clone(), self.audit.clone());
            flag_actions::run((*r).clone(), t, u, a, tx.clone());
        }
        let mut out = Vec::new();
        while out.len() < reqs.len() {
            match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
                Ok(Some(Event::FlagFinished { entry, .. })) => out.push(*entry),
                other => panic!("no FlagFinished: {other:?}"),
            }
        }
        out
    }

    /// The audit file's lines, after checking that none of `tokens` is in it.
    pub fn lines(&self, tokens: &[String]) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.audit).unwrap();
        let leaked = |t: &String| t.is_empty() || text.contains(t.as_str());
        assert!(!tokens.iter().any(leaked), "a token in the audit: {text}");
        let parse = |l: &str| serde_json::from_str(l).unwrap();
        text.lines().map(parse).collect()
    }
}

/// What a test against a real Unleash needs, with no cluster (the kube target points
/// nowhere).
pub struct UnleashExec {
    pub u: UnleashConfig,
    pub token_file: PathBuf,
    pub kubeconfig: PathBuf,
    pub x: Exec,
}

/// An executor for `server`: its token written to a file in `dir`, the default
/// environments (development, production).
pub fn unleash_exec(server: &crate::unleash::Unleash, dir: &Path) -> UnleashExec {
    let token_file = dir.join("unleash-token");
    std::fs::write(&token_file, format!("{}\n", server.token)).unwrap();
    let mut u = UnleashConfig::default();
    (u.url, u.token_file) = (server.url.clone(), Some(token_file.clone()));
    let kubeconfig = common::kubeconfig(dir, "https://127.0.0.1:1");
    let x = Exec::new(&kubeconfig, u.clone(), dir);
    UnleashExec {
        u,
        token_file,
        kubeconfig,
        x,
    }
}

/// The casino (controllers off), a client as sim-operator, its kubeconfig and an executor.
pub async fn casino(dir: &Path) -> (SimHandle, kube::Client, PathBuf, Exec) {
    let sim = common::sim::casino_at_rest().await;
    let op = common::sim::client(&sim, "sim-operator").await;
    let kc = common::sim::kubeconfig_file(&sim, dir);
    let x = Exec::new(&kc, UnleashConfig::default(), dir);
    (sim, op, kc, x)
}

pub async fn call(c: &kube::Client, method: &str, path: &str, body: Option<Value>) -> Value {
    let ct = if method == "POST" { JSON } else { MERGE };
    let bytes = body.map_or_else(Vec::new, |b| serde_json::to_vec(&b).unwrap());
    let req = http::Request::builder().method(method).uri(path);
    let req = req.header("content-type", ct).body(bytes).unwrap();
    c.request(req).await.unwrap()
}

pub fn request(
    flag: &Flag,
    change: FlagChange,
    from_to: &str,
    reason: Option<&str>,
) -> FlagRequest {
    FlagRequest {
        id: 7,
        flag: flag.clone(),
        change,
        from_to: from_to.into(),
        plan: Default::default(),
        notes: Vec::new(),
        platform: None,
        reason: reason.map(str::to_string),
        identity: "sim-operator".into(),
        context: "sim-operator".into(),
    }
}

pub fn kube_tokens(kubeconfig: &Path) -> Vec<String> {
    let kc = std::fs::read_to_string(kubeconfig).unwrap();
    let t: Vec<String> = (kc.lines())
        .filter_map(|l| l.trim().strip_prefix("token:"))
        .map(|t| t.trim().to_string())
        .collect();
    assert!(!t.is_empty(), "{kc}");
    t
}

pub fn flag<'a>(rows: &'a [Flag], key: &str) -> &'a Flag {
    rows.iter().find(|f| f.key == key).unwrap()
}

pub fn reason(e: &AuditEntry) -> &str {
    e.reason.as_deref().unwrap_or("")
}

/// A logged request: method, path, content type, status.
pub fn sent(r: &Value) -> (&str, &str, &str, u64) {
    let s = |k: &str| r[k].as_str().unwrap_or("");
    let status = r["status"].as_u64().unwrap_or(0);
    (s("method"), s("path"), s("content_type"), status)
}

/// A logged read: method, path, status (a GET has no content type to compare).
pub fn read(r: &Value) -> (&str, &str, u64) {
    let (method, path, _, status) = sent(r);
    (method, path, status)
}

/// The one request of a prepared plan: verb, path, content type, body.
pub fn planned(p: &FlagRequest) -> (&str, &str, &str, &Value) {
    assert_eq!(p.plan.requests.len(), 1, "{:?}", p.plan);
    let r = &p.plan.requests[0];
    (r.verb, r.path.as_str(), r.content_type, &r.body)
}

/// An audit entry: (namespace, name, action, reason) and its one recorded request.
pub type What<'a> = (&'a str, &'a str, &'a str, &'a str);
pub fn entry(e: &AuditEntry) -> (What<'_>, (&str, &str, &Value)) {
    assert_eq!(e.requests.len(), 1, "{e:?}");
    let r = &e.requests[0];
    let what = (&*e.namespace, &*e.name, &*e.action, reason(e));
    (what, (r.verb.as_str(), r.path.as_str(), &r.body))
}

pub fn outcomes(lines: &[Value]) -> Vec<&str> {
    lines.iter().filter_map(|l| l["outcome"].as_str()).collect()
}

/// The log after the write: the Event about `io` and the annotation patch on `path`.
pub fn assert_bookkeeping(log: &[Value], path: &str, io: &Value, why: &str, message: &str) {
    assert_eq!(log.len(), 3, "{log:#?}");
    let events = format!("/api/v1/namespaces/{NS}/events");
    assert_eq!(sent(&log[1]), ("POST", events.as_str(), JSON, 201));
    let ev = &log[1]["body"];
    assert_eq!(ev["reason"], why);
    assert_eq!(ev["message"], message);
    for k in ["apiVersion", "kind", "name", "namespace", "uid"] {
        assert_eq!(ev["involvedObject"][k], io[k], "{k}: {ev}");
    }
    assert_eq!(sent(&log[2]), ("PATCH", path, MERGE, 200));
    let text = log[2]["body"]["metadata"]["annotations"][LAST_ACTION].as_str();
    let last: Value = serde_json::from_str(text.unwrap()).unwrap();
    let words: Vec<&str> = message.split([' ', ':']).collect();
    let want = json!({"identity": "sim-operator", "action": words[0], "flag": words[1]});
    for k in ["identity", "action", "flag"] {
        assert_eq!(last[k], want[k], "{last}");
    }
    assert!(last["time"].as_str().unwrap().ends_with('Z'), "{last}");
}
