//! When a rollout's newest revision started: the newest ReplicaSet it owns (its
//! creationTimestamp) and that ReplicaSet's pod-template hash.

use k8s_openapi::api::apps::v1::ReplicaSet;
use kube::Api;
use kube::api::ListParams;

use crate::domain::metrics::ReleaseInfo;
use crate::domain::metrics::target::ReleaseOwner;

/// Looks the release up; `Ok(None)` when the workload owns no ReplicaSet (yet).
pub async fn fetch(
    client: kube::Client,
    namespace: &str,
    owner: &ReleaseOwner,
) -> Result<Option<ReleaseInfo>, String> {
    let api: Api<ReplicaSet> = Api::namespaced(client, namespace);
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| format!("cannot list ReplicaSets in {namespace}: {e}"))?;
    Ok(newest(&list.items, owner))
}

/// The newest owned ReplicaSet as a release (pure; tested on objects).
pub fn newest(sets: &[ReplicaSet], owner: &ReleaseOwner) -> Option<ReleaseInfo> {
    let owned = sets.iter().filter(|rs| {
        rs.metadata
            .owner_references
            .iter()
            .flatten()
            .any(|o| o.kind == owner.kind && o.name == owner.name)
    });
    let newest = owned.max_by_key(|rs| rs.metadata.creation_timestamp.as_ref().map(|t| t.0))?;
    let ts = newest.metadata.creation_timestamp.as_ref()?.0;
    let start =
        chrono::DateTime::from_timestamp(ts.as_second(), ts.subsec_nanosecond().max(0) as u32)?;
    let labels = newest.metadata.labels.as_ref();
    let hash = labels.and_then(|l| {
        l.get("rollouts-pod-template-hash")
            .or_else(|| l.get("pod-template-hash"))
            .cloned()
    });
    Some(ReleaseInfo {
        start,
        canary_hash: hash,
        stable_hash: None,
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

    use super::*;

    fn rs(name: &str, owner: (&str, &str), created: &str, hash: &str) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.into()),
                creation_timestamp: Some(Time(created.parse().unwrap())),
                labels: Some([("rollouts-pod-template-hash".to_string(), hash.to_string())].into()),
                owner_references: Some(vec![OwnerReference {
                    kind: owner.0.into(),
                    name: owner.1.into(),
                    ..OwnerReference::default()
                }]),
                ..ObjectMeta::default()
            },
            ..ReplicaSet::default()
        }
    }

    #[test]
    fn the_newest_owned_replicaset_is_the_release() {
        let sets = [
            rs(
                "payments-5d9b",
                ("Rollout", "payments"),
                "2026-11-26T10:00:00Z",
                "5d9b",
            ),
            rs(
                "payments-6f7c",
                ("Rollout", "payments"),
                "2026-11-26T12:00:00Z",
                "6f7c",
            ),
            rs(
                "lobby-1234",
                ("Rollout", "lobby"),
                "2026-11-26T13:00:00Z",
                "1234",
            ),
            rs(
                "payments-dep",
                ("Deployment", "payments"),
                "2026-11-26T14:00:00Z",
                "9999",
            ),
        ];
        let owner = ReleaseOwner {
            kind: "Rollout",
            name: "payments".into(),
        };
        let r = newest(&sets, &owner).unwrap();
        assert_eq!(r.start.to_rfc3339(), "2026-11-26T12:00:00+00:00");
        assert_eq!(r.canary_hash.as_deref(), Some("6f7c"));
        let none = ReleaseOwner {
            kind: "Rollout",
            name: "wallet".into(),
        };
        assert_eq!(newest(&sets, &none), None);
    }
}
