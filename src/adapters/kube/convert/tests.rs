//! Flagger and Deployment objects written from their API docs (no full status fixture
//! exists), odd objects, GitOps ownership and options. Argo Rollouts are tested against
//! the CLI's own outputs in `tests/convert_fixtures.rs`.

use serde_json::json;

use super::*;
use crate::domain::detail::{PauseReason, Webhook};
use crate::domain::phase::{FlaggerPhase, Phase};
use crate::domain::rollout::{Attention, Weights};
use crate::domain::version::BumpKind;

fn deployment(name: &str, image: &str, status: Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "casino-prod", "generation": 5, "uid": format!("uid-{name}")},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [
                    {"name": "bonus", "image": image},
                    {"name": "envoy", "image": "envoyproxy/envoy:v1.31.2"}
                ]}
            }
        },
        "status": status
    })
}

fn settled(replicas: i64) -> Value {
    json!({
        "observedGeneration": 5, "replicas": replicas, "updatedReplicas": replicas,
        "readyReplicas": replicas, "availableReplicas": replicas,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
             "message": "Deployment has minimum availability.",
             "lastTransitionTime": "2026-03-01T10:00:00Z"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
             "message": "ReplicaSet \"bonus-7d9f\" has successfully progressed.",
             "lastTransitionTime": "2026-03-01T10:02:00Z"}
        ]
    })
}

fn canary(status: Value) -> Value {
    json!({
        "apiVersion": "flagger.app/v1beta1",
        "kind": "Canary",
        "metadata": {
            "name": "bonus", "namespace": "casino-prod", "generation": 3,
            "labels": {"kustomize.toolkit.fluxcd.io/name": "casino-apps"}
        },
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "bonus"},
            "service": {"port": 8080},
            "analysis": {
                "interval": "15s", "threshold": 3, "maxWeight": 50, "stepWeight": 10,
                "metrics": [{"name": "request-success-rate", "thresholdRange": {"min": 99}, "interval": "1m"}],
                "webhooks": [{"name": "gate", "type": "confirm-promotion",
                              "url": "http://flagger-loadtester.casino-prod/gate/check"}]
            }
        },
        "status": status
    })
}

fn flagger_status(phase: &str, weight: i64, failed: i64, message: &str) -> Value {
    json!({
        "phase": phase, "canaryWeight": weight, "failedChecks": failed, "iterations": 0,
        "lastAppliedSpec": "5b8c7f9d6", "lastPromotedSpec": "6d5f4c8b7",
        "lastTransitionTime": "2026-03-01T10:05:00Z",
        "conditions": [{"type": "Promoted", "status": "Unknown", "reason": phase,
                        "message": message,
                        "lastUpdateTime": "2026-03-01T10:05:00Z",
                        "lastTransitionTime": "2026-03-01T10:04:00Z"}]
    })
}

#[test]
fn a_flagger_canary_waiting_for_promotion() {
    let target = deployment("bonus", "ghcr.io/casino/bonus:2.4.0", settled(3));
    let primary = deployment("bonus-primary", "ghcr.io/casino/bonus:2.3.1", settled(3));
    let ctx = ConvertCtx {
        workload: Some(&target),
        primary: Some(&primary),
        ..ConvertCtx::default()
    };
    let obj = canary(flagger_status(
        "WaitingPromotion",
        50,
        0,
        "Waiting for approval.",
    ));
    let r = canary_row(&obj, &ctx);
    assert_eq!(r.invalid, None);
    assert_eq!(r.key.kind, ControllerKind::Flagger);
    assert_eq!(
        r.flagger.as_ref().unwrap().webhooks,
        [Webhook {
            name: "gate".into(),
            kind: "confirm-promotion".into(),
            url: "http://flagger-loadtester.casino-prod/gate/check".into(),
        }],
        "the webhooks with their types (the detail lists them) and URLs (the gates)"
    );
    assert_eq!(
        (r.phase, r.message.as_str()),
        (Phase::Paused, "Waiting for approval.")
    );
    assert_eq!(r.attention, Some(Attention::WaitingApproval));
    assert_eq!(
        r.weights,
        Some(Weights {
            set: 50,
            actual: Some(50)
        })
    );
    assert_eq!(r.replicas.desired, 3);
    assert_eq!(r.replicas.ready, 3);
    let pause = r.pause.as_ref().unwrap();
    assert_eq!(pause.reason, PauseReason::FlaggerWaitingPromotion);
    assert_eq!(
        pause.since.unwrap().to_rfc3339(),
        "2026-03-01T10:05:00+00:00"
    );
    assert_eq!(r.stable_version().as_deref(), Some("2.3.1"));
    assert_eq!(r.new_version().as_deref(), Some("2.4.0"));
    let changes = r.version_changes();
    assert_eq!(changes.len(), 2);
    assert_eq!(
        (changes[0].0, changes[0].1.kind),
        ("bonus", BumpKind::Minor)
    );
    assert_eq!((changes[1].0, changes[1].1.kind), ("envoy", BumpKind::Same));
    let d = r.flagger.as_ref().unwrap();
    assert_eq!(d.phase, Some(FlaggerPhase::WaitingPromotion));
    assert_eq!(
        (d.threshold, d.max_weight, d.step_weight),
        (Some(3), Some(50), Some(10))
    );
    assert_eq!(d.target, "bonus");
    assert_eq!(
        r.gitops,
        Some(GitOpsOwner::FluxKustomization {
            name: "casino-apps".into()
        })
    );
}

#[test]
fn flagger_phases_drive_attention() {
    let ctx = ConvertCtx::default();
    let failing = canary_row(
        &canary(flagger_status(
            "Progressing",
            20,
            2,
            "New revision detected, progressing canary analysis.",
        )),
        &ctx,
    );
    assert_eq!(failing.phase, Phase::Progressing);
    assert_eq!(failing.attention, Some(Attention::FailingAnalysis));
    let d = failing.flagger.as_ref().unwrap();
    assert_eq!((d.failed_checks, d.threshold), (2, Some(3)));
    assert_eq!(failing.pause, None);

    let failed = canary_row(
        &canary(flagger_status(
            "Failed",
            0,
            3,
            "Canary analysis failed, Deployment scaled to zero.",
        )),
        &ctx,
    );
    assert_eq!(failed.phase, Phase::Failed);
    assert_eq!(failed.attention, Some(Attention::Degraded));
    assert_eq!(
        failed.weights,
        Some(Weights {
            set: 0,
            actual: Some(0)
        })
    );

    let waiting = canary_row(
        &canary(flagger_status("Waiting", 0, 0, "Waiting for approval.")),
        &ctx,
    );
    assert_eq!(waiting.attention, Some(Attention::WaitingApproval));
    assert_eq!(
        waiting.pause.as_ref().unwrap().reason,
        PauseReason::FlaggerWaiting
    );

    let done = canary_row(
        &canary(flagger_status(
            "Succeeded",
            0,
            0,
            "Canary analysis completed successfully, promotion finished.",
        )),
        &ctx,
    );
    assert_eq!(
        (done.phase, done.attention, done.weights),
        (Phase::Healthy, None, None)
    );

    let mut suspended = canary(json!(null));
    suspended["spec"]["suspend"] = json!(true);
    let fresh = canary_row(&suspended, &ctx);
    assert_eq!(fresh.invalid, None);
    assert_eq!(fresh.phase, Phase::Unknown);
    assert!(fresh.flagger.as_ref().unwrap().suspended);
}

#[test]
fn a_settled_flagger_canary_shows_the_primary_version() {
    let primary = deployment("bonus-primary", "ghcr.io/casino/bonus:2.4.0", settled(3));
    let target = deployment("bonus", "ghcr.io/casino/bonus:2.4.0", settled(0));
    let ctx = ConvertCtx {
        workload: Some(&target),
        primary: Some(&primary),
        ..ConvertCtx::default()
    };
    let r = canary_row(&canary(flagger_status("Succeeded", 0, 0, "")), &ctx);
    assert_eq!(r.message, "Succeeded");
    assert_eq!(r.stable_version().as_deref(), Some("2.4.0"));
    assert_eq!(r.new_version(), None);
    // A primary of another name is not taken.
    let wrong = ConvertCtx {
        primary: Some(&target),
        workload: None,
        ..ConvertCtx::default()
    };
    assert!(
        canary_row(&canary(flagger_status("Succeeded", 0, 0, "")), &wrong)
            .containers
            .is_empty()
    );
}

#[test]
fn odd_objects_become_invalid_rows_that_keep_their_key() {
    let ctx = ConvertCtx::default();
    let mut bad = deployment("wallet", "ghcr.io/casino/wallet:1.0.0", settled(3));
    bad["spec"]["replicas"] = json!("three");
    let r = deployment_row(&bad, &ctx);
    assert_eq!(
        (r.key.namespace.as_str(), r.key.name.as_str()),
        ("casino-prod", "wallet")
    );
    assert_eq!(r.key.kind, ControllerKind::Deployment);
    let reason = r.invalid.as_deref().unwrap();
    assert!(
        reason.starts_with("spec.replicas: invalid type: string \"three\""),
        "{reason}"
    );
    assert!(r.needs_attention());

    let nameless = json!({"kind": "Rollout", "metadata": {"namespace": "x"},
                          "spec": {"strategy": {"blueGreen": {}}}});
    let r = rollout_row(&nameless, &ctx);
    assert_eq!(r.invalid.as_deref(), Some("metadata.name is missing"));
    assert_eq!(
        (r.key.namespace.as_str(), r.key.kind),
        ("x", ControllerKind::ArgoBlueGreen)
    );

    let no_strategy = json!({"kind": "Rollout", "metadata": {"name": "y"}, "spec": {}});
    let r = rollout_row(&no_strategy, &ctx);
    assert_eq!(
        r.invalid.as_deref(),
        Some("spec.strategy has neither canary nor blueGreen")
    );

    let wrong_step = json!({"kind": "Rollout", "metadata": {"name": "z"},
        "spec": {"strategy": {"canary": {"steps": [{"setWeight": 10}, {"setWeight": "x"}]}}}});
    let r = rollout_row(&wrong_step, &ctx);
    assert!(
        r.invalid
            .as_deref()
            .unwrap()
            .starts_with("spec.strategy.canary.steps[1].setWeight:")
    );

    let not_an_object = json!("just a string");
    assert!(canary_row(&not_an_object, &ctx).invalid.is_some());
    assert!(row(&json!({"kind": "Service"}), &ctx).is_none());

    // Nulls read as absent; an unreadable related ReplicaSet is ignored.
    let nulls = json!({"kind": "Rollout", "metadata": {"name": "n", "labels": null},
        "spec": {"paused": null, "strategy": {"canary": {"steps": null}}}, "status": null});
    let junk = vec![json!({"kind": "ReplicaSet", "metadata": "junk"})];
    let r = rollout_row(
        &nulls,
        &ConvertCtx {
            replica_sets: Some(&junk),
            ..ctx
        },
    );
    assert_eq!(r.invalid, None);
}

#[test]
fn gitops_ownership_rule() {
    let meta = |labels: Value, annotations: Value| -> model::Meta {
        parse(&json!({"labels": labels, "annotations": annotations})).unwrap()
    };
    let owner = |l, a| gitops(&meta(l, a));
    assert_eq!(
        owner(json!({"app.kubernetes.io/instance": "x"}), json!({})),
        None
    );
    assert_eq!(
        owner(json!({"argocd.argoproj.io/instance": "lobby"}), json!({})),
        Some(GitOpsOwner::ArgoCd {
            app: Some("lobby".into())
        })
    );
    assert_eq!(
        owner(
            json!({}),
            json!({"argocd.argoproj.io/tracking-id": ":apps/Deployment:ns/x"})
        ),
        Some(GitOpsOwner::ArgoCd { app: None })
    );
    assert_eq!(
        owner(
            json!({"helm.toolkit.fluxcd.io/name": "payments"}),
            json!({})
        ),
        Some(GitOpsOwner::FluxHelmRelease {
            name: "payments".into()
        })
    );
}

#[path = "deployment_tests.rs"]
mod deployment;
