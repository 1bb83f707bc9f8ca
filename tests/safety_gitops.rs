//! GitOps ownership on the real path (simulator → watch → rows → dialog): a badge on the
//! overview for each marker of PROTOCOLS.md, none for `app.kubernetes.io/instance` alone, and
//! the "may revert" warning on spec changes (pause) but not on status-only actions (abort).
//! The same for flags: a ConfigMap or `FeatureFlag` that becomes GitOps-managed marks its
//! rows `⟲` and its toggle dialog warns; Helm's `app.kubernetes.io/instance` does not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::headless::Headless;
use serde_json::{Value, json};
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};
use shipdeck::input::{KeyChord, KeyCode};
use shipdeck::sim::{self, SimConfig};
use shipdeck::state::{Event, Overlay};

/// A canary in flight named `name`, with `labels` and `annotations`.
fn rollout(name: &str, labels: Value, annotations: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": "casino-prod", "generation": 2,
                     "labels": labels, "annotations": annotations},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": format!("{name}:1.0.1")}]}},
                 "strategy": {"canary": {"steps": [{"setWeight": 10}, {"pause": {}}]}}},
        "status": {"phase": "Paused", "currentStepIndex": 1, "currentPodHash": "new",
                   "stableRS": "old", "observedGeneration": "2", "replicas": 2,
                   "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-11-26T03:00:00Z"}],
                   "canary": {}}
    })
}

fn objects(dir: &Path) -> PathBuf {
    let list = [
        rollout(
            "argo-tracked",
            json!({}),
            json!({"argocd.argoproj.io/tracking-id": "casino:argoproj.io/Rollout:casino-prod/argo-tracked"}),
        ),
        rollout(
            "argo-labelled",
            json!({"argocd.argoproj.io/instance": "casino"}),
            json!({}),
        ),
        rollout(
            "flux-kustomized",
            json!({"kustomize.toolkit.fluxcd.io/name": "casino"}),
            json!({}),
        ),
        rollout(
            "flux-helmed",
            json!({"helm.toolkit.fluxcd.io/name": "casino"}),
            json!({}),
        ),
        rollout(
            "helm-only",
            json!({"app.kubernetes.io/instance": "casino"}),
            json!({}),
        ),
    ];
    let p = dir.join("rollouts.json");
    std::fs::write(
        &p,
        json!({"apiVersion": "v1", "kind": "List", "items": list}).to_string(),
    )
    .unwrap();
    p
}

fn key(name: &str) -> RolloutKey {
    RolloutKey {
        namespace: "casino-prod".into(),
        name: name.into(),
        kind: ControllerKind::ArgoCanary,
    }
}

/// The dialog's notes for key `k` on `name`, then Esc.
fn notes(h: &mut Headless, name: &str, k: char) -> Vec<String> {
    assert!(h.state.rollouts.select_key(&key(name)));
    h.send(Event::Key(KeyChord::ch(k)));
    let notes = match &h.state.overlay {
        Overlay::Confirm(d) => d.notes.clone(),
        _ => panic!("no dialog for {name}: {:?}", h.state.flash),
    };
    h.send(Event::Key(KeyChord::plain(KeyCode::Esc)));
    notes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_ownership_marker_gets_a_badge_and_spec_changes_a_warning() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let sim = sim::start(SimConfig {
        load: vec![objects(dir.path())],
        controllers: false,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut h = Headless::start(&sim, "casino-prod", "").await;
    h.run_until("five rows", Duration::from_secs(30), |s| {
        s.rollouts.total() == 5
    })
    .await;
    let screen = h.screen(150, 30);
    for (name, owned) in [
        ("argo-tracked", true),
        ("argo-labelled", true),
        ("flux-kustomized", true),
        ("flux-helmed", true),
        ("helm-only", false),
    ] {
        let line = screen.lines().find(|l| l.contains(name)).unwrap();
        assert_eq!(line.contains(&format!("{name} ⟲")), owned, "{line}");
        let pause = notes(&mut h, name, 'p');
        let abort = notes(&mut h, name, 'x');
        assert!(abort.is_empty(), "abort is status-only: {abort:?}");
        if owned {
            let who = if name.starts_with("argo") {
                "Argo CD"
            } else {
                "Flux"
            };
            assert_eq!(
                pause,
                [format!(
                    "{who} may revert this at the next sync — change Git too."
                )]
            );
        } else {
            assert!(pause.is_empty(), "{pause:?}");
        }
    }
}

/// The flag dialog's notes for `t` on the flag `key` (on screen 3), then Esc.
fn flag_notes(h: &mut Headless, key: &str) -> Vec<String> {
    h.send(Event::Key(KeyChord::ch('3')));
    let at = h.state.flags.visible().iter().position(|f| f.key == key);
    h.state.flags.cursor = at.unwrap_or_else(|| panic!("no flag {key}"));
    h.send(Event::Key(KeyChord::ch('t')));
    let notes = match &h.state.overlay {
        Overlay::FlagConfirm(d) => d.request.notes.clone(),
        _ => panic!("no dialog for {key}: {:?}", h.state.flash),
    };
    h.send(Event::Key(KeyChord::plain(KeyCode::Esc)));
    notes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_in_gitops_managed_objects_get_the_marker_and_the_warning() {
    let sim = common::sim::casino_at_rest().await;
    let c = common::sim::client(&sim, "sim-operator-2").await;
    let call = |method: &'static str, path: String, body: Value| {
        let c = c.clone();
        async move {
            let ct = if method == "POST" {
                "application/json"
            } else {
                "application/merge-patch+json"
            };
            let req = http::Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", ct)
                .body(serde_json::to_vec(&body).unwrap())
                .unwrap();
            let _: Value = c.request(req).await.unwrap();
        }
    };
    // A FeatureFlag that only carries Helm's `app.kubernetes.io/instance`: not evidence.
    let ff = "/apis/core.openfeature.dev/v1beta1/namespaces/casino-prod/featureflags";
    call(
        "POST",
        ff.to_string(),
        json!({"apiVersion": "core.openfeature.dev/v1beta1", "kind": "FeatureFlag",
               "metadata": {"name": "promo", "namespace": "casino-prod",
                            "labels": {"app.kubernetes.io/instance": "promo"}},
               "spec": {"flagSpec": {"flags": {"promo-banner": {"state": "ENABLED",
                   "variants": {"on": true, "off": false}, "defaultVariant": "off"}}}}}),
    )
    .await;
    let mut h = Headless::start(&sim, "casino-prod", "").await;
    h.run_until("the casino flags", Duration::from_secs(30), |s| {
        let keys: Vec<_> = s.flags.all().iter().map(|f| f.key.clone()).collect();
        keys.iter().any(|k| k == "new-slot-ui") && keys.iter().any(|k| k == "promo-banner")
    })
    .await;
    let revert = "may revert this at the next sync — change Git too.";
    assert!(
        !flag_notes(&mut h, "new-slot-ui")
            .iter()
            .any(|n| n.contains(revert))
    );
    assert!(
        !flag_notes(&mut h, "promo-banner")
            .iter()
            .any(|n| n.contains(revert))
    );

    // Argo CD starts tracking the casino's flags ConfigMap; Flux takes over the FeatureFlag.
    let tracking = json!({"metadata": {"annotations": {
        "argocd.argoproj.io/tracking-id": "casino:/ConfigMap:casino-prod/flags"}}});
    call(
        "PATCH",
        "/api/v1/namespaces/casino-prod/configmaps/flags".to_string(),
        tracking,
    )
    .await;
    let flux = json!({"metadata": {"labels": {"helm.toolkit.fluxcd.io/name": "promo"}}});
    call("PATCH", format!("{ff}/promo"), flux).await;
    h.run_until("the owners, live", Duration::from_secs(30), |s| {
        let owned = |k: &str| {
            s.flags
                .all()
                .iter()
                .any(|f| f.key == k && f.gitops.is_some())
        };
        owned("new-slot-ui") && owned("promo-banner")
    })
    .await;
    let screen = h.screen(150, 36);
    assert!(screen.contains("new-slot-ui ⟲"), "{screen}");
    assert!(screen.contains("promo-banner ⟲"), "{screen}");
    assert_eq!(
        flag_notes(&mut h, "new-slot-ui")
            .into_iter()
            .filter(|n| n.contains(revert))
            .collect::<Vec<_>>(),
        [
            "ConfigMap casino-prod/flags[flags.flagd.json] is managed by Argo CD app casino: \
          Argo CD may revert this at the next sync — change Git too."
        ]
    );
    assert!(
        flag_notes(&mut h, "promo-banner").contains(
            &"FeatureFlag casino-prod/promo is managed by Flux HelmRelease promo: \
              Flux may revert this at the next sync — change Git too."
                .to_string()
        )
    );
}
