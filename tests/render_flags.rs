//! Render snapshots of the flags screen (flagd and Unleash rows, an invalid definition, the
//! selected flag's variants and rules) under the platform read-only banner, and of a flag
//! dialog; each also asserts its key text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use shipdeck::domain::flags::{Backend, Flag, FlagChange, FlagSource, FlagState};
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::state::flags::FlagUpdate;
use shipdeck::state::{AppState, Event, Screen, Session, SessionInfo, update};
use shipdeck::theme::{ColorDepth, Theme};

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
    update(
        s,
        Event::Resize {
            width: w,
            height: h,
        },
    );
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| shipdeck::ui::render(s, &theme, f)).unwrap();
    let buf = term.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..h {
        let line: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
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
