use super::*;
use crate::domain::flags::FlagState;

fn flag(key: &str, env: &str, backend: Backend) -> Flag {
    Flag {
        key: key.into(),
        backend,
        source: FlagSource::Unleash {
            project: "default".into(),
        },
        environment: env.into(),
        state: FlagState::Enabled,
        default_variant: None,
        variants: BTreeMap::new(),
        targeting: false,
        strategies: 1,
        metadata: BTreeMap::new(),
        last_change: None,
        invalid: None,
        version: "1".into(),
        gitops: None,
    }
}

#[test]
fn a_resync_replaces_its_backend_only_and_rows_sort_by_environment_and_key() {
    let mut v = FlagsView::default();
    v.apply(FlagUpdate::Resync {
        backend: Backend::Unleash,
        flags: vec![
            flag("b", "prod", Backend::Unleash),
            flag("a", "prod", Backend::Unleash),
        ],
    });
    let cm = FlagSource::ConfigMap {
        namespace: "casino-prod".into(),
        name: "flags".into(),
        key: "flags.flagd.json".into(),
    };
    let mut f = flag("new-lobby", "casino-prod", Backend::Flagd);
    f.source = cm.clone();
    v.apply(FlagUpdate::Upsert {
        source: cm.clone(),
        flags: vec![f],
    });
    let keys: Vec<_> = v.visible().iter().map(|f| f.key.clone()).collect();
    assert_eq!(keys, ["new-lobby", "a", "b"]);
    v.apply(FlagUpdate::Resync {
        backend: Backend::Unleash,
        flags: vec![flag("c", "dev", Backend::Unleash)],
    });
    assert_eq!(v.total(), 2);
    v.set_filter("LOBBY");
    assert_eq!(v.visible().len(), 1);
    v.set_filter("");
    v.apply(FlagUpdate::Remove(cm));
    assert_eq!(v.total(), 1);
}

/// (key, environment) of the visible rows, in order.
fn order(v: &FlagsView) -> Vec<(String, String)> {
    v.visible()
        .iter()
        .map(|f| (f.key.clone(), f.environment.clone()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, e)| (k.to_string(), e.to_string()))
        .collect()
}

/// Five rows that every order puts differently.
fn mixed() -> FlagsView {
    use chrono::TimeZone;
    let at = |h: u32| {
        Some(crate::domain::flags::FlagChange {
            at: chrono::Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).single(),
            by: Some("alice".into()),
            via_shipdeck: true,
        })
    };
    let cm = FlagSource::ConfigMap {
        namespace: "casino-prod".into(),
        name: "flags".into(),
        key: "flags.flagd.json".into(),
    };
    let flagd = |key: &str| {
        let mut f = flag(key, "casino-prod", Backend::Flagd);
        f.source = cm.clone();
        f
    };
    let mut lobby = flagd("new-lobby");
    lobby.last_change = at(1);
    let mut broken = flagd("broken");
    broken.invalid = Some("not valid JSON".into());
    let mut cashier = flag("new-cashier", "production", Backend::Unleash);
    cashier.state = FlagState::Disabled;
    cashier.last_change = at(3);
    let mut dev = flag("new-cashier", "development", Backend::Unleash);
    dev.last_change = at(2);
    let wallet = flag("apple-pay", "production", Backend::Unleash);
    let mut v = FlagsView::default();
    v.apply(FlagUpdate::Upsert {
        source: cm,
        flags: vec![lobby, broken],
    });
    v.apply(FlagUpdate::Resync {
        backend: Backend::Unleash,
        flags: vec![cashier, dev, wallet],
    });
    v
}

#[test]
fn s_cycles_the_order_through_every_sort_key() {
    let mut v = mixed();
    assert_eq!(v.sort, FlagSort::Environment);
    assert_eq!(
        order(&v),
        pairs(&[
            ("broken", "casino-prod"),
            ("new-lobby", "casino-prod"),
            ("new-cashier", "development"),
            ("apple-pay", "production"),
            ("new-cashier", "production"),
        ])
    );
    v.cycle_sort();
    assert_eq!((v.sort, v.sort.label()), (FlagSort::Key, "key"));
    assert_eq!(
        order(&v),
        pairs(&[
            ("apple-pay", "production"),
            ("broken", "casino-prod"),
            ("new-cashier", "development"),
            ("new-cashier", "production"),
            ("new-lobby", "casino-prod"),
        ])
    );
    v.cycle_sort();
    assert_eq!((v.sort, v.sort.label()), (FlagSort::Backend, "backend"));
    assert_eq!(
        order(&v),
        pairs(&[
            ("broken", "casino-prod"),
            ("new-lobby", "casino-prod"),
            ("new-cashier", "development"),
            ("apple-pay", "production"),
            ("new-cashier", "production"),
        ])
    );
    v.cycle_sort();
    assert_eq!(v.sort.label(), "last change");
    // Newest first; rows without a known change last (by environment and key).
    assert_eq!(
        order(&v),
        pairs(&[
            ("new-cashier", "production"),
            ("new-cashier", "development"),
            ("new-lobby", "casino-prod"),
            ("broken", "casino-prod"),
            ("apple-pay", "production"),
        ])
    );
    v.cycle_sort();
    assert_eq!(v.sort.label(), "state");
    // Invalid, then DISABLED, then enabled.
    assert_eq!(
        order(&v),
        pairs(&[
            ("broken", "casino-prod"),
            ("new-cashier", "production"),
            ("new-lobby", "casino-prod"),
            ("new-cashier", "development"),
            ("apple-pay", "production"),
        ])
    );
    v.cycle_sort();
    assert_eq!(v.sort, FlagSort::Environment, "the cycle comes back round");
}

#[test]
fn the_selected_flag_stays_selected_across_sorts_and_updates_keep_the_order() {
    let mut v = mixed();
    v.cursor = 3; // apple-pay in production
    v.cycle_sort(); // key: apple-pay first
    assert_eq!(v.cursor, 0);
    assert_eq!(v.selected().map(|f| f.key.as_str()), Some("apple-pay"));
    v.cycle_sort();
    v.cycle_sort(); // last change: apple-pay (no change) last
    assert_eq!(v.selected().map(|f| f.key.as_str()), Some("apple-pay"));
    assert_eq!(v.cursor, 4);
    // A poll keeps the chosen order.
    v.apply(FlagUpdate::Resync {
        backend: Backend::Unleash,
        flags: vec![flag("zebra", "production", Backend::Unleash)],
    });
    assert_eq!(v.sort, FlagSort::LastChange);
    let keys: Vec<_> = v.visible().iter().map(|f| f.key.clone()).collect();
    assert_eq!(keys, ["new-lobby", "broken", "zebra"]);
}

#[test]
fn rows_of_a_source_that_is_not_live_are_stale() {
    let mut v = mixed();
    let lobby = v.all().into_iter().find(|f| f.key == "new-lobby").cloned();
    let cashier = v
        .all()
        .into_iter()
        .find(|f| f.key == "new-cashier")
        .cloned();
    let (lobby, cashier) = (lobby.unwrap(), cashier.unwrap());
    // Nothing said yet, or live: current.
    assert_eq!(v.stale(&lobby), None);
    v.apply(FlagUpdate::Source {
        name: "unleash".into(),
        state: "live".into(),
    });
    assert_eq!(v.stale(&cashier), None);
    // Unleash down: its rows stay, marked; the flagd rows are not.
    let down = "stale: Unleash at http://127.0.0.1:4242 refused the connection";
    v.apply(FlagUpdate::Source {
        name: "unleash".into(),
        state: down.into(),
    });
    assert_eq!(v.total(), 5);
    assert_eq!(v.stale(&cashier), Some(down));
    assert_eq!(v.stale(&lobby), None);
    // A watch that lost its permission: the ConfigMap rows are last known values.
    v.apply(FlagUpdate::Source {
        name: crate::domain::flags::CONFIG_MAPS_SOURCE.into(),
        state: "forbidden: list configmaps".into(),
    });
    assert_eq!(v.stale(&lobby), Some("forbidden: list configmaps"));
    // The FeatureFlag watcher says nothing about ConfigMap rows.
    v.apply(FlagUpdate::Source {
        name: crate::domain::flags::CONFIG_MAPS_SOURCE.into(),
        state: "live".into(),
    });
    v.apply(FlagUpdate::Source {
        name: crate::domain::flags::FEATURE_FLAGS_SOURCE.into(),
        state: "stale: watch lost".into(),
    });
    assert_eq!(v.stale(&lobby), None);
}
