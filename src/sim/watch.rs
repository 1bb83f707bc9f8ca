//! Watch streams: newline-delimited `{"type","object"}` events, resumable from a
//! resourceVersion (410 when it is too old), with bookmarks, `timeoutSeconds`,
//! `sendInitialEvents`, selector transitions (an object leaving a selector is DELETED for
//! that watcher), and drops on demand (faults).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::catalog::ResourceDef;
use super::resources::present;
use super::selector::{FieldSelector, LabelSelector};
use super::server::{Req, Shared};
use super::status::ApiError;
use super::store::{Change, ChangeKind, res_key};

/// The default lifetime of a watch without `timeoutSeconds` (real servers pick 30–60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Filter {
    ns: String,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn matches(&self, obj: &Value) -> bool {
        let ns = obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        (self.ns.is_empty() || self.ns == ns)
            && self.labels.matches(obj)
            && self.fields.matches(obj)
    }

    /// What this watcher sees of a change, if anything.
    fn view(&self, c: &Change) -> Option<(&'static str, Value)> {
        let now = self.matches(&c.object);
        let before = c.prev.as_ref().is_some_and(|p| self.matches(p));
        match c.kind {
            ChangeKind::Deleted => before.then(|| ("DELETED", c.object.clone())),
            ChangeKind::Added => now.then(|| ("ADDED", c.object.clone())),
            ChangeKind::Modified => match (before, now) {
                (true, true) => Some(("MODIFIED", c.object.clone())),
                (false, true) => Some(("ADDED", c.object.clone())),
                (true, false) => Some(("DELETED", c.object.clone())),
                (false, false) => None,
            },
        }
    }
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut s = json!({"type": kind, "object": object}).to_string();
    s.push('\n');
    Bytes::from(s)
}

fn error_line(e: &ApiError) -> Bytes {
    line("ERROR", &e.status())
}

fn bookmark(def: &ResourceDef, rv: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(
        "BOOKMARK",
        &json!({"kind": def.kind, "apiVersion": def.api_version(), "metadata": meta}),
    )
}

/// Starts a watch; the response streams until timeout, a drop, or the client leaves.
pub fn respond(
    sim: Arc<Shared>,
    req: &Req<'_>,
    def: &'static ResourceDef,
    ns: &str,
) -> Result<Response, ApiError> {
    let filter = Filter {
        ns: ns.to_string(),
        labels: LabelSelector::parse(req.param("labelSelector").unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?,
        fields: FieldSelector::parse(req.param("fieldSelector").unwrap_or(""), "Event")
            .map_err(ApiError::bad_request)?,
    };
    let bookmarks = req.flag("allowWatchBookmarks");
    let send_initial = req.flag("sendInitialEvents");
    let timeout = req
        .param("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let rv_param = req.param("resourceVersion").unwrap_or("").to_string();
    let res = res_key(def);
    let (initial, backlog, rx, start_rv) = {
        let store = sim
            .store
            .lock()
            .map_err(|_| ApiError::internal("store lock poisoned"))?;
        let current = store.resource_version();
        let from_rv: Option<u64> = match rv_param.as_str() {
            "" | "0" => None,
            n => Some(
                n.parse()
                    .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {n:?}")))?,
            ),
        };
        match from_rv {
            Some(from) if !send_initial => {
                let gone_once = sim
                    .faults
                    .lock()
                    .map(|mut f| std::mem::take(&mut f.gone_once))
                    .unwrap_or(false);
                if gone_once {
                    return Ok(gone_stream(format!(
                        "too old resource version: {from} ({current}) (simulated fault gone)"
                    )));
                }
                match store.subscribe(&res, from) {
                    Ok((backlog, rx)) => (Vec::new(), backlog, rx, from),
                    Err(e) => return Ok(gone_stream(e.message)),
                }
            }
            _ => {
                let ns_opt = (!ns.is_empty()).then_some(ns);
                let objs: Vec<Value> = store
                    .list(def, ns_opt)
                    .into_iter()
                    .filter(|o| filter.matches(o))
                    .collect();
                (objs, Vec::new(), store.receiver(), current)
            }
        }
    };
    let (tx, body_rx) = mpsc::channel::<Bytes>(256);
    let mut drops = sim.drop_watches.subscribe();
    let every = sim.bookmark_every;
    tokio::spawn(async move {
        let mut last_rv = start_rv;
        for obj in &initial {
            if tx.send(line("ADDED", &present(def, obj))).await.is_err() {
                return;
            }
        }
        if send_initial && tx.send(bookmark(def, last_rv, true)).await.is_err() {
            return;
        }
        for c in backlog {
            last_rv = last_rv.max(c.rv);
            if let Some((kind, obj)) = filter.view(&c)
                && tx.send(line(kind, &present(def, &obj))).await.is_err()
            {
                return;
            }
        }
        pump(
            rx, tx, filter, def, &res, last_rv, bookmarks, every, timeout, &mut drops,
        )
        .await;
    });
    let stream = futures::stream::unfold(body_rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    Ok((
        StatusCode::OK,
        [("content-type", "application/json")],
        Body::from_stream(stream),
    )
        .into_response())
}

#[allow(clippy::too_many_arguments)]
async fn pump(
    mut rx: broadcast::Receiver<Arc<Change>>,
    tx: mpsc::Sender<Bytes>,
    filter: Filter,
    def: &'static ResourceDef,
    res: &(String, String),
    mut last_rv: u64,
    bookmarks: bool,
    every: Duration,
    timeout: Duration,
    drops: &mut tokio::sync::watch::Receiver<u64>,
) {
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tokio::select! {
            () = &mut deadline => return,
            _ = drops.changed() => return,
            () = tx.closed() => return,
            _ = tick.tick(), if bookmarks => {
                if tx.send(bookmark(def, last_rv, false)).await.is_err() {
                    return;
                }
            }
            got = rx.recv() => match got {
                Ok(c) => {
                    if &c.res != res {
                        continue;
                    }
                    last_rv = last_rv.max(c.rv);
                    if let Some((kind, obj)) = filter.view(&c)
                        && tx.send(line(kind, &present(def, &obj))).await.is_err()
                    {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Too slow to keep up: as a real server, end with 410 so the client relists.
                    let _ = tx.send(error_line(&ApiError::gone("watch fell behind; relist"))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

/// A watch answered with one ERROR event carrying 410 Gone (the real server's way).
fn gone_stream(message: String) -> Response {
    let body = error_line(&ApiError::gone(message));
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        Body::from(body),
    )
        .into_response()
}
