//! OpenFeature flagd flag definitions (PROTOCOLS.md "Feature flags"): rows from a definitions
//! document (a ConfigMap key or a `FeatureFlag`'s `spec.flagSpec`), checked against the flagd
//! schema, and the exact requests of a toggle. Pure: objects and text in, rows and plans out.
//!
//! A document that does not parse or validate is never skipped: each flag key found becomes a
//! row with `invalid` set to the JSON path and what is wrong there, or a single
//! `(definitions)` row when even the keys cannot be read.
//!
//! A ConfigMap write rewrites the whole JSON string of its key, re-serialised by serde_json:
//! the document keeps its meaning but its keys come out sorted (the crate is built without
//! serde_json's `preserve_order`) and pretty-printed.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::detail::GitOpsOwner;
use super::flagd_schema::{self, readable_path};
use super::flags::{Backend, Flag, FlagChange, FlagSource, FlagState};

#[path = "flagd_plans.rs"]
mod plans;

pub use plans::{set_default_variant, set_state, toggle_target};

/// The key of the row that stands for a document whose flags cannot be read.
pub const DEFINITIONS: &str = "(definitions)";
/// `FeatureFlag` API group/version.
pub const FEATURE_FLAG_API: &str = "core.openfeature.dev/v1beta1";
/// ConfigMaps with this label (any value) hold flagd documents in every `.json` key.
pub const FLAGS_LABEL: &str = "shipdeck.io/flags";
/// The OpenFeature convention for the same.
pub const FLAGD_LABEL: &str = "openfeature.dev/flagd";
/// Written by shipdeck's executor: `{"action","identity","time"[,"flag"]}`.
pub const LAST_ACTION: &str = "shipdeck.io/last-action";

/// What every row of one document shares.
struct Origin<'a> {
    source: FlagSource,
    environment: &'a str,
    version: &'a str,
    /// Where the document sits in its object (`spec.flagSpec`), for reasons.
    prefix: &'a str,
    last_change: Option<(Option<String>, FlagChange)>,
    /// The object's GitOps owner, when it has one.
    gitops: Option<GitOpsOwner>,
}

impl Origin<'_> {
    fn row(&self, key: &str, invalid: Option<String>) -> Flag {
        let last_change = self
            .last_change
            .as_ref()
            .filter(|(flag, _)| flag.as_deref().is_none_or(|f| f == key))
            .map(|(_, c)| c.clone());
        Flag {
            key: key.to_string(),
            backend: Backend::Flagd,
            source: self.source.clone(),
            environment: self.environment.to_string(),
            state: FlagState::Enabled,
            default_variant: None,
            variants: BTreeMap::new(),
            targeting: false,
            strategies: 0,
            metadata: BTreeMap::new(),
            last_change,
            invalid,
            version: self.version.to_string(),
            gitops: self.gitops.clone(),
        }
    }
}

/// The flags of one flagd definitions document (the text of a ConfigMap key or a file).
pub fn parse_definitions(
    text: &str,
    source: FlagSource,
    environment: &str,
    version: &str,
) -> Vec<Flag> {
    let origin = Origin {
        source,
        environment,
        version,
        prefix: "",
        last_change: None,
        gitops: None,
    };
    parse_text(text, &origin)
}

fn parse_text(text: &str, origin: &Origin<'_>) -> Vec<Flag> {
    match serde_json::from_str::<Value>(text) {
        Ok(doc) => from_document(&doc, origin),
        Err(e) => vec![origin.row(DEFINITIONS, Some(format!("not valid JSON: {e}")))],
    }
}

/// `~` and `/` escaped for a JSON pointer.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn from_document(doc: &Value, origin: &Origin<'_>) -> Vec<Flag> {
    let errors = flagd_schema::validate(doc).map_err(|e| {
        vec![flagd_schema::SchemaError {
            pointer: String::new(),
            message: format!("cannot check against the flagd schema: {e}"),
        }]
    });
    let errors = errors.unwrap_or_else(|e| e);
    let said = |e: &flagd_schema::SchemaError| {
        format!(
            "{}: {}",
            readable_path(origin.prefix, &e.pointer),
            e.message
        )
    };
    let Some(flags) = doc.get("flags").and_then(Value::as_object) else {
        let mut reasons: Vec<String> = errors.iter().map(said).collect();
        if reasons.is_empty() {
            let at = readable_path(origin.prefix, "/flags");
            reasons.push(format!("{at}: must be an object of flags"));
        }
        return vec![origin.row(DEFINITIONS, Some(reasons.join("; ")))];
    };
    let (flag_errors, doc_errors): (Vec<_>, Vec<_>) = errors
        .iter()
        .partition(|e| e.pointer.starts_with("/flags/"));
    let doc_meta = doc.get("metadata").and_then(Value::as_object);
    flags
        .iter()
        .map(|(key, def)| {
            let at = format!("/flags/{}", escape(key));
            let mine = |e: &&&flagd_schema::SchemaError| {
                e.pointer == at || e.pointer.starts_with(&format!("{at}/"))
            };
            let mut reasons: Vec<String> = doc_errors.iter().map(|e| said(e)).collect();
            let mixed = mixed_types(def);
            let variants_at = format!("{at}/variants/");
            reasons.extend(
                flag_errors
                    .iter()
                    .filter(mine)
                    .filter(|e| mixed.is_none() || !e.pointer.starts_with(&variants_at))
                    .map(|e| said(e)),
            );
            let path = readable_path(origin.prefix, &at);
            if let Some(types) = mixed {
                reasons.push(format!(
                    "{path}.variants: mixes {types}; all variants of a flag have one type"
                ));
            }
            if let Some(d) = def.get("defaultVariant").and_then(Value::as_str)
                && def.get("variants").and_then(|v| v.get(d)).is_none()
            {
                reasons.push(format!(
                    "{path}.defaultVariant: {d:?} is not one of the variants"
                ));
            }
            let invalid = (!reasons.is_empty()).then(|| reasons.join("; "));
            flag_row(key, def, doc_meta, origin, invalid)
        })
        .collect()
}

/// `boolean and string` when the variants' values are of more than one JSON type.
fn mixed_types(def: &Value) -> Option<String> {
    let variants = def.get("variants")?.as_object()?;
    let mut types: Vec<&str> = variants
        .values()
        .map(|v| match v {
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Object(_) => "object",
            Value::Array(_) => "array",
            Value::Null => "null",
        })
        .collect();
    types.sort_unstable();
    types.dedup();
    (types.len() > 1).then(|| types.join(" and "))
}

fn flag_row(
    key: &str,
    def: &Value,
    doc_meta: Option<&Map<String, Value>>,
    origin: &Origin<'_>,
    invalid: Option<String>,
) -> Flag {
    let mut row = origin.row(key, invalid);
    if def.get("state").and_then(Value::as_str) == Some("DISABLED") {
        row.state = FlagState::Disabled;
    }
    row.default_variant = def
        .get("defaultVariant")
        .and_then(Value::as_str)
        .map(str::to_string);
    row.variants = object_map(def.get("variants"));
    row.targeting = def
        .get("targeting")
        .and_then(Value::as_object)
        .is_some_and(|t| !t.is_empty());
    let mut metadata: BTreeMap<String, Value> = doc_meta
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    metadata.extend(object_map(def.get("metadata")));
    row.metadata = metadata;
    row
}

fn object_map(v: Option<&Value>) -> BTreeMap<String, Value> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// The object's GitOps owner (PROTOCOLS.md's rule, [`GitOpsOwner::from_metadata`]).
pub fn gitops(obj: &Value) -> Option<GitOpsOwner> {
    let get = |map: &str, key: &str| {
        obj.pointer(&format!("/metadata/{map}"))
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
    };
    GitOpsOwner::from_metadata(|k| get("labels", k), |k| get("annotations", k))
}

fn meta<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.pointer(&format!("/metadata/{field}"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The `shipdeck.io/last-action` annotation: (the flag it names, if any; the change).
fn last_action(obj: &Value) -> Option<(Option<String>, FlagChange)> {
    let text = obj
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_ACTION))
        .and_then(Value::as_str)?;
    let v: Value = serde_json::from_str(text).ok()?;
    let at = v
        .get("time")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    let change = FlagChange {
        at,
        by: v
            .get("identity")
            .and_then(Value::as_str)
            .map(str::to_string),
        via_shipdeck: true,
    };
    Some((
        v.get("flag").and_then(Value::as_str).map(str::to_string),
        change,
    ))
}

/// The flags of an OpenFeature Operator `FeatureFlag` (`spec.flagSpec`).
pub fn from_feature_flag(obj: &Value) -> Vec<Flag> {
    let ns = meta(obj, "namespace");
    let origin = Origin {
        source: FlagSource::FeatureFlag {
            namespace: ns.to_string(),
            name: meta(obj, "name").to_string(),
        },
        environment: ns,
        version: meta(obj, "resourceVersion"),
        prefix: "spec.flagSpec",
        last_change: last_action(obj),
        gitops: gitops(obj),
    };
    match obj.pointer("/spec/flagSpec") {
        Some(doc) => from_document(doc, &origin),
        None => vec![origin.row(DEFINITIONS, Some("spec.flagSpec is missing".into()))],
    }
}

/// Whether `data[key]` of a ConfigMap is a flagd document: a `.flagd.json` key; a `.json` key
/// of a ConfigMap labelled [`FLAGS_LABEL`] or [`FLAGD_LABEL`]; or any key whose value is a JSON
/// object with a top-level `flags` member. Other keys (application configs, dashboards) are
/// not flag definitions and make no rows.
pub fn is_flagd_key(obj: &Value, key: &str, text: &str) -> bool {
    let labelled = obj
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .is_some_and(|l| l.contains_key(FLAGS_LABEL) || l.contains_key(FLAGD_LABEL));
    key.ends_with(".flagd.json")
        || (labelled && key.ends_with(".json"))
        || serde_json::from_str::<Value>(text).is_ok_and(|v| v.get("flags").is_some())
}

/// The flags of every flagd document in a ConfigMap's `data`.
pub fn from_config_map(obj: &Value) -> Vec<Flag> {
    let (ns, name) = (meta(obj, "namespace"), meta(obj, "name"));
    let Some(data) = obj.get("data").and_then(Value::as_object) else {
        return Vec::new();
    };
    let change = last_action(obj);
    let owner = gitops(obj);
    data.iter()
        .filter_map(|(key, text)| Some((key, text.as_str()?)))
        .filter(|(key, text)| is_flagd_key(obj, key, text))
        .flat_map(|(key, text)| {
            let origin = Origin {
                source: FlagSource::ConfigMap {
                    namespace: ns.to_string(),
                    name: name.to_string(),
                    key: key.clone(),
                },
                environment: ns,
                version: meta(obj, "resourceVersion"),
                prefix: "",
                last_change: change.clone(),
                gitops: owner.clone(),
            };
            parse_text(text, &origin)
        })
        .collect()
}

#[cfg(test)]
#[path = "flagd_tests.rs"]
mod tests;
