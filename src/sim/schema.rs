//! Validation of custom objects against their CRD's `openAPIV3Schema`, answering as a real API
//! server with the CRD installed answers: the same checks (OpenAPI dialect: `nullable`,
//! `x-kubernetes-int-or-string`, formats only where the server enforces them), after the same
//! null pruning and defaulting, with the same messages (`spec.replicas: Invalid value: ...`).
//!
//! Not reproduced: CEL rules (`x-kubernetes-validations`), ratcheting on update, and the
//! exact order of errors (a real server's order follows Go map iteration).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use super::catalog::ResourceDef;

#[path = "schema_prep.rs"]
mod prep;

#[path = "schema_errors.rs"]
mod errors;

use errors::go_value;

/// One failure, shaped as a `metav1.StatusCause`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`,
    /// `FieldValueTypeInvalid`, `FieldValueTooLong` or `FieldValueTooMany`.
    pub reason: &'static str,
    /// `spec.strategy.canary.steps[0].setWeight`; `<nil>` for errors a real server reports
    /// without a field (anyOf/oneOf/not).
    pub field: String,
    /// The message without the field: `Invalid value: "string": spec.replicas in body must
    /// be of type integer: "string"`.
    pub message: String,
}

impl FieldError {
    /// The `details.causes[]` entry of a 422 `Status`.
    pub fn to_cause(&self) -> Value {
        json!({"reason": self.reason, "message": self.message, "field": self.field})
    }

    fn new(reason: &'static str, field: &str, message: String) -> Self {
        Self {
            reason,
            field: field.to_string(),
            message,
        }
    }

    fn required(field: &str, detail: &str) -> Self {
        let message = if detail.is_empty() {
            "Required value".to_string()
        } else {
            format!("Required value: {detail}")
        };
        Self::new("FieldValueRequired", field, message)
    }

    fn invalid(field: &str, value: &Value, detail: &str) -> Self {
        Self::new(
            "FieldValueInvalid",
            field,
            format!("Invalid value: {}: {detail}", go_value(value)),
        )
    }

    fn type_invalid(field: &str, value: &Value, detail: &str) -> Self {
        Self::new(
            "FieldValueTypeInvalid",
            field,
            format!("Invalid value: {}: {detail}", go_value(value)),
        )
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Ok, or the field errors in the words a real API server uses (`field: message`), one per
/// failure, ready to be joined into a 422 `Status` message. For a create: the name must be a
/// DNS-1123 subdomain (or be left to `generateName`).
pub fn validate(def: &ResourceDef, obj: &Value) -> Result<(), Vec<String>> {
    validate_causes(def, obj).map_err(|errs| errs.iter().map(ToString::to_string).collect())
}

/// [`validate`] for an update (PUT, PATCH, `/status`): a real server checks the schema again
/// but not the name, which cannot change.
pub fn validate_update(def: &ResourceDef, obj: &Value) -> Result<(), Vec<String>> {
    check(def, obj, false).map_err(|errs| errs.iter().map(ToString::to_string).collect())
}

/// [`validate`] with structured failures (reason, field, message) for `details.causes`.
pub fn validate_causes(def: &ResourceDef, obj: &Value) -> Result<(), Vec<FieldError>> {
    check(def, obj, true)
}

/// [`validate_update`] with structured failures.
pub fn validate_update_causes(def: &ResourceDef, obj: &Value) -> Result<(), Vec<FieldError>> {
    check(def, obj, false)
}

fn check(def: &ResourceDef, obj: &Value, create: bool) -> Result<(), Vec<FieldError>> {
    let mut errs = if create {
        prep::name_errors(obj)
    } else {
        Vec::new()
    };
    if let Some(schema) = &def.schema {
        let mut body = obj.clone();
        if let Some(m) = body.as_object_mut() {
            m.remove("metadata");
        }
        prep::default_and_prune_nulls(schema, &mut body);
        prep::embedded_errors(schema, &body, "", &mut errs);
        if let Some(compiled) = compiled(def, schema) {
            for e in compiled.validator.iter_errors(&body) {
                errors::map_error(&compiled.schema, &body, &e, &mut errs);
            }
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// The `message` of the 422 `Status` for these errors, as a real server words it:
/// `Rollout.argoproj.io "demo" is invalid: spec.replicas: ...`, several errors (duplicates
/// dropped) in brackets, joined with ", ".
pub fn invalid_message(def: &ResourceDef, name: &str, errors: &[String]) -> String {
    let kind = if def.group.is_empty() {
        def.kind.clone()
    } else {
        format!("{}.{}", def.kind, def.group)
    };
    let mut unique: Vec<&str> = Vec::new();
    for e in errors {
        if !unique.contains(&e.as_str()) {
            unique.push(e);
        }
    }
    let head = format!("{kind} {} is invalid", errors::go_quote(name));
    match unique.as_slice() {
        [] => head,
        [one] => format!("{head}: {one}"),
        many => format!("{head}: [{}]", many.join(", ")),
    }
}

/// What a real server does to a custom object before validating and storing it: removes
/// `null`s of fields that are not `nullable` and fills in schema defaults.
pub fn apply_defaults(def: &ResourceDef, obj: &mut Value) {
    if let Some(schema) = &def.schema {
        prep::default_and_prune_nulls_keeping_metadata(schema, obj);
    }
}

/// Removes the fields the schema does not know (as a real server prunes them) and returns
/// their paths (`spec.foo`, `spec.steps[0].bar`), e.g. for `unknown field` warnings or a
/// strict field validation error. `apiVersion`, `kind` and `metadata` are left alone.
pub fn prune_unknown(def: &ResourceDef, obj: &mut Value) -> Vec<String> {
    let mut removed = Vec::new();
    if let Some(schema) = &def.schema {
        prep::prune(schema, obj, "", true, &mut removed);
    }
    removed
}

/// A def's schema compiled for `jsonschema`, with the converted schema its errors point into.
struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

type Cache = Mutex<HashMap<String, Option<Arc<Compiled>>>>;

/// The compiled schema of a def, built on first use and kept for the process.
fn compiled(def: &ResourceDef, schema: &Value) -> Option<Arc<Compiled>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = format!("{}/{}/{}", def.group, def.version, def.plural);
    let mut cache = CACHE
        .get_or_init(Cache::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    cache
        .entry(key)
        .or_insert_with(|| {
            let schema = prep::to_json_schema(schema);
            match prep::build(&schema) {
                Ok(validator) => Some(Arc::new(Compiled { schema, validator })),
                Err(e) => {
                    tracing::error!(kind = %def.kind, error = %e, "CRD schema does not compile; not validating");
                    None
                }
            }
        })
        .clone()
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
