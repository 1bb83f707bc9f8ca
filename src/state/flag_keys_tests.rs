use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::domain::flag_request::FlagChange as Changed;
use crate::domain::flags::FlagSource;
use crate::input::{KeyChord, KeyCode};
use crate::state::flags::FlagUpdate;
use crate::state::{Event, Screen, update};

fn flag(key: &str, backend: Backend, default: Option<&str>) -> Flag {
    let mut variants = BTreeMap::new();
    variants.insert("on".to_string(), json!(true));
    variants.insert("off".to_string(), json!(false));
    Flag {
        key: key.into(),
        backend,
        source: match backend {
            Backend::Flagd => FlagSource::ConfigMap {
                namespace: "casino-prod".into(),
                name: "flags".into(),
                key: "flags.flagd.json".into(),
            },
            Backend::Unleash => FlagSource::Unleash {
                project: "default".into(),
            },
        },
        environment: "casino-prod".into(),
        state: FlagState::Enabled,
        default_variant: default.map(str::to_string),
        variants: if backend == Backend::Flagd {
            variants
        } else {
            BTreeMap::new()
        },
        targeting: false,
        strategies: 0,
        metadata: BTreeMap::new(),
        last_change: None,
        invalid: None,
        version: "7".into(),
        gitops: None,
    }
}

fn state(read_only: bool, flags: Vec<Flag>) -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let mut s = AppState::with_rows(super::super::tests::session(read_only), Vec::new(), now);
    s.flags.apply(FlagUpdate::Resync {
        backend: Backend::Flagd,
        flags: flags
            .iter()
            .filter(|f| f.backend == Backend::Flagd)
            .cloned()
            .collect(),
    });
    s.flags.apply(FlagUpdate::Resync {
        backend: Backend::Unleash,
        flags: flags
            .into_iter()
            .filter(|f| f.backend == Backend::Unleash)
            .collect(),
    });
    s.screen = Screen::Flags;
    s
}

fn key(s: &mut AppState, c: char) -> Vec<Command> {
    update(s, Event::Key(KeyChord::ch(c)))
}

fn enter(s: &mut AppState) -> Vec<Command> {
    update(s, Event::Key(KeyChord::plain(KeyCode::Enter)))
}

fn prepared(s: &mut AppState, cmds: &[Command]) {
    let [Command::PrepareFlag(req)] = cmds else {
        panic!("{cmds:?}");
    };
    let mut ready = (**req).clone();
    ready.plan = crate::domain::argo_requests::abort(&Default::default());
    update(
        s,
        Event::FlagPrepared {
            id: req.id,
            result: Ok(Box::new(ready)),
        },
    );
}

#[test]
fn t_flips_a_boolean_flag_after_the_requests_are_shown() {
    let mut s = state(
        false,
        vec![flag("new-slot-ui", Backend::Flagd, Some("off"))],
    );
    let cmds = key(&mut s, 't');
    let Overlay::FlagConfirm(d) = &s.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.request.change, Changed::SetDefault(Some("on".into())));
    assert_eq!(d.request.from_to, "off → on");
    assert!(
        enter(&mut s).is_empty(),
        "nothing sent before the requests are read"
    );
    prepared(&mut s, &cmds);
    let sent = enter(&mut s);
    assert!(matches!(sent.as_slice(), [Command::RunFlag(r)] if r.flag.key == "new-slot-ui"));
    // A second t while it runs sends nothing.
    let again = key(&mut s, 't');
    prepared(&mut s, &again);
    let refused = enter(&mut s);
    assert!(
        matches!(refused.as_slice(), [Command::Audit(e)] if e.outcome == Outcome::Refused),
        "{refused:?}"
    );
}

#[test]
fn unleash_without_strategies_says_unleash_adds_its_default() {
    let mut f = flag("new-cashier", Backend::Unleash, None);
    f.state = FlagState::Disabled;
    let mut s = state(false, vec![f]);
    key(&mut s, 't');
    let Overlay::FlagConfirm(d) = &s.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.request.change, Changed::Environment(true));
    assert!(
        d.request
            .notes
            .iter()
            .any(|n| n.contains("Unleash will add its default strategy"))
    );
}

#[test]
fn the_platform_switch_needs_the_key_and_minutes_and_shows_a_banner() {
    let mut s = state(
        false,
        vec![flag("platform-read-only", Backend::Flagd, Some("off"))],
    );
    s.flags.platform_flag = "platform-read-only".into();
    assert_eq!(platform_banner(&s), None);
    let cmds = key(&mut s, 'M');
    prepared(&mut s, &cmds);
    assert!(enter(&mut s).is_empty(), "the key is not typed yet");
    for c in "platform-read-only".chars() {
        key(&mut s, c);
    }
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Tab)));
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Backspace)));
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Backspace)));
    for c in "45".chars() {
        key(&mut s, c);
    }
    let cmds = enter(&mut s);
    let [Command::RunFlag(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        req.platform.as_ref().and_then(|p| p.expected_minutes),
        Some(45)
    );
    assert_eq!(req.action(), "platform-read-only-on");
    let entry = AuditEntry {
        time: s.now,
        identity: "alice".into(),
        context: "prod".into(),
        namespace: "casino-prod".into(),
        name: "platform-read-only".into(),
        action: "platform-read-only-on".into(),
        requests: Vec::new(),
        outcome: Outcome::Done,
        reason: None,
    };
    update(
        &mut s,
        Event::FlagFinished {
            id: req.id,
            entry: Box::new(entry),
        },
    );
    // The watcher delivers the flag serving `on`.
    s.flags.apply(FlagUpdate::Resync {
        backend: Backend::Flagd,
        flags: vec![flag("platform-read-only", Backend::Flagd, Some("on"))],
    });
    assert_eq!(
        platform_banner(&s).as_deref(),
        Some("PLATFORM READ-ONLY since 03:00 UTC — 0 min")
    );
    s.now += Duration::minutes(50);
    assert_eq!(
        platform_banner(&s).as_deref(),
        Some(
            "PLATFORM READ-ONLY since 03:00 UTC — 50 min — read-only longer than planned (45 min)"
        )
    );
}

#[test]
fn a_read_only_session_toggles_nothing() {
    let mut s = state(
        true,
        vec![flag("platform-read-only", Backend::Flagd, Some("off"))],
    );
    s.flags.platform_flag = "platform-read-only".into();
    let mut all = key(&mut s, 't');
    all.extend(key(&mut s, 'M'));
    all.extend(enter(&mut s));
    assert!(all.iter().all(|c| !c.is_mutating()), "{all:?}");
    assert!(matches!(s.overlay, Overlay::None));
}

/// `:` then `line` then Enter, as the operator types it.
fn palette(s: &mut AppState, line: &str) -> Vec<Command> {
    key(s, ':');
    for c in line.chars() {
        key(s, c);
    }
    enter(s)
}

fn notes(s: &AppState) -> Vec<String> {
    match &s.overlay {
        Overlay::FlagConfirm(d) => d.request.notes.clone(),
        other => panic!("no flag dialog: {other:?}"),
    }
}

const REVERT: &str = "may revert this at the next sync — change Git too.";

#[test]
fn gitops_managed_flags_warn_in_the_toggle_disable_and_platform_dialogs() {
    use crate::domain::detail::GitOpsOwner;
    let mut ui = flag("new-slot-ui", Backend::Flagd, Some("off"));
    ui.gitops = Some(GitOpsOwner::ArgoCd {
        app: Some("casino".into()),
    });
    let argo = "ConfigMap casino-prod/flags[flags.flagd.json] is managed by Argo CD app casino: \
                Argo CD may revert this at the next sync — change Git too.";

    // t
    let mut s = state(false, vec![ui.clone()]);
    key(&mut s, 't');
    assert!(notes(&s).iter().any(|n| n == argo), "{:?}", notes(&s));
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Esc)));

    // :disable-flag
    let cmds = palette(&mut s, "disable-flag");
    assert!(
        matches!(cmds.as_slice(), [Command::PrepareFlag(r)] if r.change == Changed::SetState(false))
    );
    let n = notes(&s);
    assert!(n.iter().any(|n| n == argo), "{n:?}");
    assert!(
        n.iter().any(|n| n.starts_with("DISABLED is not \"off\"")),
        "{n:?}"
    );
    // The note survives the executor's prepared request (what the dialog shows then).
    prepared(&mut s, &cmds);
    assert!(notes(&s).iter().any(|n| n == argo));
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Esc)));

    // M, with the platform flag in a FeatureFlag under Flux.
    let mut ro = flag("platform-read-only", Backend::Flagd, Some("off"));
    ro.source = FlagSource::FeatureFlag {
        namespace: "casino-prod".into(),
        name: "platform".into(),
    };
    ro.gitops = Some(GitOpsOwner::FluxKustomization {
        name: "platform".into(),
    });
    let mut s = state(false, vec![ro]);
    s.flags.platform_flag = "platform-read-only".into();
    key(&mut s, 'M');
    let n = notes(&s);
    assert!(
        n.iter().any(|n| n
            == "FeatureFlag casino-prod/platform is managed by Flux Kustomization platform: \
                Flux may revert this at the next sync — change Git too."),
        "{n:?}"
    );
}

#[test]
fn flags_outside_gitops_get_no_revert_warning() {
    // A plain flagd flag, an Unleash environment, and a ConfigMap that only carries
    // `app.kubernetes.io/instance` (Helm puts it everywhere: not evidence).
    let plain = flag("new-slot-ui", Backend::Flagd, Some("off"));
    let mut cashier = flag("new-cashier", Backend::Unleash, None);
    cashier.environment = "production".into();
    let helm_cm = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "flags", "namespace": "casino-prod", "resourceVersion": "9",
                     "labels": {"app.kubernetes.io/instance": "casino",
                                "app.kubernetes.io/managed-by": "Helm"}},
        "data": {"flags.flagd.json": json!({"flags": {"platform-read-only": {
            "state": "ENABLED", "variants": {"on": true, "off": false},
            "defaultVariant": "off"}}}).to_string()}
    });
    let helm = crate::domain::flagd::from_config_map(&helm_cm);
    assert_eq!(helm.len(), 1);
    assert_eq!(helm[0].gitops, None);
    let mut s = state(false, vec![plain, cashier, helm[0].clone()]);
    s.flags.platform_flag = "platform-read-only".into();
    for f in 0..3 {
        s.flags.cursor = f;
        let which = s.flags.selected().map(|f| f.key.clone());
        key(&mut s, 't');
        assert!(
            !notes(&s).iter().any(|n| n.contains(REVERT)),
            "{which:?}: {:?}",
            notes(&s)
        );
        update(&mut s, Event::Key(KeyChord::plain(KeyCode::Esc)));
    }
    s.flags.cursor = 0;
    palette(&mut s, "disable-flag");
    assert!(!notes(&s).iter().any(|n| n.contains(REVERT)));
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Esc)));
    key(&mut s, 'M');
    let n = notes(&s);
    assert!(
        n.iter()
            .any(|n| n.starts_with("The whole platform goes read-only"))
    );
    assert!(!n.iter().any(|n| n.contains(REVERT)), "{n:?}");
}
