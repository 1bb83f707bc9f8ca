//! flagd flags against the simulator: the watcher delivers the casino ConfigMap's flags and a
//! `FeatureFlag`'s; toggle plans sent through the kube client change them; a stale toggle gets
//! 409; another client's change and an invalid definition arrive live. And a cluster without
//! the OpenFeature Operator is "not installed", once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use shipdeck::adapters::kube::flags::{self, CONFIG_MAPS, FEATURE_FLAGS, FlagEvent};
use shipdeck::domain::flagd;
use shipdeck::domain::flags::{Flag, FlagSource};
use shipdeck::domain::scope::NamespaceScope;
use tokio::sync::mpsc;

const NS: &str = "casino-prod";
const CM: &str = "/api/v1/namespaces/casino-prod/configmaps/flags";
const KEY: &str = "flags.flagd.json";

/// What the flags screen would hold, kept up to date from the events.
#[derive(Default)]
struct Screen {
    rows: BTreeMap<(FlagSource, String), Flag>,
    sources: BTreeMap<&'static str, String>,
    resyncs: usize,
}

impl Screen {
    fn apply(&mut self, ev: FlagEvent) {
        match ev {
            FlagEvent::Resync(all) => {
                self.resyncs += 1;
                self.rows = all
                    .into_iter()
                    .map(|f| ((f.source.clone(), f.key.clone()), f))
                    .collect();
            }
            FlagEvent::Upsert { source, flags } => {
                self.rows.retain(|(s, _), _| *s != source);
                for f in flags {
                    assert_eq!(f.source, source);
                    self.rows.insert((source.clone(), f.key.clone()), f);
                }
            }
            FlagEvent::Remove(source) => self.rows.retain(|(s, _), _| *s != source),
            FlagEvent::Source { name, state } => {
                self.sources.insert(name, state);
            }
        }
    }

    fn get(&self, key: &str) -> Option<&Flag> {
        self.rows.values().find(|f| f.key == key)
    }
}

async fn until(
    rx: &mut mpsc::Receiver<FlagEvent>,
    screen: &mut Screen,
    what: &str,
    pred: impl Fn(&Screen) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !pred(screen) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(ev)) => screen.apply(ev),
            Ok(None) => panic!("the watcher ended while waiting for {what}"),
            Err(_) => panic!(
                "timed out waiting for {what}; rows: {:#?}; sources: {:?}",
                screen.rows.values().collect::<Vec<_>>(),
                screen.sources
            ),
        }
    }
}

async fn call(c: &kube::Client, method: &str, path: &str, ct: &str, body: &Value) -> Value {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", ct)
        .body(serde_json::to_vec(body).unwrap())
        .unwrap();
    c.request(req).await.unwrap()
}

fn default_of(s: &Screen, key: &str) -> Option<String> {
    s.get(key).and_then(|f| f.default_variant.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flagd_flags_are_watched_toggled_and_updated_live() {
    let sim = common::sim::casino_at_rest().await;
    let op = common::sim::client(&sim, "sim-operator").await;
    let other = common::sim::client(&sim, "sim-operator-2").await;

    // The operator's sample FeatureFlag, in the casino's namespace.
    let sample = std::fs::read_to_string(
        common::sim::fixtures()
            .join("openfeature/open-feature-operator/core_v1beta1_featureflag.yaml"),
    )
    .unwrap();
    let mut ff: Value = serde_saphyr::from_str(&sample).unwrap();
    ff["metadata"]["namespace"] = json!(NS);
    let ff_path = "/apis/core.openfeature.dev/v1beta1/namespaces/casino-prod/featureflags";
    call(&op, "POST", ff_path, "application/json", &ff).await;

    let (tx, mut rx) = mpsc::channel(64);
    let watcher = tokio::spawn(flags::run(
        op.clone(),
        NamespaceScope::Some(vec![NS.to_string()]),
        tx,
    ));
    let mut s = Screen::default();
    until(&mut rx, &mut s, "the first resync", |s| s.resyncs == 1).await;
    assert_eq!(s.sources.get(CONFIG_MAPS).map(String::as_str), Some("live"));
    assert_eq!(
        s.sources.get(FEATURE_FLAGS).map(String::as_str),
        Some("live")
    );
    let keys: Vec<&str> = s.rows.values().map(|f| f.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "bonus-wheel",
            "jackpot-banner",
            "new-slot-ui",
            "platform-read-only",
            "simple-flag"
        ]
    );
    assert!(
        s.rows.values().all(|f| f.invalid.is_none()),
        "{:#?}",
        s.rows
    );
    let ui = s.get("new-slot-ui").unwrap().clone();
    assert_eq!(
        ui.source,
        FlagSource::ConfigMap {
            namespace: NS.into(),
            name: "flags".into(),
            key: KEY.into()
        }
    );
    assert_eq!(ui.default_variant.as_deref(), Some("off"));
    assert!(s.get("bonus-wheel").unwrap().targeting);
    let simple = s.get("simple-flag").unwrap().clone();
    assert_eq!(
        simple.source,
        FlagSource::FeatureFlag {
            namespace: NS.into(),
            name: "featureflag-sample".into()
        }
    );

    // Toggle new-slot-ui: re-read the key, one merge patch carrying the resourceVersion.
    let (text, version) = flags::current_text(&op, &ui.source).await.unwrap();
    assert_eq!(version, ui.version);
    let target = flagd::toggle_target(&ui).unwrap();
    assert_eq!(target.as_deref(), Some("on"));
    let plan = flagd::set_default_variant(&ui, Some(&text), target.as_deref()).unwrap();
    flags::apply(&op, &plan).await.unwrap();
    until(&mut rx, &mut s, "new-slot-ui on", |s| {
        default_of(s, "new-slot-ui").as_deref() == Some("on")
    })
    .await;
    let (after, _) = flags::current_text(&op, &ui.source).await.unwrap();
    let reread = flagd::parse_definitions(&after, ui.source.clone(), NS, "x");
    let find = |k: &str| reread.iter().find(|f| f.key == k).unwrap().clone();
    assert_eq!(find("new-slot-ui").default_variant.as_deref(), Some("on"));
    assert_eq!(
        find("jackpot-banner").default_variant.as_deref(),
        Some("on")
    );
    assert_eq!(find("bonus-wheel"), {
        let mut b = s.get("bonus-wheel").unwrap().clone();
        b.version = "x".into();
        b
    });

    // The same toggle from the old look: 409, in the operator's words.
    let stale = flagd::set_default_variant(&ui, Some(&text), Some("on")).unwrap();
    let err = flags::apply(&op, &stale).await.unwrap_err();
    assert!(err.starts_with("changed since you looked"), "{err}");

    // The FeatureFlag: a merge patch of its defaultVariant.
    let target = flagd::toggle_target(&simple).unwrap();
    let plan = flagd::set_default_variant(&simple, None, target.as_deref()).unwrap();
    flags::apply(&op, &plan).await.unwrap();
    until(&mut rx, &mut s, "simple-flag off", |s| {
        default_of(s, "simple-flag").as_deref() == Some("off")
    })
    .await;

    // Another client turns jackpot-banner off: a live update.
    let (text, _) = flags::current_text(&other, &ui.source).await.unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["flags"]["jackpot-banner"]["defaultVariant"] = json!("off");
    let body = json!({"data": {KEY: doc.to_string()}});
    call(&other, "PATCH", CM, "application/merge-patch+json", &body).await;
    until(&mut rx, &mut s, "jackpot-banner off", |s| {
        default_of(s, "jackpot-banner").as_deref() == Some("off")
    })
    .await;

    // An invalid definition and an unreadable key show as rows with their reasons.
    doc["flags"]["platform-read-only"]["state"] = json!("OFF");
    let body = json!({"data": {KEY: doc.to_string(), "broken.flagd.json": "{\"flags\": {"}});
    call(&other, "PATCH", CM, "application/merge-patch+json", &body).await;
    until(&mut rx, &mut s, "the invalid rows", |s| {
        s.get("platform-read-only")
            .is_some_and(|f| f.invalid.is_some())
            && s.get(flagd::DEFINITIONS).is_some()
    })
    .await;
    assert_eq!(
        s.get("platform-read-only").unwrap().invalid.as_deref(),
        Some("flags.platform-read-only.state: \"OFF\" is not one of \"ENABLED\" or \"DISABLED\"")
    );
    let broken = s.get(flagd::DEFINITIONS).unwrap();
    assert!(
        broken
            .invalid
            .as_deref()
            .unwrap()
            .starts_with("not valid JSON"),
        "{broken:?}"
    );
    assert!(s.get("new-slot-ui").unwrap().invalid.is_none());
    let refused = flagd::set_state(s.get("platform-read-only").unwrap(), Some(&text), false);
    assert!(refused.unwrap_err().contains("are invalid"));

    // Removing the key removes its rows.
    let body = json!({"data": {"broken.flagd.json": null}});
    call(&other, "PATCH", CM, "application/merge-patch+json", &body).await;
    until(&mut rx, &mut s, "the broken key gone", |s| {
        s.get(flagd::DEFINITIONS).is_none()
    })
    .await;
    assert_eq!(s.resyncs, 1, "changes arrive as upserts and removals");
    watcher.abort();
}

/// An API server that serves ConfigMaps (none) and no `core.openfeature.dev` group.
async fn without_operator(discovery: Arc<AtomicUsize>) -> String {
    use axum::body::Body;
    use axum::http::{StatusCode, Uri};
    use axum::response::{IntoResponse, Response};

    let app = axum::Router::new().fallback(move |uri: Uri| {
        let discovery = discovery.clone();
        async move {
            let (path, query) = (uri.path(), uri.query().unwrap_or(""));
            if path.starts_with("/apis/core.openfeature.dev") {
                discovery.fetch_add(1, Ordering::SeqCst);
                let status = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "message": "the server could not find the requested resource",
                    "reason": "NotFound", "code": 404});
                return (StatusCode::NOT_FOUND, axum::Json(status)).into_response();
            }
            if path.ends_with("/configmaps") && query.contains("watch=true") {
                let never = futures::stream::pending::<Result<Vec<u8>, std::io::Error>>();
                return Response::new(Body::from_stream(never));
            }
            if path.ends_with("/configmaps") {
                let list = json!({"kind": "ConfigMapList", "apiVersion": "v1",
                    "metadata": {"resourceVersion": "1"}, "items": []});
                return axum::Json(list).into_response();
            }
            StatusCode::NOT_FOUND.into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_operator_feature_flags_are_not_installed_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let discovery = Arc::new(AtomicUsize::new(0));
    let url = without_operator(discovery.clone()).await;
    let client = kube::Client::try_from(kube::Config::new(url.parse().unwrap())).unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    let watcher = tokio::spawn(flags::run(
        client,
        NamespaceScope::Some(vec![NS.to_string()]),
        tx,
    ));
    let mut s = Screen::default();
    until(&mut rx, &mut s, "the first resync", |s| s.resyncs == 1).await;
    assert!(s.rows.is_empty());
    assert_eq!(
        s.sources.get(FEATURE_FLAGS).map(String::as_str),
        Some(
            "not installed: OpenFeature Operator (featureflags.core.openfeature.dev) is not installed"
        )
    );
    assert_eq!(s.sources.get(CONFIG_MAPS).map(String::as_str), Some("live"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    if let Ok(ev) = rx.try_recv() {
        panic!("nothing more should happen, got {ev:?}");
    }
    assert_eq!(
        discovery.load(Ordering::SeqCst),
        1,
        "asked once, never in a loop"
    );
    watcher.abort();
}
