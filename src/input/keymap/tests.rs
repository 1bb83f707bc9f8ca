use super::*;

fn ov(scope: &str, pairs: &[(&str, &str)]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    m.insert(
        scope.to_string(),
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    m
}

const OVERVIEW: &[Scope] = &[Scope::Global, Scope::Rollout];

#[test]
fn defaults_follow_the_product_keys() {
    let km = KeyMap::default();
    assert_eq!(km.bindings().len(), DEFAULTS.len());
    let r = |c: KeyChord| km.resolve(OVERVIEW, c);
    assert_eq!(r(KeyChord::ch('a')), Some(Intent::Approve));
    assert_eq!(r(KeyChord::ch('R')), Some(Intent::Rollback));
    assert_eq!(r(KeyChord::ch('j')), Some(Intent::Down));
    assert_eq!(r(KeyChord::ch('q')), Some(Intent::Quit));
    assert_eq!(
        r(KeyChord::ch('t')),
        None,
        "toggle belongs to the flags screen"
    );
    let flags = [Scope::Global, Scope::Flags];
    assert_eq!(
        km.resolve(&flags, KeyChord::ch('t')),
        Some(Intent::ToggleFlag)
    );
    assert_eq!(km.resolve(&flags, KeyChord::ch('a')), None);
}

#[test]
fn modal_scopes_shadow_everything_wider() {
    let km = KeyMap::default();
    let input = [Scope::Global, Scope::Rollout, Scope::Input];
    assert_eq!(km.resolve(&input, KeyChord::ch('q')), None);
    assert_eq!(
        km.resolve(&input, KeyChord::plain(crate::input::KeyCode::Esc)),
        Some(Intent::Dismiss)
    );
    let dialog = [Scope::Global, Scope::Rollout, Scope::Dialog];
    assert_eq!(
        km.resolve(&dialog, KeyChord::plain(crate::input::KeyCode::Enter)),
        Some(Intent::Confirm)
    );
    assert_eq!(km.resolve(&dialog, KeyChord::ch('x')), None);
}

#[test]
fn help_lists_every_binding_in_effect_and_hides_dangerous_ones_read_only() {
    let km = KeyMap::default();
    let all = km.in_effect(OVERVIEW, false);
    for intent in Intent::ALL
        .iter()
        .filter(|i| matches!(i.scope(), Scope::Global | Scope::Rollout))
    {
        assert!(all.iter().any(|b| b.intent == *intent), "{intent} missing");
    }
    let ro = km.in_effect(OVERVIEW, true);
    assert!(ro.iter().all(|b| !b.dangerous()));
    assert!(ro.iter().any(|b| b.intent == Intent::Quit));
    // In a dialog, Enter means confirm, and the global open is shadowed.
    let dialog = km.in_effect(&[Scope::Global, Scope::Dialog], false);
    assert!(dialog.iter().any(|b| b.intent == Intent::Confirm));
    assert!(!dialog.iter().any(|b| b.intent == Intent::Open));
}

#[test]
fn rebinding_by_intent_replaces_the_default_key() {
    let km = KeyMap::with_overrides(&ov("rollout", &[("ctrl-a", "approve")])).unwrap();
    assert_eq!(
        km.resolve(OVERVIEW, KeyChord::ctrl('a')),
        Some(Intent::Approve)
    );
    assert_eq!(km.resolve(OVERVIEW, KeyChord::ch('a')), None);
    assert_eq!(km.keys_for(Intent::Approve), vec![KeyChord::ctrl('a')]);
}

#[test]
fn a_config_key_takes_over_that_key_and_none_unbinds() {
    let km = KeyMap::with_overrides(&ov("global", &[("j", "bottom"), ("g", "none")])).unwrap();
    assert_eq!(
        km.resolve(OVERVIEW, KeyChord::ch('j')),
        Some(Intent::Bottom)
    );
    assert_eq!(km.resolve(OVERVIEW, KeyChord::ch('g')), None);
    assert_eq!(
        km.resolve(OVERVIEW, KeyChord::plain(crate::input::KeyCode::Down)),
        Some(Intent::Down)
    );
}

#[test]
fn config_errors_name_the_entry() {
    let cases: Vec<(BTreeMap<_, _>, &str, &str)> = vec![
        (
            ov("bogus", &[("q", "quit")]),
            "keys.bogus",
            "unknown key scope",
        ),
        (
            ov("global", &[("hyper-q", "quit")]),
            "keys.global.hyper-q",
            "not a key",
        ),
        (
            ov("global", &[("q", "explode")]),
            "keys.global.q",
            "unknown intent `explode`",
        ),
        (
            ov("flags", &[("z", "approve")]),
            "keys.flags.z",
            "belongs to scope `rollout`",
        ),
        (
            ov("global", &[("ctrl-x", "quit"), ("Ctrl-X", "help")]),
            "keys.global.ctrl-x",
            "bound twice",
        ),
        (
            ov("flags", &[("x", "toggle_flag")]),
            "keys.flags.x",
            "dangerous",
        ),
        (ov("audit", &[("M", "none")]), "", ""),
    ];
    for (overrides, path, needle) in cases {
        match KeyMap::with_overrides(&overrides) {
            Ok(_) if needle.is_empty() => {}
            Ok(_) => panic!("{path}: accepted"),
            Err(e) => {
                assert_eq!(e.path(), path, "{e}");
                assert!(e.to_string().contains(needle), "{e}");
            }
        }
    }
}

#[test]
fn a_dangerous_key_may_not_mean_something_else_on_another_screen() {
    // `t` is the dangerous flag toggle; binding it to acknowledge on alerts is refused.
    let err = KeyMap::with_overrides(&ov("alerts", &[("t", "acknowledge")])).unwrap_err();
    assert!(matches!(err, KeymapError::DangerousReuse { .. }), "{err}");
    assert_eq!(err.path(), "keys.alerts.t");
    // A global key reused by a dangerous screen binding is refused too.
    let err = KeyMap::with_overrides(&ov("rollout", &[("q", "abort")])).unwrap_err();
    assert!(err.to_string().contains("abort"), "{err}");
    // Moving abort to a fresh key is fine.
    assert!(KeyMap::with_overrides(&ov("rollout", &[("X", "abort")])).is_ok());
}
