use serde_json::json;

use super::*;
use crate::domain::rollout::ControllerKind;

fn deploy(name: &str, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "p", "generation": 1, "labels": {"app": name}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": image}]}}},
        "status": {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2}
    })
}

fn canary(name: &str, target: &str) -> Value {
    json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": {"name": name, "namespace": "p"},
        "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "service": {"port": 80}, "analysis": {"interval": "15s", "threshold": 3, "maxWeight": 50, "stepWeight": 10}},
        "status": {"phase": "Initialized", "canaryWeight": 0, "failedChecks": 0, "iterations": 0}
    })
}

#[test]
fn a_canary_row_takes_in_its_deployments_which_are_then_not_rows_of_their_own() {
    let mut o = Objects::default();
    o.replace(
        DEPLOYMENTS,
        None,
        vec![
            deploy("bonus", "r/bonus:1.3.5"),
            deploy("bonus-primary", "r/bonus:1.3.5"),
            deploy("wallet", "r/wallet:4.0.1"),
        ],
    );
    o.replace(CANARIES, None, vec![canary("bonus", "bonus")]);
    let rows = o.all_rows();
    let names: Vec<(String, ControllerKind)> = rows
        .iter()
        .map(|r| (r.key.name.clone(), r.key.kind))
        .collect();
    assert_eq!(rows.len(), 2, "{names:?}");
    assert!(names.contains(&("bonus".to_string(), ControllerKind::Flagger)));
    assert!(names.contains(&("wallet".to_string(), ControllerKind::Deployment)));
}

#[test]
fn a_change_recomputes_only_the_rows_it_affects_and_sends_only_real_changes() {
    let mut o = Objects::default();
    o.replace(
        DEPLOYMENTS,
        None,
        vec![
            deploy("bonus", "r/bonus:1.3.5"),
            deploy("bonus-primary", "r/bonus:1.3.5"),
            deploy("wallet", "r/wallet:4.0.1"),
        ],
    );
    o.replace(CANARIES, None, vec![canary("bonus", "bonus")]);
    o.all_rows();
    // A new image on the canary's target changes the canary's row, not a deployment row.
    // A canary in progress shows its target's image as the new version.
    let mut running = canary("bonus", "bonus");
    running["status"] =
        json!({"phase": "Progressing", "canaryWeight": 10, "failedChecks": 0, "iterations": 1});
    let old = o.put(CANARIES, running.clone());
    o.diff(&o.affected(CANARIES, old.as_ref(), Some(&running)));
    let new = deploy("bonus", "r/bonus:1.4.0");
    let old = o.put(DEPLOYMENTS, new.clone());
    let ids = o.affected(DEPLOYMENTS, old.as_ref(), Some(&new));
    assert!(
        ids.iter()
            .any(|i| i.source == CANARIES && i.name == "bonus"),
        "{ids:?}"
    );
    let d = o.diff(&ids);
    assert_eq!(d.upsert.len(), 1, "{d:?}");
    assert_eq!(d.upsert[0].key.kind, ControllerKind::Flagger);
    assert!(d.remove.is_empty());
    // The same object again changes nothing.
    let old = o.put(DEPLOYMENTS, new.clone());
    assert!(
        o.diff(&o.affected(DEPLOYMENTS, old.as_ref(), Some(&new)))
            .is_empty()
    );
    // Deleting the canary makes its deployments rows of their own again.
    let c = canary("bonus", "bonus");
    let gone = o.delete(CANARIES, &c);
    let d = o.diff(&o.affected(CANARIES, gone.as_ref(), None));
    assert_eq!(d.remove.len(), 1);
    let names: Vec<&str> = d.upsert.iter().map(|r| r.key.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn the_critical_label_marks_a_row() {
    let mut o = Objects::default();
    let mut d = deploy("payments", "r/payments:1");
    d["metadata"]["labels"][CRITICAL_LABEL] = json!("true");
    o.replace(DEPLOYMENTS, Some("p"), vec![d, deploy("wallet", "r/w:1")]);
    let rows = o.all_rows();
    assert!(
        rows.iter()
            .find(|r| r.key.name == "payments")
            .unwrap()
            .critical
    );
    assert!(
        !rows
            .iter()
            .find(|r| r.key.name == "wallet")
            .unwrap()
            .critical
    );
}

#[test]
fn diffs_merge_last_word_wins() {
    let mut a = RowDiff::default();
    let row = crate::domain::rollout::RolloutRow::new("p", "x", ControllerKind::Deployment);
    let rid = crate::state::rollouts::row_id(&row);
    a.merge(RowDiff {
        upsert: vec![row.clone()],
        remove: vec![],
    });
    a.merge(RowDiff {
        upsert: vec![],
        remove: vec![rid.clone()],
    });
    assert!(a.upsert.is_empty());
    assert_eq!(a.remove, vec![rid]);
    a.merge(RowDiff {
        upsert: vec![row],
        remove: vec![],
    });
    assert!(a.remove.is_empty());
    assert_eq!(a.upsert.len(), 1);
}

#[test]
fn a_fingerprint_tells_every_field_apart() {
    use crate::domain::detail::ArgoDetail;
    let mut base = RolloutRow::new("p", "bonus", ControllerKind::ArgoCanary);
    base.argo = Some(ArgoDetail {
        current_pod_hash: Some("abc".into()),
        ..ArgoDetail::default()
    });
    let fp = fingerprint(&base);
    assert!(fp.is_some());
    assert_eq!(fingerprint(&base.clone()), fp);
    let changes: &[fn(&mut RolloutRow)] = &[
        |r| r.message = "paused".into(),
        |r| r.key.kind = ControllerKind::ArgoBlueGreen,
        |r| r.spec_paused = true,
        |r| r.seen.generation = 2,
        |r| r.seen.resource_version = "7".into(),
        |r| r.since = Some(chrono::DateTime::UNIX_EPOCH),
        |r| {
            if let Some(a) = r.argo.as_mut() {
                a.current_pod_hash = Some("abd".into());
            }
        },
        |r| r.argo = None,
    ];
    for (i, change) in changes.iter().enumerate() {
        let mut r = base.clone();
        change(&mut r);
        assert_ne!(fingerprint(&r), fp, "change {i} kept the fingerprint");
    }
}
