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
