//! Render snapshots (TestBackend + insta) of the overview, help, palette and filter at
//! 120×36 and 80×24. Each also asserts its key facts in plain text, so a wrong snapshot
//! cannot be accepted by accident; style spot-checks cover what text snapshots drop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/draw.rs"]
mod draw;

use chrono::{DateTime, TimeZone, Utc};
use draw::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use shipdeck::domain::identity::{Identity, IdentitySource};
use shipdeck::domain::sample::synthetic_rows;
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::input::{KeyChord, KeyCode};
use shipdeck::state::{AppState, Event, Session, SessionInfo, update};
use shipdeck::theme::{ColorDepth, Role, Theme};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

fn state(read_only: bool, ns: NamespaceScope) -> AppState {
    let session = Session::new(
        SessionInfo {
            context: "sim-operator".into(),
            cluster_url: "https://127.0.0.1:6443".into(),
            namespaces: ns,
            context_read_only: false,
            kube_user: "sim-operator".into(),
        },
        vec!["sim-operator".into(), "sim-viewer".into()],
        read_only,
    );
    let mut s = AppState::with_rows(session, synthetic_rows(30, now()), now());
    update(
        &mut s,
        Event::Identity(Identity {
            username: "alice@example.com".into(),
            source: IdentitySource::SelfSubjectReview,
        }),
    );
    s
}

fn all_ns() -> NamespaceScope {
    NamespaceScope::Some(vec![
        "casino-prod".into(),
        "casino-staging".into(),
        "payments-eu".into(),
    ])
}

fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{screen}"))
}

fn press(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, Event::Key(KeyChord::ch(c)));
    }
}

#[test]
fn overview_wide() {
    let mut s = state(false, all_ns());
    let (screen, term) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("overview_120x36", screen);
    let header = screen.lines().next().unwrap();
    for part in [
        "shipdeck",
        "ctx sim-operator",
        "https://127.0.0.1:6443",
        "as alice@example.com",
    ] {
        assert!(header.contains(part), "{header}");
    }
    assert!(!header.contains("[RO]"));
    let payments = line_with(&screen, "payments ◆ ");
    assert!(payments.contains("✖ Degraded"), "{payments}");
    assert!(payments.contains("2/5"), "{payments}");
    assert!(payments.contains("casino-prod"), "{payments}");
    assert!(screen.contains("⚠ ATTENTION"));
    assert!(
        screen.contains("Rollouts 30 · 9 need attention · 6 progressing"),
        "{screen}"
    );
    let engine = line_with(&screen, "game-engine ");
    assert!(
        engine.contains("‖ Paused") && engine.contains("5/7") && engine.contains("50%"),
        "{engine}"
    );
    assert!(line_with(&screen, "notifications").contains("⚠ latest"));
    // The selected row's message is on the status line; the footer lists rollout keys.
    assert!(screen.contains("casino-prod/payments [alert firing]: RolloutAborted"));
    let footer = screen.lines().nth(35).unwrap();
    for hint in ["a approve", "R rollback", "? help", "q quit"] {
        assert!(footer.contains(hint), "{footer}");
    }
    // Style spot-check: the degraded status uses its role, the selection its role.
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let buf = term.backend().buffer();
    let y = screen
        .lines()
        .position(|l| l.contains("payments ◆ "))
        .unwrap() as u16;
    let x = payments
        .find('✖')
        .map(|b| payments[..b].chars().count())
        .unwrap() as u16;
    // The selected row keeps its status colour on the selection background.
    assert_eq!(
        buf[(x, y)].fg,
        theme.style(Role::StatusDegraded).fg.unwrap()
    );
    assert_eq!(
        buf[(x, y)].bg,
        theme.style(Role::ChromeSelection).bg.unwrap()
    );
    assert_eq!(
        buf[(60, y)].bg,
        theme.style(Role::ChromeSelection).bg.unwrap()
    );
    assert_ne!(
        buf[(60, y + 1)].bg,
        theme.style(Role::ChromeSelection).bg.unwrap()
    );
}

#[test]
fn overview_narrow() {
    let mut s = state(false, all_ns());
    let (screen, _) = draw(&mut s, 80, 24);
    insta::assert_snapshot!("overview_80x24", screen);
    let payments = line_with(&screen, "casino-prod/payments ");
    assert!(
        payments.contains("✖ Degraded") && payments.contains("2/5"),
        "{payments}"
    );
    assert!(
        !screen.contains("NAMESPACE"),
        "narrow drops the namespace column"
    );
    assert!(screen.lines().all(|l| l.chars().count() <= 80));
}

#[test]
fn overview_read_only_hides_dangerous_keys() {
    let mut s = state(true, all_ns());
    let (screen, term) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("overview_read_only_120x36", screen);
    assert!(screen.lines().next().unwrap().contains("[RO] read-only"));
    let footer = screen.lines().nth(35).unwrap();
    assert!(
        !footer.contains("approve") && !footer.contains("rollback"),
        "{footer}"
    );
    assert!(footer.contains("q quit"));
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let x = screen.lines().next().unwrap().find("[RO]").unwrap();
    let x = screen.lines().next().unwrap()[..x].chars().count() as u16;
    assert_eq!(
        term.backend().buffer()[(x, 0)].bg,
        theme.style(Role::ChromeReadOnly).bg.unwrap()
    );
}

#[test]
fn help_lists_the_bindings_in_effect() {
    for (w, h) in [(120u16, 36u16), (80, 24)] {
        let mut s = state(false, all_ns());
        press(&mut s, "?");
        let (screen, _) = draw(&mut s, w, h);
        insta::assert_snapshot!(format!("help_{w}x{h}"), screen);
        assert!(screen.contains("Keys in effect: Rollouts"));
        assert!(line_with(&screen, "approve / promote one step").contains("  a "));
        assert!(screen.contains("Rollout") && screen.contains("Global"));
    }
    // Every binding in effect is in the help text (scrolled or not).
    let s = state(false, all_ns());
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let text: String = shipdeck::ui::help::lines(&s, &theme)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    for b in s.keymap.in_effect(&s.scopes(), false) {
        assert!(text.contains(b.intent.description()), "{:?}", b);
        assert!(text.contains(&b.chord.to_string()), "{:?}", b);
    }
}

#[test]
fn palette_shows_completions() {
    for (w, h) in [(120u16, 36u16), (80, 24)] {
        let mut s = state(false, all_ns());
        press(&mut s, ":t");
        let (screen, term) = draw(&mut s, w, h);
        insta::assert_snapshot!(format!("palette_{w}x{h}"), screen);
        assert!(line_with(&screen, "theme <name>").contains("switch the colour theme"));
        assert!(
            screen
                .lines()
                .nth(usize::from(h) - 2)
                .unwrap()
                .starts_with(":t")
        );
        let _ = term;
        // Arguments complete too.
        update(&mut s, Event::Key(KeyChord::plain(KeyCode::Tab)));
        press(&mut s, "l");
        s.words.themes = vec!["default".into(), "light".into()];
        let (screen, _) = draw(&mut s, w, h);
        assert!(line_with(&screen, "light").contains("light"));
    }
}

#[test]
fn filter_narrows_the_table() {
    let mut s = state(false, all_ns());
    press(&mut s, "/lobby");
    let (screen, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("filter_120x36", screen);
    assert!(
        screen.contains("Rollouts 3 of 30") && screen.contains("filter \"lobby\""),
        "{screen}"
    );
    assert!(screen.matches("lobby ").count() >= 3);
    assert!(!screen.contains("payments ◆ "));
    assert!(screen.lines().nth(34).unwrap().starts_with("/lobby"));
}

#[test]
fn ascii_and_monochrome_fallbacks() {
    let mut s = state(false, all_ns());
    s.ascii = true;
    update(
        &mut s,
        Event::Resize {
            width: 120,
            height: 36,
        },
    );
    let theme = Theme::embedded("default", ColorDepth::Mono).unwrap();
    let mut term = Terminal::new(TestBackend::new(120, 36)).unwrap();
    term.draw(|f| shipdeck::ui::render(&s, &theme, f)).unwrap();
    let buf = term.backend().buffer();
    let mut all = String::new();
    for y in 0..36 {
        for x in 0..120 {
            all.push_str(buf[(x, y)].symbol());
        }
    }
    assert!(all.is_ascii(), "ASCII mode draws ASCII only");
    assert!(all.contains("x Degraded"));
    assert!((0..36).all(|y| (0..120).all(|x| buf[(x, y)].fg == Color::Reset)));
}

#[test]
fn empty_and_pending_screens_say_what_is_going_on() {
    let session = Session::new(
        SessionInfo {
            context: "kind-dev".into(),
            cluster_url: "https://127.0.0.1:1".into(),
            namespaces: NamespaceScope::Some(vec!["default".into()]),
            context_read_only: false,
            kube_user: "dev".into(),
        },
        vec![],
        false,
    );
    let mut s = AppState::new(session, Default::default(), now());
    let (screen, _) = draw(&mut s, 80, 24);
    assert!(
        screen.contains("Loading rollouts from kind-dev"),
        "{screen}"
    );
    assert!(screen.contains("as dev (from kubeconfig)"), "{screen}");
    press(&mut s, "2");
    let (screen, _) = draw(&mut s, 80, 24);
    assert!(screen.contains("Nothing here yet."), "{screen}");
}

#[test]
fn scrolling_keeps_the_selection_in_view() {
    let mut s = state(false, all_ns());
    update(
        &mut s,
        Event::Resize {
            width: 80,
            height: 24,
        },
    );
    press(&mut s, "G");
    let last = s.rollouts.selected().unwrap().key.clone();
    let (screen, term) = draw(&mut s, 80, 24);
    let row = line_with(&screen, &format!("{}/{}", last.namespace, last.name));
    let y = screen.lines().position(|l| l == row).unwrap() as u16;
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    assert_eq!(
        term.backend().buffer()[(40, y)].bg,
        theme.style(Role::ChromeSelection).bg.unwrap()
    );
    assert_eq!(
        y, 20,
        "the selection is the last line of the table:\n{screen}"
    );
    assert!(
        !screen.contains("ATTENTION"),
        "scrolled past the pinned group:\n{screen}"
    );
    press(&mut s, "g");
    let (screen, _) = draw(&mut s, 80, 24);
    assert!(screen.contains("ATTENTION"));
}
