use chrono::{TimeZone, Utc};

use super::*;
use crate::domain::detail::{ArgoDetail, FlaggerDetail};

fn release() -> ReleaseInfo {
    ReleaseInfo {
        start: Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap(),
        canary_hash: Some("rs-new".into()),
        stable_hash: Some("rs-old".into()),
    }
}

#[test]
fn an_argo_canary_names_its_services_and_status_hashes() {
    let mut row = RolloutRow::new("casino-prod", "payments", ControllerKind::ArgoCanary);
    row.argo = Some(ArgoDetail {
        canary_service: Some("payments-canary".into()),
        stable_service: Some("payments-stable".into()),
        current_pod_hash: Some("6f7c".into()),
        stable_rs: Some("5d9b".into()),
        ..ArgoDetail::default()
    });
    let t = target_for(&row, Some(&release()));
    assert_eq!(t.canary_service.as_deref(), Some("payments-canary"));
    assert_eq!(t.stable_service.as_deref(), Some("payments-stable"));
    assert_eq!(
        t.canary_hash.as_deref(),
        Some("6f7c"),
        "status wins over the fetch"
    );
    assert_eq!(t.stable_hash.as_deref(), Some("5d9b"));
    assert_eq!(t.release_start, Some(release().start));
    assert_eq!(release_owner(&row).kind, "Rollout");
    assert_eq!(release_revision(&row), "6f7c");
}

#[test]
fn a_fully_promoted_canary_has_no_canary_hash() {
    let mut row = RolloutRow::new("casino-prod", "payments", ControllerKind::ArgoCanary);
    row.argo = Some(ArgoDetail {
        current_pod_hash: Some("5d9b".into()),
        stable_rs: Some("5d9b".into()),
        ..ArgoDetail::default()
    });
    let t = target_for(&row, None);
    assert_eq!(t.canary_hash, None);
    assert_eq!(t.stable_hash.as_deref(), Some("5d9b"));
}

#[test]
fn blue_green_maps_preview_to_canary_and_active_to_stable() {
    let mut row = RolloutRow::new("casino-prod", "lobby", ControllerKind::ArgoBlueGreen);
    row.argo = Some(ArgoDetail {
        active_service: Some("lobby-active".into()),
        preview_service: Some("lobby-preview".into()),
        active_selector: Some("aaa".into()),
        preview_selector: Some("bbb".into()),
        ..ArgoDetail::default()
    });
    let t = target_for(&row, None);
    assert_eq!(t.canary_service.as_deref(), Some("lobby-preview"));
    assert_eq!(t.stable_service.as_deref(), Some("lobby-active"));
    assert_eq!(t.preview_service.as_deref(), Some("lobby-preview"));
    assert_eq!(t.canary_hash.as_deref(), Some("bbb"));
    assert_eq!(t.stable_hash.as_deref(), Some("aaa"));
}

#[test]
fn flagger_uses_its_primary_and_canary_services_and_the_target_deployment() {
    let mut row = RolloutRow::new("casino-prod", "bonus", ControllerKind::Flagger);
    row.flagger = Some(FlaggerDetail {
        target: "bonus-app".into(),
        ..FlaggerDetail::default()
    });
    let t = target_for(&row, None);
    assert_eq!(t.canary_service.as_deref(), Some("bonus-app-canary"));
    assert_eq!(t.stable_service.as_deref(), Some("bonus-app-primary"));
    let owner = release_owner(&row);
    assert_eq!(
        (owner.kind, owner.name.as_str()),
        ("Deployment", "bonus-app")
    );
}

#[test]
fn a_deployment_is_its_own_stable_side_and_its_images_are_its_revision() {
    use crate::domain::version::{ContainerImages, Image};
    let mut row = RolloutRow::new("casino-prod", "auth", ControllerKind::Deployment);
    row.containers = vec![ContainerImages {
        name: "auth".into(),
        stable: Some(Image::new("ghcr.io/casino/auth:2.4.0")),
        canary: Some(Image::new("ghcr.io/casino/auth:2.4.1")),
    }];
    let t = target_for(&row, None);
    assert_eq!(t.stable_service.as_deref(), Some("auth"));
    assert_eq!(t.canary_service, None);
    assert_eq!(release_revision(&row), "ghcr.io/casino/auth:2.4.1");
}
