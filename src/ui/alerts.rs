//! The Alerts screen: firing regression alerts newest first with the numbers that triggered
//! them, the selected one highlighted; below, the history of cleared alerts.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::domain::metrics::alerts::{Alert, AlertSeverity};
use crate::domain::rollout::format_age;
use crate::state::AppState;
use crate::state::metrics::{MetricsHealth, growth_label, panel_status};
use crate::theme::{Role, Theme};

use super::widgets::{dot, styled, truncate, warn_sign};

/// Terminals at least this wide get the comparison and threshold columns.
const WIDE: u16 = 110;

pub fn render(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let book = &state.metrics.alerts;
    // The firing list takes what it needs (at least room for the empty message); the
    // history gets the rest, at least a few lines.
    let wanted = (book.active.len() as u16).saturating_add(3).max(6);
    let active_height = wanted.min(area.height.saturating_sub(5).max(6));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(active_height), Constraint::Min(0)]).areas(area);
    render_active(state, theme, frame, top);
    if bottom.height >= 3 {
        render_history(state, theme, frame, bottom);
    }
}

/// `✖ critical` / `⚠ warning`: severity is never colour alone.
fn severity_text(severity: AlertSeverity, ascii: bool) -> String {
    match severity {
        AlertSeverity::Critical => format!("{} critical", if ascii { "x" } else { "✖" }),
        AlertSeverity::Warning => format!("{} warning", warn_sign(ascii)),
    }
}

fn severity_span(severity: AlertSeverity, ascii: bool, theme: &Theme) -> Span<'static> {
    let role = match severity {
        AlertSeverity::Critical => Role::AlertCritical,
        AlertSeverity::Warning => Role::AlertWarning,
    };
    styled(severity_text(severity, ascii), theme.style(role))
}

fn threshold(a: &Alert) -> String {
    format!("> {}", growth_label(a.threshold))
}

fn render_active(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let ascii = state.ascii;
    let book = &state.metrics.alerts;
    let mut title = vec![styled(
        format!(" Alerts {} active ", book.active.len()),
        theme.style(Role::ChromeTitle),
    )];
    let critical = book
        .active
        .iter()
        .filter(|a| a.severity == AlertSeverity::Critical)
        .count();
    if critical > 0 {
        title.push(styled(
            format!("{} {critical} critical ", dot(ascii)),
            theme.style(Role::AlertWarning),
        ));
    }
    let unacked = book.active.iter().filter(|a| !a.acknowledged).count();
    if unacked > 0 {
        title.push(styled(
            format!("{} {unacked} not acknowledged ", dot(ascii)),
            theme.style(Role::ChromeText),
        ));
    }
    let mut status = panel_status(&state.metrics, state.now);
    status.text = super::metrics_panel::plain(&status.text, ascii);
    let status_role = if status.problem {
        Role::AlertWarning
    } else {
        Role::ChromeDim
    };
    let mut block = super::widgets::block(theme, ascii).title(Line::from(title));
    if state.metrics.health != MetricsHealth::Off {
        let room = usize::from(area.width.saturating_sub(4));
        let text = if status.problem {
            format!(" {} {} ", warn_sign(ascii), status.text)
        } else {
            format!(" {} ", status.text)
        };
        block = block.title_bottom(styled(
            truncate(&text, room, ascii),
            theme.style(status_role),
        ));
    }
    if book.active.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_text(state, theme))
                .block(block)
                .alignment(Alignment::Center)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let wide = area.width >= WIDE;
    let mut header = vec![
        "SEVERITY", "ROLLOUT", "METRIC", "VALUE", "BASELINE", "GROWTH",
    ];
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Fill(1),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(7),
    ];
    if wide {
        header.extend(["THRESHOLD", "COMPARED"]);
        widths.extend([Constraint::Length(9), Constraint::Length(16)]);
    }
    header.extend(["SINCE", "ACK"]);
    widths.extend([Constraint::Length(7), Constraint::Length(3)]);
    let rows: Vec<Row> = book
        .active
        .iter()
        .map(|a| {
            let m = a.key.metric;
            let mut cells = vec![
                Cell::from(severity_span(a.severity, ascii, theme)),
                Cell::from(format!(
                    "{}/{}",
                    a.key.rollout.namespace, a.key.rollout.name
                )),
                Cell::from(m.label()),
                Cell::from(m.format(Some(a.value))),
                Cell::from(m.format(Some(a.baseline))),
                Cell::from(growth_label(a.growth)),
            ];
            if wide {
                cells.push(Cell::from(threshold(a)));
                cells.push(Cell::from(a.comparison.label()));
            }
            cells.push(Cell::from(format_age(a.since, state.now)));
            cells.push(Cell::from(if a.acknowledged {
                styled("ack", theme.style(Role::ChromeDim))
            } else {
                styled("", theme.style(Role::ChromeDim))
            }));
            let row = Row::new(cells);
            if status.stale {
                row.style(theme.style(Role::ChromeDim))
            } else {
                row
            }
        })
        .collect();
    let cursor = state
        .metrics
        .alert_cursor
        .min(book.active.len().saturating_sub(1));
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.style(Role::ChromeDim)))
        .block(block)
        .row_highlight_style(theme.style(Role::ChromeSelection))
        .column_spacing(1);
    let mut ts = TableState::default().with_selected(Some(cursor));
    frame.render_stateful_widget(table, area, &mut ts);
}

/// Why the list is empty, and whether that means "all good".
fn empty_text(state: &AppState, theme: &Theme) -> Vec<Line<'static>> {
    let m = &state.metrics;
    let dim = theme.style(Role::ChromeDim);
    let text = theme.style(Role::ChromeText);
    match &m.health {
        MetricsHealth::Off => vec![
            Line::from(""),
            Line::from(styled("Nothing here yet.", text)),
            Line::from(styled(
                "metrics off: set [prometheus] url in the config (shipdeck config show)",
                dim,
            )),
            Line::from(styled("Press 1 or Esc for the rollouts.", dim)),
        ],
        MetricsHealth::Waiting => vec![
            Line::from(""),
            Line::from(styled(
                format!(
                    "no alerts yet: waiting for the first answer of {}",
                    m.settings.source
                ),
                text,
            )),
        ],
        MetricsHealth::Failing { error, .. } => vec![
            Line::from(""),
            Line::from(styled(
                format!(
                    "{} no active alerts, but the metrics are failing: {error}",
                    warn_sign(state.ascii)
                ),
                theme.style(Role::AlertWarning),
            )),
            Line::from(styled(
                "alerts can neither fire nor clear until it answers",
                dim,
            )),
        ],
        MetricsHealth::Live { .. } => vec![
            Line::from(""),
            Line::from(styled(
                format!(
                    "{} no active alerts {} every rollout in flight is within its thresholds",
                    if state.ascii { "+" } else { "✔" },
                    if state.ascii { "-" } else { "—" }
                ),
                theme.style(Role::StatusHealthy),
            )),
        ],
    }
}

fn render_history(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let ascii = state.ascii;
    let history = &state.metrics.alerts.history;
    let block = super::widgets::block(theme, ascii).title(styled(
        format!(" History {} cleared ", history.len()),
        theme.style(Role::ChromeTitle),
    ));
    if history.is_empty() {
        frame.render_widget(
            Paragraph::new(styled(
                "no cleared alerts yet",
                theme.style(Role::ChromeDim),
            ))
            .block(block)
            .alignment(Alignment::Center),
            area,
        );
        return;
    }
    let wide = area.width >= WIDE;
    let mut header = vec![
        "CLEARED", "SEVERITY", "ROLLOUT", "METRIC", "VALUE", "BASELINE", "GROWTH",
    ];
    let mut widths = vec![
        Constraint::Length(11),
        Constraint::Length(10),
        Constraint::Fill(1),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(7),
    ];
    if wide {
        header.push("FIRED FOR");
        widths.push(Constraint::Length(9));
    }
    let room = usize::from(area.height.saturating_sub(3));
    let rows: Vec<Row> = history
        .iter()
        .take(room)
        .map(|a| {
            let m = a.key.metric;
            let cleared = a
                .cleared
                .map(|t| format!("{} ago", format_age(t, state.now)))
                .unwrap_or_default();
            let mut cells = vec![
                Cell::from(cleared),
                Cell::from(severity_text(a.severity, ascii)),
                Cell::from(format!(
                    "{}/{}",
                    a.key.rollout.namespace, a.key.rollout.name
                )),
                Cell::from(m.label()),
                Cell::from(m.format(Some(a.value))),
                Cell::from(m.format(Some(a.baseline))),
                Cell::from(growth_label(a.growth)),
            ];
            if wide {
                cells.push(Cell::from(
                    a.cleared
                        .map(|t| format_age(a.since, t))
                        .unwrap_or_default(),
                ));
            }
            Row::new(cells).style(theme.style(Role::ChromeDim))
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.style(Role::ChromeDim)))
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, area);
}
