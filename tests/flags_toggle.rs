//! Flag changes through the executor's flag half (`runtime::flag_actions`): `prepare` fills in
//! the exact requests (flagd re-reads the definition; a change of the very field since the
//! operator looked is refused), `run` sends them, leaves a Kubernetes Event and the
//! `shipdeck.io/last-action` annotation (flagd), and appends one audit line per attempt
//! without a token. Against the simulator (the casino's ConfigMap, the operator's sample
//! `FeatureFlag`) and a real Unleash.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flagd_config_map_toggle_is_prepared_sent_recorded_and_refused_when_stale() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, op, kc, x) = casino(dir.path()).await;
    let other = common::sim::client(&sim, "sim-operator-2").await;

    // What the operator looked at.
    let seen_cm = call(&op, "GET", CM, None).await;
    let ui = flag(&flagd::from_config_map(&seen_cm), "new-slot-ui").clone();
    assert!(ui.is_boolean() && ui.default_variant.as_deref() == Some("off"));
    let on = FlagChange::SetDefault(Some("on".into()));
    let req = request(&ui, on, "off → on", Some("INC-42"));

    // Meanwhile another client turns jackpot-banner off: the version moved, new-slot-ui did not.
    let mut doc: Value = serde_json::from_str(seen_cm["data"][KEY].as_str().unwrap()).unwrap();
    doc["flags"]["jackpot-banner"]["defaultVariant"] = json!("off");
    let patch = json!({"data": {KEY: doc.to_string()}});
    call(&other, "PATCH", CM, Some(patch)).await;
    let fresh_version = call(&op, "GET", CM, None).await["metadata"]["resourceVersion"].clone();
    assert_ne!(fresh_version, json!(ui.version));

    // Prepared from the fresh text, with the version actually read as the precondition.
    let p = x.prepare(&req).await.unwrap();
    assert_eq!(json!(p.flag.version), fresh_version);
    let (verb, path, ct, body) = planned(&p);
    assert_eq!((verb, path, ct), ("PATCH", CM, MERGE));
    assert_eq!(body["metadata"], json!({"resourceVersion": fresh_version}));
    let new_doc = body["data"][KEY].as_str().unwrap();
    let parse = |text: &str| flagd::parse_definitions(text, ui.source.clone(), NS, "v");
    let mut expected = parse(&doc.to_string());
    let i = expected
        .iter()
        .position(|f| f.key == "new-slot-ui")
        .unwrap();
    expected[i].default_variant = Some("on".into());
    // Only new-slot-ui's defaultVariant changes.
    assert_eq!(parse(new_doc), expected);

    // Sent twice at once: exactly one is done. The other either finds the first still in
    // flight (refused, nothing sent) or, when the first already finished, is stopped by
    // the resourceVersion precondition (409): the flag never changes twice.
    let since = common::sim::mark(&op).await;
    let entries = x.run(&[&p, &p]).await;
    let find = |o: Outcome| entries.iter().find(|e| e.outcome == o).unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.outcome == Outcome::Done)
            .count(),
        1
    );
    let other = entries.iter().find(|e| e.outcome != Outcome::Done).unwrap();
    match other.outcome {
        Outcome::Refused => {
            assert!(other.requests.is_empty());
            assert!(reason(other).contains("still running; nothing sent"));
        }
        Outcome::Failed => assert!(reason(other).contains("changed since you looked")),
        ref o => panic!("unexpected outcome {o:?}"),
    }
    let other_ended = match other.outcome {
        Outcome::Refused => "refused",
        _ => "failed",
    };
    let what = (NS, "new-slot-ui", "toggle-flag", "INC-42");
    assert_eq!(entry(find(Outcome::Done)), (what, ("PATCH", CM, body)));
    let log: Vec<Value> = common::sim::requests(&op, since)
        .await
        .into_iter()
        .filter(|r| r["status"] != 409)
        .collect();
    assert_eq!(sent(&log[0]), ("PATCH", CM, MERGE, 200));
    assert_eq!(&log[0]["body"], body);
    let io = json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "flags", "namespace": NS,
                    "uid": seen_cm["metadata"]["uid"]});
    let message = "toggle-flag new-slot-ui: off → on by sim-operator via shipdeck (reason: INC-42)";
    assert_bookkeeping(&log, CM, &io, "ShipdeckToggleFlag", message);

    // Read back: new-slot-ui on, the other client's change kept, the last change ours.
    let now = flagd::from_config_map(&call(&op, "GET", CM, None).await);
    let ui_now = flag(&now, "new-slot-ui");
    assert_eq!(ui_now.default_variant.as_deref(), Some("on"));
    let by = ui_now.last_change.as_ref().and_then(|c| c.by.as_deref());
    assert_eq!(by, Some("sim-operator"));
    let banner = flag(&now, "jackpot-banner");
    assert_eq!(banner.default_variant.as_deref(), Some("off"));
    assert_eq!(banner.last_change, None, "the annotation names its flag");

    // The old plan again (a stale resourceVersion): 409, in words, nothing else sent.
    let since = common::sim::mark(&op).await;
    let stale = x.run(&[&p]).await.remove(0);
    assert_eq!(stale.outcome, Outcome::Failed);
    assert!(reason(&stale).contains("changed since you looked"));
    let log = common::sim::requests(&op, since).await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(sent(&log[0]), ("PATCH", CM, MERGE, 409));

    // Preparing from the old look again: the very field changed, refused in words.
    let err = x.prepare(&req).await.unwrap_err();
    let want =
        "new-slot-ui changed since you looked (now defaultVariant \"on\"); review and try again";
    assert_eq!(err, want);

    // One audit line per attempt (the two sent at once in either order, the second one
    // refused or failed as it ended above; then the stale one), no token.
    let lines = x.lines(&kube_tokens(&kc));
    let mut ended = outcomes(&lines);
    assert_eq!(ended.pop(), Some("failed"));
    ended.sort_unstable();
    let mut want = ["done", other_ended];
    want.sort_unstable();
    assert_eq!(ended, want, "{lines:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feature_flag_gets_a_merge_patch_of_the_one_field() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, op, kc, x) = casino(dir.path()).await;
    let sample = common::sim::fixtures()
        .join("openfeature/open-feature-operator/core_v1beta1_featureflag.yaml");
    let mut ff: Value = serde_saphyr::from_str(&std::fs::read_to_string(sample).unwrap()).unwrap();
    ff["metadata"]["namespace"] = json!(NS);
    call(&op, "POST", FF, Some(ff)).await;
    let path = format!("{FF}/featureflag-sample");
    let obj = call(&op, "GET", &path, None).await;
    let simple = flag(&flagd::from_feature_flag(&obj), "simple-flag").clone();
    assert_eq!(simple.default_variant.as_deref(), Some("on"));
    let io = json!({"apiVersion": "core.openfeature.dev/v1beta1", "kind": "FeatureFlag",
                    "name": "featureflag-sample", "namespace": NS, "uid": obj["metadata"]["uid"]});

    // t: on → off.
    let off = FlagChange::SetDefault(Some("off".into()));
    let p = x
        .prepare(&request(&simple, off, "on → off", None))
        .await
        .unwrap();
    let want = json!({"spec": {"flagSpec": {"flags": {"simple-flag": {"defaultVariant": "off"}}}}});
    assert_eq!(planned(&p), ("PATCH", path.as_str(), MERGE, &want));
    let since = common::sim::mark(&op).await;
    let done = x.run(&[&p]).await.remove(0);
    assert_eq!((&done.outcome, &done.reason), (&Outcome::Done, &None));
    let log = common::sim::requests(&op, since).await;
    // The precondition (the merge patch carries no resourceVersion): the object read again,
    // then exactly PROTOCOLS.md's patch.
    assert_eq!(read(&log[0]), ("GET", path.as_str(), 200));
    let log = &log[1..];
    assert_eq!(sent(&log[0]), ("PATCH", path.as_str(), MERGE, 200));
    assert_eq!(log[0]["body"], want);
    let message = "toggle-flag simple-flag: on → off by sim-operator via shipdeck";
    assert_bookkeeping(log, &path, &io, "ShipdeckToggleFlag", message);
    let now = flagd::from_feature_flag(&call(&op, "GET", &path, None).await);
    let simple = flag(&now, "simple-flag").clone();
    assert_eq!(simple.default_variant.as_deref(), Some("off"));
    assert!(simple.last_change.as_ref().is_some_and(|c| c.via_shipdeck));

    // :disable-flag, from the fresh row.
    let disable = FlagChange::SetState(false);
    let req = request(&simple, disable, "ENABLED → DISABLED", Some("INC-7"));
    let p = x.prepare(&req).await.unwrap();
    let want = json!({"spec": {"flagSpec": {"flags": {"simple-flag": {"state": "DISABLED"}}}}});
    assert_eq!(planned(&p), ("PATCH", path.as_str(), MERGE, &want));
    let since = common::sim::mark(&op).await;
    let done = x.run(&[&p]).await.remove(0);
    assert_eq!(done.outcome, Outcome::Done);
    assert_eq!(done.action, "disable-flag");
    let log = common::sim::requests(&op, since).await;
    assert_eq!(read(&log[0]), ("GET", path.as_str(), 200));
    let log = &log[1..];
    assert_eq!(sent(&log[0]), ("PATCH", path.as_str(), MERGE, 200));
    assert_eq!(log[0]["body"], want);
    let message =
        "disable-flag simple-flag: ENABLED → DISABLED by sim-operator via shipdeck (reason: INC-7)";
    assert_bookkeeping(log, &path, &io, "ShipdeckDisableFlag", message);
    let now = flagd::from_feature_flag(&call(&op, "GET", &path, None).await);
    assert_eq!(flag(&now, "simple-flag").state, FlagState::Disabled);

    // An Unleash-only change of a flagd flag has no requests.
    let wrong = request(&simple, FlagChange::Environment(true), "off → on", None);
    assert!(x.prepare(&wrong).await.unwrap_err().contains("flagd flag"));
    assert_eq!(x.lines(&kube_tokens(&kc)).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unleash_environment_is_toggled_on_and_off_and_audited_without_the_token() {
    let Some(server) = unleash::start().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    server.create_feature("checkout-v2", true).await;
    // Unleash needs no cluster: the target points nowhere.
    let UnleashExec {
        u,
        token_file,
        kubeconfig: kc,
        x,
    } = unleash_exec(&server, dir.path());
    let list = || async {
        let timeout = Duration::from_secs(10);
        let c = UnleashClient::new(&u.url, &token_file, &u.project, &u.environments, timeout);
        let flags = c.unwrap().list().await.unwrap();
        let prod = |f: &Flag| f.key == "checkout-v2" && f.environment == "production";
        flags.into_iter().find(prod).unwrap()
    };
    let path = "/api/admin/projects/default/features/checkout-v2/environments/production";

    for (on, from_to, word) in [(true, "off → on", "on"), (false, "on → off", "off")] {
        let row = list().await;
        assert_eq!(row.state == FlagState::Enabled, !on, "{row:?}");
        let req = request(&row, FlagChange::Environment(on), from_to, Some("CHG-1"));
        let p = x.prepare(&req).await.unwrap();
        let want = format!("{path}/{word}");
        assert_eq!(planned(&p), ("POST", want.as_str(), JSON, &Value::Null));
        let done = x.run(&[&p]).await.remove(0);
        assert_eq!(done.outcome, Outcome::Done);
        let what = ("production", "checkout-v2", "toggle-flag", "CHG-1");
        assert_eq!(entry(&done), (what, ("POST", want.as_str(), &Value::Null)));
        let env = server.environment("checkout-v2", "production").await;
        assert_eq!(env["enabled"], on, "{env}");
    }

    // A token Unleash does not accept: failed, in words, the token nowhere.
    let bad_token = "*:*.0123456789abcdef-not-a-token";
    let bad_file = dir.path().join("bad-token");
    std::fs::write(&bad_file, bad_token).unwrap();
    let mut bad = u.clone();
    bad.token_file = Some(bad_file);
    let bx = Exec::new(&kc, bad, dir.path());
    let row = list().await;
    let req = request(&row, FlagChange::Environment(true), "on", None);
    let p = bx.prepare(&req).await.unwrap();
    let failed = bx.run(&[&p]).await.remove(0);
    assert_eq!(failed.outcome, Outcome::Failed);
    assert!(reason(&failed).contains("is not accepted"), "{failed:?}");
    let env = server.environment("checkout-v2", "production").await;
    assert_eq!(env["enabled"], false);

    let lines = x.lines(&[server.token.clone(), bad_token.to_string()]);
    assert_eq!(outcomes(&lines), ["done", "done", "failed"]);
    assert!(
        lines[..2]
            .iter()
            .all(|l| l["requests"][0]["verb"] == "POST")
    );
    // The refused token failed the precondition's read: nothing was sent.
    assert_eq!(lines[2]["requests"], json!([]), "{:?}", lines[2]);
}
