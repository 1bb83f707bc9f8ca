//! Deployment actions (pause, resume, restart, undo) through the real executor against the
//! simulator with its controllers (casino at speed 10), each compared with what the
//! preinstalled `kubectl rollout` sends to the same simulator: verb, path and content type
//! exactly, the body as parsed JSON (restart: the same keys, the timestamp differs), read
//! from the simulator's request log. Then kubectl itself reads the result (`rollout
//! history`, `rollout status`). Under CI=true a missing kubectl fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::sim::{client, kubeconfig_file, mark, requests, require_tool};
use serde_json::{Value, json};
use shipdeck::adapters::kube::actions;
use shipdeck::adapters::kube::convert::seen;
use shipdeck::domain::action_request::{self, ActionRequest};
use shipdeck::domain::actions::Action;
use shipdeck::domain::argo_requests::Plan;
use shipdeck::domain::audit::Outcome;
use shipdeck::domain::deployment_requests as deploy;
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};
use shipdeck::sim::{self, SimConfig, SimHandle};

const NS: &str = "casino-prod";
const NOW: &str = "2026-11-26T03:00:00Z";
const MERGE: &str = "application/merge-patch+json";
const PAUSED: &str = "cannot rollback a paused deployment; resume it first";

async fn start() -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(SimConfig {
        scenario: "casino".into(),
        speed: 10.0,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

fn path(name: &str) -> String {
    deploy::path(NS, name)
}

async fn get(c: &kube::Client, path: &str) -> Value {
    let req = http::Request::get(path).body(Vec::new()).unwrap();
    c.request(req).await.unwrap()
}

/// Polls the Deployment until `pred` holds (a liveness bound, not a timing claim).
async fn wait_for(c: &kube::Client, name: &str, what: &str, pred: impl Fn(&Value) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !pred(&get(c, &path(name)).await) {
        assert!(Instant::now() < deadline, "{name} never reached {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The request the confirm dialog would hold for the Deployment `obj`.
fn ask(obj: &Value, action: Action, plan: Plan) -> ActionRequest {
    let seen = seen::of(ControllerKind::Deployment, obj).unwrap();
    let key = RolloutKey {
        namespace: NS.into(),
        name: seen.facts.name.clone(),
        kind: ControllerKind::Deployment,
    };
    ActionRequest {
        id: 1,
        target: format!("{NS}/{} (Deployment)", key.name),
        key,
        action,
        change: action_request::change_text(action, &seen, None),
        plan,
        seen,
        analysis_run: None,
        undo_to: None,
        reason: None,
        identity: "sim-operator".into(),
        context: "sim-operator".into(),
    }
}

/// The writes (all but GETs) in the log after `since`.
async fn writes(c: &kube::Client, since: u64) -> Vec<Value> {
    let log = requests(c, since).await;
    log.into_iter().filter(|r| r["method"] != "GET").collect()
}

/// Runs `req` through the executor: Done, and the log holds exactly the plan's request,
/// then the Event and the `shipdeck.io/last-action` annotation. Returns the plan's request
/// as logged.
async fn run_shipdeck(c: &kube::Client, req: &ActionRequest) -> Value {
    let since = mark(c).await;
    let entry = actions::run(c, req, NOW.parse().unwrap()).await;
    assert_eq!(entry.outcome, Outcome::Done, "{entry:?}");
    let sent = writes(c, since).await;
    assert_eq!(sent.len(), 3, "{sent:#?}");
    let want = &req.plan.requests[0];
    let name = req.key.name.as_str();
    let rec = &sent[0];
    assert_eq!(rec["method"], want.verb, "{rec}");
    assert_eq!(rec["path"], path(name), "{rec}");
    assert_eq!(rec["content_type"], want.content_type, "{rec}");
    assert_eq!(rec["body"], want.body, "{rec}");
    assert_eq!(rec["status"], 200, "{rec}");
    let ev = &sent[1];
    let events = format!("/api/v1/namespaces/{NS}/events");
    assert_eq!(
        (&ev["method"], &ev["path"], &ev["status"]),
        (&json!("POST"), &json!(events), &json!(201))
    );
    let io = &ev["body"]["involvedObject"];
    assert_eq!(
        (&io["apiVersion"], &io["kind"], &io["name"]),
        (&json!("apps/v1"), &json!("Deployment"), &json!(name))
    );
    assert_eq!(ev["body"]["reason"], req.action.event_reason());
    let ann = &sent[2];
    assert_eq!(
        (&ann["method"], &ann["path"], &ann["content_type"]),
        (&json!("PATCH"), &json!(path(name)), &json!(MERGE))
    );
    let last = ann["body"]["metadata"]["annotations"][actions::LAST_ACTION]
        .as_str()
        .unwrap();
    assert!(last.contains(req.action.label()), "{last}");
    rec.clone()
}

/// The preinstalled kubectl with the simulator's kubeconfig and a throwaway HOME.
struct Kubectl {
    kubeconfig: PathBuf,
    home: tempfile::TempDir,
}

impl Kubectl {
    fn new(sim: &SimHandle) -> Self {
        let home = tempfile::tempdir().unwrap();
        let kubeconfig = kubeconfig_file(sim, home.path());
        Self { kubeconfig, home }
    }

    /// (success, stdout, stderr).
    async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let (kc, home) = (self.kubeconfig.clone(), self.home.path().to_path_buf());
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let out = Command::new("kubectl")
                .args(&args)
                .env("KUBECONFIG", &kc)
                .env("HOME", &home)
                .env_remove("KUBERNETES_SERVICE_HOST")
                .output()
                .expect("kubectl runs");
            let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            (out.status.success(), s(&out.stdout), s(&out.stderr))
        })
        .await
        .unwrap()
    }

    async fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.run(args).await;
        assert!(ok, "kubectl {args:?} failed:\n{err}\n{out}");
        out
    }

    /// `kubectl rollout <verb> deployment/<name> [extra]`: its one write, as logged.
    async fn rollout(&self, c: &kube::Client, verb: &str, name: &str, extra: &[&str]) -> Value {
        let since = mark(c).await;
        let target = format!("deployment/{name}");
        let mut args = vec!["rollout", verb, target.as_str(), "-n", NS];
        args.extend(extra);
        self.ok(&args).await;
        let sent = writes(c, since).await;
        assert_eq!(sent.len(), 1, "{sent:#?}");
        sent[0].clone()
    }
}

/// The keys at every level, values blanked.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), shape(v))).collect(),
        Value::Array(a) => a.iter().map(shape).collect(),
        _ => Value::Null,
    }
}

/// Shipdeck's logged request and kubectl's: verb, content type and (once the names are
/// aligned) path exactly; the body exactly or, with `same_shape`, its keys.
fn assert_like_kubectl(
    ours: &Value,
    theirs: &Value,
    ours_name: &str,
    theirs_name: &str,
    same_shape: bool,
) {
    assert_eq!(ours["method"], theirs["method"], "{ours}\n{theirs}");
    assert_eq!(
        ours["content_type"], theirs["content_type"],
        "{ours}\n{theirs}"
    );
    assert_eq!(ours["path"], path(ours_name));
    assert_eq!(theirs["path"], path(theirs_name));
    if same_shape {
        assert_eq!(
            shape(&ours["body"]),
            shape(&theirs["body"]),
            "{ours}\n{theirs}"
        );
    } else {
        assert_eq!(ours["body"], theirs["body"], "{ours}\n{theirs}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_restart_send_what_kubectl_rollout_sends() {
    if !require_tool("kubectl") {
        return;
    }
    let sim = start().await;
    let c = client(&sim, "sim-operator").await;
    let k = Kubectl::new(&sim);
    // shipdeck acts on wallet, kubectl on notifications. The deployment controller stamps
    // revision 1 on its first tick; a request seen before would be refused as stale.
    wait_for(&c, "wallet", "revision 1", |d| {
        d["metadata"]["annotations"][deploy::REVISION] == "1"
    })
    .await;
    let obj = get(&c, &path("wallet")).await;
    let ours = run_shipdeck(&c, &ask(&obj, Action::Pause, deploy::pause(NS, "wallet"))).await;
    let theirs = k.rollout(&c, "pause", "notifications", &[]).await;
    assert_like_kubectl(&ours, &theirs, "wallet", "notifications", false);
    assert_eq!(get(&c, &path("wallet")).await["spec"]["paused"], true);

    let obj = get(&c, &path("wallet")).await;
    let req = ask(&obj, Action::Resume, deploy::resume(NS, "wallet"));
    assert!(req.seen.facts.spec_paused);
    let ours = run_shipdeck(&c, &req).await;
    let theirs = k.rollout(&c, "resume", "notifications", &[]).await;
    assert_like_kubectl(&ours, &theirs, "wallet", "notifications", false);
    let obj = get(&c, &path("wallet")).await;
    assert!(
        !seen::of(ControllerKind::Deployment, &obj)
            .unwrap()
            .facts
            .spec_paused
    );

    let req = ask(&obj, Action::Restart, deploy::restart(NS, "wallet", NOW));
    assert_eq!(req.seen.revision, Some(1));
    let ours = run_shipdeck(&c, &req).await;
    let theirs = k.rollout(&c, "restart", "notifications", &[]).await;
    assert_like_kubectl(&ours, &theirs, "wallet", "notifications", true);
    let at = "/body/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt";
    let stamp = theirs.pointer(at).and_then(Value::as_str).unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
        "{stamp}"
    );

    // The controller rolls wallet to a new revision with the annotation.
    let status = [
        "rollout",
        "status",
        "deployment/wallet",
        "-n",
        NS,
        "--timeout=60s",
    ];
    let out = k.ok(&status).await;
    assert!(out.contains("successfully rolled out"), "{out}");
    let after = get(&c, &path("wallet")).await;
    let anns = &after["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(anns[deploy::RESTARTED_AT], NOW);
    assert_eq!(after["metadata"]["annotations"][deploy::REVISION], "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_sends_what_kubectl_rollout_undo_sends_and_the_controller_rolls_back() {
    if !require_tool("kubectl") {
        return;
    }
    let sim = start().await;
    let c = client(&sim, "sim-operator").await;
    let k = Kubectl::new(&sim);
    let status = [
        "rollout",
        "status",
        "deployment/auth",
        "-n",
        NS,
        "--timeout=60s",
    ];
    let image = |d: &Value| d["spec"]["template"]["spec"]["containers"][0]["image"].clone();
    // The story's patch release 2.4.1 → 2.4.2 at t=30 s.
    wait_for(&c, "auth", "revision 2", |d| {
        d["metadata"]["annotations"][deploy::REVISION] == "2"
    })
    .await;
    assert!(k.ok(&status).await.contains("successfully rolled out"));

    // shipdeck's undo: prepared (GETs only), then run.
    let obj = get(&c, &path("auth")).await;
    let since = mark(&c).await;
    let prepared =
        actions::undo_deploy::prepare_deployment_undo(&c, ask(&obj, Action::Undo, Plan::default()));
    let req = prepared.await.unwrap();
    assert!(writes(&c, since).await.is_empty());
    assert_eq!((req.seen.revision, req.undo_to), (Some(2), Some(1)));
    assert_eq!(req.change.as_deref(), Some("revision 2 → 1"));
    assert_eq!(
        req.plan.requests[0].content_type,
        "application/json-patch+json"
    );
    run_shipdeck(&c, &req).await;
    let out = k.ok(&status).await;
    assert!(out.contains("successfully rolled out"), "{out}");
    let history = k
        .ok(&["rollout", "history", "deployment/auth", "-n", NS])
        .await;
    assert!(
        history
            .lines()
            .any(|l| l.split_whitespace().next() == Some("3")),
        "{history}"
    );
    let after = get(&c, &path("auth")).await;
    assert_eq!(after["metadata"]["annotations"][deploy::REVISION], "3");
    assert!(
        image(&after).as_str().unwrap().ends_with(":2.4.1"),
        "{after}"
    );

    // The same state read by shipdeck and by kubectl: the same request, body for body.
    let req = actions::prepare_undo(&c, ask(&after, Action::Undo, Plan::default()))
        .await
        .unwrap();
    assert_eq!(req.undo_to, Some(2));
    let theirs = k.rollout(&c, "undo", "auth", &[]).await;
    let ours = &req.plan.requests[0];
    assert_eq!(
        (theirs["method"].as_str(), theirs["path"].as_str()),
        (Some(ours.verb), Some(ours.path.as_str()))
    );
    assert_eq!(theirs["content_type"], ours.content_type);
    assert_eq!(theirs["body"], ours.body);
    assert!(k.ok(&status).await.contains("successfully rolled out"));
    assert!(
        image(&get(&c, &path("auth")).await)
            .as_str()
            .unwrap()
            .ends_with(":2.4.2")
    );

    // Paused: refused with kubectl's words, nothing written; no such revision likewise.
    k.rollout(&c, "pause", "auth", &[]).await;
    let obj = get(&c, &path("auth")).await;
    let since = mark(&c).await;
    let refused =
        actions::undo_deploy::prepare_deployment_undo(&c, ask(&obj, Action::Undo, Plan::default()));
    let why = refused.await.unwrap_err();
    assert!(why.contains(PAUSED), "{why}");
    let mut asked = ask(&obj, Action::Undo, Plan::default());
    asked.undo_to = Some(99);
    let why99 = actions::prepare_undo(&c, asked).await.unwrap_err();
    assert!(writes(&c, since).await.is_empty());
    let (ok, _, err) = k
        .run(&["rollout", "undo", "deployment/auth", "-n", NS])
        .await;
    assert!(!ok && err.contains(PAUSED), "{err}");
    let (ok, _, err) = k
        .run(&[
            "rollout",
            "undo",
            "deployment/auth",
            "-n",
            NS,
            "--to-revision=99",
        ])
        .await;
    assert!(!ok && err.contains(&why99), "{why99} vs {err}");
}
