//! The precondition of a flag change where the write itself carries none, checked by `run`
//! just before it sends: a `FeatureFlag` (PROTOCOLS.md's merge patch of the one field has no
//! resourceVersion) is read again and the change refused when the object moved since the
//! dialog's requests were prepared; a 409 from the API server still says "changed since you
//! looked". An Unleash toggle (a bare POST) re-reads the environment's enabled state and
//! strategy count and refuses when another client changed them. Refusals send nothing:
//! checked in the simulator's request log and in Unleash's event log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/flag_exec.rs"]
mod flag_exec;
#[path = "common/unleash.rs"]
mod unleash;

use std::time::Duration;

use flag_exec::*;
use serde_json::{Value, json};
use shipdeck::adapters::unleash::UnleashClient;
use shipdeck::domain::audit::Outcome;
use shipdeck::domain::flag_request::FlagChange;
use shipdeck::domain::flagd;
use shipdeck::domain::flags::{Flag, FlagState};

/// The requests `identity` sent after `since`.
async fn sent_by(c: &kube::Client, since: u64, identity: &str) -> Vec<Value> {
    let log = common::sim::requests(c, since).await;
    log.into_iter()
        .filter(|r| r["identity"] == identity)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feature_flag_change_is_refused_when_the_object_moved_since_it_was_prepared() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, op, kc, x) = casino(dir.path()).await;
    let other = common::sim::client(&sim, "sim-operator-2").await;
    let sample = common::sim::fixtures()
        .join("openfeature/open-feature-operator/core_v1beta1_featureflag.yaml");
    let mut ff: Value = serde_saphyr::from_str(&std::fs::read_to_string(sample).unwrap()).unwrap();
    ff["metadata"]["namespace"] = json!(NS);
    call(&op, "POST", FF, Some(ff)).await;
    let path = format!("{FF}/featureflag-sample");
    let look = || async { flagd::from_feature_flag(&call(&op, "GET", &path, None).await) };
    let simple = flag(&look().await, "simple-flag").clone();
    assert_eq!(simple.default_variant.as_deref(), Some("on"));
    let to_off = FlagChange::SetDefault(Some("off".into()));

    // 1. Prepared (on → off); then another client sets the very field: refused in words,
    //    only the re-read sent.
    let p = x
        .prepare(&request(&simple, to_off.clone(), "on → off", None))
        .await
        .unwrap();
    let want = json!({"spec": {"flagSpec": {"flags": {"simple-flag": {"defaultVariant": "off"}}}}});
    assert_eq!(planned(&p), ("PATCH", path.as_str(), MERGE, &want));
    let theirs =
        json!({"spec": {"flagSpec": {"flags": {"simple-flag": {"defaultVariant": "off"}}}}});
    call(&other, "PATCH", &path, Some(theirs)).await;
    let since = common::sim::mark(&op).await;
    let refused = x.run(&[&p]).await.remove(0);
    assert_eq!(refused.outcome, Outcome::Refused, "{refused:?}");
    assert_eq!(
        reason(&refused),
        "simple-flag changed since you looked (now defaultVariant \"off\"); review and try again; nothing sent"
    );
    assert!(refused.requests.is_empty(), "{refused:?}");
    let log = sent_by(&op, since, "sim-operator").await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(read(&log[0]), ("GET", path.as_str(), 200));
    let obj = call(&op, "GET", &path, None).await;
    assert!(
        obj.pointer("/metadata/annotations/shipdeck.io~1last-action")
            .is_none(),
        "nothing of ours on the object: {obj}"
    );

    // 2. Prepared from the fresh row (off → on); then another client changes something else
    //    of the object: its resourceVersion moved, so the change is refused all the same.
    let simple = flag(&look().await, "simple-flag").clone();
    let to_on = FlagChange::SetDefault(Some("on".into()));
    let p = x
        .prepare(&request(&simple, to_on.clone(), "off → on", None))
        .await
        .unwrap();
    let prepared_at = p.flag.version.clone();
    let label = json!({"metadata": {"labels": {"team": "games"}}});
    let moved = call(&other, "PATCH", &path, Some(label)).await;
    let now_at = moved["metadata"]["resourceVersion"].as_str().unwrap();
    assert_ne!(now_at, prepared_at);
    let since = common::sim::mark(&op).await;
    let refused = x.run(&[&p]).await.remove(0);
    assert_eq!(refused.outcome, Outcome::Refused, "{refused:?}");
    assert_eq!(
        reason(&refused),
        format!(
            "FeatureFlag {NS}/featureflag-sample changed since you looked (resourceVersion {prepared_at} → {now_at}); review and try again; nothing sent"
        )
    );
    let log = sent_by(&op, since, "sim-operator").await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(read(&log[0]), ("GET", path.as_str(), 200));
    let simple = flag(&look().await, "simple-flag").clone();
    assert_eq!(simple.default_variant.as_deref(), Some("off"));

    // 3. Someone writes between the re-read and the patch: the API server's 409 (a conflict
    //    fault on featureflags), in the same words as a ConfigMap's.
    let p = x
        .prepare(&request(&simple, to_on.clone(), "off → on", None))
        .await
        .unwrap();
    common::sim::fault(&op, json!({"kind": "conflict", "resource": "featureflags"})).await;
    let since = common::sim::mark(&op).await;
    let failed = x.run(&[&p]).await.remove(0);
    common::sim::clear_faults(&op).await;
    assert_eq!(failed.outcome, Outcome::Failed, "{failed:?}");
    assert!(
        reason(&failed).contains("changed since you looked"),
        "{failed:?}"
    );
    let log = sent_by(&op, since, "sim-operator").await;
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!(read(&log[0]), ("GET", path.as_str(), 200));
    assert_eq!(sent(&log[1]), ("PATCH", path.as_str(), MERGE, 409));
    assert_eq!(
        log[1]["body"],
        json!({"spec": {"flagSpec": {"flags": {"simple-flag": {"defaultVariant": "on"}}}}})
    );
    assert_eq!(
        flag(&look().await, "simple-flag")
            .default_variant
            .as_deref(),
        Some("off")
    );

    // 4. Nothing moved: the same plan goes through.
    let done = x.run(&[&p]).await.remove(0);
    assert_eq!(done.outcome, Outcome::Done, "{done:?}");
    assert_eq!(
        flag(&look().await, "simple-flag")
            .default_variant
            .as_deref(),
        Some("on")
    );
    let lines = x.lines(&kube_tokens(&kc));
    assert_eq!(outcomes(&lines), ["refused", "refused", "failed", "done"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unleash_toggle_is_refused_when_the_environment_changed_behind_shipdecks_back() {
    let Some(server) = unleash::start().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    server.create_feature("new-slot-ui", true).await;
    let UnleashExec {
        u, token_file, x, ..
    } = unleash_exec(&server, dir.path());
    let client = UnleashClient::new(
        &u.url,
        &token_file,
        &u.project,
        &u.environments,
        Duration::from_secs(10),
    )
    .unwrap();
    let row = |flags: &[Flag], env: &str| -> Flag {
        let found = flags
            .iter()
            .find(|f| f.key == "new-slot-ui" && f.environment == env);
        found.unwrap().clone()
    };
    let base = format!(
        "/api/admin/projects/{}/features/new-slot-ui/environments",
        server.project
    );

    // What the operator looked at: production off with its one (constrained) strategy;
    // development off with the default strategy.
    let flags = client.list().await.unwrap();
    let prod = row(&flags, "production");
    let dev = row(&flags, "development");
    assert_eq!(
        (prod.state, prod.version.as_str()),
        (FlagState::Disabled, "false:1")
    );
    assert_eq!(
        (dev.state, dev.version.as_str()),
        (FlagState::Disabled, "false:1")
    );
    let turn_on = |f: &Flag| request(f, FlagChange::Environment(true), "off → on", Some("CHG-9"));
    let p_prod = x.prepare(&turn_on(&prod)).await.unwrap();
    let p_dev = x.prepare(&turn_on(&dev)).await.unwrap();

    // Behind shipdeck's back: production turned on, development given a second strategy.
    let (s, b) = server
        .admin("POST", &format!("{base}/production/on"), None)
        .await;
    assert!((200..300).contains(&s), "{s} {b}");
    let strategy = json!({"name": "flexibleRollout",
        "parameters": {"rollout": "10", "stickiness": "default", "groupId": "new-slot-ui"}});
    let (s, b) = server
        .admin(
            "POST",
            &format!("{base}/development/strategies"),
            Some(strategy),
        )
        .await;
    assert!((200..300).contains(&s), "{s} {b}");
    let prod_before = server.environment("new-slot-ui", "production").await;
    let dev_before = server.environment("new-slot-ui", "development").await;
    let mark = server.last_event_id().await;

    // The toggles prepared earlier: refused in words, nothing sent.
    let refused = x.run(&[&p_prod]).await.remove(0);
    assert_eq!(refused.outcome, Outcome::Refused, "{refused:?}");
    assert_eq!(
        reason(&refused),
        "new-slot-ui in production changed since you looked (now enabled); review and try again; nothing sent"
    );
    assert!(refused.requests.is_empty());
    let refused = x.run(&[&p_dev]).await.remove(0);
    assert_eq!(refused.outcome, Outcome::Refused, "{refused:?}");
    assert_eq!(
        reason(&refused),
        "new-slot-ui in development changed since you looked (now disabled, 2 strategies (was 1)); review and try again; nothing sent"
    );
    // Nothing changed on the server, and Unleash logged nothing after the other client.
    assert_eq!(
        server.environment("new-slot-ui", "production").await,
        prod_before
    );
    assert_eq!(
        server.environment("new-slot-ui", "development").await,
        dev_before
    );
    let events = server.feature_events_after(mark).await;
    assert!(events.is_empty(), "Unleash logged a change: {events:#?}");

    // Looked at again, the toggle goes through (production: on → off).
    let flags = client.list().await.unwrap();
    let prod = row(&flags, "production");
    assert_eq!(
        (prod.state, prod.version.as_str()),
        (FlagState::Enabled, "true:1")
    );
    let off = request(&prod, FlagChange::Environment(false), "on → off", None);
    let p = x.prepare(&off).await.unwrap();
    let done = x.run(&[&p]).await.remove(0);
    assert_eq!(done.outcome, Outcome::Done, "{done:?}");
    let env = server.environment("new-slot-ui", "production").await;
    assert_eq!(env["enabled"], false, "{env}");
    let events = server.feature_events_after(mark).await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["environment"], "production", "{events:#?}");

    let lines = x.lines(std::slice::from_ref(&server.token));
    assert_eq!(outcomes(&lines), ["refused", "refused", "done"]);
}
