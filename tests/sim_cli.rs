//! `shipdeck sim` as a user runs it, and the shipdeck UI against it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sim::{fixtures, start};
use common::{BIN, PtyRun};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};

fn wait_file(p: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !p.exists() {
        assert!(Instant::now() < deadline, "{} never appeared", p.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The running simulator, its first line of output, and the rest of its output (kept open,
/// as a terminal would be: the simulator reports on stdout until it stops).
type Spawned = (
    std::process::Child,
    String,
    BufReader<std::process::ChildStdout>,
);

/// Starts `shipdeck sim ARGS --kubeconfig-out KC`.
fn spawn_sim(args: &[&str], kc: &std::path::Path) -> Spawned {
    let mut child = Command::new(BIN)
        .arg("sim")
        .args(args)
        .args(["--kubeconfig-out", kc.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    (child, first, out)
}

/// A kube client from the kubeconfig file the simulator wrote, as a user would make it.
async fn client_from(kc: &std::path::Path) -> kube::Client {
    wait_file(kc);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(kc).unwrap(),
        &Default::default(),
    )
    .await
    .unwrap();
    kube::Client::try_from(config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_serves_loaded_objects_writes_a_kubeconfig_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("sim.kubeconfig");
    let load = fixtures().join("argo-rollouts/info-testdata");
    let (mut child, first, _out) = spawn_sim(&["--load", load.to_str().unwrap()], &kc);
    assert!(
        first.starts_with("shipdeck sim: serving https://127.0.0.1:"),
        "{first}"
    );
    assert!(first.contains("loaded"), "{first}");
    wait_file(&kc);
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&kc).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "the kubeconfig holds tokens");

    let client = client_from(&kc).await;
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
        "rollouts",
    );
    let all: Api<DynamicObject> = Api::all_with(client, &ar);
    let names: Vec<String> = all
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|o| o.metadata.name)
        .collect();
    // Every Rollout recorded in the folder is served, and nothing else.
    let mut want: Vec<String> = Vec::new();
    for f in shipdeck::sim::load::files(&[fixtures().join("argo-rollouts/info-testdata")]).unwrap()
    {
        for d in shipdeck::sim::load::documents(&std::fs::read_to_string(f).unwrap()).unwrap() {
            if d["kind"] == "Rollout" {
                want.push(d["metadata"]["name"].as_str().unwrap().to_string());
            }
        }
    }
    let mut got = names.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(got.contains(&"canary-demo".to_string()));

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(kc.exists(), "an explicit --kubeconfig-out is kept");
}

#[test]
fn sim_refuses_to_overwrite_and_names_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("existing");
    std::fs::write(&kc, "mine").unwrap();
    let run = |args: &[&str]| Command::new(BIN).arg("sim").args(args).output().unwrap();
    let out = run(&["--kubeconfig-out", kc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&kc).unwrap(), "mine");

    let out = run(&["--scenario", "atlantis"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scenario \"atlantis\""));

    let out = run(&["--load", "/nonexistent/objects"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/objects"));

    let out = Command::new(BIN).args(["sim", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("sim-viewer") && help.contains("/sim/v1/faults"),
        "{help}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_shows_who_the_cluster_says_we_are() {
    let sim = start(vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let kc = common::sim::kubeconfig_file(&sim, dir.path());
    let log = dir.path().join("log");
    for (ctx, want) in [
        ("sim-operator", "as sim-operator"),
        ("sim-viewer", "as sim-viewer"),
    ] {
        let kc = kc.clone();
        let log = log.clone();
        let home = dir.path().to_path_buf();
        let screen = tokio::task::spawn_blocking(move || {
            let mut run = PtyRun::spawn(
                &["--context", ctx, "--log-file", log.to_str().unwrap()],
                &[
                    ("KUBECONFIG", kc.to_str().unwrap()),
                    ("HOME", home.to_str().unwrap()),
                ],
                120,
                30,
            );
            let seen = run.wait_for(Duration::from_secs(20), |o| {
                String::from_utf8_lossy(o).contains("Rollouts")
            });
            assert!(seen, "{}", run.text());
            run.write(b"q");
            run.finish(Duration::from_secs(10));
            common::strip_ansi(&run.text())
        })
        .await
        .unwrap();
        assert!(screen.contains(want), "{want}: {screen}");
        assert!(!screen.contains("(from kubeconfig)"), "{screen}");
        assert!(screen.contains(&format!("ctx {ctx}")), "{screen}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_scale_flags_size_the_scale_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("scale.kubeconfig");
    let args = [
        "--scenario",
        "scale",
        "--rollouts",
        "30",
        "--namespaces",
        "3",
    ];
    let more = ["--inflight", "2", "--churn", "1"];
    let (mut child, first, _out) = spawn_sim(&[&args[..], &more[..]].concat(), &kc);
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("https://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"));
    let addr: std::net::SocketAddr = url
        .trim_start_matches("https://")
        .trim_end_matches(['/', ',', '.'])
        .parse()
        .unwrap();
    let (_, text) = common::prometheus::get(addr, "/metrics").unwrap();
    // Two in-flight canaries, two tracks, 16 series each.
    let series = text.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(series, 2 * 2 * 16, "{text}");

    let client = client_from(&kc).await;
    let rollouts: Api<DynamicObject> = Api::all_with(
        client,
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
            "rollouts",
        ),
    );
    let list = rollouts.list(&ListParams::default()).await.unwrap();
    let mut namespaces: Vec<String> = list
        .items
        .iter()
        .filter_map(|r| r.metadata.namespace.clone())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    assert_eq!(list.items.len(), 27, "nine in ten of 30 are Rollouts");
    assert_eq!(namespaces, ["scale-0", "scale-1", "scale-2"]);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn sim_stops_cleanly_when_its_reader_went_away() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kc");
    for _ in 0..3 {
        let (child, first, out) = spawn_sim(&["--force"], &kc);
        assert!(first.starts_with("shipdeck sim: serving"), "{first}");
        drop(out); // as `shipdeck sim | head -1` does
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{:?}: {err}", out.status);
        assert!(!err.contains("panicked"), "{err}");
    }
}
