//! `shipdeck check` as an operator runs it: the real binary against the simulator (casino
//! scenario), its own Prometheus-compatible query endpoint, and a closed port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::BIN;
use common::sim::client;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use serde_json::Value;
use shipdeck::sim::{self, SimConfig, SimHandle};

/// What one run printed and how it exited.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// The check lines (all but the summary).
    fn checks(&self) -> Vec<&str> {
        let l = self.lines();
        l[..l.len() - 1].to_vec()
    }

    fn failed(&self) -> Vec<&str> {
        self.checks()
            .into_iter()
            .filter(|l| l.starts_with('✖'))
            .collect()
    }
}

/// Runs `shipdeck ARGS` with a clean environment whose home and state live in `dir`.
async fn shipdeck(dir: &Path, kubeconfig: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("KUBECONFIG", kubeconfig)
        .env("LANG", "C.UTF-8");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(run.stderr.is_empty(), "nothing on stderr: {}", run.stderr);
    run
}

/// The casino world at five times the speed (the first release within a second).
async fn casino() -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(SimConfig {
        scenario: "casino".into(),
        speed: 5.0,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// Waits until casino-prod has an Argo rollout in flight (currentPodHash ≠ stableRS).
async fn wait_for_a_rollout_in_flight(sim: &SimHandle) {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
        "rollouts",
    );
    let api: Api<DynamicObject> =
        Api::namespaced_with(client(sim, "sim-operator").await, "casino-prod", &ar);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let list = api.list(&ListParams::default()).await.unwrap();
        let moving = list.items.iter().any(|o| {
            let s = &o.data["status"];
            s["currentPodHash"].is_string()
                && s["stableRS"].is_string()
                && s["currentPodHash"] != s["stableRS"]
        });
        if moving {
            return;
        }
        assert!(Instant::now() < deadline, "no rollout ever went in flight");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The kubeconfig (casino-prod as every context's namespace) and a config file.
fn files(sim: &SimHandle, dir: &Path, prometheus: &str, audit: &Path) -> (PathBuf, PathBuf) {
    let kc = dir.join("kubeconfig");
    std::fs::write(&kc, sim.kubeconfig("sim-operator", Some("casino-prod"))).unwrap();
    let cfg = dir.join("shipdeck.toml");
    std::fs::write(
        &cfg,
        format!(
            "[prometheus]\nurl = \"{prometheus}\"\npreset = \"sim\"\n\n[audit]\npath = \"{}\"\n",
            audit.display()
        ),
    )
    .unwrap();
    (kc, cfg)
}

/// A local port nobody listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn json_of(run: &Run) -> Value {
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_passes_every_check_and_every_template_has_data() {
    let sim = casino().await;
    wait_for_a_rollout_in_flight(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit/audit.jsonl");
    let (kc, cfg) = files(&sim, dir.path(), &format!("http://{}", sim.addr), &audit);
    let cfg = cfg.to_str().unwrap();

    let run = shipdeck(dir.path(), &kc, &["--config", cfg, "check"]).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.failed().is_empty(), "{}", run.stdout);
    let rbac: Vec<&str> = run
        .checks()
        .into_iter()
        .filter(|l| l.starts_with("✔ rbac: "))
        .collect();
    assert_eq!(rbac.len(), 7, "one line per need: {}", run.stdout);
    assert!(rbac.contains(&"✔ rbac: patch rollouts/status in casino-prod"));
    assert!(
        run.stdout.contains("✔ identity: sim-operator"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("✔ crds: Argo Rollouts installed (rollouts.argoproj.io, analysisruns"),
        "{}",
        run.stdout
    );
    let templates: Vec<&str> = run
        .checks()
        .into_iter()
        .filter(|l| l.starts_with("✔ prometheus: ") && l.contains(" template: data for "))
        .collect();
    assert_eq!(templates.len(), 4, "{}", run.stdout);
    assert!(templates.iter().all(|l| l.contains("casino-prod/")));
    // [flags.flagd] is on by default: the casino's ConfigMap is listed and validated.
    assert!(
        run.stdout
            .contains("✔ flags: flagd: 4 flag(s) in 1 definition(s), all valid"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("✔ audit: "), "{}", run.stdout);
    assert!(
        !audit.exists(),
        "the audit check writes nothing and leaves no file"
    );
    let summary = run.lines().last().copied().unwrap();
    assert_eq!(summary, format!("{} checks, 0 failed", run.checks().len()));

    let json = shipdeck(dir.path(), &kc, &["--config", cfg, "check", "-o", "json"]).await;
    assert_eq!(json.code, 0);
    let v = json_of(&json);
    assert_eq!(v["failed"], 0);
    assert_eq!(v["checks"].as_array().unwrap().len(), run.checks().len());
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true)
    );

    // A template whose series name no rollout in flight: that template's line fails.
    let nowhere = dir.path().join("nowhere.toml");
    let text = std::fs::read_to_string(cfg).unwrap();
    std::fs::write(
        &nowhere,
        text.replace(
            "[audit]",
            "[queries]\nrequest_rate = 'sum by (namespace, rollout, track) \
             (rate(http_requests_total{namespace=~\"nowhere\"}[{window}]))'\n\n[audit]",
        ),
    )
    .unwrap();
    let run = shipdeck(
        dir.path(),
        &kc,
        &["--config", nowhere.to_str().unwrap(), "check"],
    )
    .await;
    assert_eq!(run.failed().len(), 1, "{}", run.stdout);
    assert_eq!(run.code, 1);
    let line = run.failed()[0];
    assert!(
        line.starts_with("✖ prometheus: request_rate template: no data for casino-prod/")
            && line.ends_with(": check the preset or the labels"),
        "{line}"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_a_closed_prometheus_and_an_unwritable_audit_path_each_fail_and_count() {
    let sim = casino().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let audit = file.join("audit.jsonl");
    let url = format!("http://127.0.0.1:{}", closed_port());
    let (kc, cfg) = files(&sim, dir.path(), &url, &audit);
    let args = ["--config", cfg.to_str().unwrap(), "--context", "sim-viewer"];

    let run = shipdeck(dir.path(), &kc, &[&args[..], &["check"]].concat()).await;
    let failed = run.failed();
    assert_eq!(run.code, failed.len() as i32, "{}", run.stdout);
    assert!(
        run.stdout.contains("✔ identity: sim-viewer"),
        "{}",
        run.stdout
    );
    for need in [
        "patch rollouts",
        "patch rollouts/status",
        "patch analysisruns",
    ] {
        let line = format!("✖ rbac: {need} in casino-prod: denied — ");
        assert!(
            failed.iter().any(|l| l.starts_with(&line)),
            "{need}: {}",
            run.stdout
        );
    }
    assert!(run.stdout.contains(
        "✖ rbac: patch rollouts/status in casino-prod: denied — approve, promote, abort and \
         retry will be refused"
    ));
    let prom: Vec<&str> = run
        .checks()
        .into_iter()
        .filter(|l| l.contains(" prometheus: "))
        .collect();
    assert_eq!(prom.len(), 1, "unreachable: no template is run: {prom:?}");
    assert!(
        prom[0].starts_with(&format!("✖ prometheus: {url}: Prometheus unreachable")),
        "{}",
        prom[0]
    );
    let audit_line = failed.iter().find(|l| l.starts_with("✖ audit: ")).unwrap();
    assert!(audit_line.contains("os error"), "{audit_line}");
    assert!(!audit.exists());
    let summary = run.lines().last().copied().unwrap();
    assert_eq!(
        summary,
        format!("{} checks, {} failed", run.checks().len(), failed.len())
    );

    let json = shipdeck(
        dir.path(),
        &kc,
        &[&args[..], &["check", "-o", "json"]].concat(),
    )
    .await;
    let v = json_of(&json);
    let checks = v["checks"].as_array().unwrap();
    let not_ok = checks.iter().filter(|c| c["ok"] == false).count();
    assert_eq!(v["failed"].as_u64().unwrap() as usize, not_ok);
    assert_eq!(
        json.code, not_ok as i32,
        "the exit status counts the failures"
    );
    assert_eq!(json.code, run.code, "text and json agree");
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    let text_names: Vec<&str> = run
        .checks()
        .iter()
        .map(|l| l.split_once(' ').unwrap().1.split(':').next().unwrap())
        .collect();
    assert_eq!(names, text_names);
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_kubeconfig_the_cluster_checks_are_skipped_as_failures_in_ascii() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-kubeconfig");
    let mut cmd = Command::new(BIN);
    cmd.args(["check"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("KUBECONFIG", &missing)
        .env("LANG", "C");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("OK config: "), "{stdout}");
    assert!(
        lines[1].starts_with("FAIL kubeconfig: no kubeconfig found"),
        "{stdout}"
    );
    assert!(lines[1].contains(missing.to_str().unwrap()), "{stdout}");
    for name in ["identity", "crds", "rbac"] {
        assert!(
            lines.contains(&format!("FAIL {name}: skipped: no cluster").as_str()),
            "{name}: {stdout}"
        );
    }
    assert!(lines.contains(&"OK prometheus: not configured: metrics and alerts are off"));
    // flagd (on by default) reads the cluster too.
    assert!(
        lines.contains(&"FAIL flags: flagd: skipped: no cluster"),
        "{stdout}"
    );
    let failed = lines.iter().filter(|l| l.starts_with("FAIL ")).count();
    assert_eq!(failed, 5, "{stdout}");
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(
        lines.last().copied(),
        Some(format!("{} checks, 5 failed", lines.len() - 1).as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_api_server_fails_identity_and_skips_the_cluster_checks() {
    let dir = tempfile::tempdir().unwrap();
    let kc = common::kubeconfig(dir.path(), &format!("https://127.0.0.1:{}", closed_port()));
    let run = shipdeck(dir.path(), &kc, &["check"]).await;
    let failed = run.failed();
    assert!(
        failed[0].starts_with("✖ identity: API server https://127.0.0.1:")
            && failed[0].contains("unreachable")
            && failed[0].contains("refused"),
        "{}",
        run.stdout
    );
    assert_eq!(
        &failed[1..],
        [
            "✖ crds: skipped: API server unreachable",
            "✖ rbac: skipped: API server unreachable",
            "✖ flags: flagd: skipped: API server unreachable"
        ]
    );
    assert_eq!(run.code, 4, "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flag_backends_are_listed_validated_and_reached_or_fail_with_the_reason() {
    let sim = casino().await;
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let (kc, cfg) = files(&sim, dir.path(), "", &audit);
    let token = dir.path().join("unleash.token");
    std::fs::write(&token, "*:*.not-a-real-token\n").unwrap();
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "\n[flags.flagd]\nenabled = true\n\n[flags.unleash]\nurl = \"http://127.0.0.1:{}\"\ntoken_file = \"{}\"\nproject = \"default\"\n",
        closed_port(),
        token.display()
    ));
    std::fs::write(&cfg, text).unwrap();
    let cfg = cfg.to_str().unwrap();

    let run = shipdeck(dir.path(), &kc, &["--config", cfg, "check"]).await;
    let flags: Vec<&str> = run
        .checks()
        .into_iter()
        .filter(|l| l.contains(" flags: "))
        .collect();
    assert_eq!(flags.len(), 2, "one line per backend: {}", run.stdout);
    assert!(
        flags[0].starts_with("✔ flags: flagd: 4 flag(s) in 1 definition(s), all valid"),
        "{}",
        run.stdout
    );
    assert!(
        flags[1].starts_with("✖ flags: unleash: "),
        "an unreachable Unleash fails: {}",
        run.stdout
    );
    assert_eq!(run.code as usize, run.failed().len());

    // A definition that does not validate: named, and the check fails.
    let c = client(&sim, "sim-operator").await;
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(c.clone(), "casino-prod");
    let mut cm = cms.get("flags").await.unwrap();
    let data = cm.data.as_mut().unwrap();
    let doc = data.get("flags.flagd.json").unwrap().replacen(
        "\"defaultVariant\": \"off\"",
        "\"defaultVariant\": 7",
        1,
    );
    data.insert("flags.flagd.json".into(), doc);
    cms.replace("flags", &Default::default(), &cm)
        .await
        .unwrap();
    let run = shipdeck(dir.path(), &kc, &["--config", cfg, "check"]).await;
    let flagd = run
        .checks()
        .into_iter()
        .find(|l| l.contains(" flags: flagd"))
        .unwrap()
        .to_string();
    assert!(
        flagd.starts_with("✖ flags: flagd: ") && flagd.contains("invalid definition(s)"),
        "{}",
        run.stdout
    );
    assert!(flagd.contains("new-slot-ui (casino-prod/flags)"), "{flagd}");
    assert!(flagd.contains("(casino-prod/flags)"), "{flagd}");

    // Refused by RBAC: said as the verb that was refused.
    common::sim::fault(
        &c,
        serde_json::json!({"kind": "forbidden", "identity": "sim-operator", "resource": "configmaps"}),
    )
    .await;
    let run = shipdeck(dir.path(), &kc, &["--config", cfg, "check"]).await;
    assert!(
        run.stdout
            .contains("✖ flags: flagd: forbidden: list configmaps in namespace casino-prod"),
        "{}",
        run.stdout
    );
}
