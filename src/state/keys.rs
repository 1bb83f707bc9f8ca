//! Key handling: resolve the key in the scopes in effect, then apply the intent. Text fields
//! (filter, palette) get the keys their scope does not bind.

use tui_input::{Input, InputRequest};

use crate::input::{Intent, KeyChord, KeyCode};

use super::detail::{self, KeyFlow};
use super::palette::{self, PaletteAction};
use super::session::ReadOnlyReason;
use super::{AppState, Command, Overlay, Palette, Screen};

pub(super) fn on_key(state: &mut AppState, chord: KeyChord) -> Vec<Command> {
    let intent = state.keymap.resolve(&state.scopes(), chord);
    match std::mem::take(&mut state.overlay) {
        Overlay::None => match intent {
            Some(intent) => {
                state.dirty = true;
                apply(state, intent)
            }
            None => Vec::new(),
        },
        Overlay::Help { scroll } => {
            state.dirty = true;
            state.overlay = match intent {
                Some(Intent::Back | Intent::Help | Intent::Quit) => Overlay::None,
                Some(Intent::Down) => Overlay::Help {
                    scroll: scroll.saturating_add(1),
                },
                Some(Intent::Up) => Overlay::Help {
                    scroll: scroll.saturating_sub(1),
                },
                Some(Intent::PageDown) => Overlay::Help {
                    scroll: scroll.saturating_add(10),
                },
                Some(Intent::PageUp) => Overlay::Help {
                    scroll: scroll.saturating_sub(10),
                },
                Some(Intent::Top) => Overlay::Help { scroll: 0 },
                _ => Overlay::Help { scroll },
            };
            Vec::new()
        }
        Overlay::Filter(input) => {
            state.dirty = true;
            filter_key(state, input, intent, chord);
            Vec::new()
        }
        Overlay::Palette(p) => {
            state.dirty = true;
            palette_key(state, p, intent, chord)
        }
        Overlay::Confirm(d) => {
            state.dirty = true;
            super::actions::dialog_key(state, d, intent, chord)
        }
        Overlay::FlagConfirm(d) => {
            state.dirty = true;
            super::flag_keys::dialog_key(state, d, intent, chord)
        }
    }
}

fn filter_key(state: &mut AppState, mut input: Input, intent: Option<Intent>, chord: KeyChord) {
    if state.screen == Screen::Flags {
        match intent {
            Some(Intent::Accept) => {}
            Some(Intent::Dismiss) => state.flags.set_filter(""),
            _ => {
                if let Some(req) = text_request(chord) {
                    input.handle(req);
                    state.flags.set_filter(input.value());
                }
                state.overlay = Overlay::Filter(input);
            }
        }
        return;
    }
    if state.screen == Screen::Audit {
        match intent {
            Some(Intent::Accept) => {}
            Some(Intent::Dismiss) => state.audit.set_filter(""),
            _ => {
                if let Some(req) = text_request(chord) {
                    input.handle(req);
                    state.audit.set_filter(input.value());
                }
                state.overlay = Overlay::Filter(input);
            }
        }
        return;
    }
    match intent {
        Some(Intent::Accept) => {}
        Some(Intent::Dismiss) => state.rollouts.set_filter(""),
        Some(Intent::NextItem) => {
            state.rollouts.move_by(1);
            state.overlay = Overlay::Filter(input);
        }
        Some(Intent::PrevItem) => {
            state.rollouts.move_by(-1);
            state.overlay = Overlay::Filter(input);
        }
        _ => {
            if let Some(req) = text_request(chord) {
                input.handle(req);
                state.rollouts.set_filter(input.value());
            }
            state.overlay = Overlay::Filter(input);
        }
    }
}

fn palette_key(
    state: &mut AppState,
    mut p: Palette,
    intent: Option<Intent>,
    chord: KeyChord,
) -> Vec<Command> {
    let words = state.completion_words();
    match intent {
        Some(Intent::Accept) => {
            // Enter on a partial command name runs the suggestion it completes to.
            let line = p.input.value().trim().to_string();
            let line = match palette::parse(&line, &words) {
                Err(_) if !line.contains(' ') => p
                    .suggestions(&words)
                    .get(p.selected)
                    .map(|s| s.line.trim().to_string())
                    .unwrap_or(line),
                _ => line,
            };
            match palette::parse(&line, &words) {
                Ok(action) => return run(state, action),
                Err(e) => {
                    state.flash(e, true);
                    state.overlay = Overlay::Palette(p);
                }
            }
        }
        Some(Intent::Dismiss) => {}
        Some(Intent::Complete) => {
            p.complete(&words);
            state.overlay = Overlay::Palette(p);
        }
        Some(Intent::NextItem) => {
            p.step(1, &words);
            state.overlay = Overlay::Palette(p);
        }
        Some(Intent::PrevItem) => {
            p.step(-1, &words);
            state.overlay = Overlay::Palette(p);
        }
        _ => {
            if let Some(req) = text_request(chord) {
                p.edit(req);
            }
            state.overlay = Overlay::Palette(p);
        }
    }
    Vec::new()
}

/// The editing request a key means in a text field.
pub(super) fn text_request(chord: KeyChord) -> Option<InputRequest> {
    Some(match (chord.code, chord.ctrl, chord.alt) {
        (KeyCode::Char(c), false, false) => InputRequest::InsertChar(c),
        (KeyCode::Char('w'), true, _) | (KeyCode::Backspace, _, true) => {
            InputRequest::DeletePrevWord
        }
        (KeyCode::Char('u'), true, _) => InputRequest::DeleteLine,
        (KeyCode::Char('a'), true, _) | (KeyCode::Home, ..) => InputRequest::GoToStart,
        (KeyCode::Char('e'), true, _) | (KeyCode::End, ..) => InputRequest::GoToEnd,
        (KeyCode::Char('b'), false, true) => InputRequest::GoToPrevWord,
        (KeyCode::Char('f'), false, true) => InputRequest::GoToNextWord,
        (KeyCode::Backspace, ..) => InputRequest::DeletePrevChar,
        (KeyCode::Delete, ..) => InputRequest::DeleteNextChar,
        (KeyCode::Left, ..) => InputRequest::GoToPrevChar,
        (KeyCode::Right, ..) => InputRequest::GoToNextChar,
        _ => return None,
    })
}

fn apply(state: &mut AppState, intent: Intent) -> Vec<Command> {
    // A running auto-rollback countdown owns Esc, and quitting asks first.
    if state.safety.countdown.is_some() {
        match intent {
            Intent::Back => return super::safety::cancel(state),
            Intent::Quit if !state.safety.quit_asked => {
                state.safety.quit_asked = true;
                state.flash(
                    "an auto-rollback countdown is running: quit again to leave (it will not happen), Esc cancels it",
                    true,
                );
                return Vec::new();
            }
            _ => {}
        }
    }
    if intent.dangerous() && state.session.is_read_only() {
        state.flash(
            format!("read-only session: {} is disabled", intent.description()),
            true,
        );
        return Vec::new();
    }
    let page = state.page_rows() as isize;
    match detail::on_intent(state, intent, page) {
        KeyFlow::Handled(cmds) => cmds,
        KeyFlow::Pass(mut cmds) => {
            cmds.extend(apply_overview(state, intent, page));
            cmds
        }
    }
}

fn apply_overview(state: &mut AppState, intent: Intent, page: isize) -> Vec<Command> {
    if state.screen == Screen::Alerts && super::metrics::alert_key(state, intent, page) {
        return Vec::new();
    }
    if state.screen == Screen::Audit && super::screen_keys::audit_key(state, intent, page) {
        return Vec::new();
    }
    if state.screen == Screen::Flags && super::screen_keys::flags_key(state, intent, page) {
        return Vec::new();
    }
    match intent {
        Intent::Help => state.overlay = Overlay::Help { scroll: 0 },
        Intent::Palette => state.overlay = Overlay::Palette(Palette::default()),
        Intent::Filter if state.screen == Screen::Rollouts => {
            state.overlay = Overlay::Filter(Input::new(state.rollouts.filter().to_string()));
        }
        Intent::Filter => state.flash("nothing to filter on this screen", false),
        Intent::Back => {
            if !state.rollouts.filter().is_empty() {
                state.rollouts.set_filter("");
            } else if state.screen != Screen::Rollouts {
                state.screen = Screen::Rollouts;
            }
        }
        Intent::Down => state.rollouts.move_by(1),
        Intent::Up => state.rollouts.move_by(-1),
        Intent::PageDown => state.rollouts.move_by(page),
        Intent::PageUp => state.rollouts.move_by(-page),
        Intent::Top => state.rollouts.select_index(0),
        Intent::Bottom => state
            .rollouts
            .select_index(state.rollouts.visible_len().saturating_sub(1)),
        Intent::NextPanel => {
            // On the overview: jump between the pinned group and the rest.
            let pinned = state.rollouts.pinned();
            let in_pinned = state.rollouts.cursor().is_some_and(|c| c < pinned);
            let target = if in_pinned || pinned == 0 { pinned } else { 0 };
            if target < state.rollouts.visible_len() {
                state.rollouts.select_index(target);
            }
        }
        Intent::ScreenRollouts => state.screen = Screen::Rollouts,
        Intent::ScreenAlerts => state.screen = Screen::Alerts,
        Intent::ScreenFlags => state.screen = Screen::Flags,
        Intent::ScreenAudit => return super::screen_keys::open_audit(state),
        Intent::Quit => {
            state.quitting = true;
            return vec![Command::Quit];
        }
        Intent::Open if state.screen == Screen::Rollouts => {
            if state.rollouts.selected().is_some() {
                return detail::open(state);
            }
        }
        Intent::Open => {}
        Intent::PlatformReadOnly => return super::flag_keys::platform(state),
        Intent::Approve
        | Intent::PromoteFull
        | Intent::PauseResume
        | Intent::Abort
        | Intent::Retry
        | Intent::Undo => return ask_intent(state, intent),
        Intent::Rollback => return super::rollback::rollback(state),
        Intent::Acknowledge => state.flash("no alert selected", false),
        Intent::ToggleFlag if state.screen == Screen::Flags => {
            return super::flag_keys::toggle(state);
        }
        Intent::ToggleFlag => state.flash("t toggles a flag on the flags screen (3)", false),
        Intent::SortFlags => {}
        // Dialog and input intents only arrive with their overlay open.
        Intent::Confirm
        | Intent::Cancel
        | Intent::FocusNext
        | Intent::Accept
        | Intent::Dismiss
        | Intent::Complete
        | Intent::PrevItem
        | Intent::NextItem => {}
    }
    Vec::new()
}

/// An action key on the overview or the detail: the action it means for the selected row.
fn ask_intent(state: &mut AppState, intent: Intent) -> Vec<Command> {
    use super::actions::{AskOptions, ask};
    use crate::domain::actions::Action;
    let action = match intent {
        Intent::Approve => Action::Approve,
        Intent::PromoteFull => Action::PromoteFull,
        Intent::Abort => Action::Abort,
        Intent::Retry => Action::Retry,
        Intent::Undo => Action::Undo,
        _ => {
            let paused = state.rollouts.selected().is_some_and(|r| r.spec_paused);
            if paused {
                Action::Resume
            } else {
                Action::Pause
            }
        }
    };
    let undo_to = if action == Action::Undo {
        detail::selected_revision(state)
    } else {
        None
    };
    ask(
        state,
        action,
        AskOptions {
            undo_to,
            ..AskOptions::default()
        },
    )
}

fn run(state: &mut AppState, action: PaletteAction) -> Vec<Command> {
    // Another screen, namespace set or context: the detail's watches stop.
    let leaves = match &action {
        PaletteAction::Screen(s) => *s != Screen::Rollouts,
        PaletteAction::Namespaces(_) | PaletteAction::Context(_) => true,
        _ => false,
    };
    let mut cmds = if leaves {
        detail::close(state)
    } else {
        Vec::new()
    };
    if action == PaletteAction::Screen(Screen::Audit) {
        cmds.extend(super::screen_keys::open_audit(state));
        return cmds;
    }
    cmds.extend(run_action(state, action));
    cmds
}

fn run_action(state: &mut AppState, action: PaletteAction) -> Vec<Command> {
    match action {
        PaletteAction::Screen(s) => state.screen = s,
        PaletteAction::Sort(k) => {
            state.rollouts.set_sort(k);
            state.flash(format!("sorted by {}", k.name()), false);
        }
        PaletteAction::Help => state.overlay = Overlay::Help { scroll: 0 },
        PaletteAction::Quit => {
            state.quitting = true;
            return vec![Command::Quit];
        }
        PaletteAction::ReadOnly => {
            if state.session.read_only.is_none() {
                state.session.read_only = Some(ReadOnlyReason::Palette);
            }
            state.flash("read-only: dangerous keys are off until restart", false);
        }
        PaletteAction::Namespaces(scope) => {
            state.flash(format!("namespaces: {}", scope.label()), false);
            state.session.info.namespaces = scope;
            return super::start_session(state);
        }
        PaletteAction::Context(name) => {
            state.flash(format!("switching to context {name}…"), false);
            return vec![Command::SwitchContext(name)];
        }
        PaletteAction::Theme(name) => return vec![Command::SetTheme(name)],
        PaletteAction::FlagState(enabled) => {
            if state.screen != Screen::Flags {
                state.flash("select the flag on the flags screen (3) first", true);
                return Vec::new();
            }
            return super::flag_keys::set_state(state, enabled);
        }
        PaletteAction::Act(action, opts) => {
            if state.screen != Screen::Rollouts {
                state.flash("actions work on the rollouts screen (press 1)", true);
                return Vec::new();
            }
            return super::actions::ask(state, action, opts);
        }
    }
    Vec::new()
}
