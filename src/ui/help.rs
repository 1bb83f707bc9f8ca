//! `?`: every key in effect on the current screen, generated from the keymap, grouped by
//! scope, narrowest first. Shadowed keys are left out; dangerous ones are marked, or hidden
//! with a note in read-only mode.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use crate::input::{Intent, KeyChord};
use crate::state::AppState;
use crate::theme::{Role, Theme};

use super::widgets::styled;

/// The help text lines (also used by tests).
pub fn lines(state: &AppState, theme: &Theme) -> Vec<Line<'static>> {
    let read_only = state.session.is_read_only();
    let bindings = state.keymap.in_effect(&state.scopes(), read_only);
    let mut out = Vec::new();
    if read_only {
        out.push(Line::from(styled(
            "Read-only session: dangerous keys are disabled and not listed.",
            theme.style(Role::ChromeReadOnly),
        )));
        out.push(Line::from(""));
    }
    let mut scopes: Vec<_> = bindings.iter().map(|b| b.scope).collect();
    scopes.dedup();
    for scope in scopes {
        out.push(Line::from(styled(
            scope.title(),
            theme.style(Role::ChromeTitle),
        )));
        let mut intents: Vec<Intent> = Vec::new();
        for b in bindings.iter().filter(|b| b.scope == scope) {
            if !intents.contains(&b.intent) {
                intents.push(b.intent);
            }
        }
        for intent in intents {
            let keys: Vec<String> = bindings
                .iter()
                .filter(|b| b.scope == scope && b.intent == intent)
                .map(|b| KeyChord::to_string(&b.chord))
                .collect();
            let key_role = if intent.dangerous() {
                Role::AlertWarning
            } else {
                Role::ChromeKey
            };
            let mark = if intent.dangerous() {
                format!("{} ", super::widgets::warn_sign(state.ascii))
            } else {
                "  ".to_string()
            };
            out.push(Line::from(vec![
                styled(format!("  {:<10}", keys.join(" ")), theme.style(key_role)),
                styled(
                    format!("{:<19}", intent.name()),
                    theme.style(Role::ChromeDim),
                ),
                styled(mark, theme.style(Role::AlertWarning)),
                styled(intent.description(), theme.style(Role::ChromeText)),
            ]));
        }
        out.push(Line::from(""));
    }
    out.push(Line::from(styled(
        format!(
            "{} = dangerous: changes the cluster or the platform.",
            super::widgets::warn_sign(state.ascii)
        ),
        theme.style(Role::ChromeDim),
    )));
    out.push(Line::from(styled(
        "Rebind any key in the config file: [keys.<scope>] \"<key>\" = \"<intent>\"",
        theme.style(Role::ChromeDim),
    )));
    out
}

pub fn render(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect, scroll: u16) {
    let w = area.width.saturating_sub(4).min(90);
    let h = area.height.saturating_sub(2);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + 1,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, popup);
    let title = format!(
        " Keys in effect: {} {} Esc closes ",
        state.screen.title(),
        super::widgets::dot(state.ascii)
    );
    let block = super::widgets::block(theme, state.ascii)
        .title(styled(title, theme.style(Role::ChromeTitle)));
    let text = lines(state, theme);
    let max_scroll = (text.len() as u16).saturating_sub(popup.height.saturating_sub(2));
    frame.render_widget(
        Paragraph::new(text)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        popup,
    );
}
