#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::{Value, json};

use super::convert::{self, Event, Feature, segment, unsegment};
use super::*;
use crate::domain::flags::{Backend, FlagSource, FlagState};

fn feature(v: Value) -> Feature {
    serde_json::from_value(v).unwrap()
}

fn checkout() -> Feature {
    feature(json!({
        "name": "checkout-v2", "type": "release", "description": "new checkout", "stale": false,
        "environments": [
            {"name": "development", "enabled": true, "strategies": [
                {"name": "default", "constraints": [], "segments": [], "parameters": {}}
            ]},
            {"name": "production", "enabled": false, "strategies": [
                {"name": "flexibleRollout", "constraints": [
                    {"contextName": "userId", "operator": "IN", "values": ["1"]}
                ], "parameters": {"rollout": "50"}}
            ]},
            {"name": "staging", "enabled": false, "strategies": []}
        ]
    }))
}

fn events() -> Vec<Event> {
    serde_json::from_value(json!([
        {"featureName": "other", "environment": "production", "createdBy": "bob",
         "createdAt": "2026-01-03T00:00:00Z"},
        {"featureName": "checkout-v2", "environment": "development", "createdBy": "admin",
         "createdAt": "2026-01-02T00:00:00Z"},
        {"featureName": "checkout-v2", "environment": null, "createdBy": "alice",
         "createdAt": "2026-01-01T00:00:00Z"}
    ]))
    .unwrap()
}

#[test]
fn one_row_per_feature_and_configured_environment() {
    let envs = vec!["production".to_string(), "development".to_string()];
    let ev = events();
    let rows = convert::flags("default", &envs, &[checkout()], Some(&ev)).unwrap();
    assert_eq!(rows.len(), 2);
    let prod = &rows[0];
    assert_eq!(prod.key, "checkout-v2");
    assert_eq!(prod.backend, Backend::Unleash);
    assert_eq!(
        prod.source,
        FlagSource::Unleash {
            project: "default".into()
        }
    );
    assert_eq!(prod.environment, "production");
    assert_eq!(prod.state, FlagState::Disabled);
    assert_eq!(prod.strategies, 1);
    assert!(prod.targeting, "a constraint is targeting");
    assert_eq!(prod.version, "false:1");
    assert_eq!(prod.value_label(), "off");
    assert_eq!(prod.metadata["type"], json!("release"));
    assert_eq!(prod.metadata["strategies"], json!(["flexibleRollout"]));
    // Only the feature-level event concerns production.
    let change = prod.last_change.as_ref().unwrap();
    assert_eq!(change.by.as_deref(), Some("alice"));
    assert!(!change.via_shipdeck);

    let dev = &rows[1];
    assert_eq!(dev.state, FlagState::Enabled);
    assert!(!dev.targeting);
    assert_eq!(dev.version, "true:1");
    assert_eq!(
        dev.last_change.as_ref().unwrap().by.as_deref(),
        Some("admin")
    );
}

#[test]
fn no_configured_environment_means_all_and_no_events_means_no_last_change() {
    let rows = convert::flags("p", &[], &[checkout()], None).unwrap();
    let envs: Vec<&str> = rows.iter().map(|r| r.environment.as_str()).collect();
    assert_eq!(envs, ["development", "production", "staging"]);
    assert!(rows.iter().all(|r| r.last_change.is_none()));
    assert_eq!(rows[2].strategies, 0);
    assert_eq!(rows[2].version, "false:0");
}

#[test]
fn a_configured_environment_the_feature_lacks_is_named() {
    let envs = vec!["prod".to_string()];
    let err = convert::flags("p", &envs, &[checkout()], None).unwrap_err();
    assert_eq!(err, "prod");
}

#[test]
fn segments_in_disabled_strategies_are_not_targeting() {
    let f = feature(json!({"name": "x", "environments": [
        {"name": "e", "enabled": true, "strategies": [
            {"name": "default", "segments": [3], "disabled": true}
        ]}
    ]}));
    let rows = convert::flags("p", &[], &[f], None).unwrap();
    assert!(!rows[0].targeting);
    assert_eq!(rows[0].strategies, 1);
}

#[test]
fn the_toggle_is_one_bodyless_post() {
    let rows = convert::flags("my project", &[], &[checkout()], None).unwrap();
    let plan = toggle_plan(&rows[1], true);
    assert_eq!(plan.requests.len(), 1);
    let r = &plan.requests[0];
    assert_eq!(r.verb, "POST");
    assert_eq!(
        r.path,
        "/api/admin/projects/my%20project/features/checkout-v2/environments/production/on"
    );
    assert_eq!(r.content_type, "application/json");
    assert_eq!(r.body, Value::Null);
    assert!(plan.fallback.is_none());
    assert!(
        toggle_plan(&rows[0], false).requests[0]
            .path
            .ends_with("/environments/development/off")
    );
}

#[test]
fn the_precondition_compares_the_enabled_state_and_the_strategy_count() {
    let rows = convert::flags("default", &[], &[checkout()], None).unwrap();
    // production as listed: disabled, one strategy.
    let prod = &rows[1];
    assert_eq!(
        (prod.environment.as_str(), prod.version.as_str()),
        ("production", "false:1")
    );
    assert_eq!(changed_since(prod, false, 1), None);
    assert_eq!(
        changed_since(prod, true, 1).as_deref(),
        Some(
            "checkout-v2 in production changed since you looked (now enabled); review and try again"
        )
    );
    assert_eq!(
        changed_since(prod, false, 2).as_deref(),
        Some(
            "checkout-v2 in production changed since you looked (now disabled, 2 strategies (was 1)); review and try again"
        )
    );
    let staging = &rows[2];
    assert_eq!(
        changed_since(staging, true, 1).as_deref(),
        Some(
            "checkout-v2 in staging changed since you looked (now enabled, 1 strategy (was 0)); review and try again"
        )
    );
}

#[test]
fn a_flagd_flag_has_no_unleash_plan() {
    let mut row = convert::flags("p", &[], &[checkout()], None).unwrap()[0].clone();
    row.source = FlagSource::FeatureFlag {
        namespace: "n".into(),
        name: "f".into(),
    };
    assert!(toggle_plan(&row, true).requests.is_empty());
}

#[test]
fn the_dialog_note_warns_about_the_default_strategy() {
    let rows = convert::flags("p", &[], &[checkout()], None).unwrap();
    let staging = &rows[2];
    assert!(
        toggle_note(staging, true)
            .unwrap()
            .contains("default strategy")
    );
    assert!(toggle_note(staging, false).is_none());
    assert!(toggle_note(&rows[1], true).unwrap().contains("constraints"));
    assert!(toggle_note(&rows[0], true).is_none(), "already on");
}

#[test]
fn segments_round_trip() {
    for s in ["plain-name_1.x~", "with space", "ä/b?c"] {
        assert_eq!(unsegment(&segment(s)), s);
    }
    assert_eq!(segment("a/b"), "a%2Fb");
}

#[test]
fn the_token_stays_out_of_debug_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "*:*.supersecret-token-value\n").unwrap();
    let c = UnleashClient::new(
        "http://127.0.0.1:1/",
        &file,
        "default",
        &["production".to_string()],
        Duration::from_secs(1),
    )
    .unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains("supersecret"), "{debug}");
    assert!(debug.contains("http://127.0.0.1:1\""), "{debug}");
    let e = UnleashError::Unauthorized {
        file: file.display().to_string(),
    };
    assert!(
        e.to_string()
            .contains("create an admin token in Unleash → API access")
    );
}

#[test]
fn bad_settings_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let e = UnleashClient::new("http://x", &missing, "p", &[], Duration::from_secs(1));
    assert!(matches!(e, Err(UnleashError::TokenFile { .. })));
    let file = dir.path().join("token");
    std::fs::write(&file, "tok").unwrap();
    let e = UnleashClient::new("http://u:pw@x", &file, "p", &[], Duration::from_secs(1));
    let text = e.unwrap_err().to_string();
    assert!(
        text.contains("credentials") && !text.contains("pw"),
        "{text}"
    );
    let e = UnleashClient::new("ftp://x", &file, "p", &[], Duration::from_secs(1));
    assert!(e.unwrap_err().to_string().contains("http://"));
    let e = UnleashClient::new("http://x", &file, "p", &[], Duration::ZERO);
    assert!(matches!(e, Err(UnleashError::Config(_))));
}
