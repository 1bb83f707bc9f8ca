//! The Kubernetes side of CRD validation: converting a structural `openAPIV3Schema` into a
//! JSON Schema `jsonschema` understands, and the walks a real server makes over an object
//! before validating it (null pruning, defaulting, unknown-field pruning, embedded resources,
//! the object name).

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

use super::FieldError;

/// Prefix of the format names registered with `jsonschema` (so its own checks never apply).
pub const FORMAT_PREFIX: &str = "k8s-";

/// Keywords that only annotate, and the CEL rules this simulator does not evaluate.
const DROPPED: &[&str] = &[
    "description",
    "default",
    "example",
    "externalDocs",
    "title",
    "x-kubernetes-validations",
];

fn flag(node: &Value, key: &str) -> bool {
    node.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn nullable(node: &Value) -> bool {
    flag(node, "nullable")
}

/// The type a node declares, as the server prints it in type errors (`integer,string` for
/// int-or-string).
pub fn declared_type(node: &Value) -> String {
    if flag(node, "x-kubernetes-int-or-string") {
        return "integer,string".to_string();
    }
    match node.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

/// The formats a real server enforces that this simulator checks too; every other format is
/// dropped, as the server drops the ones it does not support (`int32`, `int64`, `url`, ...).
fn supported_format(format: &str) -> Option<&'static str> {
    match format.replace('-', "").as_str() {
        "datetime" => Some("date-time"),
        "date" => Some("date"),
        _ => None,
    }
}

fn is_datetime(s: &str) -> bool {
    DateTime::parse_from_rfc3339(s).is_ok()
        || ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
            .iter()
            .any(|f| NaiveDateTime::parse_from_str(s, f).is_ok())
}

fn is_date(s: &str) -> bool {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// Compiles a converted schema.
pub fn build(
    schema: &Value,
) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .with_format(format!("{FORMAT_PREFIX}date-time"), is_datetime)
        .with_format(format!("{FORMAT_PREFIX}date"), is_date)
        .build(schema)
}

/// A CRD's `openAPIV3Schema` as a draft-7 JSON Schema with the server's semantics: metadata
/// left out, `nullable` and int-or-string turned into type lists, OpenAPI's boolean
/// `exclusiveMaximum`/`exclusiveMinimum` turned into numbers, unsupported formats and
/// annotations dropped.
pub fn to_json_schema(root: &Value) -> Value {
    let mut out = convert(root);
    if let Some(props) = out.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove("metadata");
    }
    if let Some(req) = out.get_mut("required").and_then(Value::as_array_mut) {
        req.retain(|r| r != "metadata");
    }
    out
}

fn convert(node: &Value) -> Value {
    let Value::Object(m) = node else {
        return node.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        let converted = match k.as_str() {
            k if DROPPED.contains(&k) => continue,
            "properties" | "patternProperties" | "definitions" => Value::Object(
                v.as_object()
                    .into_iter()
                    .flatten()
                    .map(|(n, s)| (n.clone(), convert(s)))
                    .collect(),
            ),
            "items"
            | "additionalProperties"
            | "additionalItems"
            | "not"
            | "allOf"
            | "anyOf"
            | "oneOf" => match v {
                Value::Array(a) => Value::Array(a.iter().map(convert).collect()),
                other => convert(other),
            },
            "format" => match v.as_str().and_then(supported_format) {
                Some(f) => Value::from(format!("{FORMAT_PREFIX}{f}")),
                None => continue,
            },
            _ => v.clone(),
        };
        out.insert(k.clone(), converted);
    }
    if flag(node, "x-kubernetes-int-or-string") {
        out.insert("type".into(), serde_json::json!(["integer", "string"]));
    }
    if nullable(node) {
        match out.get_mut("type") {
            Some(Value::Array(ts)) => ts.push(Value::from("null")),
            Some(t) => *t = Value::Array(vec![t.clone(), Value::from("null")]),
            None => {}
        }
    }
    for (flag_key, limit_key) in [
        ("exclusiveMaximum", "maximum"),
        ("exclusiveMinimum", "minimum"),
    ] {
        match out.get(flag_key) {
            Some(Value::Bool(true)) => {
                if let Some(limit) = out.remove(limit_key) {
                    out.insert(flag_key.into(), limit);
                } else {
                    out.remove(flag_key);
                }
            }
            Some(Value::Bool(false)) => {
                out.remove(flag_key);
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// Null pruning and defaulting over the object's body (metadata excluded by the caller).
pub fn default_and_prune_nulls(schema: &Value, x: &mut Value) {
    match x {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, ps) in props.into_iter().flatten() {
                let null_or_missing = match map.get(k) {
                    None => true,
                    Some(Value::Null) => !nullable(ps),
                    Some(_) => false,
                };
                if null_or_missing {
                    match ps.get("default") {
                        Some(d) => {
                            map.insert(k.clone(), d.clone());
                        }
                        None => {
                            map.remove(k);
                        }
                    }
                }
            }
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            let mut drop = Vec::new();
            for (k, v) in map.iter_mut() {
                match (props.and_then(|p| p.get(k)), extra) {
                    (Some(ps), _) => default_and_prune_nulls(ps, v),
                    (None, Some(ap)) if v.is_null() && !nullable(ap) => drop.push(k.clone()),
                    (None, Some(ap)) => default_and_prune_nulls(ap, v),
                    (None, None) => {}
                }
            }
            for k in drop {
                map.remove(&k);
            }
        }
        Value::Array(items) => {
            if let Some(is) = schema.get("items").filter(|i| i.is_object()) {
                for it in items {
                    if let (true, Some(d)) = (it.is_null() && !nullable(is), is.get("default")) {
                        *it = d.clone();
                    }
                    default_and_prune_nulls(is, it);
                }
            }
        }
        _ => {}
    }
}

/// [`default_and_prune_nulls`] over a whole object, leaving its metadata as it is.
pub fn default_and_prune_nulls_keeping_metadata(schema: &Value, obj: &mut Value) {
    let meta = obj.as_object_mut().and_then(|m| m.remove("metadata"));
    default_and_prune_nulls(schema, obj);
    if let (Some(m), Some(meta)) = (obj.as_object_mut(), meta) {
        m.insert("metadata".into(), meta);
    }
}

/// Objects marked `x-kubernetes-embedded-resource` must name their apiVersion and kind.
pub fn embedded_errors(schema: &Value, x: &Value, path: &str, out: &mut Vec<FieldError>) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match x {
        Value::Object(map) => {
            if flag(schema, "x-kubernetes-embedded-resource") {
                for k in ["apiVersion", "kind"] {
                    if map.get(k).and_then(Value::as_str).is_none_or(str::is_empty) {
                        out.push(FieldError::required(&at(k), "must not be empty"));
                    }
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            for (k, v) in map {
                if let Some(s) = props.and_then(|p| p.get(k)).or(extra) {
                    embedded_errors(s, v, &at(k), out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = schema.get("items").filter(|i| i.is_object()) {
                for (i, it) in items.iter().enumerate() {
                    embedded_errors(is, it, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// Drops fields the schema does not know, recording their paths.
pub fn prune(schema: &Value, x: &mut Value, path: &str, root: bool, out: &mut Vec<String>) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match x {
        Value::Object(map) => {
            let keep_unknown = flag(schema, "x-kubernetes-preserve-unknown-fields");
            let embedded = root || flag(schema, "x-kubernetes-embedded-resource");
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties");
            let mut drop = Vec::new();
            for (k, v) in map.iter_mut() {
                if root && k == "metadata" {
                    continue;
                }
                match (props.and_then(|p| p.get(k)), extra) {
                    (Some(s), _) => prune(s, v, &at(k), false, out),
                    (None, Some(s @ Value::Object(_))) => prune(s, v, &at(k), false, out),
                    (None, Some(Value::Bool(true))) => {}
                    _ if keep_unknown
                        || (embedded
                            && matches!(k.as_str(), "apiVersion" | "kind" | "metadata")) => {}
                    _ => drop.push(k.clone()),
                }
            }
            for k in drop {
                map.remove(&k);
                out.push(at(&k));
            }
        }
        Value::Array(items) => {
            if let Some(is) = schema.get("items").filter(|i| i.is_object()) {
                for (i, it) in items.iter_mut().enumerate() {
                    prune(is, it, &format!("{path}[{i}]"), false, out);
                }
            }
        }
        _ => {}
    }
}

/// A custom object's name must be a DNS-1123 subdomain (or be left to `generateName`).
pub fn name_errors(obj: &Value) -> Vec<FieldError> {
    let meta = obj.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let generate = meta
        .and_then(|m| m.get("generateName"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.is_empty() {
        if generate.is_empty() {
            return vec![FieldError::required(
                "metadata.name",
                "name or generateName is required",
            )];
        }
        return Vec::new();
    }
    let mut errs = Vec::new();
    let value = Value::from(name);
    if name.len() > 253 {
        errs.push(FieldError::invalid(
            "metadata.name",
            &value,
            "must be no more than 253 characters",
        ));
    }
    if !is_dns1123_subdomain(name) {
        errs.push(FieldError::invalid(
            "metadata.name",
            &value,
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ));
    }
    errs
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`
fn is_dns1123_subdomain(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    s.split('.').all(|label| {
        label.starts_with(alnum)
            && label.ends_with(alnum)
            && label.chars().all(|c| alnum(c) || c == '-')
    })
}
