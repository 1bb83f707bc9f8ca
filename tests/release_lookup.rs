//! Release lookups at fleet scale: one ReplicaSet list per namespace answers every lookup
//! asked before it started; a lookup asked later lists again unless the last list already
//! shows the pod-template hash it expects. Against the simulator's API server and its
//! request log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, PostParams};
use serde_json::json;
use shipdeck::adapters::kube::release::{Question, Releases};
use shipdeck::domain::metrics::ReleaseInfo;
use shipdeck::domain::metrics::target::ReleaseOwner;

use common::sim::{client, mark, requests, start};

async fn namespace(c: &kube::Client, name: &str) {
    let api: Api<Namespace> = Api::all(c.clone());
    let obj: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
}

async fn replica_set(c: &kube::Client, ns: &str, owner: &str, hash: &str) {
    let api: Api<ReplicaSet> = Api::namespaced(c.clone(), ns);
    let obj: ReplicaSet = serde_json::from_value(json!({
        "metadata": {
            "name": format!("{owner}-{hash}"),
            "labels": {"rollouts-pod-template-hash": hash},
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                "name": owner, "uid": format!("uid-{owner}")}]
        },
        "spec": {"selector": {"matchLabels": {"app": owner}},
            "template": {"metadata": {"labels": {"app": owner}},
                "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]}}}
    }))
    .unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
}

fn owner(name: &str) -> ReleaseOwner {
    ReleaseOwner {
        kind: "Rollout",
        name: name.to_string(),
    }
}

/// The ReplicaSet lists the simulator served since `since`, by namespace path.
async fn lists(c: &kube::Client, since: u64) -> Vec<String> {
    requests(c, since)
        .await
        .into_iter()
        .filter(|r| r["method"] == "GET" && r["path"].as_str().unwrap().ends_with("/replicasets"))
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect()
}

/// The simulator with namespaces shop (cart, search) and games (slots), a ReplicaSet each;
/// cart's with the hash given.
async fn shop_and_games(cart: &str) -> (shipdeck::sim::SimHandle, kube::Client) {
    let sim = start(vec![]).await;
    let c = client(&sim, "sim-operator").await;
    namespace(&c, "shop").await;
    namespace(&c, "games").await;
    replica_set(&c, "shop", "cart", cart).await;
    replica_set(&c, "shop", "search", "s1").await;
    replica_set(&c, "games", "slots", "g1").await;
    (sim, c)
}

/// Since `since`, exactly one ReplicaSet list in games and one in shop.
async fn one_list_each(c: &kube::Client, since: u64, why: &str) {
    let mut served = lists(c, since).await;
    served.sort();
    assert_eq!(
        served,
        [
            "/apis/apps/v1/namespaces/games/replicasets",
            "/apis/apps/v1/namespaces/shop/replicasets"
        ],
        "{why}"
    );
}

#[tokio::test]
async fn a_burst_of_lookups_lists_each_namespace_once_and_a_later_one_lists_again() {
    let (_sim, c) = shop_and_games("old1").await;
    // creationTimestamp has second resolution: the newer set is a second younger.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    replica_set(&c, "shop", "cart", "new2").await;

    let releases = Releases::new();
    let since = mark(&c).await;
    let owners: Vec<ReleaseOwner> = ["cart", "search", "checkout", "cart", "search"]
        .into_iter()
        .map(owner)
        .collect();
    let slots = owner("slots");
    let asked = Instant::now();
    let question = |namespace, owner| Question {
        namespace,
        owner,
        asked,
        pod_hash: None,
    };
    let (shop, games) = tokio::join!(
        futures::future::join_all(owners.iter().map(|o| {
            let (releases, c) = (&releases, c.clone());
            async move { releases.lookup(c, &question("shop", o)).await }
        })),
        async { releases.lookup(c.clone(), &question("games", &slots)).await }
    );
    let hashes: Vec<Option<String>> = shop.into_iter().map(hash).collect();
    assert_eq!(
        hashes,
        [
            Some("new2".into()),
            Some("s1".into()),
            None,
            Some("new2".into()),
            Some("s1".into())
        ],
        "each owner's newest ReplicaSet; none for an owner without one"
    );
    assert_eq!(hash(games).as_deref(), Some("g1"));
    one_list_each(&c, since, "six lookups, one list per namespace").await;

    // A new revision after the burst: asked later, with its hash, the lookup lists again
    // and sees it; asked again, the list already shows that hash and answers; asked
    // without a hash (a Deployment's images), a later question lists again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    replica_set(&c, "shop", "cart", "new3").await;
    let since = mark(&c).await;
    let cart = owner("cart");
    let later = |pod_hash| Question {
        namespace: "shop",
        owner: &cart,
        asked: Instant::now(),
        pod_hash,
    };
    let again = releases.lookup(c.clone(), &later(Some("new3"))).await;
    assert_eq!(hash(again).as_deref(), Some("new3"));
    assert_eq!(lists(&c, since).await.len(), 1, "a new revision lists");
    let same = releases.lookup(c.clone(), &later(Some("new3"))).await;
    assert_eq!(hash(same).as_deref(), Some("new3"));
    assert_eq!(lists(&c, since).await.len(), 1, "the list shows that hash");
    let unknown = releases.lookup(c.clone(), &later(None)).await;
    assert_eq!(hash(unknown).as_deref(), Some("new3"));
    assert_eq!(
        lists(&c, since).await.len(),
        2,
        "no hash to check: list again"
    );
}

fn hash(r: Result<Option<ReleaseInfo>, String>) -> Option<String> {
    r.unwrap().and_then(|i| i.canary_hash)
}

/// What the runtime does with one dispatch's release requests: one task per namespace, one
/// list each, one answer per request.
#[tokio::test]
async fn one_dispatch_of_release_requests_lists_each_namespace_once() {
    use shipdeck::domain::rollout::{ControllerKind, RolloutKey};
    use shipdeck::runtime::metrics::MetricsExec;
    use shipdeck::state::Event;
    use shipdeck::state::metrics::ReleaseRequest;

    let (sim, c) = shop_and_games("c1").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = common::sim::kubeconfig_file(&sim, dir.path());
    let target =
        shipdeck::adapters::kube::kubeconfig::resolve(Some(&kc.into_os_string()), None, None)
            .unwrap();
    let request = |ns: &str, name: &str, hash: &str| ReleaseRequest {
        key: RolloutKey {
            namespace: ns.into(),
            name: name.into(),
            kind: ControllerKind::ArgoCanary,
        },
        revision: hash.into(),
        owner: owner(name),
    };
    let reqs = vec![
        request("shop", "cart", "c1"),
        request("games", "slots", "g1"),
        request("shop", "search", "s1"),
        request("shop", "checkout", "x1"),
        request("games", "poker", "p1"),
    ];
    let since = mark(&c).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    MetricsExec::new(None).releases(reqs, &target, &tx);
    let mut answers = std::collections::BTreeMap::new();
    while answers.len() < 5 {
        let ev = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("every request is answered")
            .unwrap();
        if let Event::Release(a) = ev {
            answers.insert(a.key.name.clone(), hash(a.result));
        }
    }
    let want: std::collections::BTreeMap<String, Option<String>> = [
        ("cart", Some("c1")),
        ("checkout", None),
        ("poker", None),
        ("search", Some("s1")),
        ("slots", Some("g1")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
    .collect();
    assert_eq!(answers, want);
    one_list_each(&c, since, "five requests, one list per namespace").await;
}
