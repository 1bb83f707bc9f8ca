//! Drawing the UI into ratatui's test backend: the state resized to `w`×`h`, rendered
//! with the default theme in true colour, and the screen as text (lines trimmed at the
//! end). Included by the render tests with `#[path]`, so they need none of the rest of
//! `common`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::state::{AppState, Event, update};
use shipdeck::theme::{ColorDepth, Theme};

/// The state drawn at `w`×`h`: the screen's text, and the terminal (for styles).
pub fn draw(s: &mut AppState, w: u16, h: u16) -> (String, Terminal<TestBackend>) {
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
    let text = text_of(&term);
    (text, term)
}

/// The test terminal's screen as text, each line trimmed at the end.
pub fn text_of(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let area = buf.area;
    let mut text = String::new();
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
