//! When a rollout's newest revision started: the newest ReplicaSet it owns (its
//! creationTimestamp) and that ReplicaSet's pod-template hash.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use k8s_openapi::api::apps::v1::ReplicaSet;
use kube::Api;
use kube::api::ListParams;
use tokio::sync::Semaphore;

use crate::domain::metrics::ReleaseInfo;
use crate::domain::metrics::target::ReleaseOwner;

/// ReplicaSet lists in flight at most (a fresh fleet asks for thousands of releases at once).
const LISTS_IN_FLIGHT: usize = 8;

/// The newest ReplicaSet of each owner `(kind, name)` in one namespace.
type Newest = HashMap<(String, String), ReleaseInfo>;

/// A namespace's last list (when it started, what it showed); locked while listing.
type NsSlot = tokio::sync::Mutex<Option<(Instant, Newest)>>;

/// Release lookups for many rollouts at once: at most [`LISTS_IN_FLIGHT`] ReplicaSet lists
/// in flight, and the namespace's last list answers a question when it started after the
/// question was asked, or when it already shows the pod-template hash the question expects
/// (so a burst of 5,000 lookups in 200 namespaces costs 200 lists, and no answer is older
/// than what the operator's row shows).
pub struct Releases {
    permits: Semaphore,
    by_ns: Mutex<HashMap<String, Arc<NsSlot>>>,
}

/// A release lookup: whose, since when the answer must be new, and the pod-template hash
/// the row shows (an Argo rollout's `currentPodHash`), when known.
pub struct Question<'a> {
    pub namespace: &'a str,
    pub owner: &'a ReleaseOwner,
    pub asked: Instant,
    pub pod_hash: Option<&'a str>,
}

impl Default for Releases {
    fn default() -> Self {
        Self::new()
    }
}

impl Releases {
    pub fn new() -> Self {
        Self {
            permits: Semaphore::new(LISTS_IN_FLIGHT),
            by_ns: Mutex::default(),
        }
    }

    /// The release of the question's owner; `Ok(None)` when it owns no ReplicaSet (yet).
    pub async fn lookup(
        &self,
        client: kube::Client,
        q: &Question<'_>,
    ) -> Result<Option<ReleaseInfo>, String> {
        let key = (q.owner.kind.to_string(), q.owner.name.clone());
        let slot = {
            let mut map = self.by_ns.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(q.namespace.to_string()).or_default().clone()
        };
        let mut listed = slot.lock().await;
        let answers = listed.as_ref().is_some_and(|(at, newest)| {
            *at >= q.asked
                || q.pod_hash.is_some_and(|h| {
                    newest.get(&key).and_then(|r| r.canary_hash.as_deref()) == Some(h)
                })
        });
        if !answers {
            let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
            let started = Instant::now();
            let sets = list(client, q.namespace).await?;
            *listed = Some((started, newest_by_owner(&sets)));
        }
        Ok(listed.as_ref().and_then(|(_, n)| n.get(&key).cloned()))
    }
}

async fn list(client: kube::Client, namespace: &str) -> Result<Vec<ReplicaSet>, String> {
    let api: Api<ReplicaSet> = Api::namespaced(client, namespace);
    api.list(&ListParams::default())
        .await
        .map(|l| l.items)
        .map_err(|e| format!("cannot list ReplicaSets in {namespace}: {e}"))
}

/// The newest ReplicaSet of every owner `(kind, name)`, as releases (pure; tested on
/// objects).
pub fn newest_by_owner(sets: &[ReplicaSet]) -> Newest {
    let mut best: HashMap<(String, String), &ReplicaSet> = HashMap::new();
    for rs in sets {
        let Some(created) = rs.metadata.creation_timestamp.as_ref().map(|t| t.0) else {
            continue;
        };
        for o in rs.metadata.owner_references.iter().flatten() {
            let key = (o.kind.clone(), o.name.clone());
            let newer = best.get(&key).is_none_or(|b| {
                b.metadata
                    .creation_timestamp
                    .as_ref()
                    .is_none_or(|t| t.0 <= created)
            });
            if newer {
                best.insert(key, rs);
            }
        }
    }
    best.into_iter()
        .filter_map(|(k, rs)| release_of(rs).map(|r| (k, r)))
        .collect()
}

fn release_of(rs: &ReplicaSet) -> Option<ReleaseInfo> {
    let ts = rs.metadata.creation_timestamp.as_ref()?.0;
    let start =
        chrono::DateTime::from_timestamp(ts.as_second(), ts.subsec_nanosecond().max(0) as u32)?;
    let labels = rs.metadata.labels.as_ref();
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
        let newest = newest_by_owner(&sets);
        let of = |kind: &str, name: &str| newest.get(&(kind.to_string(), name.to_string()));
        let r = of("Rollout", "payments").unwrap();
        assert_eq!(r.start.to_rfc3339(), "2026-11-26T12:00:00+00:00");
        assert_eq!(r.canary_hash.as_deref(), Some("6f7c"));
        assert_eq!(
            of("Rollout", "lobby").unwrap().canary_hash.as_deref(),
            Some("1234")
        );
        assert_eq!(
            of("Deployment", "payments").unwrap().canary_hash.as_deref(),
            Some("9999"),
            "the same name under another kind is another owner"
        );
        assert_eq!(of("Rollout", "wallet"), None);
        assert_eq!(newest.len(), 3);
    }
}
