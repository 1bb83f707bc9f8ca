//! Render snapshots of the flags screen (flagd and Unleash rows, an invalid definition, the
//! selected flag's variants and rules) under the platform read-only banner, and of a flag
//! dialog; each also asserts its key text. Plus the sort order in the title (`s`), the GitOps
//! marker, rows of a stale source, and the help listing the sort key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/draw.rs"]
mod draw;

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use shipdeck::domain::detail::GitOpsOwner;
use shipdeck::domain::flags::{Backend, Flag, FlagChange, FlagSource, FlagState};
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::input::KeyChord;
use shipdeck::state::flags::FlagUpdate;
use shipdeck::state::{AppState, Event, Screen, Session, SessionInfo, update};

fn flag(key: &str, default: &str, targeting: bool) -> Flag {
    let mut variants = BTreeMap::new();
    variants.insert("on".to_string(), json!(true));
    variants.insert("off".to_string(), json!(false));
    Flag {
        key: key.into(),
        backend: Backend::Flagd,
        source: FlagSource::ConfigMap {
            namespace: "casino-prod".into(),
            name: "casino-flags".into(),
            key: "flags.flagd.json".into(),
        },
        environment: "casino-prod".into(),
        state: FlagState::Enabled,
        default_variant: Some(default.into()),
        variants,
        targeting,
        strategies: 0,
        metadata: BTreeMap::new(),
        last_change: None,
        invalid: None,
        version: "41".into(),
        gitops: None,
    }
}

fn state() -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 12, 0).unwrap();
    let session = Session::new(
        SessionInfo {
            context: "prod-eu".into(),
            cluster_url: "https://127.0.0.1:6443".into(),
            namespaces: NamespaceScope::Some(vec!["casino-prod".into()]),
            context_read_only: false,
            kube_user: "alice".into(),
        },
        vec!["prod-eu".into()],
        false,
    );
    let mut s = AppState::with_rows(session, Vec::new(), now);
    let mut ro = flag("platform-read-only", "on", false);
    ro.last_change = Some(FlagChange {
        at: Some(now - Duration::minutes(12)),
        by: Some("alice@example.com".into()),
        via_shipdeck: true,
    });
    let mut broken = flag("jackpot-banner", "maybe", false);
    broken.invalid = Some("flags.jackpot-banner: defaultVariant \"maybe\" is not a variant".into());
    s.flags.apply(FlagUpdate::Resync {
        backend: Backend::Flagd,
        flags: vec![flag("new-slot-ui", "off", true), ro, broken],
    });
    s.flags.apply(FlagUpdate::Resync {
        backend: Backend::Unleash,
        flags: vec![Flag {
            key: "new-cashier".into(),
            backend: Backend::Unleash,
            source: FlagSource::Unleash {
                project: "default".into(),
            },
            environment: "production".into(),
            state: FlagState::Disabled,
            default_variant: None,
            variants: BTreeMap::new(),
            targeting: false,
            strategies: 0,
            metadata: BTreeMap::new(),
            last_change: None,
            invalid: None,
            version: "false:0".into(),
            gitops: None,
        }],
    });
    s.flags.apply(FlagUpdate::Source {
        name: "flagd ConfigMaps".into(),
        state: "live".into(),
    });
    s.flags.platform_flag = "platform-read-only".into();
    s.flags.platform_expected = Some((now - Duration::minutes(12), 10));
    s.screen = Screen::Flags;
    s
}

fn draw(s: &mut AppState, w: u16, h: u16) -> String {
    draw::draw(s, w, h).0
}

#[test]
fn flags_screen_under_the_platform_read_only_banner_120x36() {
    let mut s = state();
    let text = draw(&mut s, 120, 36);
    insta::assert_snapshot!("flags_platform_read_only_120x36", text);
    assert!(text.contains(
        "PLATFORM READ-ONLY since 03:00 UTC (by alice@example.com) — 12 min — read-only longer than planned (10 min)"
    ));
    assert!(
        !text.contains("[RO]"),
        "the platform's read-only is not shipdeck's"
    );
    for want in [
        "new-slot-ui",
        "off (false)",
        "rules",
        "new-cashier",
        "DISABLED",
        "unleash",
        "⚠ invalid",
        "flags.jackpot-banner: defaultVariant \"maybe\" is not a variant",
        "flagd ConfigMaps: live",
        "sorted by environment",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
}

#[test]
fn flags_screen_at_80x24_keeps_the_banner() {
    let mut s = state();
    let text = draw(&mut s, 80, 24);
    insta::assert_snapshot!("flags_80x24", text);
    assert!(text.contains("PLATFORM READ-ONLY"));
}

/// The line of `text` holding `needle` (panics with the screen when none does).
fn line_of<'a>(text: &'a str, needle: &str) -> (usize, &'a str) {
    text.lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} missing:\n{text}"))
}

#[test]
fn stale_rows_gitops_markers_and_the_sort_order_are_on_screen() {
    let mut s = state();
    let mut ui = flag("new-slot-ui", "off", true);
    ui.gitops = Some(GitOpsOwner::ArgoCd {
        app: Some("casino".into()),
    });
    let mut broken = flag("jackpot-banner", "maybe", false);
    broken.invalid = Some("flags.jackpot-banner: defaultVariant \"maybe\" is not a variant".into());
    s.flags.apply(FlagUpdate::Resync {
        backend: Backend::Flagd,
        flags: vec![ui, flag("platform-read-only", "off", false), broken],
    });
    let down = "stale: Unleash at http://127.0.0.1:4242 refused the connection";
    s.flags.apply(FlagUpdate::Source {
        name: "unleash".into(),
        state: down.into(),
    });
    s.flags.cursor = 1; // new-slot-ui (by environment, then key)
    let text = draw(&mut s, 160, 36);
    assert!(text.contains("sorted by environment"), "{text}");
    // The Unleash row is a last known value; the live flagd rows are not marked.
    let (cashier_at, cashier) = line_of(&text, "new-cashier");
    assert!(
        cashier.contains("stale · changed outside shipdeck"),
        "{cashier}"
    );
    let (ui_at, ui_line) = line_of(&text, "new-slot-ui ⟲");
    assert!(!ui_line.contains("stale"), "{ui_line}");
    assert!(!line_of(&text, "platform-read-only").1.contains('⟲'));
    assert!(ui_at < cashier_at, "casino-prod before production:\n{text}");
    assert!(
        text.contains("GitOps: Argo CD app casino (a manual change is reverted by sync)"),
        "{text}"
    );

    // s: by key; the selection stays on new-slot-ui, now after new-cashier.
    update(&mut s, Event::Key(KeyChord::ch('s')));
    let text = draw(&mut s, 160, 36);
    assert!(text.contains("sorted by key"), "{text}");
    assert!(
        text.contains("flags sorted by key"),
        "the flash says so:\n{text}"
    );
    let (cashier_at, _) = line_of(&text, "new-cashier");
    let (ui_at, _) = line_of(&text, "new-slot-ui ⟲");
    assert!(
        cashier_at < ui_at,
        "new-cashier before new-slot-ui:\n{text}"
    );
    assert_eq!(
        s.flags.selected().map(|f| f.key.as_str()),
        Some("new-slot-ui")
    );

    // The stale row's panel says why.
    s.flags.cursor = 1;
    assert_eq!(
        s.flags.selected().map(|f| f.key.as_str()),
        Some("new-cashier")
    );
    let text = draw(&mut s, 160, 36);
    assert!(
        text.contains(&format!("last known values (unleash: {down})")),
        "{text}"
    );

    // ASCII: the GitOps marker is `@`.
    s.ascii = true;
    let text = draw(&mut s, 160, 36);
    assert!(text.contains("new-slot-ui @"), "{text}");
    assert!(
        line_of(&text, "new-cashier").1.contains("stale - "),
        "{text}"
    );
}

#[test]
fn the_help_on_the_flags_screen_lists_the_sort_key() {
    let mut s = state();
    update(&mut s, Event::Key(KeyChord::ch('?')));
    let text = draw(&mut s, 120, 40);
    let (_, line) = line_of(&text, "sort_flags");
    assert!(line.contains(" s "), "{line}");
    assert!(line.contains("cycle the sort order"), "{line}");
    assert!(text.contains("toggle_flag"), "{text}");
}
