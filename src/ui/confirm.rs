//! The confirm dialog of an action: a centred modal showing exactly what `Enter` sends —
//! target, change, what it skips, every request (verb, full path, content type, compact JSON
//! body) and the 404 fallback — then the optional reason field. What is shown is what runs:
//! long lines wrap, they are never cut or abbreviated.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Padding, Paragraph, Wrap};
use serde_json::Value;
use unicode_width::UnicodeWidthChar;

use crate::input::Intent;
use crate::state::AppState;
use crate::state::actions::ConfirmDialog;
use crate::theme::{Role, Theme};

use super::widgets::{dot, styled, warn_sign};

/// The reason field's label.
const REASON: &str = "Reason (optional, recorded in the audit): ";
/// The dialog is never wider than this.
const MAX_WIDTH: u16 = 96;
/// Nor narrower than this, when the terminal allows.
const MIN_WIDTH: u16 = 60;
/// The reason field shares the label's line when it gets at least this many columns.
const MIN_FIELD: u16 = 16;

/// A line before wrapping; its continuation rows start with `indent` spaces.
pub(super) struct Para {
    pub line: Line<'static>,
    pub indent: usize,
}

impl Para {
    pub fn new(line: impl Into<Line<'static>>, indent: usize) -> Self {
        Self {
            line: line.into(),
            indent,
        }
    }

    pub fn blank() -> Self {
        Self::new(Line::default(), 0)
    }
}

/// One request as shown: the dialog's plan and the audit's record alike.
pub(super) struct Shown<'a> {
    pub verb: &'a str,
    pub path: &'a str,
    pub content_type: &'a str,
    pub body: &'a Value,
}

/// `PATCH /apis/…/status`, `  Content-Type: …`, `  {"status":…}`, numbered when several.
pub(super) fn request_paras(requests: &[Shown<'_>], theme: &Theme) -> Vec<Para> {
    let many = requests.len() > 1;
    let mut out = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let number = if many {
            format!("{}. ", i + 1)
        } else {
            String::new()
        };
        let pad = number.chars().count();
        let body = serde_json::to_string(r.body).unwrap_or_else(|_| r.body.to_string());
        out.push(Para::new(
            vec![
                styled(number, theme.style(Role::ChromeDim)),
                styled(format!("{} ", r.verb), theme.style(Role::ChromeKey)),
                styled(r.path.to_string(), theme.style(Role::ChromeText)),
            ],
            pad,
        ));
        out.push(Para::new(
            vec![
                styled(
                    format!("{}  Content-Type: ", " ".repeat(pad)),
                    theme.style(Role::ChromeDim),
                ),
                styled(r.content_type.to_string(), theme.style(Role::ChromeText)),
            ],
            pad + 2,
        ));
        out.push(Para::new(
            styled(
                format!("{}  {body}", " ".repeat(pad)),
                theme.style(Role::ChromeMatch),
            ),
            pad + 2,
        ));
    }
    out
}

/// Wraps `p` to `width` columns: at the last space that fits, else anywhere (paths and JSON
/// have no spaces); continuation rows are indented. Nothing is dropped but a space that
/// falls exactly at a break.
pub(super) fn wrap(p: &Para, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = p.indent.min(width / 2);
    let cells: Vec<(char, Style)> = p
        .line
        .spans
        .iter()
        .flat_map(|s| {
            s.content
                .chars()
                .map(move |c| (c, p.line.style.patch(s.style)))
        })
        .collect();
    let cw = |c: char| c.width().unwrap_or(0);
    let row_width = |row: &[(char, Style)]| row.iter().map(|(c, _)| cw(*c)).sum::<usize>();
    let lead = vec![(' ', Style::default()); indent];
    let mut rows: Vec<Vec<(char, Style)>> = Vec::new();
    let mut cur: Vec<(char, Style)> = Vec::new();
    let mut start = 0; // where the row's own text begins (after the indent)
    for (c, style) in cells {
        let w = cw(c);
        if row_width(&cur) + w > width && cur.len() > start {
            let space = cur[start..]
                .iter()
                .rposition(|(ch, _)| *ch == ' ')
                .map(|i| i + start + 1)
                .filter(|&i| i < cur.len() && indent + row_width(&cur[i..]) + w <= width);
            let carry = space.map(|i| cur.split_off(i)).unwrap_or_default();
            rows.push(std::mem::take(&mut cur));
            cur = lead.clone();
            cur.extend(carry);
            start = indent;
            if c == ' ' && space.is_none() {
                // A space at a hard break ends the row it was on (invisible there).
                continue;
            }
        }
        cur.push((c, style));
    }
    rows.push(cur);
    rows.into_iter().map(|row| to_line(&row)).collect()
}

fn to_line(row: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = None;
    for (c, s) in row {
        if style.is_some_and(|st| st != *s) {
            spans.push(Span::styled(
                std::mem::take(&mut text),
                style.unwrap_or_default(),
            ));
        }
        style = Some(*s);
        text.push(*c);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, style.unwrap_or_default()));
    }
    Line::from(spans)
}

/// The key bound to a dialog intent, as the dialog and the footer name it.
pub(super) fn key_name(state: &AppState, intent: Intent, default: &str) -> String {
    state
        .keymap
        .keys_for(intent)
        .first()
        .map_or_else(|| default.to_string(), ToString::to_string)
}

/// `label:  value`, the value's continuation rows aligned under it.
fn field(label: &str, value: &str, role: Role, theme: &Theme) -> Para {
    let label = format!("{label:<9}");
    let indent = label.chars().count();
    Para::new(
        vec![
            styled(label, theme.style(Role::ChromeDim)),
            styled(value.to_string(), theme.style(role)),
        ],
        indent,
    )
}

fn shown(requests: &[crate::domain::argo_requests::Request]) -> Vec<Shown<'_>> {
    requests
        .iter()
        .map(|r| Shown {
            verb: r.verb,
            path: &r.path,
            content_type: r.content_type,
            body: &r.body,
        })
        .collect()
}

/// One unwrapped line of `role`-styled text.
fn text(t: impl Into<String>, role: Role, theme: &Theme) -> Para {
    Para::new(styled(t, theme.style(role)), 0)
}

/// Everything above the reason field.
fn content(state: &AppState, d: &ConfirmDialog, theme: &Theme) -> Vec<Para> {
    let req = &d.request;
    let ascii = state.ascii;
    let mut out = vec![field("Target:", &req.target, Role::ChromeText, theme)];
    if let Some(change) = &req.change {
        let change = change.replace('→', super::widgets::arrow(ascii));
        out.push(field("Change:", &change, Role::ChromeText, theme));
    }
    for (i, skip) in req.plan.skips.iter().enumerate() {
        let label = if i == 0 { "Skips:" } else { "" };
        out.push(field(label, skip, Role::AlertWarning, theme));
    }
    for note in &d.notes {
        out.push(Para::blank());
        out.push(text(
            note.replace('→', super::widgets::arrow(ascii)),
            Role::ChromeText,
            theme,
        ));
    }
    if let Some(t) = &d.typed {
        // A critical service: its name typed here, or Enter does nothing.
        let caret = match (d.on_reason, ascii) {
            (true, _) => "",
            (false, true) => "_",
            (false, false) => "▏",
        };
        let role = if d.name_confirmed() {
            Role::StatusHealthy
        } else {
            Role::AlertWarning
        };
        out.push(Para::blank());
        out.push(text(
            format!(
                "Critical service: type {} to confirm (Tab: reason): {}{caret}",
                req.key.name,
                t.value()
            ),
            role,
            theme,
        ));
    }
    out.push(Para::blank());
    if d.loading {
        let ell = if ascii { "..." } else { "…" };
        let reading = format!("Reading the ReplicaSets{ell}");
        out.push(text(reading, Role::StatusProgressing, theme));
    } else if let Some(error) = &d.error {
        let error = format!("{} {error}", warn_sign(ascii));
        out.push(Para {
            indent: 2,
            ..text(error, Role::StatusFailed, theme)
        });
    } else if let Some(nothing) = &d.nothing_to_send {
        out.push(text(nothing.clone(), Role::ChromeText, theme));
    } else {
        out.push(text("Requests:", Role::ChromeTitle, theme));
        out.extend(request_paras(&shown(&req.plan.requests), theme));
        if let Some(fallback) = &req.plan.fallback {
            let instead = "If the API server has no status subresource (404), instead:";
            out.extend([Para::blank(), text(instead, Role::ChromeTitle, theme)]);
            out.extend(request_paras(&shown(fallback), theme));
        }
        if state.session.is_read_only() {
            let note = "Read-only session: Enter records a refusal, nothing is sent.";
            out.extend([Para::blank(), text(note, Role::ChromeReadOnly, theme)]);
        }
    }
    out
}

/// The last line: which keys do what now.
fn keys_line(state: &AppState, d: &ConfirmDialog, theme: &Theme) -> Line<'static> {
    let key = |i: Intent, default: &str| {
        styled(key_name(state, i, default), theme.style(Role::ChromeKey))
    };
    let label = |l: String| styled(l, theme.style(Role::ChromeDim));
    if d.loading || d.error.is_some() {
        return Line::from(vec![key(Intent::Cancel, "Esc"), label(" close".into())]);
    }
    let enter = if d.nothing_to_send.is_some() {
        " closes, nothing is sent"
    } else {
        " confirm"
    };
    Line::from(vec![
        key(Intent::Confirm, "Enter"),
        label(enter.into()),
        label(format!(" {} ", dot(state.ascii))),
        key(Intent::Cancel, "Esc"),
        label(" cancel".into()),
    ])
}

/// Draws the dialog centred in `area` (the screen above the status line).
pub fn render(state: &AppState, d: &ConfirmDialog, theme: &Theme, frame: &mut Frame, area: Rect) {
    let paras = content(state, d, theme);
    let keys = keys_line(state, d, theme);
    let with_reason = !d.loading && d.error.is_none() && d.nothing_to_send.is_none();
    let reason_w = REASON.chars().count() as u16;
    // Width: what the longest line wants, within [MIN_WIDTH, MAX_WIDTH] and the screen.
    let natural = paras
        .iter()
        .map(|p| p.line.width())
        .chain([keys.width()])
        .chain(with_reason.then_some(usize::from(reason_w + MIN_FIELD + 8)))
        .max()
        .unwrap_or(0) as u16
        + 4;
    let avail = area.width.saturating_sub(2).max(1);
    let width = natural.clamp(MIN_WIDTH.min(avail), MAX_WIDTH.min(avail));
    let inner_w = width.saturating_sub(4).max(1);
    let mut rows: Vec<Line<'static>> = paras
        .iter()
        .flat_map(|p| wrap(p, usize::from(inner_w)))
        .collect();
    let reason_rows: u16 = match (with_reason, inner_w >= reason_w + MIN_FIELD) {
        (false, _) => 0,
        (true, true) => 2,
        (true, false) => 3,
    };
    let bottom = reason_rows + 2; // blank + keys
    let height = (rows.len() as u16 + bottom + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    // A blank column each side, inside the screen's own borders, sets the dialog apart.
    let margin = Rect {
        x: popup.x.saturating_sub(1).max(area.x + 1),
        width: (popup.width + 2).min(area.width.saturating_sub(2)),
        ..popup
    };
    frame.render_widget(Clear, margin.union(popup));
    let sep = if state.ascii { "-" } else { "—" };
    let title = format!(
        " {} {sep} {} ",
        d.request.action.title(),
        d.request.object()
    );
    let block = super::widgets::block(theme, state.ascii)
        .border_style(theme.style(Role::AlertWarning))
        .title(styled(title, theme.style(Role::AlertWarning)))
        .padding(Padding::horizontal(1));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    // The content takes what is left above the reason and the keys; when the terminal is
    // too short for all of it, the last row says how much is not shown.
    let room = inner.height.saturating_sub(bottom);
    if rows.len() > usize::from(room) && room > 0 {
        let keep = usize::from(room - 1);
        let hidden = rows.len() - keep;
        rows.truncate(keep);
        rows.push(Line::from(styled(
            format!(
                "{} {hidden} more lines do not fit: make the terminal taller to read them",
                warn_sign(state.ascii)
            ),
            theme.style(Role::AlertWarning),
        )));
    }
    let text_area = Rect {
        height: room.min(inner.height),
        ..inner
    };
    frame.render_widget(Paragraph::new(rows).wrap(Wrap { trim: false }), text_area);
    let keys_y = inner.bottom().saturating_sub(1);
    let keys_area = Rect {
        y: keys_y,
        height: inner.height.min(1),
        ..inner
    };
    frame.render_widget(Paragraph::new(keys), keys_area);
    if with_reason && inner.height >= bottom {
        let field = Rect {
            y: keys_y.saturating_sub(reason_rows),
            height: reason_rows - 1,
            ..inner
        };
        render_reason(d, theme, frame, field);
    }
}

/// The label and the input (on the label's line when it fits), with the terminal cursor.
fn render_reason(d: &ConfirmDialog, theme: &Theme, frame: &mut Frame, area: Rect) {
    let label_w = REASON.chars().count() as u16;
    frame.render_widget(
        Paragraph::new(styled(REASON, theme.style(Role::ChromeText))),
        Rect { height: 1, ..area },
    );
    let field = if area.height >= 2 {
        Rect {
            y: area.y + 1,
            height: 1,
            ..area
        }
    } else {
        Rect {
            x: area.x + label_w,
            width: area.width.saturating_sub(label_w),
            height: 1,
            ..area
        }
    };
    let input = &d.reason;
    let w = usize::from(field.width.saturating_sub(1)).max(1);
    let scroll = input.visual_scroll(w);
    let shown: String = input.value().chars().skip(scroll).collect();
    let style = theme.style(Role::ChromeSelection);
    frame.render_widget(
        Paragraph::new(Line::from(styled(
            shown,
            style.patch(theme.style(Role::ChromeMatch)),
        )))
        .style(style),
        field,
    );
    let x = field.x + (input.visual_cursor().saturating_sub(scroll)) as u16;
    // The cursor sits in the reason while it has the keys (not while a critical service's
    // name is being typed above).
    if d.typed.is_none() || d.on_reason {
        frame.set_cursor_position(Position::new(
            x.min(field.right().saturating_sub(1)),
            field.y,
        ));
    }
}
