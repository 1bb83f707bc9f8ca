//! The preinstalled kubectl, a client nobody here wrote, drives the simulator: if it works,
//! the simulator speaks Kubernetes. Each test uses a temporary HOME and kubeconfig.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sim::{client, fixtures, kubeconfig_file, require_tool, start};
use serde_json::{Value, json};

struct Kubectl {
    kubeconfig: std::path::PathBuf,
    home: tempfile::TempDir,
}

impl Kubectl {
    fn new(sim: &shipdeck::sim::SimHandle) -> Self {
        let home = tempfile::tempdir().unwrap();
        let kubeconfig = kubeconfig_file(sim, home.path());
        Self { kubeconfig, home }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("kubectl");
        c.args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", self.home.path())
            .env_remove("KUBERNETES_SERVICE_HOST");
        c
    }

    /// Runs kubectl; returns (success, stdout, stderr).
    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = self.cmd(args).output().expect("kubectl runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.run(args);
        assert!(ok, "kubectl {args:?} failed:\n{err}\n{out}");
        out
    }
}

fn info_testdata() -> std::path::PathBuf {
    fixtures().join("argo-rollouts/info-testdata")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_gets_rollouts_with_the_columns_of_a_real_cluster() {
    if !require_tool("kubectl") {
        return;
    }
    let sim = start(vec![info_testdata()]).await;
    let k = Kubectl::new(&sim);
    let out = tokio::task::spawn_blocking(move || {
        let table = k.ok(&["get", "rollouts", "-A"]);
        let json = k.ok(&["get", "ro", "canary-demo", "-n", "jesse-test", "-o", "json"]);
        (table, json)
    })
    .await
    .unwrap();
    let header = out
        .0
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>();
    assert_eq!(
        header,
        [
            "NAMESPACE",
            "NAME",
            "DESIRED",
            "CURRENT",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE"
        ],
        "{}",
        out.0
    );
    let row = out.0.lines().find(|l| l.contains(" canary-demo ")).unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        &cells[..6],
        ["jesse-test", "canary-demo", "5", "6", "1", "5"],
        "{row}"
    );
    let obj: Value = serde_json::from_str(&out.1).unwrap();
    assert_eq!(obj["metadata"]["name"], "canary-demo");
    assert_eq!(obj["kind"], "Rollout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_creates_every_example_and_patches() {
    if !require_tool("kubectl") {
        return;
    }
    let sim = start(vec![]).await;
    let k = Kubectl::new(&sim);
    let examples = fixtures().join("argo-rollouts/examples");
    let out = tokio::task::spawn_blocking(move || {
        let mut created = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(&examples)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            created.push(k.ok(&["create", "-f", f.to_str().unwrap()]));
        }
        let merge = k.ok(&[
            "patch",
            "rollout",
            "rollout-canary",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"paused":true}}"#,
        ]);
        let status = k.ok(&[
            "patch",
            "rollout",
            "rollout-canary",
            "--subresource=status",
            "--type",
            "merge",
            "-p",
            r#"{"status":{"abort":true}}"#,
        ]);
        let after = k.ok(&["get", "rollout", "rollout-canary", "-o", "json"]);
        (created, merge, status, after)
    })
    .await
    .unwrap();
    let all = out.0.join("");
    for name in [
        "rollout.argoproj.io/rollout-canary created",
        "service/",
        "analysistemplate.argoproj.io/",
        "clusteranalysistemplate.argoproj.io/",
        "experiment.argoproj.io/",
    ] {
        assert!(all.contains(name), "{name} missing in:\n{all}");
    }
    assert!(out.1.contains("patched"), "{}", out.1);
    assert!(out.2.contains("patched"), "{}", out.2);
    let obj: Value = serde_json::from_str(&out.3).unwrap();
    assert_eq!(obj["spec"]["paused"], true);
    assert_eq!(obj["status"]["abort"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_watch_sees_a_change() {
    if !require_tool("kubectl") {
        return;
    }
    let sim = start(vec![info_testdata()]).await;
    let k = Kubectl::new(&sim);
    let mut child = k
        .cmd(&[
            "get",
            "ro",
            "canary-demo",
            "-n",
            "jesse-test",
            "-w",
            "-o",
            "custom-columns=NAME:.metadata.name,PAUSED:.spec.paused",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(first.contains("NAME"), "{first}");
    rx.recv_timeout(Duration::from_secs(20)).unwrap();
    let c = client(&sim, "sim-operator").await;
    // Change the object only once kubectl's watch is open (the request log shows it), or
    // kubectl would take the change for the initial state.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !common::sim::requests(&c, 0).await.iter().any(|r| {
        r["path"].as_str().is_some_and(|p| p.ends_with("/rollouts"))
            && r["query"]
                .as_str()
                .is_some_and(|q| q.contains("watch=true"))
    }) {
        assert!(Instant::now() < deadline, "kubectl never opened its watch");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ro = kube::Api::<kube::api::DynamicObject>::namespaced_with(
        c,
        "jesse-test",
        &kube::api::ApiResource::from_gvk_with_plural(
            &kube::api::GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
            "rollouts",
        ),
    );
    ro.patch(
        "canary-demo",
        &Default::default(),
        &kube::api::Patch::Merge(json!({"spec":{"paused":true}})),
    )
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(l.clone());
            if l.contains("canary-demo") && l.contains("true") {
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.iter().any(|l| l.contains("true")), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_auth_whoami_and_can_i_for_each_identity() {
    if !require_tool("kubectl") {
        return;
    }
    let sim = start(vec![]).await;
    let k = Kubectl::new(&sim);
    let results = tokio::task::spawn_blocking(move || {
        [
            "sim-operator",
            "sim-operator-2",
            "sim-viewer",
            "sim-restricted",
        ]
        .map(|ctx| {
            let who = k.ok(&["--context", ctx, "auth", "whoami", "-o", "json"]);
            let (patch_ok, patch, _) = k.run(&[
                "--context",
                ctx,
                "auth",
                "can-i",
                "patch",
                "rollouts.argoproj.io",
                "-n",
                "casino-prod",
            ]);
            let (list_ok, list, _) = k.run(&[
                "--context",
                ctx,
                "auth",
                "can-i",
                "list",
                "analysisruns.argoproj.io",
                "-n",
                "casino-prod",
            ]);
            (
                ctx,
                who,
                patch_ok,
                patch.trim().to_string(),
                list_ok,
                list.trim().to_string(),
            )
        })
    })
    .await
    .unwrap();
    for (ctx, who, patch_ok, patch, list_ok, list) in results {
        let v: Value = serde_json::from_str(&who).unwrap();
        assert_eq!(v["status"]["userInfo"]["username"], ctx);
        let can_patch = ctx.starts_with("sim-operator");
        assert_eq!(
            (patch_ok, patch.as_str()),
            (can_patch, if can_patch { "yes" } else { "no" }),
            "{ctx}"
        );
        let can_list = ctx != "sim-restricted";
        assert_eq!(
            (list_ok, list.as_str()),
            (can_list, if can_list { "yes" } else { "no" }),
            "{ctx}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_describe_shows_events_and_set_image_keeps_the_container() {
    if !require_tool("kubectl") {
        return;
    }
    let sim = start(vec![info_testdata()]).await;
    let c = client(&sim, "sim-operator").await;
    let uid = kube::Api::<kube::api::DynamicObject>::namespaced_with(
        c.clone(),
        "jesse-test",
        &kube::api::ApiResource::from_gvk_with_plural(
            &kube::api::GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
            "rollouts",
        ),
    )
    .get("canary-demo")
    .await
    .unwrap()
    .metadata
    .uid
    .unwrap();
    let events: kube::Api<k8s_openapi::api::core::v1::Event> =
        kube::Api::namespaced(c.clone(), "jesse-test");
    events
        .create(&Default::default(), &serde_json::from_value(json!({
            "metadata": {"name": "canary-demo.1"},
            "involvedObject": {"kind": "Rollout", "namespace": "jesse-test", "name": "canary-demo", "uid": uid, "apiVersion": "argoproj.io/v1alpha1"},
            "reason": "RolloutPaused", "message": "Rollout is paused (CanaryPauseStep)", "type": "Normal",
            "source": {"component": "rollouts-controller"}, "count": 1,
            "firstTimestamp": "2026-11-26T03:00:00Z", "lastTimestamp": "2026-11-26T03:00:00Z"
        })).unwrap())
        .await
        .unwrap();
    let deploys: kube::Api<k8s_openapi::api::apps::v1::Deployment> =
        kube::Api::namespaced(c.clone(), "default");
    deploys
        .create(&Default::default(), &serde_json::from_value(json!({
            "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": "app:1", "ports": [{"containerPort": 8080}], "env": [{"name": "MODE", "value": "prod"}]}]}}}
        })).unwrap())
        .await
        .unwrap();
    let k = Kubectl::new(&sim);
    let (describe, set) = tokio::task::spawn_blocking(move || {
        (
            k.ok(&["describe", "rollout", "canary-demo", "-n", "jesse-test"]),
            k.ok(&["set", "image", "deployment/web", "app=app:2"]),
        )
    })
    .await
    .unwrap();
    assert!(
        describe.contains("Events:") && describe.contains("RolloutPaused"),
        "{describe}"
    );
    assert!(set.contains("image updated"), "{set}");
    let d = deploys.get("web").await.unwrap();
    let cont = &d.spec.template.spec.unwrap().containers[0];
    assert_eq!(cont.image.as_deref(), Some("app:2"));
    assert_eq!(cont.ports.as_ref().unwrap()[0].container_port, 8080);
    assert_eq!(cont.env.as_ref().unwrap()[0].value.as_deref(), Some("prod"));
    let _ = Path::new("");
}
