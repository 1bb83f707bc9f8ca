//! The flag dialog: the flag and where it lives, from → to, what the operator should know
//! (targeting still applies, Unleash's default strategy, DISABLED is not off, the platform
//! going read-only), the exact requests, and the fields (typed key, expected minutes,
//! reason) with a caret in the focused one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Padding, Paragraph};

use crate::state::AppState;
use crate::state::flag_keys::FlagDialog;
use crate::theme::{Role, Theme};

use super::confirm::{Para, Shown, request_paras, wrap};
use super::widgets::styled;

fn text(t: impl Into<String>, role: Role, theme: &Theme) -> Para {
    Para::new(styled(t.into(), theme.style(role)), 0)
}

fn field(d: &FlagDialog, which: u8, label: &str, value: &str, ascii: bool, theme: &Theme) -> Para {
    let caret = match (d.field == which, ascii) {
        (false, _) => "",
        (true, true) => "_",
        (true, false) => "▏",
    };
    text(format!("{label}{value}{caret}"), Role::ChromeMatch, theme)
}

fn content(state: &AppState, d: &FlagDialog, theme: &Theme) -> Vec<Para> {
    let r = &d.request;
    let ascii = state.ascii;
    let arrow = super::widgets::arrow(ascii);
    let mut out = vec![
        text(
            format!(
                "Flag:    {} ({}, {})",
                r.flag.key,
                r.flag.backend.label(),
                r.flag.source.label()
            ),
            Role::ChromeText,
            theme,
        ),
        text(
            format!("Change:  {}", r.from_to.replace('→', arrow)),
            Role::ChromeText,
            theme,
        ),
    ];
    for n in &r.notes {
        out.push(Para::blank());
        out.push(text(n.clone(), Role::AlertWarning, theme));
    }
    out.push(Para::blank());
    if d.loading {
        out.push(text(
            "Reading the flag's definition…",
            Role::StatusProgressing,
            theme,
        ));
    } else if let Some(e) = &d.error {
        out.push(text(e.clone(), Role::StatusFailed, theme));
    } else {
        out.push(text("Requests:", Role::ChromeTitle, theme));
        let shown: Vec<Shown<'_>> = r
            .plan
            .requests
            .iter()
            .map(|q| Shown {
                verb: q.verb,
                path: &q.path,
                content_type: q.content_type,
                body: &q.body,
            })
            .collect();
        out.extend(request_paras(&shown, theme));
    }
    out.push(Para::blank());
    if let Some(t) = &d.typed {
        let label = format!("Type {} to confirm: ", r.flag.key);
        out.push(field(d, 0, &label, t.value(), ascii, theme));
    }
    if let Some(m) = &d.minutes {
        out.push(field(
            d,
            1,
            "Expected read-only minutes: ",
            m.value(),
            ascii,
            theme,
        ));
    }
    out.push(field(
        d,
        2,
        "Reason (optional, recorded in the audit): ",
        d.reason.value(),
        ascii,
        theme,
    ));
    out.push(Para::blank());
    let keys = if d.loading || d.error.is_some() {
        "Esc close"
    } else {
        "Enter confirm · Esc cancel · Tab next field"
    };
    out.push(text(keys, Role::ChromeKey, theme));
    out
}

pub fn render(state: &AppState, d: &FlagDialog, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(4).clamp(20, 100).min(area.width);
    let inner = usize::from(width.saturating_sub(4)).max(1);
    let rows: Vec<_> = content(state, d, theme)
        .iter()
        .flat_map(|p| wrap(p, inner))
        .collect();
    let height = (rows.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + area.width.saturating_sub(width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let sep = if state.ascii { "-" } else { "—" };
    let title = format!(" {} {sep} {} ", d.request.action(), d.request.object());
    let block = super::widgets::block(theme, state.ascii)
        .border_style(theme.style(Role::AlertWarning))
        .title(styled(title, theme.style(Role::AlertWarning)))
        .padding(Padding::horizontal(1));
    frame.render_widget(Paragraph::new(rows).block(block), popup);
}
