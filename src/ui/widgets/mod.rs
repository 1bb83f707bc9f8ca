//! Small shared pieces: status styling, truncation, symbols with ASCII fallbacks.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::UnicodeWidthStr;

use crate::domain::rollout::Phase;
use crate::theme::{Role, Theme};

pub fn phase_role(phase: Phase) -> Role {
    match phase {
        Phase::Healthy => Role::StatusHealthy,
        Phase::Progressing => Role::StatusProgressing,
        Phase::Paused => Role::StatusPaused,
        Phase::Degraded => Role::StatusDegraded,
        Phase::Failed => Role::StatusFailed,
        Phase::Unknown => Role::StatusUnknown,
    }
}

/// `✖ Degraded`: status is never colour alone.
pub fn phase_span(phase: Phase, ascii: bool, theme: &Theme) -> Span<'static> {
    Span::styled(
        format!("{} {}", phase.symbol(ascii), phase.label()),
        theme.style(phase_role(phase)),
    )
}

pub fn arrow(ascii: bool) -> &'static str {
    if ascii { "->" } else { "→" }
}

pub fn dot(ascii: bool) -> &'static str {
    if ascii { "-" } else { "·" }
}

pub fn warn_sign(ascii: bool) -> &'static str {
    if ascii { "!" } else { "⚠" }
}

/// Cuts `text` to `width` display columns, ending in `…` (or `~`) when cut.
pub fn truncate(text: &str, width: usize, ascii: bool) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let ell = if ascii { "~" } else { "…" };
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(ell);
    out
}

/// A bordered block in the theme's border colour, with ASCII corners when asked.
pub fn block(theme: &Theme, ascii: bool) -> ratatui::widgets::Block<'static> {
    let b = ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(theme.style(Role::ChromeBorder));
    if ascii {
        b.border_set(ratatui::symbols::border::Set {
            top_left: "+",
            top_right: "+",
            bottom_left: "+",
            bottom_right: "+",
            vertical_left: "|",
            vertical_right: "|",
            horizontal_top: "-",
            horizontal_bottom: "-",
        })
    } else {
        b
    }
}

pub fn styled(text: impl Into<String>, style: Style) -> Span<'static> {
    Span::styled(text.into(), style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_display_width() {
        assert_eq!(truncate("payments", 10, false), "payments");
        assert_eq!(truncate("game-engine-canary", 8, false), "game-en…");
        assert_eq!(truncate("game-engine-canary", 8, true), "game-en~");
        assert_eq!(truncate("ab", 0, false), "…");
    }
}
