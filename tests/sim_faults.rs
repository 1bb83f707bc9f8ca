//! Each API fault, observed by a real client: api-down → the kube-runtime watcher yields an
//! error and resumes; watch-drop → the stream ends and resumes from its resourceVersion;
//! api-500 / api-slow → status and latency; forbidden → 403; gone → relist; throttle → 429.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::sim::{clear_faults, client, fault, mark, requests, start};
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event, watcher};
use serde_json::json;

fn cm(name: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": {"x": "1"}})).unwrap()
}

/// Polls the watcher until `want` matches an item (bounded).
async fn until<S, F>(stream: &mut S, what: &str, mut want: F) -> Vec<String>
where
    S: futures::Stream<Item = Result<Event<ConfigMap>, watcher::Error>> + Unpin,
    F: FnMut(&Result<Event<ConfigMap>, watcher::Error>) -> bool,
{
    let mut log = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let item = tokio::time::timeout(left, stream.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}; saw {log:?}"))
            .expect("stream ended");
        log.push(match &item {
            Ok(Event::Init) => "Init".to_string(),
            Ok(Event::InitApply(o)) => {
                format!("InitApply {}", o.metadata.name.clone().unwrap_or_default())
            }
            Ok(Event::InitDone) => "InitDone".to_string(),
            Ok(Event::Apply(o)) => format!("Apply {}", o.metadata.name.clone().unwrap_or_default()),
            Ok(Event::Delete(o)) => {
                format!("Delete {}", o.metadata.name.clone().unwrap_or_default())
            }
            Err(e) => format!("Err {e}"),
        });
        if want(&item) {
            return log;
        }
    }
}

fn is_apply(name: &'static str) -> impl FnMut(&Result<Event<ConfigMap>, watcher::Error>) -> bool {
    move |i| matches!(i, Ok(Event::Apply(o)) if o.metadata.name.as_deref() == Some(name))
}

#[tokio::test]
async fn api_down_makes_the_watcher_fail_then_resume() {
    let sim = start(vec![]).await;
    let c = client(&sim, "sim-operator").await;
    let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    let mut w = watcher(api.clone(), watcher::Config::default()).boxed();
    until(&mut w, "InitDone", |i| matches!(i, Ok(Event::InitDone))).await;
    fault(&c, json!({"kind": "api-down", "duration": "2s"})).await;
    let e = api
        .create(&PostParams::default(), &cm("during"))
        .await
        .unwrap_err();
    assert!(matches!(e, kube::Error::Api(ref s) if s.code == 503), "{e}");
    let log = until(&mut w, "an error", |i| i.is_err()).await;
    assert!(log.last().unwrap().starts_with("Err"), "{log:?}");
    // After the fault the watcher resumes and sees new objects.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    api.create(&PostParams::default(), &cm("after"))
        .await
        .unwrap();
    until(&mut w, "Apply after", is_apply("after")).await;
}

#[tokio::test]
async fn watch_drop_ends_streams_and_the_watcher_resumes_from_its_version() {
    let sim = start(vec![]).await;
    let c = client(&sim, "sim-operator").await;
    let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    let mut w = watcher(api.clone(), watcher::Config::default()).boxed();
    until(&mut w, "InitDone", |i| matches!(i, Ok(Event::InitDone))).await;
    api.create(&PostParams::default(), &cm("one"))
        .await
        .unwrap();
    until(&mut w, "Apply one", is_apply("one")).await;
    let since = mark(&c).await;
    fault(&c, json!({"kind": "watch-drop"})).await;
    api.create(&PostParams::default(), &cm("two"))
        .await
        .unwrap();
    let log = until(&mut w, "Apply two", is_apply("two")).await;
    assert!(
        !log.iter().any(|l| l == "Init"),
        "no relist after a plain drop: {log:?}"
    );
    let reqs = requests(&c, since).await;
    let resumed = reqs.iter().any(|r| {
        let q = r["query"].as_str().unwrap_or("");
        q.contains("watch=true")
            && q.contains("resourceVersion=")
            && !q.contains("resourceVersion=0&")
    });
    assert!(
        resumed,
        "the watcher resumed with a resourceVersion: {reqs:#?}"
    );
}

#[tokio::test]
async fn gone_makes_the_watcher_relist() {
    let sim = start(vec![]).await;
    let c = client(&sim, "sim-operator").await;
    let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    api.create(&PostParams::default(), &cm("before"))
        .await
        .unwrap();
    let mut w = watcher(api.clone(), watcher::Config::default())
        .default_backoff()
        .boxed();
    until(&mut w, "InitDone", |i| matches!(i, Ok(Event::InitDone))).await;
    fault(&c, json!({"kind": "gone"})).await;
    fault(&c, json!({"kind": "watch-drop"})).await;
    let log = until(&mut w, "a relist", |i| matches!(i, Ok(Event::InitDone))).await;
    assert!(log.iter().any(|l| l == "Init"), "{log:?}");
    assert!(log.iter().any(|l| l == "InitApply before"), "{log:?}");
}

#[tokio::test]
async fn errors_latency_forbidden_and_throttling() {
    let sim = start(vec![]).await;
    let c = client(&sim, "sim-operator").await;
    let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    api.create(&PostParams::default(), &cm("x")).await.unwrap();

    fault(&c, json!({"kind": "api-500", "duration": "10s"})).await;
    let e = api.get("x").await.unwrap_err();
    assert!(matches!(e, kube::Error::Api(ref s) if s.code == 500), "{e}");
    clear_faults(&c).await;

    fault(&c, json!({"kind": "api-slow", "delay": "400ms"})).await;
    let t0 = Instant::now();
    api.get("x").await.unwrap();
    assert!(
        t0.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t0.elapsed()
    );
    clear_faults(&c).await;

    fault(
        &c,
        json!({"kind": "forbidden", "identity": "sim-operator", "resource": "configmaps"}),
    )
    .await;
    let e = api.get("x").await.unwrap_err();
    assert!(matches!(e, kube::Error::Api(ref s) if s.code == 403), "{e}");
    let other = client(&sim, "sim-operator-2").await;
    Api::<ConfigMap>::namespaced(other, "default")
        .get("x")
        .await
        .unwrap();
    clear_faults(&c).await;

    fault(&c, json!({"kind": "throttle", "retry_after": 2})).await;
    let req = http::Request::get("/api/v1/namespaces/default/configmaps/x")
        .body(Vec::new())
        .unwrap();
    let e = c.request_text(req).await.unwrap_err();
    assert!(matches!(e, kube::Error::Api(ref s) if s.code == 429), "{e}");
    clear_faults(&c).await;
    api.get("x").await.unwrap();
}
