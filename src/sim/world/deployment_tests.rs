use std::time::Duration;

use serde_json::{Value, json};

use super::{DESIRED_REPLICAS, HASH_LABEL, MAX_REPLICAS, REVISION, REVISION_HISTORY};
use crate::sim::world::testkit::Kit;

pub const MS500: Duration = Duration::from_millis(500);

pub fn deploy(replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "test"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": image}]}}}
    })
}

pub fn dep(k: &Kit) -> Value {
    k.get("apps/v1", "Deployment", "test", "web")
}

/// ReplicaSets by revision.
pub fn rss(k: &Kit) -> Vec<Value> {
    let mut v = k.list("apps/v1", "ReplicaSet", "test");
    v.sort_by_key(|rs| {
        rs["metadata"]["annotations"][REVISION]
            .as_str()
            .unwrap_or("0")
            .parse::<i64>()
            .unwrap()
    });
    v
}

pub fn rs_of_image(k: &Kit, image: &str) -> Value {
    rss(k)
        .into_iter()
        .find(|rs| rs["spec"]["template"]["spec"]["containers"][0]["image"] == image)
        .unwrap_or_else(|| panic!("no ReplicaSet runs {image}"))
}

/// `spec.replicas` of the ReplicaSet running `image`, if there is one.
pub fn replicas_of(k: &Kit, image: &str) -> Option<i64> {
    rss(k)
        .into_iter()
        .find(|rs| rs["spec"]["template"]["spec"]["containers"][0]["image"] == image)
        .and_then(|rs| rs["spec"]["replicas"].as_i64())
}

pub fn cond(d: &Value, kind: &str) -> Value {
    d["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind).cloned())
        .unwrap_or(Value::Null)
}

pub fn messages(k: &Kit, name: &str) -> Vec<String> {
    let mut evs: Vec<Value> = k
        .list("v1", "Event", "test")
        .into_iter()
        .filter(|e| e["involvedObject"]["name"] == name)
        .collect();
    evs.sort_by_key(|e| {
        e["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or("")
            .parse::<u64>()
            .unwrap_or(0)
    });
    evs.iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

pub fn settled(k: &Kit) -> bool {
    cond(&dep(k), "Progressing")["reason"] == "NewReplicaSetAvailable"
        && dep(k)["status"]["availableReplicas"] == dep(k)["spec"]["replicas"]
        && dep(k)["status"]["replicas"] == dep(k)["spec"]["replicas"]
}

pub fn set_image(k: &mut Kit, image: &str) {
    let patch =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}});
    k.merge("apps/v1", "Deployment", "test", "web", &patch, false);
}

pub fn rolled_out(replicas: i64, image: &str) -> Kit {
    let mut k = Kit::new();
    k.apply(deploy(replicas, image));
    assert!(k.run_until(Duration::from_secs(20), MS500, settled));
    k
}

#[test]
fn a_deployment_rolls_to_a_new_image_in_waves() {
    let mut k = Kit::new();
    k.apply(deploy(4, "web:1"));
    k.run(MS500, MS500);
    let first = rss(&k);
    assert_eq!(first.len(), 1);
    let rs1 = first[0].clone();
    let hash = rs1["metadata"]["labels"][HASH_LABEL]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(rs1["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(rs1["spec"]["selector"]["matchLabels"][HASH_LABEL], hash);
    assert_eq!(
        rs1["spec"]["template"]["metadata"]["labels"][HASH_LABEL],
        hash
    );
    assert_eq!(rs1["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    let anns = &rs1["metadata"]["annotations"];
    assert_eq!(
        (
            anns[REVISION].clone(),
            anns[DESIRED_REPLICAS].clone(),
            anns[MAX_REPLICAS].clone()
        ),
        (json!("1"), json!("4"), json!("5"))
    );
    let d = dep(&k);
    assert_eq!(d["metadata"]["annotations"][REVISION], "1");
    assert_eq!(
        cond(&d, "Available")["reason"],
        "MinimumReplicasUnavailable"
    );
    assert_eq!(
        cond(&d, "Available")["message"],
        "Deployment does not have minimum availability."
    );
    assert_eq!(cond(&d, "Progressing")["reason"], "NewReplicaSetCreated");
    assert_eq!(
        cond(&d, "Progressing")["message"],
        format!("Created new replica set \"web-{hash}\"")
    );
    assert!(k.run_until(Duration::from_secs(20), MS500, settled));
    let d = dep(&k);
    assert_eq!(d["status"]["observedGeneration"], 1);
    assert_eq!(
        (
            d["status"]["updatedReplicas"].clone(),
            d["status"]["readyReplicas"].clone()
        ),
        (json!(4), json!(4))
    );
    assert!(d["status"].get("unavailableReplicas").is_none());
    assert_eq!(
        cond(&d, "Available")["message"],
        "Deployment has minimum availability."
    );
    assert_eq!(
        cond(&d, "Progressing")["message"],
        format!("ReplicaSet \"web-{hash}\" has successfully progressed.")
    );
    assert_eq!(
        messages(&k, "web"),
        [format!("Scaled up replica set web-{hash} from 0 to 4")]
    );

    set_image(&mut k, "web:2");
    let (mut sizes, mut saw_progressing) = (vec![], false);
    for _ in 0..60 {
        k.run(MS500, MS500);
        let all = rss(&k);
        let total: i64 = all
            .iter()
            .map(|rs| rs["spec"]["replicas"].as_i64().unwrap())
            .sum();
        let available: i64 = all
            .iter()
            .map(|rs| rs["status"]["availableReplicas"].as_i64().unwrap_or(0))
            .sum();
        assert!(total <= 5, "maxSurge 25% of 4 is 1: {total} pods wanted");
        assert!(
            available >= 3,
            "maxUnavailable 25% of 4 is 1: {available} available"
        );
        if let Some(new) = all
            .iter()
            .find(|rs| rs["spec"]["template"]["spec"]["containers"][0]["image"] == "web:2")
        {
            let n = new["spec"]["replicas"].as_i64().unwrap();
            if sizes.last() != Some(&n) {
                sizes.push(n);
            }
        }
        let p = cond(&dep(&k), "Progressing");
        saw_progressing |= p["reason"] == "ReplicaSetUpdated"
            && p["message"].as_str().unwrap().ends_with("is progressing.");
        if settled(&k) {
            break;
        }
    }
    assert_eq!(sizes, [1, 2, 3, 4], "the new ReplicaSet grows in waves");
    assert!(saw_progressing);
    assert!(settled(&k));
    let (old, new) = (rs_of_image(&k, "web:1"), rs_of_image(&k, "web:2"));
    assert_eq!(old["spec"]["replicas"], 0);
    assert_eq!(new["metadata"]["annotations"][REVISION], "2");
    let d = dep(&k);
    assert_eq!(d["metadata"]["annotations"][REVISION], "2");
    assert_eq!(d["status"]["observedGeneration"], 2);
    let (o, n) = (
        old["metadata"]["name"].as_str().unwrap(),
        new["metadata"]["name"].as_str().unwrap(),
    );
    let msgs = messages(&k, "web");
    assert_eq!(msgs[1], format!("Scaled up replica set {n} from 0 to 1"));
    assert_eq!(msgs[2], format!("Scaled down replica set {o} from 4 to 3"));
    assert!(
        msgs.contains(&format!("Scaled down replica set {o} from 1 to 0")),
        "{msgs:?}"
    );
    assert_eq!(k.list("v1", "Pod", "test").len(), 4);
    k.assert_no_refused_writes();
}

#[test]
fn a_settled_deployment_is_not_rewritten() {
    let mut k = rolled_out(2, "web:1");
    let before = (
        dep(&k)["metadata"]["resourceVersion"].clone(),
        rss(&k)[0]["metadata"]["resourceVersion"].clone(),
    );
    k.run(Duration::from_secs(5), MS500);
    assert_eq!(
        before,
        (
            dep(&k)["metadata"]["resourceVersion"].clone(),
            rss(&k)[0]["metadata"]["resourceVersion"].clone()
        )
    );
    k.assert_no_refused_writes();
}

#[test]
fn a_paused_deployment_holds_until_resumed() {
    let mut k = rolled_out(2, "web:1");
    k.merge(
        "apps/v1",
        "Deployment",
        "test",
        "web",
        &json!({"spec": {"paused": true}}),
        false,
    );
    set_image(&mut k, "web:2");
    k.run(Duration::from_secs(10), MS500);
    assert_eq!(rss(&k).len(), 1, "no new ReplicaSet while paused");
    let p = cond(&dep(&k), "Progressing");
    assert_eq!(
        (
            p["status"].clone(),
            p["reason"].clone(),
            p["message"].clone()
        ),
        (
            json!("Unknown"),
            json!("DeploymentPaused"),
            json!("Deployment is paused")
        )
    );
    k.merge(
        "apps/v1",
        "Deployment",
        "test",
        "web",
        &json!({"spec": {"paused": false}}),
        false,
    );
    assert!(k.run_until(Duration::from_secs(30), MS500, |k| settled(k)
        && rss(k).len() == 2));
    assert_eq!(rs_of_image(&k, "web:2")["spec"]["replicas"], 2);
    k.assert_no_refused_writes();
}

#[test]
fn rollback_by_template_reuses_the_old_replicaset_with_the_next_revision() {
    let mut k = rolled_out(2, "web:1");
    let rs1 = rs_of_image(&k, "web:1")["metadata"]["name"].clone();
    set_image(&mut k, "web:2");
    assert!(k.run_until(Duration::from_secs(30), MS500, |k| settled(k)
        && rss(k).len() == 2));
    set_image(&mut k, "web:1");
    assert!(k.run_until(Duration::from_secs(30), MS500, |k| settled(k)
        && replicas_of(k, "web:1") == Some(2)));
    assert_eq!(rss(&k).len(), 2, "no third ReplicaSet");
    let back = rs_of_image(&k, "web:1");
    assert_eq!(back["metadata"]["name"], rs1);
    assert_eq!(back["metadata"]["annotations"][REVISION], "3");
    assert_eq!(back["metadata"]["annotations"][REVISION_HISTORY], "1");
    assert_eq!(dep(&k)["metadata"]["annotations"][REVISION], "3");
    assert_eq!(rs_of_image(&k, "web:2")["spec"]["replicas"], 0);
    set_image(&mut k, "web:2");
    set_image(&mut k, "web:1");
    set_image(&mut k, "web:2");
    assert!(k.run_until(Duration::from_secs(30), MS500, |k| settled(k)
        && replicas_of(k, "web:2") == Some(2)));
    assert_eq!(
        rs_of_image(&k, "web:2")["metadata"]["annotations"][REVISION],
        "4"
    );
    assert_eq!(
        rs_of_image(&k, "web:2")["metadata"]["annotations"][REVISION_HISTORY],
        "2"
    );
    k.assert_no_refused_writes();
}

#[test]
fn a_restart_annotation_makes_a_new_replicaset() {
    let mut k = rolled_out(2, "web:1");
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z"}}}}});
    k.merge("apps/v1", "Deployment", "test", "web", &patch, false);
    assert!(k.run_until(Duration::from_secs(30), MS500, |k| settled(k)
        && rss(k).len() == 2));
    let all = rss(&k);
    assert_eq!(
        all[1]["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
        "2025-01-01T00:00:00Z"
    );
    assert_eq!(
        (
            all[0]["spec"]["replicas"].clone(),
            all[1]["spec"]["replicas"].clone()
        ),
        (json!(0), json!(2))
    );
    assert_eq!(all[1]["metadata"]["annotations"][REVISION], "2");
    k.assert_no_refused_writes();
}
