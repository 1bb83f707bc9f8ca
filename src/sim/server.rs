//! The HTTP entry: one listener for the Kubernetes API, the control API (`/sim/v1/…`),
//! `/metrics` and the service proxy. Paths are normalised (trailing and double slashes),
//! requests authenticated by bearer token, faults applied, and every request logged.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::Identity;
use super::crds::Catalog;
use super::discovery;
use super::faults::{Call, Faults, Verdict};
use super::openapi;
use super::proxy::ProxyRegistry;
use super::reqlog::{Record, RequestLog, body_value};
use super::resources;
use super::status::ApiError;
use super::store::{Store, now_rfc3339};

/// Everything the handlers share.
pub struct Shared {
    pub store: Mutex<Store>,
    pub faults: Mutex<Faults>,
    pub log: Mutex<RequestLog>,
    pub proxies: RwLock<ProxyRegistry>,
    pub identities: Vec<Identity>,
    /// Bumped to end every open watch stream.
    pub drop_watches: tokio::sync::watch::Sender<u64>,
    pub bookmark_every: Duration,
    pub catalog: &'static Catalog,
    /// `127.0.0.1:PORT`, as `/api` advertises it.
    pub address: String,
    /// The simulated world (controllers, clock, story). Lock it before the store.
    pub world: Mutex<super::world::World>,
    /// The wall time objects are written with (real, or replayed).
    pub timeline: super::timeline::Timeline,
}

impl Shared {
    pub fn drop_all_watches(&self) {
        self.drop_watches.send_modify(|g| *g += 1);
    }
}

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// Collapses repeated slashes and drops a trailing one.
pub fn normalize(path: &str) -> String {
    let joined: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    format!("/{}", joined.join("/"))
}

/// What the request handlers get.
pub struct Req<'a> {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The query string as sent (the Prometheus API parses it with Go's rules).
    pub raw_query: String,
    pub headers: &'a HeaderMap,
    pub body: Bytes,
    pub identity: Option<&'a Identity>,
}

impl Req<'_> {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.param(key), Some("true" | "1"))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn wants_table(&self) -> bool {
        self.headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("as=Table"))
    }
}

async fn handle(State(sim): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, 64 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::bad_request(format!("cannot read the body: {e}")).into_response();
        }
    };
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let query: Vec<(String, String)> = url_pairs(&raw_query);
    let identity = authenticate(&sim.identities, &parts.headers);
    let req = Req {
        method: parts.method.clone(),
        path: normalize(parts.uri.path()),
        query,
        raw_query: raw_query.clone(),
        headers: &parts.headers,
        body,
        identity,
    };
    let response = route(&sim, &req).await;
    let record = Record {
        seq: 0,
        at: now_rfc3339(chrono::Utc::now()),
        method: req.method.to_string(),
        path: req.path.clone(),
        query: raw_query,
        content_type: req.content_type().to_string(),
        body: body_value(&req.body),
        identity: identity.map_or_else(|| "anonymous".to_string(), |i| i.name.clone()),
        status: response.status().as_u16(),
    };
    if !req.path.starts_with("/sim/v1/")
        && let Ok(mut log) = sim.log.lock()
    {
        log.push(record);
    }
    response
}

/// The query string's pairs, decoded as a form (`%XX`, `+` is a space).
fn url_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn authenticate<'a>(ids: &'a [Identity], headers: &HeaderMap) -> Option<&'a Identity> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    ids.iter().find(|i| i.token == token)
}

pub fn json_response(code: StatusCode, v: &Value) -> Response {
    (code, axum::Json(v.clone())).into_response()
}

async fn route(sim: &Arc<Shared>, req: &Req<'_>) -> Response {
    let path = req.path.as_str();
    if let Some(control) = path.strip_prefix("/sim/v1/") {
        return super::control::control_api(sim, req, control);
    }
    match path {
        "/healthz" | "/readyz" | "/livez" => return (StatusCode::OK, "ok").into_response(),
        "/metrics" => {
            let text = sim
                .world
                .lock()
                .map(|w| super::traffic::expo::render(&w.metrics.traffic, w.metrics.now()))
                .unwrap_or_default();
            return (
                StatusCode::OK,
                [("content-type", super::traffic::expo::CONTENT_TYPE)],
                text,
            )
                .into_response();
        }
        "/api/v1/query" | "/api/v1/query_range" => {
            let (code, body) = sim
                .world
                .lock()
                .map(|w| {
                    super::traffic::query::api(
                        &w.metrics.traffic,
                        path,
                        req.method.as_str(),
                        &req.raw_query,
                        &req.body,
                        req.content_type(),
                        w.metrics.now(),
                    )
                })
                .unwrap_or((500, json!({"status": "error", "errorType": "internal", "error": "world lock poisoned"})));
            let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (code, axum::Json(body)).into_response();
        }
        _ => {}
    }
    let kube_path = path == "/version"
        || path == "/api"
        || path == "/apis"
        || path.starts_with("/api/")
        || path.starts_with("/apis/")
        || path.starts_with("/openapi");
    if !kube_path {
        return ApiError::no_route(path).into_response();
    }
    if sim
        .faults
        .lock()
        .map(|mut f| f.api_down(Instant::now()))
        .unwrap_or(false)
    {
        return ApiError::unavailable("the API server is down (simulated fault api-down)")
            .into_response();
    }
    if let Some(resp) = discovery_route(sim, path) {
        return resp;
    }
    let Some(identity) = req.identity else {
        return ApiError::unauthorized().into_response();
    };
    let (resource, subresource) = resource_of(path);
    let call = Call {
        identity: &identity.name,
        method: req.method.as_str(),
        resource,
        subresource,
    };
    let verdict = sim
        .faults
        .lock()
        .map(|mut f| f.verdict(Instant::now(), &call))
        .unwrap_or(Verdict::Proceed { delay: None });
    match verdict {
        Verdict::Unavailable => {
            return ApiError::unavailable("the API server is down (simulated fault)")
                .into_response();
        }
        Verdict::InternalError => {
            return ApiError::internal("simulated internal error (fault api-500)").into_response();
        }
        Verdict::Throttled(s) => return ApiError::too_many_requests(s).into_response(),
        Verdict::Forbidden => {
            return ApiError::forbidden_raw(format!(
                "User \"{}\" is forbidden here (simulated fault forbidden)",
                identity.name
            ))
            .into_response();
        }
        Verdict::NoStatus | Verdict::Conflict => {
            if let Some(resp) = write_fault(sim, req, identity, &verdict) {
                return resp;
            }
        }
        Verdict::Proceed { delay: Some(d) } => tokio::time::sleep(d).await,
        Verdict::Proceed { delay: None } => {}
    }
    match resources::handle(sim, req, identity).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

/// `no-status` (404) and `conflict` (409), answered as a real API server would: only to
/// requests RBAC lets through (the handler answers 403 to the others), a conflict only on
/// an object that exists.
fn write_fault(
    sim: &Shared,
    req: &Req<'_>,
    identity: &Identity,
    verdict: &Verdict,
) -> Option<Response> {
    let t = resources::parse_target(sim, &req.path).ok()?;
    let name = t.name.as_deref()?;
    let verb = match req.method.as_str() {
        "GET" => "get",
        "PUT" => "update",
        _ => "patch",
    };
    let resource = match &t.sub {
        Some(s) => format!("{}/{s}", t.def.plural),
        None => t.def.plural.clone(),
    };
    if !super::auth::allowed(identity.rights, verb, &t.def.group, &resource) {
        return None;
    }
    let error = if *verdict == Verdict::NoStatus {
        ApiError {
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource".into(),
            details: Some(json!({})),
            retry_after: None,
        }
    } else {
        resources::get(sim, &t, name).ok()?;
        ApiError::conflict(t.def, name)
    };
    Some(error.into_response())
}

/// The resource and subresource a Kubernetes path is about, for faults scoped to a
/// resource: `("rollouts", "status")` for `…/namespaces/x/rollouts/y/status`.
fn resource_of(path: &str) -> (&str, &str) {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let rest = match segs.as_slice() {
        ["api", _, rest @ ..] | ["apis", _, _, rest @ ..] => rest,
        _ => return ("", ""),
    };
    match rest {
        ["namespaces", _, plural, _, sub, ..] => (plural, sub),
        ["namespaces", _, plural, ..] => (plural, ""),
        [first, _, sub, ..] => (first, sub),
        [first, ..] => (first, ""),
        [] => ("", ""),
    }
}

fn discovery_route(sim: &Shared, path: &str) -> Option<Response> {
    let found = |v: Option<Value>| match v {
        Some(v) => json_response(StatusCode::OK, &v),
        None => ApiError::no_route(path).into_response(),
    };
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match segs.as_slice() {
        ["version"] => json_response(StatusCode::OK, &discovery::version_info()),
        ["api"] => json_response(
            StatusCode::OK,
            &discovery::core_api_versions_at(&sim.address),
        ),
        ["apis"] => json_response(StatusCode::OK, &discovery::api_group_list(sim.catalog)),
        ["api", v] => found(discovery::api_resource_list(sim.catalog, "", v)),
        ["apis", g] => found(api_group(sim, g)),
        ["apis", g, v] => found(discovery::api_resource_list(sim.catalog, g, v)),
        ["openapi", "v3"] => json_response(StatusCode::OK, &openapi::root(sim.catalog)),
        ["openapi", "v3", "api", v] => found(openapi::group_version(sim.catalog, "", v)),
        ["openapi", "v3", "apis", g, v] => found(openapi::group_version(sim.catalog, g, v)),
        ["openapi", ..] => ApiError::no_route(path).into_response(),
        _ => return None,
    })
}

/// `GET /apis/{group}`: the group's versions.
fn api_group(sim: &Shared, group: &str) -> Option<Value> {
    let list = discovery::api_group_list(sim.catalog);
    list.get("groups")?
        .as_array()?
        .iter()
        .find(|g| g.get("name").and_then(Value::as_str) == Some(group))
        .map(|g| {
            let mut g = g.clone();
            g["kind"] = json!("APIGroup");
            g["apiVersion"] = json!("v1");
            g
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_queries_are_normalised() {
        assert_eq!(normalize("/version/"), "/version");
        assert_eq!(normalize("//api//v1/"), "/api/v1");
        assert_eq!(normalize("/"), "/");
        for (path, want) in [
            (
                "/api/v1/namespaces/default/configmaps/x",
                ("configmaps", ""),
            ),
            ("/apis/argoproj.io/v1alpha1/rollouts", ("rollouts", "")),
            ("/api/v1/namespaces/default", ("namespaces", "")),
            (
                "/apis/argoproj.io/v1alpha1/namespaces/p/rollouts/x/status",
                ("rollouts", "status"),
            ),
            ("/api/v1/nodes/n1/status", ("nodes", "status")),
        ] {
            assert_eq!(resource_of(path), want, "{path}");
        }
        assert_eq!(
            url_pairs("a%3Db%2Cc=x+y%"),
            vec![("a=b,c".to_string(), "x y%".to_string())]
        );
        assert_eq!(
            url_pairs("watch=true&labelSelector=app%3Dx&x"),
            vec![
                ("watch".to_string(), "true".to_string()),
                ("labelSelector".to_string(), "app=x".to_string()),
                ("x".to_string(), String::new())
            ]
        );
    }
}
