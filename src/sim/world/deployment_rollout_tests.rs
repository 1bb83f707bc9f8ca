use std::time::Duration;

use serde_json::{Value, json};

use crate::sim::world::deployment::tests::{
    MS500, cond, dep, deploy, messages, replicas_of, rolled_out, rs_of_image, rss, set_image,
    settled,
};
use crate::sim::world::deployment::{DESIRED_REPLICAS, REVISION};
use crate::sim::world::testkit::Kit;

#[test]
fn a_bad_image_stalls_then_exceeds_the_progress_deadline() {
    let mut k = rolled_out(2, "web:1");
    set_image(&mut k, "web:does-not-exist");
    k.run(Duration::from_secs(30), Duration::from_secs(1));
    let bad = rs_of_image(&k, "web:does-not-exist");
    let name = bad["metadata"]["name"].as_str().unwrap().to_string();
    assert_eq!(bad["spec"]["replicas"], 1, "one surge pod, then stuck");
    assert_eq!(
        rs_of_image(&k, "web:1")["spec"]["replicas"],
        2,
        "maxUnavailable 0 keeps every old pod"
    );
    let d = dep(&k);
    assert_eq!(cond(&d, "Progressing")["reason"], "ReplicaSetUpdated");
    assert_eq!(cond(&d, "Available")["status"], "True");
    assert_eq!(d["status"]["unavailableReplicas"], 1);
    k.run(Duration::from_secs(540), Duration::from_secs(5));
    assert_eq!(
        cond(&dep(&k), "Progressing")["status"],
        "True",
        "not yet: 600 s since the last progress"
    );
    k.run(Duration::from_secs(60), Duration::from_secs(5));
    let p = cond(&dep(&k), "Progressing");
    assert_eq!(
        (p["status"].clone(), p["reason"].clone()),
        (json!("False"), json!("ProgressDeadlineExceeded"))
    );
    assert_eq!(
        p["message"],
        format!("ReplicaSet \"{name}\" has timed out progressing.")
    );
    k.assert_no_refused_writes();
}

#[test]
fn revision_history_limit_prunes_old_empty_replicasets() {
    let mut d = deploy(1, "web:1");
    d["spec"]["revisionHistoryLimit"] = json!(1);
    let mut k = Kit::new();
    k.apply(d);
    assert!(k.run_until(Duration::from_secs(20), MS500, settled));
    for v in ["web:2", "web:3", "web:4"] {
        set_image(&mut k, v);
        assert!(k.run_until(Duration::from_secs(30), MS500, |k| settled(k)
            && replicas_of(k, v) == Some(1)));
    }
    k.run(Duration::from_secs(2), MS500);
    let revs: Vec<Value> = rss(&k)
        .iter()
        .map(|rs| rs["metadata"]["annotations"][REVISION].clone())
        .collect();
    assert_eq!(revs, [json!("3"), json!("4")]);
    k.assert_no_refused_writes();
}

#[test]
fn recreate_removes_every_old_pod_before_the_new_replicaset() {
    let mut d = deploy(3, "web:1");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    let mut k = Kit::new();
    k.apply(d);
    assert!(k.run_until(Duration::from_secs(20), MS500, settled));
    set_image(&mut k, "web:2");
    k.run(MS500, MS500);
    assert_eq!(
        rss(&k).len(),
        1,
        "the new ReplicaSet waits for the old pods"
    );
    assert_eq!(rss(&k)[0]["spec"]["replicas"], 0);
    assert!(k.run_until(Duration::from_secs(20), MS500, |k| settled(k)
        && rss(k).len() == 2));
    let new = rs_of_image(&k, "web:2");
    let msgs = messages(&k, "web");
    assert!(
        msgs.contains(&format!(
            "Scaled up replica set {} from 0 to 3",
            new["metadata"]["name"].as_str().unwrap()
        )),
        "{msgs:?}"
    );
    k.assert_no_refused_writes();
}

#[test]
fn scaling_a_settled_deployment_scales_its_replicaset() {
    let mut k = rolled_out(2, "web:1");
    k.merge(
        "apps/v1",
        "Deployment",
        "test",
        "web",
        &json!({"spec": {"replicas": 5}}),
        false,
    );
    assert!(k.run_until(Duration::from_secs(20), MS500, settled));
    let rs = rss(&k)[0].clone();
    assert_eq!(rss(&k).len(), 1);
    assert_eq!(rs["metadata"]["annotations"][DESIRED_REPLICAS], "5");
    let name = rs["metadata"]["name"].as_str().unwrap();
    assert!(messages(&k, "web").contains(&format!("Scaled up replica set {name} from 2 to 5")));
    k.assert_no_refused_writes();
}

#[test]
fn frozen_deployments_are_left_alone() {
    let mut d = deploy(2, "web:1");
    d["metadata"]["labels"] = json!({"sim.shipdeck.io/frozen": "true"});
    let mut k = Kit::new();
    k.apply(d);
    k.run(Duration::from_secs(3), MS500);
    assert!(rss(&k).is_empty());
    assert!(dep(&k).get("status").is_none());
    k.assert_no_refused_writes();
}
