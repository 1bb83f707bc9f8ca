//! Pure rendering: `render(&AppState, &Theme, &mut Frame)`. No I/O, no clock (time comes
//! from `state.now`), styles only from theme roles. One screen per file.

mod alerts;
mod audit;
mod confirm;
mod detail;
mod flag_confirm;
mod flags;
mod footer;
mod header;
pub mod help;
pub mod metrics_panel;
mod overview;
mod palette;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::state::{AppState, Overlay, Screen};
use crate::theme::{Role, Theme};

/// Draws the whole screen.
pub fn render(state: &AppState, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(
        ratatui::widgets::Block::default().style(theme.style(Role::ChromeText)),
        area,
    );
    let [head, body, status, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header::render(state, theme, frame, head);
    // The platform read-only banner: on every screen, impossible to miss.
    let body = match crate::state::flag_keys::platform_banner(state) {
        Some(text) if body.height > 3 => {
            let [banner, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
            frame.render_widget(
                ratatui::widgets::Paragraph::new(widgets::styled(
                    format!(" {} {text} ", if state.ascii { "!!" } else { "⚠" }),
                    theme.style(Role::StatusFailed).add_modifier(
                        ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD,
                    ),
                )),
                banner,
            );
            rest
        }
        _ => body,
    };
    match state.screen {
        _ if state.detail.is_some() => detail::render(state, theme, frame, body),
        Screen::Rollouts => overview::render(state, theme, frame, body),
        Screen::Alerts => alerts::render(state, theme, frame, body),
        Screen::Audit => audit::render(state, theme, frame, body),
        Screen::Flags => flags::render(state, theme, frame, body),
    }
    footer::render_status(state, theme, frame, status);
    footer::render_keys(state, theme, frame, foot);
    match &state.overlay {
        Overlay::Help { scroll } => help::render(state, theme, frame, body, *scroll),
        Overlay::Palette(p) => palette::render(state, p, theme, frame, body),
        // Over everything but the header's context line (which cluster this goes to), the
        // status line and the key hints.
        Overlay::Confirm(d) => {
            let over = Rect {
                y: head.y + 1,
                height: body.bottom().saturating_sub(head.y + 1),
                ..body
            };
            confirm::render(state, d, theme, frame, over);
        }
        Overlay::FlagConfirm(d) => {
            let over = Rect {
                y: head.y + 1,
                height: body.bottom().saturating_sub(head.y + 1),
                ..body
            };
            flag_confirm::render(state, d, theme, frame, over);
        }
        Overlay::Filter(_) | Overlay::None => {}
    }
}
