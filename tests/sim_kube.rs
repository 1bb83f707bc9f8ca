//! The unmodified kube client against `shipdeck sim`: lists, watches (ADDED / MODIFIED /
//! DELETED, resume, bookmarks, relist after 410), merge / JSON / strategic / status patches,
//! 409, 422, each identity's rights, SelfSubjectReview, the service proxy, and --load.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::sim::{client, fixtures, start};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams,
    WatchEvent, WatchParams,
};
use serde_json::{Value, json};

fn rollouts(c: &kube::Client, ns: &str) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
        "rollouts",
    );
    Api::namespaced_with(c.clone(), ns, &ar)
}

fn code(e: kube::Error) -> u16 {
    match e {
        kube::Error::Api(s) => s.code,
        other => panic!("not an API error: {other}"),
    }
}

async fn namespace(c: &kube::Client, name: &str) {
    let ns: Api<Namespace> = Api::all(c.clone());
    let obj: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    ns.create(&PostParams::default(), &obj).await.unwrap();
}

fn example(file: &str) -> Value {
    let text =
        std::fs::read_to_string(fixtures().join("argo-rollouts/examples").join(file)).unwrap();
    shipdeck::sim::load::documents(&text).unwrap().remove(0)
}

#[tokio::test]
async fn list_and_watch_see_every_change_resume_and_bookmark() {
    let sim = start(vec![]).await;
    let c = client(&sim, "sim-operator").await;
    namespace(&c, "t1").await;
    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "t1");
    let list = cms.list(&ListParams::default()).await.unwrap();
    assert!(list.items.is_empty());
    let rv = list.metadata.resource_version.unwrap();
    let mut stream = cms
        .watch(&WatchParams::default().timeout(20), &rv)
        .await
        .unwrap()
        .boxed();
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata":{"name":"a"},"data":{"k":"1"}})).unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    cms.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"data":{"k":"2"}})),
    )
    .await
    .unwrap();
    cms.delete("a", &Default::default()).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        match tokio::time::timeout(Duration::from_secs(10), stream.try_next())
            .await
            .unwrap()
            .unwrap()
        {
            Some(WatchEvent::Added(o)) => seen.push(("ADDED", o.data.unwrap()["k"].clone())),
            Some(WatchEvent::Modified(o)) => seen.push(("MODIFIED", o.data.unwrap()["k"].clone())),
            Some(WatchEvent::Deleted(o)) => seen.push(("DELETED", o.data.unwrap()["k"].clone())),
            Some(WatchEvent::Bookmark(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            ("ADDED", "1".to_string()),
            ("MODIFIED", "2".to_string()),
            ("DELETED", "2".to_string())
        ]
    );
    // Resuming from the same resourceVersion replays the same history.
    let again: Vec<WatchEvent<ConfigMap>> = cms
        .watch(&WatchParams::default().timeout(1), &rv)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let kinds: Vec<&str> = again
        .iter()
        .filter_map(|e| match e {
            WatchEvent::Added(_) => Some("ADDED"),
            WatchEvent::Modified(_) => Some("MODIFIED"),
            WatchEvent::Deleted(_) => Some("DELETED"),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, ["ADDED", "MODIFIED", "DELETED"]);
    // A quiet watch gets bookmarks (the sim sends one every 500 ms in tests).
    let quiet: Vec<WatchEvent<ConfigMap>> = cms
        .watch(&WatchParams::default().timeout(2), "0")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(
        quiet.iter().any(|e| matches!(e, WatchEvent::Bookmark(_))),
        "{quiet:?}"
    );
}

#[tokio::test]
async fn patches_status_semantics_conflicts_and_schema_validation() {
    let sim = start(vec![]).await;
    let c = client(&sim, "sim-operator").await;
    let ro = rollouts(&c, "default");
    let obj: DynamicObject = serde_json::from_value(example("rollout-canary.yaml")).unwrap();
    let created = ro.create(&PostParams::default(), &obj).await.unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    let name = created.metadata.name.clone().unwrap();

    // Merge patch on the spec bumps the generation.
    let p = ro
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec":{"paused":true}})),
        )
        .await
        .unwrap();
    assert_eq!(p.data["spec"]["paused"], true);
    assert_eq!(p.metadata.generation, Some(2));
    // A status patch changes only status, and not the generation.
    let s = ro
        .patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status":{"abort":true},"spec":{"paused":false}})),
        )
        .await
        .unwrap();
    assert_eq!(s.data["status"]["abort"], true);
    assert_eq!(s.data["spec"]["paused"], true);
    assert_eq!(s.metadata.generation, Some(2));
    // A main write leaves status alone.
    let m = ro
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status":{"abort":false}})),
        )
        .await
        .unwrap();
    assert_eq!(m.data["status"]["abort"], true);
    // JSON patch.
    let j = ro
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::<()>::Json(
                serde_json::from_value(json!([{"op":"replace","path":"/spec/replicas","value":3}]))
                    .unwrap(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(j.data["spec"]["replicas"], 3);
    // Strategic merge is not for custom resources: 415, as on a real server.
    let e = ro
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec":{"paused":false}})),
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), 415);
    // A stale resourceVersion conflicts.
    let e = ro
        .replace(&name, &PostParams::default(), &created)
        .await
        .unwrap_err();
    assert_eq!(code(e), 409);
    // A merge patch carrying an old resourceVersion conflicts too.
    let e = ro
        .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"metadata":{"resourceVersion": created.metadata.resource_version}, "spec":{"paused":false}})))
        .await
        .unwrap_err();
    assert_eq!(code(e), 409);
    // Schema violations are 422 naming the field.
    let mut bad = example("rollout-canary.yaml");
    bad["metadata"]["name"] = json!("bad");
    bad["spec"]["replicas"] = json!("five");
    let e = ro
        .create(
            &PostParams::default(),
            &serde_json::from_value(bad).unwrap(),
        )
        .await
        .unwrap_err();
    let kube::Error::Api(status) = e else {
        panic!()
    };
    assert_eq!(status.code, 422);
    assert!(
        status.message.contains("spec.replicas"),
        "{}",
        status.message
    );

    // Strategic merge on a Deployment merges containers by name and keeps their fields.
    let deploys: Api<Deployment> = Api::namespaced(c.clone(), "default");
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [
                {"name": "app", "image": "app:1", "ports": [{"containerPort": 8080}], "env": [{"name": "A", "value": "1"}]},
                {"name": "sidecar", "image": "proxy:1"}
            ]}}}
    }))
    .unwrap();
    deploys.create(&PostParams::default(), &d).await.unwrap();
    let patched = deploys
        .patch("web", &PatchParams::default(), &Patch::Strategic(json!({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2"}]}}}})))
        .await
        .unwrap();
    let containers = &patched.spec.template.spec.unwrap().containers;
    assert_eq!(containers.len(), 2);
    assert_eq!(containers[0].image.as_deref(), Some("app:2"));
    assert_eq!(
        containers[0].ports.as_ref().unwrap()[0].container_port,
        8080
    );
    assert_eq!(containers[0].env.as_ref().unwrap()[0].name, "A");
    assert_eq!(containers[1].image.as_deref(), Some("proxy:1"));
}

#[tokio::test]
async fn identities_have_their_rights_and_know_who_they_are() {
    let sim = start(vec![
        fixtures().join("argo-rollouts/info-testdata/rollout-aborted"),
    ])
    .await;
    for who in [
        "sim-operator",
        "sim-operator-2",
        "sim-viewer",
        "sim-restricted",
    ] {
        let c = client(&sim, who).await;
        let api: Api<SelfSubjectReview> = Api::all(c);
        let r = api
            .create(&PostParams::default(), &SelfSubjectReview::default())
            .await
            .unwrap();
        assert_eq!(
            r.status.unwrap().user_info.unwrap().username.as_deref(),
            Some(who)
        );
    }
    let viewer = client(&sim, "sim-viewer").await;
    let ro = rollouts(&viewer, "default");
    let list = ro.list(&ListParams::default()).await.unwrap();
    let name = list.items[0].metadata.name.clone().unwrap();
    let e = ro
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec":{"paused":true}})),
        )
        .await
        .unwrap_err();
    let kube::Error::Api(s) = e else { panic!() };
    assert_eq!(s.code, 403);
    assert!(
        s.message.contains("sim-viewer") && s.message.contains("rollouts"),
        "{}",
        s.message
    );

    let restricted = client(&sim, "sim-restricted").await;
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "AnalysisRun"),
        "analysisruns",
    );
    let runs: Api<DynamicObject> = Api::namespaced_with(restricted.clone(), "default", &ar);
    assert_eq!(
        code(runs.list(&ListParams::default()).await.unwrap_err()),
        403
    );
    let operator_runs: Api<DynamicObject> =
        Api::namespaced_with(client(&sim, "sim-operator").await, "default", &ar);
    let run_name = operator_runs
        .list(&ListParams::default())
        .await
        .unwrap()
        .items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    assert!(
        runs.get(&run_name).await.is_ok(),
        "restricted may still get one"
    );
    assert!(
        rollouts(&restricted, "default")
            .list(&ListParams::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn loaded_objects_are_served_back_with_their_spec_and_status() {
    let dir = fixtures().join("argo-rollouts/info-testdata");
    let sim = start(vec![dir.clone()]).await;
    let c = client(&sim, "sim-operator").await;
    let mut checked = 0;
    for file in shipdeck::sim::load::files(&[dir]).unwrap() {
        let text = std::fs::read_to_string(&file).unwrap();
        for doc in shipdeck::sim::load::documents(&text).unwrap() {
            let kind = doc["kind"].as_str().unwrap();
            let (group, version) = match doc["apiVersion"].as_str().unwrap() {
                "extensions/v1beta1" => ("apps".to_string(), "v1".to_string()),
                av => match av.split_once('/') {
                    Some((g, v)) => (g.to_string(), v.to_string()),
                    None => (String::new(), av.to_string()),
                },
            };
            let plural = format!("{}s", kind.to_lowercase());
            let ar = ApiResource::from_gvk_with_plural(
                &GroupVersionKind::gvk(&group, &version, kind),
                &plural,
            );
            let ns = doc["metadata"]["namespace"].as_str().unwrap_or("default");
            let api: Api<DynamicObject> = Api::namespaced_with(c.clone(), ns, &ar);
            let got = api
                .get(doc["metadata"]["name"].as_str().unwrap())
                .await
                .unwrap();
            let got = serde_json::to_value(&got).unwrap();
            assert_eq!(got["spec"], doc["spec"], "{}: spec", file.display());
            assert_eq!(got["status"], doc["status"], "{}: status", file.display());
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} objects checked");
}

#[tokio::test]
async fn the_service_proxy_reaches_registered_handlers() {
    use shipdeck::sim::proxy::{ProxyRequest, ProxyResponse};
    use std::sync::{Arc, Mutex};
    let sim = start(vec![]).await;
    let seen: Arc<Mutex<Vec<ProxyRequest>>> = Arc::default();
    let s2 = seen.clone();
    sim.register_proxy(
        "default",
        "flagger-loadtester",
        "",
        Arc::new(move |r: ProxyRequest| {
            s2.lock().unwrap().push(r);
            ProxyResponse {
                status: 202,
                content_type: "text/plain".into(),
                body: "approved".into(),
            }
        }),
    );
    let c = client(&sim, "sim-operator").await;
    let svc: Api<k8s_openapi::api::core::v1::Service> = Api::namespaced(c.clone(), "default");
    svc.create(
        &PostParams::default(),
        &serde_json::from_value(
            json!({"metadata":{"name":"flagger-loadtester"},"spec":{"ports":[{"port":80}]}}),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let post = |c: kube::Client, path: &str| {
        let req = http::Request::post(path.to_string())
            .header("content-type", "application/json")
            .body(br#"{"name":"bonus","namespace":"casino-prod"}"#.to_vec())
            .unwrap();
        async move { c.request_text(req).await }
    };
    let body = post(
        c.clone(),
        "/api/v1/namespaces/default/services/flagger-loadtester:80/proxy/gate/open",
    )
    .await
    .unwrap();
    assert_eq!(body, "approved");
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].method.as_str(), got[0].path.as_str()),
        ("POST", "/gate/open")
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&got[0].body).unwrap()["name"],
        "bonus"
    );
    // The viewer may not create through the proxy; unknown services are 404; a service
    // without a handler has no endpoints (503).
    let viewer = client(&sim, "sim-viewer").await;
    assert_eq!(
        code(
            post(
                viewer,
                "/api/v1/namespaces/default/services/flagger-loadtester:80/proxy/gate/open"
            )
            .await
            .unwrap_err()
        ),
        403
    );
    assert_eq!(
        code(
            post(
                c.clone(),
                "/api/v1/namespaces/default/services/nope:80/proxy/x"
            )
            .await
            .unwrap_err()
        ),
        404
    );
    svc.create(
        &PostParams::default(),
        &serde_json::from_value(
            json!({"metadata":{"name":"other"},"spec":{"ports":[{"port":80}]}}),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        code(
            post(c, "/api/v1/namespaces/default/services/other:80/proxy/x")
                .await
                .unwrap_err()
        ),
        503
    );
}

#[tokio::test]
async fn events_are_served_in_both_versions_and_lists_paginate() {
    let sim = start(vec![]).await;
    let c = client(&sim, "sim-operator").await;
    let core: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(c.clone(), "default");
    core.create(
        &PostParams::default(),
        &serde_json::from_value(json!({
            "metadata": {"name": "web.1"},
            "involvedObject": {"kind": "Deployment", "namespace": "default", "name": "web"},
            "reason": "ScalingReplicaSet", "message": "Scaled up to 3", "type": "Normal",
            "source": {"component": "deployment-controller"}, "count": 2,
            "firstTimestamp": "2026-11-26T03:00:00Z", "lastTimestamp": "2026-11-26T03:01:00Z"
        }))
        .unwrap(),
    )
    .await
    .unwrap();
    let v1: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(c.clone(), "default");
    let e = v1.get("web.1").await.unwrap();
    assert_eq!(e.regarding.unwrap().name.as_deref(), Some("web"));
    assert_eq!(e.note.as_deref(), Some("Scaled up to 3"));
    assert_eq!(e.deprecated_count, Some(2));
    // Field selectors on involvedObject, as kubectl describe sends them.
    let found = core
        .list(
            &ListParams::default().fields("involvedObject.name=web,involvedObject.kind=Deployment"),
        )
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    let none = core
        .list(&ListParams::default().fields("involvedObject.name=other"))
        .await
        .unwrap();
    assert!(none.items.is_empty());
    assert_eq!(
        code(
            core.list(&ListParams::default().fields("spec.bogus=x"))
                .await
                .unwrap_err()
        ),
        400
    );

    // Pagination: limit and an opaque continue token, no item twice or missed.
    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    for i in 0..7 {
        let cm: ConfigMap = serde_json::from_value(
            json!({"metadata":{"name":format!("cm-{i}"),"labels":{"batch":"a"}}}),
        )
        .unwrap();
        cms.create(&PostParams::default(), &cm).await.unwrap();
    }
    let mut names = Vec::new();
    let mut lp = ListParams::default().labels("batch=a").limit(3);
    loop {
        let page = cms.list(&lp).await.unwrap();
        assert!(page.items.len() <= 3);
        names.extend(page.items.into_iter().filter_map(|o| o.metadata.name));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => lp = lp.continue_token(&token),
            _ => break,
        }
    }
    assert_eq!(names, (0..7).map(|i| format!("cm-{i}")).collect::<Vec<_>>());
    assert_eq!(
        cms.list(&ListParams::default().labels("batch notin (a)"))
            .await
            .unwrap()
            .items
            .len(),
        0
    );
}
