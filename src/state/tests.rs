use chrono::TimeZone;

use super::*;
use crate::domain::rollout::Phase;
use crate::domain::sample::synthetic_rows;
use crate::domain::scope::NamespaceScope;
use crate::input::{KeyChord, KeyCode};
use crate::state::event::RowId;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

pub(crate) fn session(read_only: bool) -> Session {
    Session::new(
        SessionInfo {
            context: "prod".into(),
            cluster_url: "https://10.0.0.1:6443".into(),
            namespaces: NamespaceScope::Some(vec!["casino-prod".into()]),
            context_read_only: false,
            kube_user: "alice".into(),
        },
        vec!["prod".into(), "staging".into()],
        read_only,
    )
}

fn state() -> AppState {
    AppState::with_rows(session(false), synthetic_rows(30, now()), now())
}

fn keys(s: &mut AppState, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| update(s, Event::Key(KeyChord::ch(c))))
        .collect()
}

fn key(s: &mut AppState, code: KeyCode) -> Vec<Command> {
    update(s, Event::Key(KeyChord::plain(code)))
}

fn selected_name(s: &AppState) -> String {
    let r = s.rollouts.selected().unwrap();
    format!("{}/{}", r.key.namespace, r.key.name)
}

#[test]
fn the_needs_attention_group_is_pinned_on_top_most_urgent_first() {
    let s = state();
    let pinned = s.rollouts.pinned();
    assert_eq!(
        pinned, 9,
        "3 namespaces × (approval, alert, blue-green pause)"
    );
    let rows: Vec<_> = s.rollouts.visible().collect();
    assert!(rows[..pinned].iter().all(|r| r.needs_attention()));
    assert!(rows[pinned..].iter().all(|r| !r.needs_attention()));
    assert_eq!(rows[0].key.name, "payments");
    assert_eq!(rows[0].phase, Phase::Degraded);
}

#[test]
fn navigation_moves_and_clamps() {
    let mut s = state();
    assert_eq!(s.rollouts.cursor(), Some(0));
    keys(&mut s, "jjj");
    assert_eq!(s.rollouts.cursor(), Some(3));
    keys(&mut s, "k");
    assert_eq!(s.rollouts.cursor(), Some(2));
    keys(&mut s, "G");
    assert_eq!(s.rollouts.cursor(), Some(29));
    keys(&mut s, "j");
    assert_eq!(s.rollouts.cursor(), Some(29));
    keys(&mut s, "g");
    assert_eq!(s.rollouts.cursor(), Some(0));
    update(
        &mut s,
        Event::Resize {
            width: 80,
            height: 24,
        },
    );
    key(&mut s, KeyCode::PageDown);
    assert_eq!(s.rollouts.cursor(), Some(17));
    key(&mut s, KeyCode::PageDown);
    assert_eq!(s.rollouts.cursor(), Some(29));
    key(&mut s, KeyCode::PageUp);
    assert_eq!(s.rollouts.cursor(), Some(12));
    // Tab jumps between the pinned group and the rest.
    keys(&mut s, "g");
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.rollouts.cursor(), Some(9));
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.rollouts.cursor(), Some(0));
}

#[test]
fn filter_narrows_live_keeps_typing_out_of_the_keymap_and_esc_clears() {
    let mut s = state();
    keys(&mut s, "/");
    assert!(matches!(s.overlay, Overlay::Filter(_)));
    let cmds = keys(&mut s, "payq");
    assert!(cmds.is_empty(), "q typed into the filter must not quit");
    assert!(!s.quitting);
    assert_eq!(s.rollouts.visible_len(), 0);
    key(&mut s, KeyCode::Backspace);
    assert_eq!(s.rollouts.filter(), "pay");
    // payments in three namespaces, plus payments-eu namespace rows
    assert!(s.rollouts.visible().all(|r| r.haystack().contains("pay")));
    assert_eq!(s.rollouts.visible_len(), 12);
    key(&mut s, KeyCode::Enter);
    assert!(matches!(s.overlay, Overlay::None));
    assert_eq!(s.rollouts.filter(), "pay");
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.rollouts.filter(), "");
    assert_eq!(s.rollouts.visible_len(), 30);
    // Esc inside the filter field clears and closes it.
    keys(&mut s, "/lobby");
    assert_eq!(s.rollouts.visible_len(), 3);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.rollouts.visible_len(), 30);
    assert!(matches!(s.overlay, Overlay::None));
}

#[test]
fn palette_completes_and_runs_commands() {
    let mut s = state();
    keys(&mut s, ":th");
    key(&mut s, KeyCode::Tab);
    let Overlay::Palette(p) = &s.overlay else {
        panic!("palette closed")
    };
    assert_eq!(p.input.value(), "theme ");
    let cmds = keys(&mut s, "light");
    assert!(cmds.is_empty());
    let cmds = key(&mut s, KeyCode::Enter);
    assert_eq!(cmds, vec![Command::SetTheme("light".into())]);
    assert!(matches!(s.overlay, Overlay::None));

    keys(&mut s, ":sort name");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.rollouts.sort(), SortKey::Name);

    keys(&mut s, ":ns all");
    let gen_before = s.session.generation;
    let cmds = key(&mut s, KeyCode::Enter);
    assert_eq!(
        cmds,
        vec![
            Command::StartWatch {
                generation: gen_before + 1,
                namespaces: NamespaceScope::All
            },
            Command::CheckPermissions {
                generation: gen_before + 1,
                namespace: String::new()
            }
        ]
    );
    assert_eq!(s.session.info.namespaces, NamespaceScope::All);
    assert_eq!(s.rollouts.total(), 0, "the old namespaces' rows are gone");

    keys(&mut s, ":ctx staging");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Command::SwitchContext("staging".into())]
    );

    // A bad command keeps the palette open and says why.
    keys(&mut s, ":ctx mars");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(matches!(s.overlay, Overlay::Palette(_)));
    assert!(s.flash.as_ref().unwrap().text.contains("no context `mars`"));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.overlay, Overlay::None));

    // Enter on a partial name runs what it completes to.
    keys(&mut s, ":ale");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.screen, Screen::Alerts);
}

#[test]
fn quit_emits_the_command_once() {
    let mut s = state();
    assert_eq!(keys(&mut s, "q"), vec![Command::Quit]);
    assert!(s.quitting);
    let mut s = state();
    assert_eq!(
        update(&mut s, Event::Key(KeyChord::ctrl('c'))),
        vec![Command::Quit]
    );
    let mut s = state();
    keys(&mut s, ":q");
    assert_eq!(key(&mut s, KeyCode::Enter), vec![Command::Quit]);
}

#[test]
fn read_only_emits_nothing_mutating_for_any_key() {
    let mut s = AppState::with_rows(session(true), synthetic_rows(30, now()), now());
    for b in KeyMap::default().bindings() {
        let cmds = update(&mut s, Event::Key(b.chord));
        assert!(cmds.iter().all(|c| !c.is_mutating()), "{:?}", b);
        s.overlay = Overlay::None;
        s.quitting = false;
    }
    let mut s = AppState::with_rows(session(true), synthetic_rows(30, now()), now());
    keys(&mut s, "R");
    assert!(
        s.flash.as_ref().unwrap().text.contains("read-only"),
        "{:?}",
        s.flash
    );
}

#[test]
fn the_palette_can_make_a_session_read_only_and_it_sticks_across_contexts() {
    let mut s = state();
    keys(&mut s, ":readonly");
    key(&mut s, KeyCode::Enter);
    assert!(s.session.is_read_only());
    let mut info = s.session.info.clone();
    info.context = "staging".into();
    update(&mut s, Event::SessionChanged(info));
    assert!(s.session.is_read_only());
}

#[test]
fn a_context_read_only_follows_the_context() {
    let mut sess = session(false);
    let mut info = sess.info.clone();
    info.context_read_only = true;
    sess.switch(info.clone());
    assert_eq!(sess.read_only, Some(ReadOnlyReason::Context("prod".into())));
    info.context_read_only = false;
    sess.switch(info);
    assert!(!sess.is_read_only());
}

#[test]
fn help_is_modal_and_closes_with_esc_or_question_mark() {
    let mut s = state();
    keys(&mut s, "?");
    assert!(matches!(s.overlay, Overlay::Help { .. }));
    keys(&mut s, "2");
    assert_eq!(s.screen, Screen::Rollouts, "help swallows other keys");
    keys(&mut s, "j");
    assert!(matches!(s.overlay, Overlay::Help { scroll: 1 }));
    keys(&mut s, "?");
    assert!(matches!(s.overlay, Overlay::None));
}

#[test]
fn screens_switch_by_number_and_esc_returns_to_rollouts() {
    let mut s = state();
    keys(&mut s, "3");
    assert_eq!(s.screen, Screen::Flags);
    assert_eq!(s.scopes(), vec![Scope::Global, Scope::Flags]);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.screen, Screen::Rollouts);
}

#[test]
fn a_resync_keeps_the_selection_on_the_same_rollout() {
    let mut s = state();
    keys(&mut s, "jjjj");
    let before = selected_name(&s);
    let mut rows = synthetic_rows(30, now());
    rows.reverse();
    rows.remove(5);
    update(
        &mut s,
        Event::Rollouts {
            generation: 0,
            change: RolloutChange::Resync(rows),
        },
    );
    assert_eq!(selected_name(&s), before);
}

#[test]
fn flash_messages_expire_on_tick_and_ticks_redraw_only_when_needed() {
    let mut s = state();
    s.flash("hello", false);
    update(&mut s, Event::Tick(now() + chrono::Duration::seconds(2)));
    assert!(s.flash.is_some());
    update(
        &mut s,
        Event::Tick(now() + chrono::Duration::seconds(FLASH_SECS + 1)),
    );
    assert!(s.flash.is_none());
    let mut empty = AppState::new(session(false), KeyMap::default(), now());
    empty.dirty = false;
    update(&mut empty, Event::Tick(now()));
    assert!(!empty.dirty, "nothing time-dependent on screen");
}

#[test]
fn unbound_keys_do_not_redraw() {
    let mut s = state();
    s.dirty = false;
    keys(&mut s, "Z");
    assert!(!s.dirty);
}

#[path = "tests_watch.rs"]
mod watch;
