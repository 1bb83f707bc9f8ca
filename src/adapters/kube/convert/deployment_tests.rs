//! Deployments written from the API docs: progress, pause, ReplicaSets, image options.

use serde_json::json;

use super::*;
use crate::domain::version::Severity;

fn replica_set(name: &str, revision: &str, image: &str, replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": name, "namespace": "casino-prod",
            "annotations": {"deployment.kubernetes.io/revision": revision},
            "labels": {"app": "bonus", "pod-template-hash": name.rsplit('-').next()},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "wallet",
                                 "uid": "uid-wallet", "controller": true}]
        },
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [
            {"name": "bonus", "image": image}]}}},
        "status": {"replicas": replicas, "availableReplicas": replicas}
    })
}

#[test]
fn a_deployment_rolling_out() {
    let mut obj = deployment("wallet", "ghcr.io/casino/wallet:3.0.0", settled(3));
    obj["metadata"]["annotations"] =
        json!({"argocd.argoproj.io/tracking-id": "wallet-prod:apps/Deployment:casino-prod/wallet"});
    obj["status"]["updatedReplicas"] = json!(1);
    obj["status"]["replicas"] = json!(4);
    let r = deployment_row(&obj, &ConvertCtx::default());
    assert_eq!(r.invalid, None);
    assert_eq!(
        (r.phase, r.message.as_str()),
        (Phase::Progressing, "1 of 3 new replicas have been updated")
    );
    assert_eq!(r.attention, None);
    assert_eq!(r.step, None);
    assert_eq!(r.weights, None);
    assert_eq!(r.stable_version(), None, "unknown without ReplicaSets");
    assert_eq!(r.new_version().as_deref(), Some("3.0.0"));
    assert_eq!(
        r.gitops,
        Some(GitOpsOwner::ArgoCd {
            app: Some("wallet-prod".into())
        })
    );
    let rss = vec![
        replica_set("wallet-5c6d7", "7", "ghcr.io/casino/wallet:2.9.1", 3),
        replica_set("wallet-8f9a1", "8", "ghcr.io/casino/wallet:3.0.0", 1),
        replica_set("wallet-1a2b3", "6", "ghcr.io/casino/wallet:2.9.0", 0),
    ];
    let ctx = ConvertCtx {
        replica_sets: Some(&rss),
        ..ConvertCtx::default()
    };
    let r = deployment_row(&obj, &ctx);
    assert_eq!(
        r.containers[0].change().unwrap().to_string(),
        "2.9.1 → 3.0.0 (major)"
    );
}

#[test]
fn deployment_phases() {
    let ctx = ConvertCtx::default();
    let healthy = deployment_row(
        &deployment("auth", "ghcr.io/casino/auth:1.2.3", settled(3)),
        &ctx,
    );
    assert_eq!(
        (healthy.phase, healthy.message.as_str()),
        (Phase::Healthy, "")
    );
    assert_eq!(healthy.stable_version().as_deref(), Some("1.2.3"));
    assert_eq!(
        healthy.since.unwrap().to_rfc3339(),
        "2026-03-01T10:02:00+00:00"
    );

    let mut stuck = deployment("auth", "ghcr.io/casino/auth:1.2.4", settled(3));
    stuck["status"]["updatedReplicas"] = json!(1);
    stuck["status"]["conditions"][1] = json!({"type": "Progressing", "status": "False",
        "reason": "ProgressDeadlineExceeded",
        "message": "ReplicaSet \"auth-6b7c8\" has timed out progressing.",
        "lastTransitionTime": "2026-03-01T10:12:00Z"});
    let r = deployment_row(&stuck, &ctx);
    assert_eq!(r.phase, Phase::Degraded);
    assert_eq!(
        r.message,
        "ProgressDeadlineExceeded: ReplicaSet \"auth-6b7c8\" has timed out progressing."
    );
    assert_eq!(r.attention, Some(Attention::Degraded));

    let mut paused = deployment("auth", "ghcr.io/casino/auth:1.2.4", settled(3));
    paused["spec"]["paused"] = json!(true);
    paused["status"]["conditions"][1] = json!({"type": "Progressing", "status": "Unknown",
        "reason": "DeploymentPaused", "message": "Deployment is paused",
        "lastTransitionTime": "2026-03-01T10:20:00Z"});
    let r = deployment_row(&paused, &ctx);
    assert_eq!((r.phase, r.spec_paused), (Phase::Paused, true));
    let pause = r.pause.as_ref().unwrap();
    assert_eq!(pause.reason, PauseReason::Manual);
    assert_eq!(
        pause.since.unwrap().to_rfc3339(),
        "2026-03-01T10:20:00+00:00"
    );

    let mut fresh = deployment(
        "notifications",
        "ghcr.io/casino/notifications:latest",
        json!({}),
    );
    fresh["metadata"]["generation"] = json!(1);
    let r = deployment_row(&fresh, &ctx);
    assert_eq!(r.phase, Phase::Progressing);
    assert_eq!(
        r.message,
        "waiting for deployment spec update to be observed"
    );
    assert!(r.image_warning(), "latest is a mutable tag");
}

#[test]
fn require_digest_turns_the_note_into_a_warning() {
    let obj = deployment("auth", "ghcr.io/casino/auth:1.2.3", settled(3));
    let relaxed = deployment_row(&obj, &ConvertCtx::default());
    assert!(!relaxed.image_warning());
    assert!(
        relaxed
            .image_notes
            .iter()
            .all(|n| n.severity == Severity::Info)
    );
    let strict = deployment_row(
        &obj,
        &ConvertCtx {
            require_digest: true,
            ..ConvertCtx::default()
        },
    );
    assert!(strict.image_warning());
}
