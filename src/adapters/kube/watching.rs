//! What the overview's and the flags' watchers share: whether a kind is served, one watch
//! stream per namespace in scope (tagged with the kind's index and the namespace), the
//! status code of a watch error, objects as JSON.

use std::collections::HashSet;

use futures::StreamExt;
use futures::stream::BoxStream;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event as WatchEvent, watcher};
use serde_json::Value;

use crate::domain::scope::NamespaceScope;

/// A kind by its API coordinates.
#[derive(Debug, Clone, Copy)]
pub(super) struct Gvk {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
}

impl Gvk {
    pub fn api_resource(self) -> ApiResource {
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(self.group, self.version, self.kind),
            self.plural,
        )
    }
}

/// A watch stream's key: the kind's index and the namespace (`None`: all).
pub(super) type StreamKey = (usize, Option<String>);

/// One watch event, tagged with its stream.
pub(super) type Tagged = (
    usize,
    Option<String>,
    Result<WatchEvent<DynamicObject>, watcher::Error>,
);

/// What the kind's API server said about an error.
pub(super) fn status_code(e: &watcher::Error) -> Option<u16> {
    match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.code),
        watcher::Error::WatchError(s) => Some(s.code),
        _ => None,
    }
}

/// Whether the API server serves the kind (`None`: could not tell, e.g. it is down). The
/// core group is always served.
pub(super) async fn served(client: &kube::Client, k: Gvk) -> Option<bool> {
    if k.group.is_empty() {
        return Some(true);
    }
    match client
        .list_api_group_resources(&format!("{}/{}", k.group, k.version))
        .await
    {
        Ok(list) => Some(list.resources.iter().any(|r| r.name == k.plural)),
        Err(kube::Error::Api(s)) if s.code == 404 => Some(false),
        Err(_) => None,
    }
}

/// The namespaces to watch: `None` for all at once.
pub(super) fn scopes(namespaces: &NamespaceScope) -> Vec<Option<String>> {
    match namespaces {
        NamespaceScope::All => vec![None],
        NamespaceScope::Some(list) => list.iter().cloned().map(Some).collect(),
    }
}

/// One watch stream of kind `i` per scope, with the default backoff; each stream's key is
/// added to `pending` (its first list has not arrived).
pub(super) fn streams_of(
    client: &kube::Client,
    i: usize,
    k: Gvk,
    scopes: &[Option<String>],
    pending: &mut HashSet<StreamKey>,
) -> Vec<BoxStream<'static, Tagged>> {
    let ar = k.api_resource();
    scopes
        .iter()
        .map(|ns| {
            let api: Api<DynamicObject> = match ns {
                Some(n) => Api::namespaced_with(client.clone(), n, &ar),
                None => Api::all_with(client.clone(), &ar),
            };
            let key = ns.clone();
            pending.insert((i, key.clone()));
            watcher(api, watcher::Config::default())
                .default_backoff()
                .map(move |e| (i, key.clone(), e))
                .boxed()
        })
        .collect()
}

pub(super) fn to_json(o: DynamicObject) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}
