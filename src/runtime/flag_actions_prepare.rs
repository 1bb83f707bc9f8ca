//! Preparing a flag change: the exact requests the confirm dialog shows and `run` sends.
//! flagd re-reads the definition first; Unleash needs no network.

use crate::adapters::kube::KubeTarget;
use crate::adapters::kube::flags;
use crate::adapters::unleash;
use crate::domain::argo_requests::Plan;
use crate::domain::flag_request::{FlagChange, FlagRequest};
use crate::domain::flagd;
use crate::domain::flags::{Backend, Flag, FlagSource, FlagState};

use super::session;

/// `req` with its plan (and, for flagd, the version actually read as its precondition).
pub(super) async fn prepare(
    mut req: FlagRequest,
    target: &KubeTarget,
) -> Result<FlagRequest, String> {
    let key = req.flag.key.clone();
    match (req.flag.backend, &req.change) {
        (Backend::Unleash, FlagChange::Environment(on)) => {
            let plan = unleash::toggle_plan(&req.flag, *on);
            if plan.requests.is_empty() {
                return Err(format!("{key} is not a feature of an Unleash project"));
            }
            req.plan = plan;
            Ok(req)
        }
        (Backend::Unleash, _) => Err(format!(
            "{key} is an Unleash feature: it is only turned on or off in an environment"
        )),
        (Backend::Flagd, FlagChange::Environment(_)) => Err(format!(
            "{key} is a flagd flag: set its default variant or its state instead"
        )),
        (Backend::Flagd, _) => {
            let client = session::client_for(target)
                .await
                .map_err(|e| format!("cannot connect: {e}"))?;
            let (text, version) = flags::current_text(&client, &req.flag.source).await?;
            let plan = flagd_plan(&req.flag, &req.change, &text, &version)?;
            req.flag.version = version;
            req.plan = plan;
            Ok(req)
        }
    }
}

/// The plan of a flagd change from the definition's fresh `text` (at `version`): refused when
/// the field the change is about changed since the operator looked.
pub(super) fn flagd_plan(
    seen: &Flag,
    change: &FlagChange,
    text: &str,
    version: &str,
) -> Result<Plan, String> {
    let fresh = fresh_flag(seen, text, version)?;
    if version != seen.version
        && let Some(now) = changed(seen, &fresh, change)
    {
        return Err(format!(
            "{} changed since you looked (now {now}); review and try again",
            seen.key
        ));
    }
    // A FeatureFlag gets a merge patch of the one field: no document text.
    let doc = match &seen.source {
        FlagSource::ConfigMap { .. } => Some(text),
        _ => None,
    };
    match change {
        FlagChange::SetDefault(variant) => {
            flagd::set_default_variant(&fresh, doc, variant.as_deref())
        }
        FlagChange::SetState(enabled) => flagd::set_state(&fresh, doc, *enabled),
        FlagChange::Environment(_) => Err(format!(
            "{} is a flagd flag: set its default variant or its state instead",
            seen.key
        )),
    }
}

/// The flag as the fresh text defines it.
fn fresh_flag(seen: &Flag, text: &str, version: &str) -> Result<Flag, String> {
    let rows = flagd::parse_definitions(text, seen.source.clone(), &seen.environment, version);
    if let Some(f) = rows.iter().find(|f| f.key == seen.key) {
        return Ok(f.clone());
    }
    let label = seen.source.label();
    match rows
        .iter()
        .find(|f| f.key == flagd::DEFINITIONS)
        .and_then(|f| f.invalid.as_deref())
    {
        Some(why) => Err(format!(
            "the definitions of {label} are invalid ({why}); fix them before changing the flag"
        )),
        None => Err(format!("{} is no longer defined in {label}", seen.key)),
    }
}

/// What the field `change` is about holds now, when it is not what the operator saw.
fn changed(seen: &Flag, fresh: &Flag, change: &FlagChange) -> Option<String> {
    match change {
        FlagChange::SetDefault(_) if fresh.default_variant != seen.default_variant => {
            Some(match &fresh.default_variant {
                Some(v) => format!("defaultVariant {v:?}"),
                None => "defaultVariant null".to_string(),
            })
        }
        FlagChange::SetState(_) if fresh.state != seen.state => Some(match fresh.state {
            FlagState::Enabled => "state ENABLED".to_string(),
            FlagState::Disabled => "state DISABLED".to_string(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn doc(default: &str, state: &str) -> String {
        json!({"flags": {
            "a": {"state": state, "variants": {"on": true, "off": false}, "defaultVariant": default},
            "b": {"state": "ENABLED", "variants": {"x": "x"}, "defaultVariant": "x"}
        }})
        .to_string()
    }

    fn seen(text: &str, version: &str) -> Flag {
        let source = FlagSource::ConfigMap {
            namespace: "ns".into(),
            name: "flags".into(),
            key: "f.flagd.json".into(),
        };
        let rows = flagd::parse_definitions(text, source, "ns", version);
        rows.into_iter().find(|f| f.key == "a").unwrap()
    }

    fn body_doc(plan: &Plan) -> Value {
        let text = plan.requests[0].body["data"]["f.flagd.json"]
            .as_str()
            .unwrap();
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn the_plan_is_built_from_the_fresh_text_with_the_version_read() {
        let flag = seen(&doc("off", "ENABLED"), "5");
        let on = FlagChange::SetDefault(Some("on".into()));
        // Another flag of the document changed meanwhile: the plan keeps that change.
        let mut fresh: Value = serde_json::from_str(&doc("off", "ENABLED")).unwrap();
        fresh["flags"]["b"]["state"] = json!("DISABLED");
        let plan = flagd_plan(&flag, &on, &fresh.to_string(), "9").unwrap();
        assert_eq!(plan.requests[0].body["metadata"]["resourceVersion"], "9");
        let sent = body_doc(&plan);
        assert_eq!(sent["flags"]["a"]["defaultVariant"], "on");
        assert_eq!(sent["flags"]["b"]["state"], "DISABLED");
    }

    #[test]
    fn a_change_of_the_very_field_is_refused_in_words() {
        let flag = seen(&doc("off", "ENABLED"), "5");
        let on = FlagChange::SetDefault(Some("on".into()));
        let err = flagd_plan(&flag, &on, &doc("on", "ENABLED"), "6").unwrap_err();
        assert_eq!(
            err,
            "a changed since you looked (now defaultVariant \"on\"); review and try again"
        );
        let off = FlagChange::SetState(false);
        let err = flagd_plan(&flag, &off, &doc("off", "DISABLED"), "6").unwrap_err();
        assert_eq!(
            err,
            "a changed since you looked (now state DISABLED); review and try again"
        );
        // The state changed, but the change is about the default: fine.
        assert!(flagd_plan(&flag, &on, &doc("off", "DISABLED"), "6").is_ok());
        let gone = json!({"flags": {}}).to_string();
        let err = flagd_plan(&flag, &on, &gone, "6").unwrap_err();
        assert_eq!(
            err,
            "a is no longer defined in ConfigMap ns/flags[f.flagd.json]"
        );
        let err = flagd_plan(&flag, &on, "{", "6").unwrap_err();
        assert!(err.contains("are invalid (not valid JSON"), "{err}");
    }
}
