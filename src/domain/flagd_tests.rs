use serde_json::{Value, json};

use super::*;

const FIXTURES: &[(&str, &str)] = &[
    (
        "example-simple.flagd.json",
        include_str!("../../tests/fixtures/openfeature/flagd-schemas/example-simple.flagd.json"),
    ),
    (
        "example.flagd.json",
        include_str!("../../tests/fixtures/openfeature/flagd-schemas/example.flagd.json"),
    ),
    (
        "full.json",
        include_str!("../../tests/fixtures/openfeature/flagd-schemas/full.json"),
    ),
    (
        "minimal.json",
        include_str!("../../tests/fixtures/openfeature/flagd-schemas/minimal.json"),
    ),
];
const SAMPLE_FF: &str = include_str!(
    "../../tests/fixtures/openfeature/open-feature-operator/core_v1beta1_featureflag.yaml"
);

pub(super) fn cm_source(key: &str) -> FlagSource {
    FlagSource::ConfigMap {
        namespace: "casino-prod".into(),
        name: "flags".into(),
        key: key.into(),
    }
}

pub(super) fn parse(text: &str) -> Vec<Flag> {
    parse_definitions(text, cm_source("flags.flagd.json"), "casino-prod", "41")
}

pub(super) fn flag<'a>(flags: &'a [Flag], key: &str) -> &'a Flag {
    flags
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no flag {key} in {flags:?}"))
}

pub(super) fn invalid(flags: &[Flag], key: &str) -> String {
    flag(flags, key)
        .invalid
        .clone()
        .unwrap_or_else(|| panic!("{key} is valid"))
}

/// The casino's flags, as `flags_configmap` writes them.
pub(super) fn casino_doc() -> Value {
    json!({
        "$schema": "https://flagd.dev/schema/v0/flags.json",
        "flags": {
            "new-slot-ui": {
                "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                "metadata": {"owner": "games-team"}
            },
            "jackpot-banner": {
                "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"
            },
            "platform-read-only": {
                "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                "metadata": {"description": "platform read-only switch (schema migrations)"}
            },
            "bonus-wheel": {
                "state": "ENABLED", "variants": {"classic": "classic", "mega": "mega"},
                "defaultVariant": "classic",
                "targeting": {"if": [{"in": ["@vip.casino.example", {"var": "email"}]}, "mega", null]}
            }
        }
    })
}

pub(super) fn casino_cm() -> Value {
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "flags", "namespace": "casino-prod", "resourceVersion": "41",
                     "labels": {"app.kubernetes.io/part-of": "casino"}},
        "data": {
            "flags.flagd.json": serde_json::to_string_pretty(&casino_doc()).unwrap_or_default(),
            "app.properties": "a=b"
        }
    })
}

pub(super) fn sample_ff() -> Value {
    let mut ff: Value = serde_saphyr::from_str(SAMPLE_FF).unwrap_or(Value::Null);
    ff["metadata"]["namespace"] = json!("casino-prod");
    ff["metadata"]["resourceVersion"] = json!("7");
    ff
}

#[test]
fn every_fixture_example_is_valid() {
    for (name, text) in FIXTURES {
        let flags = parse(text);
        assert!(!flags.is_empty(), "{name}");
        for f in &flags {
            assert_eq!(f.invalid, None, "{name}: {}", f.key);
            assert_eq!(f.version, "41");
            assert_eq!(f.environment, "casino-prod");
        }
    }
    let flags = parse(FIXTURES[1].1);
    assert_eq!(flags.len(), 8);
    let yellow = flag(&flags, "isColorYellow");
    assert!(yellow.targeting && yellow.is_boolean());
    assert_eq!(yellow.default_variant.as_deref(), Some("off"));
    let header = flag(&flags, "headerColor");
    assert_eq!(header.variants.len(), 4);
    assert_eq!(header.variants["red"], json!("#FF0000"));
    assert!(!flag(&flags, "myBoolFlag").targeting);
}

#[test]
fn rows_carry_state_variants_default_targeting_and_merged_metadata() {
    let doc = json!({
        "metadata": {"flagSetId": "casino", "owner": "platform"},
        "flags": {
            "a": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": null,
                  "targeting": {}, "metadata": {"owner": "games"}},
            "b": {"state": "ENABLED", "variants": {"x": 1}, "defaultVariant": "x"}
        }
    });
    let flags = parse(&doc.to_string());
    let a = flag(&flags, "a");
    assert_eq!(a.invalid, None);
    assert_eq!(a.state, FlagState::Disabled);
    assert_eq!(a.default_variant, None);
    assert_eq!(a.value_label(), "coded default");
    assert!(!a.targeting, "an empty targeting object is no rule");
    assert_eq!(a.metadata["owner"], json!("games"));
    assert_eq!(a.metadata["flagSetId"], json!("casino"));
    assert_eq!(flag(&flags, "b").metadata["owner"], json!("platform"));
}

#[test]
fn broken_documents_are_rows_with_their_reason() {
    let flags = parse("{\"flags\": {");
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].key, DEFINITIONS);
    assert!(
        invalid(&flags, DEFINITIONS).starts_with("not valid JSON: EOF"),
        "{flags:?}"
    );

    let flags = parse(r#"{"flag": {}}"#);
    assert_eq!(
        invalid(&flags, DEFINITIONS),
        "(document): \"flags\" is required"
    );

    let flags = parse(r#"{"flags": [{"key": "a"}]}"#);
    assert_eq!(
        invalid(&flags, DEFINITIONS),
        "flags: must be object, not an array"
    );

    let doc = json!({"flags": {
        "ok": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "shouting": {"state": "ON", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "nostate": {"variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "mixed": {"state": "ENABLED", "variants": {"on": true, "off": "no"}, "defaultVariant": "on"},
        "typo": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "of"},
        "empty": {"state": "ENABLED", "variants": {}, "defaultVariant": null},
        "rule": {"state": "ENABLED", "variants": {"a": "a"}, "defaultVariant": "a", "targeting": "a"}
    }});
    let flags = parse(&doc.to_string());
    assert_eq!(flags.len(), 7, "one row per key, none skipped");
    assert_eq!(flag(&flags, "ok").invalid, None);
    assert_eq!(
        invalid(&flags, "shouting"),
        "flags.shouting.state: \"ON\" is not one of \"ENABLED\" or \"DISABLED\""
    );
    assert_eq!(
        invalid(&flags, "nostate"),
        "flags.nostate: \"state\" is required"
    );
    assert_eq!(
        invalid(&flags, "mixed"),
        "flags.mixed.variants: mixes boolean and string; all variants of a flag have one type"
    );
    assert_eq!(
        invalid(&flags, "typo"),
        "flags.typo.defaultVariant: \"of\" is not one of the variants"
    );
    assert_eq!(
        invalid(&flags, "empty"),
        "flags.empty.variants: needs at least 1 entry"
    );
    assert_eq!(
        invalid(&flags, "rule"),
        "flags.rule.targeting: must be object, not \"a\""
    );
    assert_eq!(
        flag(&flags, "shouting").variants.len(),
        2,
        "best effort fields"
    );
}

#[test]
fn a_document_level_error_marks_every_flag() {
    let mut doc = casino_doc();
    doc["metadata"] = json!({"team": {"nested": true}});
    let flags = parse(&doc.to_string());
    assert_eq!(flags.len(), 4);
    for f in &flags {
        assert_eq!(
            f.invalid.as_deref(),
            Some("metadata.team: must be boolean, number or string, not an object"),
            "{}",
            f.key
        );
    }
}

#[test]
fn a_config_map_yields_its_flagd_keys_only() {
    let flags = from_config_map(&casino_cm());
    assert_eq!(flags.len(), 4);
    let ui = flag(&flags, "new-slot-ui");
    assert_eq!(ui.source, cm_source("flags.flagd.json"));
    assert_eq!(
        (ui.version.as_str(), ui.environment.as_str()),
        ("41", "casino-prod")
    );
    assert_eq!(ui.metadata["owner"], json!("games-team"));
    assert!(flag(&flags, "bonus-wheel").targeting);

    let mut cm = casino_cm();
    cm["data"]["dashboard.json"] = json!("{\"panels\": []}");
    cm["data"]["other"] = json!(r#"{"flags": {"x": {"state": "ENABLED"}}}"#);
    cm["data"]["broken.flagd.json"] = json!("{");
    let flags = from_config_map(&cm);
    assert_eq!(flags.len(), 6, "{flags:#?}");
    assert!(invalid(&flags, "x").contains("flags.x: \"variants\" is required"));
    assert_eq!(
        flag(&flags, DEFINITIONS).source,
        cm_source("broken.flagd.json")
    );

    cm["metadata"]["labels"][FLAGD_LABEL] = json!("true");
    let flags = from_config_map(&cm);
    assert_eq!(
        flags.len(),
        7,
        "a labelled ConfigMap: every .json key counts"
    );
}

#[test]
fn a_feature_flag_yields_its_flag_spec() {
    let flags = from_feature_flag(&sample_ff());
    assert_eq!(flags.len(), 1);
    let f = &flags[0];
    assert_eq!(f.key, "simple-flag");
    assert_eq!(
        f.source,
        FlagSource::FeatureFlag {
            namespace: "casino-prod".into(),
            name: "featureflag-sample".into()
        }
    );
    assert_eq!(
        (f.version.as_str(), f.environment.as_str()),
        ("7", "casino-prod")
    );
    assert_eq!(
        (f.invalid.clone(), f.default_variant.as_deref()),
        (None, Some("on"))
    );

    let mut bad = sample_ff();
    bad["spec"]["flagSpec"]["flags"]["simple-flag"]["state"] = json!("OFF");
    assert_eq!(
        invalid(&from_feature_flag(&bad), "simple-flag"),
        "spec.flagSpec.flags.simple-flag.state: \"OFF\" is not one of \"ENABLED\" or \"DISABLED\""
    );
    bad["spec"] = json!({});
    assert_eq!(
        invalid(&from_feature_flag(&bad), DEFINITIONS),
        "spec.flagSpec is missing"
    );
}

#[test]
fn gitops_owners_of_config_maps_and_feature_flags_reach_every_row() {
    use crate::domain::detail::GitOpsOwner;
    let owners = |flags: &[Flag]| -> Vec<Option<GitOpsOwner>> {
        flags.iter().map(|f| f.gitops.clone()).collect()
    };
    let argo = Some(GitOpsOwner::ArgoCd {
        app: Some("casino".into()),
    });
    // The casino's ConfigMap carries only app.kubernetes.io/part-of: not managed.
    let plain = from_config_map(&casino_cm());
    assert!(!plain.is_empty());
    assert!(owners(&plain).iter().all(Option::is_none));

    // A ConfigMap with Argo CD's tracking annotation: every flag of every key.
    let mut cm = casino_cm();
    cm["metadata"]["annotations"] = json!({
        "argocd.argoproj.io/tracking-id": "casino:/ConfigMap:casino-prod/flags"
    });
    let flags = from_config_map(&cm);
    assert_eq!(flags.len(), plain.len());
    assert!(owners(&flags).iter().all(|o| *o == argo), "{flags:?}");

    // A ConfigMap with Flux's Kustomization label.
    let mut cm = casino_cm();
    cm["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"] = json!("casino-flags");
    let flux = Some(GitOpsOwner::FluxKustomization {
        name: "casino-flags".into(),
    });
    assert!(owners(&from_config_map(&cm)).iter().all(|o| *o == flux));

    // `app.kubernetes.io/instance` alone is not evidence.
    let mut cm = casino_cm();
    cm["metadata"]["labels"]["app.kubernetes.io/instance"] = json!("casino");
    cm["metadata"]["labels"]["app.kubernetes.io/managed-by"] = json!("Helm");
    assert!(owners(&from_config_map(&cm)).iter().all(Option::is_none));

    // A FeatureFlag: the sample has none; Argo CD's label, Flux's HelmRelease label.
    assert_eq!(owners(&from_feature_flag(&sample_ff())), vec![None]);
    let mut ff = sample_ff();
    ff["metadata"]["labels"] = json!({"argocd.argoproj.io/instance": "casino"});
    assert_eq!(owners(&from_feature_flag(&ff)), vec![argo.clone()]);
    let mut ff = sample_ff();
    ff["metadata"]["annotations"] = json!({
        "argocd.argoproj.io/tracking-id": "casino:core.openfeature.dev/FeatureFlag:casino-prod/featureflag-sample"
    });
    assert_eq!(owners(&from_feature_flag(&ff)), vec![argo]);
    let mut ff = sample_ff();
    ff["metadata"]["labels"] = json!({"helm.toolkit.fluxcd.io/name": "flags"});
    let helm = Some(GitOpsOwner::FluxHelmRelease {
        name: "flags".into(),
    });
    assert_eq!(owners(&from_feature_flag(&ff)), vec![helm]);
    let mut ff = sample_ff();
    ff["metadata"]["labels"] = json!({"app.kubernetes.io/instance": "flags"});
    assert_eq!(owners(&from_feature_flag(&ff)), vec![None]);
    // An invalid definition keeps its owner too (it is still a row of that object).
    ff["metadata"]["labels"] = json!({"argocd.argoproj.io/instance": "casino"});
    ff["spec"] = json!({});
    let rows = from_feature_flag(&ff);
    assert_eq!(rows[0].key, DEFINITIONS);
    assert!(rows[0].gitops.is_some());
    // A document read on its own knows no object.
    assert!(
        owners(&parse(&casino_doc().to_string()))
            .iter()
            .all(Option::is_none)
    );
}
