//! Keys of the list screens other than the overview: the audit and the flags screens.

use tui_input::Input;

use crate::input::Intent;

use super::{AppState, Command, Overlay, Screen};

/// Navigation and filtering on the audit screen; `false` when the key is not the
/// screen's.
pub(super) fn audit_key(state: &mut AppState, intent: Intent, page: isize) -> bool {
    let a = &mut state.audit;
    match intent {
        Intent::Down => a.move_by(1),
        Intent::Up => a.move_by(-1),
        Intent::PageDown => a.move_by(page),
        Intent::PageUp => a.move_by(-page),
        Intent::Top => a.cursor = 0,
        Intent::Bottom => a.move_by(isize::MAX),
        Intent::Filter => {
            state.overlay = Overlay::Filter(Input::new(a.filter.clone()));
        }
        Intent::Back if !a.filter.is_empty() => a.set_filter(""),
        _ => return false,
    }
    true
}

/// Navigation, filtering and sorting (`s` cycles the order) on the flags screen; `false` when
/// the key is not the screen's.
pub(super) fn flags_key(state: &mut AppState, intent: Intent, page: isize) -> bool {
    let f = &mut state.flags;
    match intent {
        Intent::Down => f.move_by(1),
        Intent::Up => f.move_by(-1),
        Intent::PageDown => f.move_by(page),
        Intent::PageUp => f.move_by(-page),
        Intent::Top => f.cursor = 0,
        Intent::Bottom => f.move_by(isize::MAX),
        Intent::Filter => state.overlay = Overlay::Filter(Input::new(f.filter.clone())),
        Intent::Back if !f.filter.is_empty() => f.set_filter(""),
        Intent::SortFlags => {
            f.cycle_sort();
            let text = format!("flags sorted by {}", f.sort.label());
            state.flash(text, false);
        }
        _ => return false,
    }
    true
}

/// The audit screen; the file is read the first time.
pub(super) fn open_audit(state: &mut AppState) -> Vec<Command> {
    state.screen = Screen::Audit;
    if state.audit.loaded {
        Vec::new()
    } else {
        vec![Command::LoadAudit]
    }
}
