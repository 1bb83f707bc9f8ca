//! Resource requests: path parsing, RBAC, and get / list / watch / create / update / patch /
//! delete with the semantics of a real API server (status subresource, optimistic
//! concurrency, Tables, pagination, reviews, scale, service proxy).

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::admit;
use super::auth::{self, Identity};
use super::catalog::ResourceDef;
use super::events;
use super::patch::{PatchType, apply_patch};
use super::proto;
use super::server::{Req, Shared};
use super::status::ApiError;
use super::store::Part;
use super::table::{IncludeObject, table};
use super::watch;

/// A parsed resource path.
pub struct Target<'a> {
    pub def: &'a ResourceDef,
    /// Namespace from the path ("" for cluster scope or all namespaces).
    pub ns: String,
    pub name: Option<String>,
    pub sub: Option<String>,
    /// The rest of the path after a proxy subresource.
    pub rest: String,
}

pub fn parse_target(sim: &Shared, path: &str) -> Result<Target<'static>, ApiError> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Err(ApiError::no_route(path)),
    };
    let find = |plural: &str| {
        sim.catalog
            .find(group, version, plural)
            .ok_or_else(|| ApiError::no_route(path))
    };
    let target = |def, ns: &str, name: Option<&&str>, sub: Option<&&str>, rest: &[&str]| Target {
        def,
        ns: ns.to_string(),
        name: name.map(|s| s.to_string()),
        sub: sub.map(|s| s.to_string()),
        rest: format!("/{}", rest.join("/")),
    };
    match rest {
        ["namespaces", ns, plural, tail @ ..] if !matches!(*plural, "status" | "finalize") => {
            let def = find(plural)?;
            if !def.namespaced {
                return Err(ApiError::no_route(path));
            }
            Ok(target(
                def,
                ns,
                tail.first(),
                tail.get(1),
                tail.get(2..).unwrap_or(&[]),
            ))
        }
        [plural, tail @ ..] => {
            let def = find(plural)?;
            if def.namespaced && !tail.is_empty() {
                return Err(ApiError::no_route(path));
            }
            Ok(target(
                def,
                "",
                tail.first(),
                tail.get(1),
                tail.get(2..).unwrap_or(&[]),
            ))
        }
        [] => Err(ApiError::no_route(path)),
    }
}

fn verb_of(method: &Method, has_name: bool, watching: bool) -> &'static str {
    match (method.as_str(), has_name) {
        ("GET", _) if watching => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", false) => "deletecollection",
        ("DELETE", true) => "delete",
        _ => "unknown",
    }
}

pub fn ok(v: &Value) -> Result<Response, ApiError> {
    Ok((StatusCode::OK, axum::Json(v.clone())).into_response())
}

/// The object as served at `def`'s group/version.
pub fn present(def: &ResourceDef, obj: &Value) -> Value {
    if def.plural == "events" && def.group == "events.k8s.io" {
        events::core_to_events_v1(obj)
    } else {
        obj.clone()
    }
}

pub async fn handle(sim: &Arc<Shared>, req: &Req<'_>, id: &Identity) -> Result<Response, ApiError> {
    let t = parse_target(sim, &req.path)?;
    let watching = req.flag("watch");
    let verb = verb_of(&req.method, t.name.is_some(), watching);
    let resource = match &t.sub {
        Some(s) => format!("{}/{s}", t.def.plural),
        None => t.def.plural.clone(),
    };
    if !auth::allowed(id.rights, verb, &t.def.group, &resource) {
        return Err(ApiError::forbidden(
            &id.name,
            verb,
            t.def,
            &t.ns,
            t.name.as_deref().unwrap_or(""),
        ));
    }
    if t.def.namespaced && t.ns.is_empty() && !matches!(verb, "list" | "watch") {
        return Err(ApiError::no_route(&req.path));
    }
    let now = sim.timeline.now();
    match (req.method.as_str(), t.name.as_deref(), t.sub.as_deref()) {
        ("GET", None, _) if watching => Ok(watch::respond(sim.clone(), req, t.def, &t.ns)?),
        ("GET", None, _) => super::list::list(sim, req, &t),
        (_, Some(_), Some("proxy")) => super::proxy::forward(sim, req, &t).await,
        ("GET", Some(name), Some("scale")) => ok(&scale_of(&get(sim, &t, name)?)),
        ("GET", Some(name), _) => {
            let obj = present(t.def, &get(sim, &t, name)?);
            if req.wants_table() {
                let rv = sim.store.lock().map(|s| s.resource_version()).unwrap_or(0);
                return ok(&table(
                    t.def,
                    &[obj],
                    IncludeObject::from_query(req.param("includeObject")),
                    &rv.to_string(),
                    now,
                ));
            }
            ok(&obj)
        }
        ("POST", None, _) => create(sim, req, &t, id, now),
        ("PUT", Some(name), sub) => {
            let body: Value = parse_json(&req.body)?;
            let body = if t.def.group == "events.k8s.io" {
                events::events_v1_to_core(&body)
            } else {
                body
            };
            let mut store = lock(sim)?;
            let part = part_of(t.def, sub)?;
            strict_check(t.def, req, &body)?;
            let out = admit::replace(&mut store, t.def, &t.ns, name, body, part, t.def.custom)?;
            ok(&present(t.def, &out))
        }
        ("PATCH", Some(name), sub) => {
            let kind = PatchType::from_content_type(req.content_type()).ok_or_else(|| {
                ApiError::unsupported_media(format!(
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json{}",
                    if t.def.custom { "" } else { ", application/strategic-merge-patch+json" }
                ))
            })?;
            let mut store = lock(sim)?;
            let current = store.get(t.def, &t.ns, name)?;
            if sub == Some("scale") {
                let scale = scale_of(&current);
                let patched = apply_patch(&scale, kind, &req.body, true).map_err(patch_error)?;
                let mut next = current.clone();
                next["spec"]["replicas"] = patched
                    .pointer("/spec/replicas")
                    .cloned()
                    .unwrap_or(json!(0));
                let out = admit::replace(&mut store, t.def, &t.ns, name, next, Part::Main, false)?;
                return ok(&scale_of(&out));
            }
            let part = part_of(t.def, sub)?;
            let patched = apply_patch(&present(t.def, &current), kind, &req.body, !t.def.custom)
                .map_err(patch_error)?;
            let patched = if t.def.group == "events.k8s.io" {
                events::events_v1_to_core(&patched)
            } else {
                patched
            };
            // The patched object carries the current resourceVersion unless the patch set
            // one: then it is a precondition (409 when someone changed the object meanwhile).
            strict_check(t.def, req, &patched)?;
            let out = admit::replace(&mut store, t.def, &t.ns, name, patched, part, false)?;
            ok(&present(t.def, &out))
        }
        ("DELETE", Some(name), None) => {
            let out = lock(sim)?.delete(t.def, &t.ns, name)?;
            ok(&present(t.def, &out))
        }
        (m, _, _) => Err(ApiError::method_not_allowed(format!(
            "{m} is not supported on {}",
            req.path
        ))),
    }
}

/// `fieldValidation=Strict` (kubectl's default): unknown fields of a custom object are a
/// 400, as on a real server; otherwise they are pruned silently.
fn strict_check(def: &ResourceDef, req: &Req<'_>, body: &Value) -> Result<(), ApiError> {
    if def.custom && req.param("fieldValidation") == Some("Strict") {
        let mut probe = body.clone();
        let unknown = super::schema::prune_unknown(def, &mut probe);
        if !unknown.is_empty() {
            let list: Vec<String> = unknown
                .iter()
                .map(|f| format!("unknown field \"{f}\""))
                .collect();
            return Err(ApiError::bad_request(format!(
                "strict decoding error: {}",
                list.join(", ")
            )));
        }
    }
    Ok(())
}

pub fn lock(sim: &Shared) -> Result<std::sync::MutexGuard<'_, super::store::Store>, ApiError> {
    sim.store
        .lock()
        .map_err(|_| ApiError::internal("store lock poisoned"))
}

pub fn get(sim: &Shared, t: &Target<'_>, name: &str) -> Result<Value, ApiError> {
    lock(sim)?.get(t.def, &t.ns, name)
}

fn part_of(def: &ResourceDef, sub: Option<&str>) -> Result<Part, ApiError> {
    match sub {
        None => Ok(Part::Main),
        Some("status") if def.status_subresource => Ok(Part::Status),
        Some(other) => Err(ApiError::no_route(&format!("{}/{other}", def.plural))),
    }
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

fn patch_error(e: super::patch::PatchError) -> ApiError {
    use super::patch::PatchError;
    match e {
        PatchError::Malformed(m) => ApiError::bad_request(m),
        PatchError::Unprocessable(m) => ApiError::unprocessable(m),
        PatchError::Unsupported(m) => ApiError::unsupported_media(m),
    }
}

fn scale_of(obj: &Value) -> Value {
    let selector = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": obj.pointer("/metadata/name"),
            "namespace": obj.pointer("/metadata/namespace"),
            "uid": obj.pointer("/metadata/uid"),
            "resourceVersion": obj.pointer("/metadata/resourceVersion"),
            "creationTimestamp": obj.pointer("/metadata/creationTimestamp"),
        },
        "spec": {"replicas": obj.pointer("/spec/replicas").cloned().unwrap_or(json!(0))},
        "status": {
            "replicas": obj.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
            "selector": selector,
        },
    })
}

fn create(
    sim: &Shared,
    req: &Req<'_>,
    t: &Target<'_>,
    id: &Identity,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response, ApiError> {
    let review = matches!(
        t.def.plural.as_str(),
        "selfsubjectreviews" | "selfsubjectaccessreviews"
    );
    let body = if proto::is_protobuf(req.content_type()) {
        if !review {
            return Err(ApiError::unsupported_media(
                "the simulator reads protobuf only for access reviews; send application/json",
            ));
        }
        proto::decode_review(&req.body)
            .map_err(|e| ApiError::bad_request(format!("protobuf body: {e}")))?
    } else {
        parse_json(&req.body)?
    };
    match t.def.plural.as_str() {
        "selfsubjectreviews" => {
            return Ok((
                StatusCode::CREATED,
                axum::Json(auth::self_subject_review(id, &body)),
            )
                .into_response());
        }
        "selfsubjectaccessreviews" => {
            return Ok((
                StatusCode::CREATED,
                axum::Json(auth::self_subject_access_review(id, &body)),
            )
                .into_response());
        }
        _ => {}
    }
    let body = if t.def.group == "events.k8s.io" {
        events::events_v1_to_core(&body)
    } else {
        body
    };
    let mut store = lock(sim)?;
    if t.def.namespaced && !store.namespace_exists(&t.ns) {
        return Err(ApiError::namespace_not_found(&t.ns));
    }
    if req.flag("dryRun") || req.param("dryRun") == Some("All") {
        return Ok((StatusCode::CREATED, axum::Json(body)).into_response());
    }
    strict_check(t.def, req, &body)?;
    let out = admit::create(&mut store, t.def, &t.ns, body, now, admit::Mode::Api)?;
    Ok((StatusCode::CREATED, axum::Json(present(t.def, &out))).into_response())
}
