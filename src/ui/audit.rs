//! The Audit screen (`4`): every recorded action attempt newest first (time in UTC, outcome,
//! who, where, what, why), the selected one highlighted; below, the requests it sent,
//! exactly as recorded.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::domain::audit::{AuditEntry, Outcome};
use crate::state::AppState;
use crate::theme::{Role, Theme};

use super::confirm::{Para, Shown, request_paras, wrap};
use super::widgets::{dot, styled, truncate, warn_sign};

/// The reason column gets at least this many columns, or none (the panel shows it whole).
const MIN_REASON: usize = 12;
/// `2026-11-26 03:12:00`, always UTC.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
const TIME_WIDTH: usize = 19;

pub fn render(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let visible = state.audit.visible();
    let error_rows = u16::from(state.audit.error.is_some());
    let [error_area, rest] =
        Layout::vertical([Constraint::Length(error_rows), Constraint::Min(0)]).areas(area);
    if let Some(e) = &state.audit.error {
        frame.render_widget(
            Paragraph::new(styled(
                format!(
                    " {} could not read the audit file: {e}",
                    warn_sign(state.ascii)
                ),
                theme.style(Role::StatusFailed),
            )),
            error_area,
        );
    }
    if visible.is_empty() {
        render_empty(state, theme, frame, rest);
        return;
    }
    // The list takes what it needs, leaving the requests panel at least 7 rows.
    let wanted = (visible.len() as u16).saturating_add(3);
    let list_height = wanted.min(rest.height.saturating_sub(7).max(5));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(0)]).areas(rest);
    render_table(state, &visible, theme, frame, top);
    if bottom.height >= 3 {
        let cursor = state.audit.cursor.min(visible.len() - 1);
        render_requests(state, visible[cursor], theme, frame, bottom);
    }
}

fn title(state: &AppState, shown: usize, theme: &Theme) -> Span<'static> {
    let a = &state.audit;
    let sep = if state.ascii { "-" } else { "—" };
    let text = if a.filter.is_empty() {
        format!(" Audit {sep} {shown} recorded ")
    } else {
        format!(
            " Audit {sep} filter: {} ({shown} of {}) ",
            a.filter,
            a.entries.len()
        )
    };
    styled(text, theme.style(Role::ChromeTitle))
}

fn render_empty(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let a = &state.audit;
    let block = super::widgets::block(theme, state.ascii).title(title(state, 0, theme));
    let dim = theme.style(Role::ChromeDim);
    let ell = if state.ascii { "..." } else { "…" };
    let mut text = vec![Line::from("")];
    if !a.loaded {
        text.push(Line::from(styled(
            format!("reading the audit file{ell}"),
            dim,
        )));
    } else if !a.filter.is_empty() {
        text.push(Line::from(styled(
            format!(
                "No recorded action matches {:?} ({} recorded).",
                a.filter,
                a.entries.len()
            ),
            theme.style(Role::ChromeText),
        )));
        text.push(Line::from(styled("Esc clears the filter.", dim)));
    } else {
        text.push(Line::from(styled(
            "No actions recorded yet.",
            theme.style(Role::ChromeText),
        )));
        text.push(Line::from(styled(
            format!(
                "Every approve, promote, abort{ell} attempt appears here (the file is [audit] path in the config)."
            ),
            dim,
        )));
    }
    frame.render_widget(
        Paragraph::new(text)
            .block(block)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// `✔ done` / `✖ failed` / `⚠ refused` / `- cancelled`: never colour alone.
fn outcome_span(o: &Outcome, ascii: bool, theme: &Theme) -> Span<'static> {
    let (symbol, word, role) = match o {
        Outcome::Done => (if ascii { "+" } else { "✔" }, "done", Role::StatusHealthy),
        Outcome::Failed => (if ascii { "x" } else { "✖" }, "failed", Role::StatusFailed),
        Outcome::Refused => (warn_sign(ascii), "refused", Role::AlertWarning),
        Outcome::Cancelled => ("-", "cancelled", Role::ChromeDim),
    };
    styled(format!("{symbol} {word}"), theme.style(role))
}

fn object(e: &AuditEntry) -> String {
    format!("{}/{}", e.namespace, e.name)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Time,
    Outcome,
    Identity,
    Context,
    Object,
    Action,
    Reason,
}

impl Col {
    fn header(self) -> &'static str {
        match self {
            Self::Time => "TIME (UTC)",
            Self::Outcome => "OUTCOME",
            Self::Identity => "IDENTITY",
            Self::Context => "CONTEXT",
            Self::Object => "OBJECT",
            Self::Action => "ACTION",
            Self::Reason => "REASON",
        }
    }
}

/// Columns and their spacing.
fn used(cols: &[(Col, usize)]) -> usize {
    cols.iter().map(|c| c.1 + 1).sum()
}

/// Narrows the columns of `order`, each down to its floor in turn, until they fit `budget`.
fn squeeze(cols: &mut [(Col, usize)], budget: usize, order: &[(Col, usize)]) {
    for &(col, floor) in order {
        while used(cols) > budget {
            let Some(c) = cols.iter_mut().find(|c| c.0 == col && c.1 > floor) else {
                break;
            };
            c.1 -= 1;
        }
    }
}

/// The columns that fit `inner` columns, with their widths. Time, outcome and action stay
/// whole; the object keeps its width longest; the reason (whole in the panel below) gets
/// what is left, and goes when that is too little; the context only on wide terminals.
fn columns(entries: &[&AuditEntry], inner: usize) -> Vec<(Col, usize)> {
    let longest = |col: Col, f: &dyn Fn(&AuditEntry) -> String| {
        entries
            .iter()
            .map(|e| f(e).width())
            .max()
            .unwrap_or(0)
            .max(col.header().width())
    };
    let mut cols = vec![
        (Col::Time, TIME_WIDTH),
        (Col::Outcome, "- cancelled".len()),
        (
            Col::Identity,
            longest(Col::Identity, &|e| e.identity.clone()),
        ),
        (Col::Object, longest(Col::Object, &object)),
        (Col::Action, longest(Col::Action, &|e| e.action.clone())),
    ];
    squeeze(
        &mut cols,
        inner.saturating_sub(MIN_REASON),
        &[(Col::Identity, 12)],
    );
    let mut rest = inner.saturating_sub(used(&cols));
    if rest < MIN_REASON {
        // No reason column: the last column needs no spacing after it.
        let order = [
            (Col::Identity, 12),
            (Col::Object, 16),
            (Col::Identity, 6),
            (Col::Object, 8),
        ];
        squeeze(&mut cols, inner + 1, &order);
        return cols;
    }
    let context = longest(Col::Context, &|e| e.context.clone());
    if rest >= context + 1 + 2 * MIN_REASON {
        cols.insert(3, (Col::Context, context));
        rest -= context + 1;
    }
    cols.push((Col::Reason, rest));
    cols
}

fn cell(col: Col, e: &AuditEntry, width: usize, ascii: bool, theme: &Theme) -> Cell<'static> {
    let fit = |text: &str| truncate(text, width, ascii);
    match col {
        Col::Time => Cell::from(e.time.format(TIME_FORMAT).to_string()),
        Col::Outcome => Cell::from(outcome_span(&e.outcome, ascii, theme)),
        Col::Identity => Cell::from(fit(&e.identity)),
        Col::Context => Cell::from(fit(&e.context)),
        Col::Object => Cell::from(fit(&object(e))),
        Col::Action => Cell::from(fit(&e.action)),
        Col::Reason => {
            let reason = e.reason.as_deref().unwrap_or("").replace('\n', " ");
            Cell::from(styled(fit(&reason), theme.style(Role::ChromeDim)))
        }
    }
}

fn render_table(
    state: &AppState,
    visible: &[&AuditEntry],
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let ascii = state.ascii;
    let cols = columns(visible, usize::from(area.width.saturating_sub(2)));
    let header: Vec<&str> = cols.iter().map(|c| c.0.header()).collect();
    let rows: Vec<Row> = visible
        .iter()
        .map(|e| Row::new(cols.iter().map(|&(c, w)| cell(c, e, w, ascii, theme))))
        .collect();
    let constraints: Vec<Constraint> = cols
        .iter()
        .map(|c| Constraint::Length(c.1 as u16))
        .collect();
    let block = super::widgets::block(theme, ascii).title(title(state, visible.len(), theme));
    let table = Table::new(rows, constraints)
        .header(Row::new(header).style(theme.style(Role::ChromeDim)))
        .block(block)
        .row_highlight_style(theme.style(Role::ChromeSelection))
        .column_spacing(1);
    let cursor = state.audit.cursor.min(visible.len().saturating_sub(1));
    let mut ts = TableState::default().with_selected(Some(cursor));
    frame.render_stateful_widget(table, area, &mut ts);
}

/// The selected entry whole: its reason (never truncated here) and every request it sent.
fn render_requests(state: &AppState, e: &AuditEntry, theme: &Theme, frame: &mut Frame, area: Rect) {
    let ascii = state.ascii;
    let block = super::widgets::block(theme, ascii).title(styled(
        format!(
            " {} {} {} {} {} ",
            e.time.format(TIME_FORMAT),
            dot(ascii),
            e.action,
            object(e),
            e.context
        ),
        theme.style(Role::ChromeTitle),
    ));
    let inner_w = usize::from(area.width.saturating_sub(4)).max(1);
    let mut paras = Vec::new();
    if let Some(reason) = &e.reason {
        paras.push(Para::new(
            vec![
                styled("Reason:  ", theme.style(Role::ChromeDim)),
                styled(reason.clone(), theme.style(Role::ChromeText)),
            ],
            9,
        ));
        paras.push(Para::blank());
    }
    if e.requests.is_empty() {
        paras.push(Para::new(
            styled("no requests were sent", theme.style(Role::ChromeDim)),
            0,
        ));
    } else {
        paras.push(Para::new(
            styled("Requests:", theme.style(Role::ChromeTitle)),
            0,
        ));
        let shown: Vec<Shown<'_>> = e
            .requests
            .iter()
            .map(|r| Shown {
                verb: &r.verb,
                path: &r.path,
                content_type: &r.content_type,
                body: &r.body,
            })
            .collect();
        paras.extend(request_paras(&shown, theme));
    }
    let lines: Vec<Line<'static>> = paras.iter().flat_map(|p| wrap(p, inner_w)).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(block.padding(ratatui::widgets::Padding::horizontal(1)))
            .wrap(Wrap { trim: false }),
        area,
    );
}

#[cfg(test)]
mod tests {
    //! The audit table's columns and the wrapping it shares with the confirm dialog.
    #![allow(clippy::unwrap_used)]

    use super::super::confirm::{Para, wrap};
    use super::*;

    fn entry(identity: &str, object: &str, reason: &str) -> AuditEntry {
        let (namespace, name) = object.split_once('/').unwrap();
        AuditEntry {
            time: chrono::DateTime::UNIX_EPOCH,
            identity: identity.into(),
            context: "prod-eu".into(),
            namespace: namespace.into(),
            name: name.into(),
            action: "promote-full".into(),
            requests: Vec::new(),
            outcome: Outcome::Done,
            reason: Some(reason.into()),
        }
    }

    #[test]
    fn the_object_stays_whole_and_the_reason_goes_first() {
        let e = entry("alice@example.com", "casino-staging/game-engine", "why");
        let names = |cols: &[(Col, usize)]| cols.iter().map(|c| c.0).collect::<Vec<_>>();
        let wide = columns(&[&e], 138);
        assert!(names(&wide).contains(&Col::Context));
        assert_eq!(used(&wide), 139, "the columns fill the table exactly");
        let mid = columns(&[&e], 98);
        assert_eq!(mid.iter().find(|c| c.0 == Col::Object).unwrap().1, 26);
        assert!(names(&mid).contains(&Col::Reason) && !names(&mid).contains(&Col::Context));
        let narrow = columns(&[&e], 78);
        assert!(!names(&narrow).contains(&Col::Reason));
        assert!(used(&narrow) <= 79);
    }

    #[test]
    fn wrapping_keeps_every_character_and_indents_continuations() {
        let body = format!("  {{\"value\":\"{}\"}}", "x".repeat(50));
        let lines = wrap(&Para::new(Line::from(body.clone()), 2), 20);
        let text: Vec<String> = lines.iter().map(ToString::to_string).collect();
        assert!(text.iter().all(|l| l.chars().count() <= 20), "{text:?}");
        assert!(text[1..].iter().all(|l| l.starts_with("  ")), "{text:?}");
        let joined: String = text.iter().map(|l| l.trim_start()).collect();
        assert_eq!(joined, body.trim_start());
        let words = wrap(&Para::new(Line::from("skips step 3/5 (analysis)"), 0), 12);
        let words: Vec<String> = words.iter().map(ToString::to_string).collect();
        assert_eq!(words, ["skips step ", "3/5 ", "(analysis)"]);
    }
}
