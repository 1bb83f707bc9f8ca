//! The `:` palette's suggestion list (the line itself is drawn in the status line).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, List, ListItem, ListState};

use crate::state::{AppState, Palette};
use crate::theme::{Role, Theme};

use super::widgets::styled;

pub fn render(state: &AppState, p: &Palette, theme: &Theme, frame: &mut Frame, area: Rect) {
    let suggestions = p.suggestions(&state.completion_words());
    if suggestions.is_empty() {
        return;
    }
    let height = (suggestions.len() as u16 + 2).min(area.height).min(14);
    let width = area.width.min(64);
    let popup = Rect {
        x: area.x,
        y: area.bottom().saturating_sub(height),
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let items: Vec<ListItem> = suggestions
        .iter()
        .map(|s| {
            ListItem::new(Line::from(vec![
                styled(format!(" {:<24}", s.label), theme.style(Role::ChromeKey)),
                styled(s.description.clone(), theme.style(Role::ChromeDim)),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(super::widgets::block(theme, state.ascii).title(styled(
            format!(
                " Tab completes {} Enter runs ",
                super::widgets::dot(state.ascii)
            ),
            theme.style(Role::ChromeTitle),
        )))
        .highlight_style(theme.style(Role::ChromeSelection));
    let mut ls = ListState::default().with_selected(Some(p.selected.min(suggestions.len() - 1)));
    frame.render_stateful_widget(list, popup, &mut ls);
}
