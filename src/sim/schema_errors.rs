//! Translation of `jsonschema` errors into the field errors a Kubernetes API server reports
//! for a CRD schema violation (kube-openapi's messages, `field.Error` formatting).

use jsonschema::error::ValidationErrorKind as Kind;
use serde_json::{Value, json};

use super::{FieldError, prep};

/// How Go's `%q`/`%v` print a bad value in a field error.
pub(super) fn go_value(v: &Value) -> String {
    match v {
        Value::String(s) => go_quote(s),
        other => other.to_string(),
    }
}

pub(super) fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A number as Go's `%v` prints a float64 limit (`100`, `1.5`).
pub(super) fn go_number(v: &Value) -> String {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => v.to_string(),
    }
}

/// The JSON type of a value, as the server names it in type errors.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A JSON pointer into `root` as a Kubernetes field path (`spec.steps[0].setWeight`).
pub(super) fn k8s_path(root: &Value, pointer: &str) -> String {
    let mut out = String::new();
    let mut cur = Some(root);
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        if let Some(Value::Array(items)) = cur {
            out.push_str(&format!("[{seg}]"));
            cur = seg.parse::<usize>().ok().and_then(|i| items.get(i));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            cur = cur.and_then(|v| v.get(&seg));
            out.push_str(&seg);
        }
    }
    out
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The schema node an error's keyword belongs to.
fn keyword_node<'a>(schema: &'a Value, e: &jsonschema::ValidationError<'_>) -> Option<&'a Value> {
    let loc = e.schema_path().as_str();
    let parent = loc.rsplit_once('/').map_or("", |(p, _)| p);
    schema.pointer(parent)
}

/// Translates one `jsonschema` error into the field error(s) a real server reports.
pub(super) fn map_error(
    schema: &Value,
    root: &Value,
    e: &jsonschema::ValidationError<'_>,
    out: &mut Vec<FieldError>,
) {
    let path = k8s_path(root, e.instance_path().as_str());
    let value: &Value = e.instance();
    let at = |what: String| format!("{path} in body {what}");
    let len = match value {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    };
    match e.kind() {
        Kind::Type { .. } => {
            let node = keyword_node(schema, e);
            let format = node.and_then(|n| n.get("format")).and_then(Value::as_str);
            match format.and_then(|f| f.strip_prefix(prep::FORMAT_PREFIX)) {
                // A non-string where a formatted string belongs: the server names the format
                // and the Go type of the value.
                Some(f) if !value.is_string() && !value.is_array() => {
                    let go = Value::from(match value {
                        Value::Number(n) if n.is_f64() => "float64",
                        Value::Number(_) => "int64",
                        _ => "",
                    });
                    out.push(FieldError::type_invalid(
                        &path,
                        &go,
                        &at(format!("must be of type {f}: {}", go_value(&go))),
                    ));
                }
                _ => {
                    let expected = node.map(prep::declared_type).unwrap_or_default();
                    let got = Value::from(json_type(value));
                    out.push(FieldError::type_invalid(
                        &path,
                        &got,
                        &at(format!("must be of type {expected}: {}", go_value(&got))),
                    ));
                }
            }
        }
        Kind::Required { property } => {
            out.push(FieldError::required(
                &child(&path, property.as_str().unwrap_or_default()),
                "",
            ));
        }
        Kind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| go_quote(&o.as_str().map_or_else(|| o.to_string(), str::to_string)))
                .collect();
            let msg = format!(
                "Unsupported value: {}: supported values: {}",
                go_value(value),
                allowed.join(", ")
            );
            out.push(FieldError::new("FieldValueNotSupported", &path, msg));
        }
        Kind::Pattern { pattern } => out.push(FieldError::invalid(
            &path,
            value,
            &at(format!("should match '{pattern}'")),
        )),
        Kind::MaxLength { limit } => {
            let unit = if *limit == 1 { "byte" } else { "bytes" };
            out.push(FieldError::new(
                "FieldValueTooLong",
                &path,
                format!("Too long: may not be more than {limit} {unit}"),
            ));
        }
        Kind::MinLength { limit } => {
            out.push(FieldError::invalid(
                &path,
                value,
                &at(format!("should be at least {limit} chars long")),
            ));
        }
        Kind::Maximum { limit } => {
            out.push(FieldError::invalid(
                &path,
                value,
                &at(format!(
                    "should be less than or equal to {}",
                    go_number(limit)
                )),
            ));
        }
        Kind::ExclusiveMaximum { limit } => {
            out.push(FieldError::invalid(
                &path,
                value,
                &at(format!("should be less than {}", go_number(limit))),
            ));
        }
        Kind::Minimum { limit } => {
            out.push(FieldError::invalid(
                &path,
                value,
                &at(format!(
                    "should be greater than or equal to {}",
                    go_number(limit)
                )),
            ));
        }
        Kind::ExclusiveMinimum { limit } => {
            out.push(FieldError::invalid(
                &path,
                value,
                &at(format!("should be greater than {}", go_number(limit))),
            ));
        }
        Kind::MaxItems { limit } | Kind::MaxProperties { limit } => {
            let unit = if *limit == 1 { "item" } else { "items" };
            let msg = format!("Too many: {len}: must have at most {limit} {unit}");
            out.push(FieldError::new("FieldValueTooMany", &path, msg));
        }
        Kind::MinItems { limit } => {
            out.push(FieldError::invalid(
                &path,
                &json!(len),
                &at(format!("should have at least {limit} items")),
            ));
        }
        Kind::MinProperties { limit } => {
            out.push(FieldError::invalid(
                &path,
                &json!(len),
                &at(format!("should have at least {limit} properties")),
            ));
        }
        Kind::UniqueItems => out.push(FieldError::invalid(
            &path,
            &json!(""),
            &at("shouldn't contain duplicates".into()),
        )),
        Kind::MultipleOf { multiple_of } => {
            out.push(FieldError::invalid(
                &path,
                value,
                &at(format!(
                    "should be a multiple of {}",
                    go_number(&json!(multiple_of))
                )),
            ));
        }
        Kind::Format { format } => {
            let f = format.strip_prefix(prep::FORMAT_PREFIX).unwrap_or(format);
            out.push(FieldError::type_invalid(
                &path,
                value,
                &at(format!("must be of type {f}: {}", go_value(value))),
            ));
        }
        Kind::AnyOf { context } => {
            composite(
                &format!(
                    "{} must validate at least one schema (anyOf)",
                    go_quote(&path)
                ),
                out,
            );
            best_branch(schema, root, context, out);
        }
        Kind::OneOfNotValid { context } => {
            composite(
                &format!(
                    "{} must validate one and only one schema (oneOf). Found none valid",
                    go_quote(&path)
                ),
                out,
            );
            best_branch(schema, root, context, out);
        }
        Kind::OneOfMultipleValid { context } => {
            let valid = context.iter().filter(|c| c.is_empty()).count().max(2);
            let msg = format!(
                "{} must validate one and only one schema (oneOf). Found {valid} valid alternatives",
                go_quote(&path)
            );
            composite(&msg, out);
        }
        Kind::Not { .. } => composite(
            &format!("{} must not validate the schema (not)", go_quote(&path)),
            out,
        ),
        _ => out.push(FieldError::invalid(&path, value, &e.to_string())),
    }
}

/// anyOf/oneOf/not failures: a real server reports them without a field.
fn composite(msg: &str, out: &mut Vec<FieldError>) {
    out.push(FieldError::invalid("<nil>", &json!(""), msg));
}

/// The failures of the alternative that came closest (fewest errors), as the server adds them.
fn best_branch(
    schema: &Value,
    root: &Value,
    context: &[Vec<jsonschema::ValidationError<'static>>],
    out: &mut Vec<FieldError>,
) {
    if let Some(best) = context
        .iter()
        .filter(|c| !c.is_empty())
        .min_by_key(|c| c.len())
    {
        for e in best {
            map_error(schema, root, e, out);
        }
    }
}
