//! Admission: what a real API server does to an object between the request and the store.
//! System fields (uid, creationTimestamp, generation, resourceVersion), the status
//! subresource split, optimistic concurrency, and for custom kinds schema defaults, pruning
//! of unknown fields and validation (422 with the server's causes). Loading recorded
//! objects (`Mode::Load`) keeps them exactly as recorded.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::auth::random_uid;
use super::catalog::ResourceDef;
use super::schema::{self, FieldError};
use super::status::ApiError;
use super::store::{ChangeKind, Part, Store, now_rfc3339, obj_key};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A client request: full admission.
    Api,
    /// A recorded object from `--load`: stored as it is (status, uid, timestamps kept).
    Load,
}

fn meta_str<'a>(obj: &'a Value, key: &str) -> &'a str {
    obj.pointer(&format!("/metadata/{key}"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn remove(obj: &mut Value, key: &str) {
    if let Some(m) = obj.as_object_mut() {
        m.remove(key);
    }
}

/// Everything but metadata and status: a change bumps `metadata.generation`.
fn body_of(obj: &Value) -> Value {
    let mut v = obj.clone();
    remove(&mut v, "metadata");
    remove(&mut v, "status");
    v
}

fn tracks_generation(def: &ResourceDef) -> bool {
    def.custom || def.status_subresource && def.plural != "namespaces"
}

/// RFC 1123 subdomain, as Kubernetes requires of built-in object names.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn invalid(def: &ResourceDef, name: &str, errors: &[FieldError]) -> ApiError {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    ApiError::invalid_with(
        schema::invalid_message(def, name, &lines),
        json!({
            "name": name,
            "group": def.group,
            "kind": def.kind,
            "causes": errors.iter().map(FieldError::to_cause).collect::<Vec<_>>(),
        }),
    )
}

/// Defaults, pruning and validation of a custom object (API writes only).
fn admit_custom(
    def: &ResourceDef,
    obj: &mut Value,
    name: &str,
    creating: bool,
) -> Result<(), ApiError> {
    schema::apply_defaults(def, obj);
    schema::prune_unknown(def, obj);
    let checked = if creating {
        schema::validate_causes(def, obj)
    } else {
        schema::validate_update_causes(def, obj)
    };
    checked.map_err(|errs| invalid(def, name, &errs))
}

/// Creates the namespace object if it does not exist.
pub fn ensure_namespace(store: &mut Store, ns_def: &ResourceDef, ns: &str, now: DateTime<Utc>) {
    if ns.is_empty() || store.namespace_exists(ns) {
        return;
    }
    let obj = json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    });
    let _ = create(store, ns_def, "", obj, now, Mode::Load);
}

pub fn create(
    store: &mut Store,
    def: &ResourceDef,
    ns: &str,
    mut obj: Value,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<Value, ApiError> {
    if !obj.is_object() {
        return Err(ApiError::bad_request("the body is not a JSON object"));
    }
    let api = mode == Mode::Api;
    let mut name = meta_str(&obj, "name").to_string();
    if name.is_empty() {
        let prefix = meta_str(&obj, "generateName");
        if prefix.is_empty() {
            return Err(ApiError::unprocessable(format!(
                "{} is invalid: metadata.name: Required value: name or generateName is required",
                def.kind
            )));
        }
        name = format!("{prefix}{}", &random_uid()[..5]);
    }
    if api && !def.custom && !valid_name(&name) {
        return Err(invalid(
            def,
            &name,
            &[FieldError {
                reason: "FieldValueInvalid",
                field: "metadata.name".into(),
                message: format!(
                    "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
                ),
            }],
        ));
    }
    let body_ns = meta_str(&obj, "namespace").to_string();
    if def.namespaced && !body_ns.is_empty() && body_ns != ns {
        return Err(ApiError::bad_request(format!(
            "the namespace of the provided object ({body_ns}) does not match the namespace sent on the request ({ns})"
        )));
    }
    let key = obj_key(def, ns, &name);
    if store.contains(def, &key) {
        return Err(ApiError::already_exists(def, &name));
    }
    if def.status_subresource && api {
        remove(&mut obj, "status");
    }
    obj["metadata"]["name"] = json!(name);
    if def.namespaced {
        obj["metadata"]["namespace"] = json!(ns);
    } else if let Some(m) = obj["metadata"].as_object_mut() {
        m.remove("namespace");
    }
    if api || meta_str(&obj, "uid").is_empty() {
        obj["metadata"]["uid"] = json!(random_uid());
    }
    if api
        || obj
            .pointer("/metadata/creationTimestamp")
            .is_none_or(Value::is_null)
    {
        obj["metadata"]["creationTimestamp"] = json!(now_rfc3339(now));
    }
    if tracks_generation(def) && (api || obj.pointer("/metadata/generation").is_none()) {
        obj["metadata"]["generation"] = json!(1);
    }
    if api || obj.get("apiVersion").is_none() {
        obj["apiVersion"] = json!(def.api_version());
        obj["kind"] = json!(def.kind);
    }
    if api && def.custom {
        admit_custom(def, &mut obj, &name, true)?;
    }
    Ok(store.commit(def, key, obj, None, ChangeKind::Added))
}

/// Replaces an object (PUT, or the result of a PATCH) with the semantics of `part`.
/// `require_rv` makes a missing resourceVersion an error (updates of custom kinds).
pub fn replace(
    store: &mut Store,
    def: &ResourceDef,
    ns: &str,
    name: &str,
    incoming: Value,
    part: Part,
    require_rv: bool,
) -> Result<Value, ApiError> {
    let prev = store.get(def, ns, name)?;
    if !incoming.is_object() {
        return Err(ApiError::bad_request("the body is not a JSON object"));
    }
    let body_name = meta_str(&incoming, "name");
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let sent_rv = meta_str(&incoming, "resourceVersion");
    if sent_rv.is_empty() && require_rv {
        return Err(invalid(
            def,
            name,
            &[FieldError {
                reason: "FieldValueInvalid",
                field: "metadata.resourceVersion".into(),
                message: "Invalid value: 0x0: must be specified for an update".into(),
            }],
        ));
    }
    if !sent_rv.is_empty() && sent_rv != meta_str(&prev, "resourceVersion") {
        return Err(ApiError::conflict(def, name));
    }
    let keep_status = |mut n: Value, from: &Value| {
        match from.get("status") {
            Some(s) => n["status"] = s.clone(),
            None => remove(&mut n, "status"),
        }
        n
    };
    let mut next = match part {
        Part::Status => keep_status(prev.clone(), &incoming),
        Part::Main if def.status_subresource => keep_status(incoming, &prev),
        Part::Main => incoming,
    };
    // System fields stay the server's.
    for k in [
        "uid",
        "creationTimestamp",
        "namespace",
        "name",
        "generation",
    ] {
        match prev.pointer(&format!("/metadata/{k}")) {
            Some(v) => next["metadata"][k] = v.clone(),
            None => {
                if let Some(m) = next["metadata"].as_object_mut() {
                    m.remove(k);
                }
            }
        }
    }
    next["apiVersion"] = prev
        .get("apiVersion")
        .cloned()
        .unwrap_or(json!(def.api_version()));
    next["kind"] = prev.get("kind").cloned().unwrap_or(json!(def.kind));
    next["metadata"]["resourceVersion"] = prev["metadata"]["resourceVersion"].clone();
    if def.custom {
        admit_custom(def, &mut next, name, false)?;
    }
    if next == prev {
        return Ok(prev);
    }
    if part == Part::Main && tracks_generation(def) && body_of(&next) != body_of(&prev) {
        let g = prev
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        next["metadata"]["generation"] = json!(g + 1);
    }
    let key = obj_key(def, ns, name);
    Ok(store.commit(def, key, next, Some(prev), ChangeKind::Modified))
}
