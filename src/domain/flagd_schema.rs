//! The flagd flag-definition JSON Schema (`flags.json` of open-feature/flagd-schemas, draft-07),
//! checked with the `jsonschema` crate the simulator already uses. Its errors become reasons an
//! operator can act on: the JSON path and what is wrong there.
//!
//! `flags.json` refers to `./targeting.json` (the JsonLogic grammar of targeting rules) for
//! `targeting` and `$evaluators`; that file is not vendored, so both are checked only to be
//! objects (flagd evaluates the rules themselves).

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
use serde_json::{Value, json};

/// `flags.json`, as vendored under `tests/fixtures/openfeature/flagd-schemas/`.
pub const SCHEMA: &str = include_str!("../../tests/fixtures/openfeature/flagd-schemas/flags.json");

/// Longest message kept from one error (instances can be whole objects).
const MAX_MESSAGE: usize = 160;

/// One violation: where (a JSON pointer into the document) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub pointer: String,
    pub message: String,
}

/// The stand-in for `./targeting.json`: a targeting rule is a JsonLogic object.
struct Targeting;

impl jsonschema::Retrieve for Targeting {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str().ends_with("/targeting.json") {
            Ok(json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}))
        } else {
            Err(format!("{uri} is not available offline").into())
        }
    }
}

fn validator() -> Result<&'static jsonschema::Validator, String> {
    static V: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).map_err(|e| e.to_string())?;
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .with_retriever(Targeting)
            .build(&schema)
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Every violation of `doc` (empty: valid). `Err` only when the schema itself cannot be
/// compiled (a unit test guarantees it can).
pub fn validate(doc: &Value) -> Result<Vec<SchemaError>, String> {
    let v = validator()?;
    let mut out = Vec::new();
    for e in v.iter_errors(doc) {
        collect(&e, &mut out);
    }
    out.dedup();
    Ok(out)
}

/// An `anyOf`/`oneOf` failure reads as the errors of its closest branch (the one with the
/// fewest errors, the first on a tie): a flag that is missing `state` is told just that,
/// not that it is none of the four flag types.
fn collect(e: &jsonschema::ValidationError<'_>, out: &mut Vec<SchemaError>) {
    let branches = match e.kind() {
        Kind::AnyOf { context } | Kind::OneOfNotValid { context } => Some(context),
        _ => None,
    };
    if let Some(best) =
        branches.and_then(|c| c.iter().filter(|b| !b.is_empty()).min_by_key(|b| b.len()))
    {
        for inner in best {
            collect(inner, out);
        }
        return;
    }
    out.push(SchemaError {
        pointer: e.instance_path().as_str().to_string(),
        message: message(e),
    });
}

fn message(e: &jsonschema::ValidationError<'_>) -> String {
    let text = match e.kind() {
        Kind::Required { property } => format!("{property} is required"),
        Kind::Type { kind } => {
            let want: Vec<String> = match kind {
                TypeKind::Single(t) => vec![t.to_string()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
            };
            format!("must be {}, not {}", or_list(&want), describe(e.instance()))
        }
        Kind::MinProperties { limit } => format!(
            "needs at least {limit} entr{}",
            if *limit == 1 { "y" } else { "ies" }
        ),
        _ => e.to_string(),
    };
    shorten(&text)
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A value in a few words: `"yes"`, `12`, `an object`.
fn describe(v: &Value) -> String {
    match v {
        Value::Object(_) => "an object".to_string(),
        Value::Array(_) => "an array".to_string(),
        other => shorten(&other.to_string()),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_MESSAGE {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX_MESSAGE - 1).collect();
        format!("{cut}…")
    }
}

/// A JSON pointer as the path an operator reads: `flags.new-slot-ui.variants.on`,
/// `flags["a.b"].state`, `$evaluators.vip`, `items[0]`; the root is `(document)`.
pub fn readable_path(prefix: &str, pointer: &str) -> String {
    let mut out = prefix.to_string();
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        let plain = !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '$'));
        if seg.parse::<usize>().is_ok() && !out.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else if plain {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        } else {
            out.push_str(&format!(
                "[{}]",
                serde_json::to_string(&seg).unwrap_or_default()
            ));
        }
    }
    if out.is_empty() {
        "(document)".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_compiles() {
        assert!(validator().is_ok(), "{:?}", validator().err());
    }

    #[test]
    fn paths_read_like_the_document() {
        assert_eq!(readable_path("", ""), "(document)");
        assert_eq!(
            readable_path("", "/flags/new-slot-ui/state"),
            "flags.new-slot-ui.state"
        );
        assert_eq!(
            readable_path("", "/flags/a.b/variants"),
            "flags[\"a.b\"].variants"
        );
        assert_eq!(
            readable_path("spec.flagSpec", "/flags/x~1y"),
            "spec.flagSpec.flags[\"x/y\"]"
        );
        assert_eq!(readable_path("", "/$evaluators/vip"), "$evaluators.vip");
    }

    #[test]
    fn a_missing_field_is_named_not_the_four_flag_types() {
        let doc = json!({"flags": {"f": {"variants": {"on": true, "off": false}}}});
        let errors = validate(&doc).unwrap_or_default();
        assert_eq!(
            errors,
            vec![SchemaError {
                pointer: "/flags/f".into(),
                message: "\"state\" is required".into()
            }]
        );
    }
}
