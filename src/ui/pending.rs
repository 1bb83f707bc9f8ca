//! Alerts, Flags and Audit before their data sources exist: an honest empty state that
//! says what will appear here and how to get back.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::state::{AppState, Screen};
use crate::theme::{Role, Theme};

use super::widgets::styled;

pub fn render(screen: Screen, _state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let what = match screen {
        Screen::Alerts => {
            "Regression alerts (canary vs stable, after vs before) appear here once metrics are configured."
        }
        Screen::Flags => {
            "Feature flags (flagd, Unleash) and the platform read-only switch appear here once a flag backend is configured."
        }
        Screen::Audit => {
            "Every action taken from shipdeck is recorded here: what, by whom, when, with what result."
        }
        Screen::Rollouts => "",
    };
    let block = super::widgets::block(theme, _state.ascii).title(styled(
        format!(" {} ", screen.title()),
        theme.style(Role::ChromeTitle),
    ));
    let text = vec![
        Line::from(""),
        Line::from(styled("Nothing here yet.", theme.style(Role::ChromeText))),
        Line::from(styled(what, theme.style(Role::ChromeDim))),
        Line::from(styled(
            "Press 1 or Esc for the rollouts.",
            theme.style(Role::ChromeDim),
        )),
    ];
    frame.render_widget(
        Paragraph::new(text)
            .block(block)
            .alignment(Alignment::Center)
            .wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}
