//! The exact requests of a flagd write (PROTOCOLS.md "Feature flags"): one merge patch.
//! A ConfigMap key is rewritten whole (its JSON string, with the resourceVersion the operator
//! looked at: 409 when it changed meanwhile); a `FeatureFlag` gets a merge patch of the one
//! field.

use serde_json::{Value, json};

use super::{FEATURE_FLAG_API, escape};
use crate::domain::argo_requests::{MERGE_PATCH, Plan, Request};
use crate::domain::flags::{Backend, Flag, FlagSource, FlagState};

/// The variant `t` on a boolean flag serves: the other boolean variant (from the coded
/// default, the `true` one). Any other flag needs the operator to choose.
pub fn toggle_target(flag: &Flag) -> Result<Option<String>, String> {
    if flag.backend != Backend::Flagd {
        return Err(format!("{} is not a flagd flag", flag.key));
    }
    if !flag.is_boolean() {
        let names: Vec<&str> = flag.variants.keys().map(String::as_str).collect();
        return Err(format!("choose a variant: {}", names.join(", ")));
    }
    let named = |want: bool| {
        flag.variants
            .iter()
            .find(|(_, v)| **v == Value::Bool(want))
            .map(|(k, _)| k.clone())
    };
    let serving = flag
        .default_variant
        .as_ref()
        .and_then(|d| flag.variants.get(d));
    Ok(named(serving != Some(&Value::Bool(true))))
}

/// Make `variant` (`None`: null, the application's coded default) the flag's
/// `defaultVariant`. Targeting rules, when the flag has them, still apply.
pub fn set_default_variant(
    flag: &Flag,
    doc_text: Option<&str>,
    variant: Option<&str>,
) -> Result<Plan, String> {
    writable(flag)?;
    if let Some(v) = variant
        && !flag.variants.contains_key(v)
    {
        let names: Vec<&str> = flag.variants.keys().map(String::as_str).collect();
        return Err(format!(
            "{} has no variant {v:?}; choose one of: {}",
            flag.key,
            names.join(", ")
        ));
    }
    if flag.default_variant.as_deref() == variant {
        return Err(format!(
            "{} already serves {}",
            flag.key,
            flag.value_label()
        ));
    }
    match (&flag.source, variant) {
        (FlagSource::FeatureFlag { .. }, None) => Err(format!(
            "a FeatureFlag needs a defaultVariant (its CRD requires one); choose one of: {}",
            flag.variants.keys().cloned().collect::<Vec<_>>().join(", ")
        )),
        (_, v) => write_field(
            flag,
            doc_text,
            "defaultVariant",
            v.map_or(Value::Null, |v| json!(v)),
        ),
    }
}

/// `state: DISABLED` ("disable flag: apps fall back to their coded default") or back to
/// `ENABLED`.
pub fn set_state(flag: &Flag, doc_text: Option<&str>, enabled: bool) -> Result<Plan, String> {
    writable(flag)?;
    let (want, word) = if enabled {
        (FlagState::Enabled, "ENABLED")
    } else {
        (FlagState::Disabled, "DISABLED")
    };
    if flag.state == want {
        return Err(format!("{} is already {word}", flag.key));
    }
    write_field(flag, doc_text, "state", json!(word))
}

fn writable(flag: &Flag) -> Result<(), String> {
    if flag.backend != Backend::Flagd {
        return Err(format!("{} is not a flagd flag", flag.key));
    }
    match &flag.invalid {
        Some(why) => Err(format!(
            "the definitions of {} are invalid ({why}); fix them before changing the flag",
            flag.source.label()
        )),
        None => Ok(()),
    }
}

/// The one request that sets `field` of the flag.
fn write_field(
    flag: &Flag,
    doc_text: Option<&str>,
    field: &str,
    value: Value,
) -> Result<Plan, String> {
    let request = match &flag.source {
        FlagSource::ConfigMap {
            namespace,
            name,
            key,
        } => {
            let label = flag.source.label();
            let text = doc_text
                .ok_or_else(|| format!("re-read {label} first: its current text is needed"))?;
            let mut doc: Value = serde_json::from_str(text)
                .map_err(|e| format!("{label} no longer holds valid JSON: {e}"))?;
            let def = doc
                .pointer_mut(&format!("/flags/{}", escape(&flag.key)))
                .and_then(Value::as_object_mut)
                .ok_or_else(|| format!("{} is no longer defined in {label}", flag.key))?;
            def.insert(field.to_string(), value);
            let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
            Request {
                verb: "PATCH",
                path: format!("/api/v1/namespaces/{namespace}/configmaps/{name}"),
                content_type: MERGE_PATCH,
                body: json!({"metadata": {"resourceVersion": flag.version}, "data": {key: text}}),
            }
        }
        FlagSource::FeatureFlag { namespace, name } => Request {
            verb: "PATCH",
            path: format!("/apis/{FEATURE_FLAG_API}/namespaces/{namespace}/featureflags/{name}"),
            content_type: MERGE_PATCH,
            body: json!({"spec": {"flagSpec": {"flags": {&flag.key: {field: value}}}}}),
        },
        FlagSource::Unleash { .. } => return Err(format!("{} is not a flagd flag", flag.key)),
    };
    Ok(Plan {
        requests: vec![request],
        fallback: None,
        skips: Vec::new(),
    })
}

#[cfg(test)]
#[path = "flagd_plans_tests.rs"]
mod tests;
