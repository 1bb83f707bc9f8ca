use serde_json::{Value, json};

use super::*;
use crate::domain::flagd::tests::{casino_cm, casino_doc, flag, sample_ff};
use crate::domain::flagd::{from_config_map, from_feature_flag};

#[test]
fn a_toggle_flips_boolean_flags_and_asks_for_others() {
    let flags = from_config_map(&casino_cm());
    let target = |k: &str| toggle_target(flag(&flags, k));
    assert_eq!(target("new-slot-ui"), Ok(Some("on".into())));
    assert_eq!(target("jackpot-banner"), Ok(Some("off".into())));
    assert_eq!(
        target("bonus-wheel"),
        Err("choose a variant: classic, mega".into())
    );
    let mut coded = flag(&flags, "new-slot-ui").clone();
    coded.default_variant = None;
    assert_eq!(toggle_target(&coded), Ok(Some("on".into())));
}

fn only_request(plan: &Plan) -> &Request {
    assert_eq!(plan.requests.len(), 1);
    assert_eq!(plan.fallback, None);
    &plan.requests[0]
}

#[test]
fn a_config_map_toggle_rewrites_the_whole_string_with_the_version() {
    let cm = casino_cm();
    let text = cm["data"]["flags.flagd.json"].as_str().unwrap_or_default();
    let flags = from_config_map(&cm);
    let ui = flag(&flags, "new-slot-ui");
    let plan = set_default_variant(ui, Some(text), Some("on"));
    let plan = plan.unwrap_or_else(|e| panic!("{e}"));
    let req = only_request(&plan);
    assert_eq!(
        (req.verb, req.path.as_str(), req.content_type),
        (
            "PATCH",
            "/api/v1/namespaces/casino-prod/configmaps/flags",
            MERGE_PATCH
        )
    );
    assert_eq!(req.body["metadata"], json!({"resourceVersion": "41"}));
    let data = req.body["data"].as_object().cloned().unwrap_or_default();
    assert_eq!(data.keys().collect::<Vec<_>>(), vec!["flags.flagd.json"]);
    let written: Value =
        serde_json::from_str(data["flags.flagd.json"].as_str().unwrap_or_default())
            .unwrap_or_default();
    let mut expected = casino_doc();
    expected["flags"]["new-slot-ui"]["defaultVariant"] = json!("on");
    assert_eq!(written, expected, "only that flag's defaultVariant changed");

    let plan = set_default_variant(ui, Some(text), None).unwrap_or_default();
    let written: Value = serde_json::from_str(
        only_request(&plan).body["data"]["flags.flagd.json"]
            .as_str()
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(
        written["flags"]["new-slot-ui"]["defaultVariant"],
        Value::Null
    );

    let plan = set_state(ui, Some(text), false).unwrap_or_default();
    let written: Value = serde_json::from_str(
        only_request(&plan).body["data"]["flags.flagd.json"]
            .as_str()
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let mut expected = casino_doc();
    expected["flags"]["new-slot-ui"]["state"] = json!("DISABLED");
    assert_eq!(written, expected);
}

#[test]
fn a_feature_flag_toggle_is_one_merge_patch_of_the_field() {
    let flags = from_feature_flag(&sample_ff());
    let f = &flags[0];
    let target = toggle_target(f).unwrap_or_default();
    assert_eq!(target.as_deref(), Some("off"));
    let plan = set_default_variant(f, None, target.as_deref()).unwrap_or_default();
    let req = only_request(&plan);
    assert_eq!(
        (req.verb, req.path.as_str(), req.content_type),
        (
            "PATCH",
            "/apis/core.openfeature.dev/v1beta1/namespaces/casino-prod/featureflags/featureflag-sample",
            MERGE_PATCH
        )
    );
    assert_eq!(
        req.body,
        json!({"spec": {"flagSpec": {"flags": {"simple-flag": {"defaultVariant": "off"}}}}})
    );
    let plan = set_state(f, None, false).unwrap_or_default();
    assert_eq!(
        only_request(&plan).body,
        json!({"spec": {"flagSpec": {"flags": {"simple-flag": {"state": "DISABLED"}}}}})
    );
}

#[test]
fn writes_that_cannot_be_right_are_refused() {
    let cm = casino_cm();
    let text = cm["data"]["flags.flagd.json"].as_str().unwrap_or_default();
    let flags = from_config_map(&cm);
    let ui = flag(&flags, "new-slot-ui");
    let err = |r: Result<Plan, String>| r.err().unwrap_or_default();
    assert_eq!(
        err(set_default_variant(ui, None, Some("on"))),
        "re-read ConfigMap casino-prod/flags[flags.flagd.json] first: its current text is needed"
    );
    assert_eq!(
        err(set_default_variant(ui, Some(text), Some("off"))),
        "new-slot-ui already serves off (false)"
    );
    assert_eq!(
        err(set_default_variant(ui, Some(text), Some("maybe"))),
        "new-slot-ui has no variant \"maybe\"; choose one of: off, on"
    );
    assert_eq!(
        err(set_state(ui, Some(text), true)),
        "new-slot-ui is already ENABLED"
    );
    assert_eq!(
        err(set_default_variant(
            ui,
            Some(r#"{"flags": {}}"#),
            Some("on")
        )),
        "new-slot-ui is no longer defined in ConfigMap casino-prod/flags[flags.flagd.json]"
    );
    let mut broken = ui.clone();
    broken.invalid = Some("flags.x: bad".into());
    assert!(err(set_default_variant(&broken, Some(text), Some("on"))).starts_with("the definitions of ConfigMap casino-prod/flags[flags.flagd.json] are invalid (flags.x: bad)"));
    let ff = from_feature_flag(&sample_ff());
    assert_eq!(
        err(set_default_variant(&ff[0], None, None)),
        "a FeatureFlag needs a defaultVariant (its CRD requires one); choose one of: off, on"
    );
}
