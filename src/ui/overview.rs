//! The overview: every rollout in view, the "needs attention" group pinned on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use crate::domain::rollout::{RolloutKey, RolloutRow, format_age};
use crate::domain::scope::NamespaceScope;
use crate::state::AppState;
use crate::theme::{Role, Theme};

use super::metrics_panel::{PANEL_HEIGHT, render_metrics_panel};
use super::widgets::{arrow, dot, phase_span, styled, truncate, warn_sign};

/// Terminals at least this wide get the namespace and kind columns.
const WIDE: u16 = 110;
/// Terminals at least this tall get the metrics panel of the selected row under the table.
const TALL: u16 = 30;

pub fn render(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let area = match metrics_split(state, frame.area().height, area) {
        Some((table, panel, key)) => {
            render_metrics_panel(state, theme, key, frame, panel);
            table
        }
        None => area,
    };
    let list = &state.rollouts;
    let count = if list.filter().is_empty() {
        format!(" Rollouts {} ", list.total())
    } else {
        format!(" Rollouts {} of {} ", list.visible_len(), list.total())
    };
    let mut title = vec![styled(count, theme.style(Role::ChromeTitle))];
    let attention = list.attention_total();
    if attention > 0 {
        title.push(styled(
            format!("{} {attention} need attention ", dot(state.ascii)),
            theme.style(Role::AlertWarning),
        ));
    }
    let progressing = list.progressing();
    if progressing > 0 {
        title.push(styled(
            format!("{} {progressing} progressing ", dot(state.ascii)),
            theme.style(Role::StatusProgressing),
        ));
    }
    if !list.filter().is_empty() {
        title.push(styled(
            format!("{} filter \"{}\" ", dot(state.ascii), list.filter()),
            theme.style(Role::ChromeMatch),
        ));
    }
    if stale_sources(state) {
        title.push(styled(
            format!(
                "{} {} rows may be stale ",
                dot(state.ascii),
                warn_sign(state.ascii)
            ),
            theme.style(Role::AlertWarning),
        ));
    }
    title.push(styled(
        format!("{} sort {} ", dot(state.ascii), list.sort().name()),
        theme.style(Role::ChromeDim),
    ));
    let block = super::widgets::block(theme, state.ascii).title(Line::from(title));

    if list.visible_len() == 0 {
        let text = empty_text(state);
        frame.render_widget(
            Paragraph::new(text)
                .block(block)
                .style(theme.style(Role::ChromeDim))
                .alignment(ratatui::layout::Alignment::Center),
            area,
        );
        return;
    }

    let wide = area.width >= WIDE;
    let multi_ns =
        !matches!(&state.session.info.namespaces, NamespaceScope::Some(v) if v.len() == 1);
    let header_cells: Vec<&str> = if wide {
        vec![
            "",
            "STATUS",
            "NAMESPACE",
            "NAME",
            "KIND",
            "STEP",
            "WEIGHT",
            "READY",
            "VERSION",
            "AGE",
        ]
    } else {
        vec![
            "", "STATUS", "NAME", "STEP", "WEIGHT", "READY", "VERSION", "AGE",
        ]
    };
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(1),
            Constraint::Length(13),
            Constraint::Length(15),
            Constraint::Fill(1),
            Constraint::Length(9),
            Constraint::Length(5),
            Constraint::Length(7),
            Constraint::Length(5),
            Constraint::Length(22),
            Constraint::Length(7),
        ]
    } else {
        vec![
            Constraint::Length(1),
            Constraint::Length(13),
            Constraint::Fill(1),
            Constraint::Length(4),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(13),
            Constraint::Length(6),
        ]
    };
    let version_width = if wide { 22 } else { 13 };

    let pinned = list.pinned();
    let mut rows: Vec<Row> = Vec::new();
    let mut selected_visual = None;
    let cursor = list.cursor();
    let group = |label: String, detail: String, role: Role| {
        let mut cells = vec![
            Cell::from(""),
            Cell::from(Span::styled(label, theme.style(role))),
        ];
        if wide {
            cells.push(Cell::from(""));
        }
        cells.push(Cell::from(Span::styled(
            detail,
            theme.style(Role::ChromeDim),
        )));
        Row::new(cells)
    };
    let others = list.visible_len() - pinned;
    // Only the lines in view are built (thousands of rows are common): line numbers count
    // the group headings; the window ends at the selection when it is below the fold,
    // as a table scrolled by the keys would show it.
    let groups = usize::from(pinned > 0);
    let line_of = |i: usize| i + groups + usize::from(pinned > 0 && i >= pinned);
    let height = usize::from(area.height.saturating_sub(3)).max(1);
    let offset = cursor.map_or(0, |c| line_of(c).saturating_sub(height - 1));
    let in_view = |line: usize| line >= offset && line < offset + height;
    for (i, r) in list.visible().enumerate() {
        if pinned > 0 && i == 0 && in_view(0) {
            rows.push(group(
                format!("{} ATTENTION", warn_sign(state.ascii)),
                format!("{pinned} need a human"),
                Role::AlertWarning,
            ));
        }
        if pinned > 0 && i == pinned && in_view(line_of(i) - 1) {
            rows.push(group(
                "OTHERS".to_string(),
                format!("{others} more"),
                Role::ChromeDim,
            ));
        }
        if !in_view(line_of(i)) {
            if line_of(i) >= offset + height {
                break;
            }
            continue;
        }
        if cursor == Some(i) {
            selected_visual = Some(rows.len());
        }
        rows.push(row(state, theme, r, wide, multi_ns, version_width));
    }
    let table = Table::new(rows, widths)
        .header(
            Row::new(header_cells)
                .style(theme.style(Role::ChromeDim))
                .bottom_margin(0),
        )
        .block(block)
        .row_highlight_style(theme.style(Role::ChromeSelection))
        .column_spacing(1);
    let mut ts = TableState::default().with_selected(selected_visual);
    frame.render_stateful_widget(table, area, &mut ts);
}

fn row<'a>(
    state: &AppState,
    theme: &Theme,
    r: &'a RolloutRow,
    wide: bool,
    multi_ns: bool,
    version_width: usize,
) -> Row<'a> {
    let ascii = state.ascii;
    let marker = if r.needs_attention() {
        Span::styled(
            if ascii { "!" } else { "▌" },
            theme.style(Role::AlertWarning),
        )
    } else {
        Span::raw(" ")
    };
    let status = if r.invalid.is_some() {
        Span::styled(
            format!("{} Invalid", warn_sign(ascii)),
            theme.style(Role::StatusUnknown),
        )
    } else {
        phase_span(r.phase, ascii, theme)
    };
    let mut name = if wide || !multi_ns {
        r.key.name.clone()
    } else {
        format!("{}/{}", r.key.namespace, r.key.name)
    };
    // Critical (typed confirmation) and GitOps-managed (manual spec changes get reverted).
    if r.critical {
        name.push_str(if ascii { " *" } else { " ◆" });
    }
    if r.gitops.is_some() {
        name.push_str(if ascii { " @" } else { " ⟲" });
    }
    let step = r
        .step
        .map(|s| format!("{}/{}", s.index, s.total))
        .unwrap_or_default();
    let weight = match r.weights {
        Some(w) => match w.actual {
            Some(actual) if actual != w.set => format!("{actual}/{}%", w.set),
            // Equal, or unknown (no ReplicaSets watched): the set weight alone.
            _ => format!("{}%", w.set),
        },
        None => String::new(),
    };
    let ready_role = if r.replicas.ready < r.replicas.desired {
        Role::StatusDegraded
    } else {
        Role::ChromeText
    };
    let ready = Span::styled(
        format!("{}/{}", r.replicas.ready, r.replicas.desired),
        theme.style(ready_role),
    );
    let version = version_cell(r, ascii, version_width, wide, theme);
    let age = r
        .since
        .map(|t| format_age(t, state.now))
        .unwrap_or_default();
    let mut cells = vec![Cell::from(marker), Cell::from(status)];
    if wide {
        cells.push(Cell::from(r.key.namespace.clone()));
    }
    cells.push(Cell::from(name));
    if wide {
        cells.push(Cell::from(r.key.kind.label()));
    }
    cells.extend([
        Cell::from(step),
        Cell::from(weight),
        Cell::from(ready),
        Cell::from(version),
        Cell::from(age),
    ]);
    let stale = state
        .session
        .source(crate::state::rollouts::source_of(r.key.kind))
        .is_some_and(|st| st.is_stale());
    if stale {
        return Row::new(cells).style(theme.style(Role::ChromeDim));
    }
    Row::new(cells)
}

/// `1.8.3 → 1.9.0`, with a warning sign on a mutable tag such as `latest`.
fn version_cell(
    r: &RolloutRow,
    ascii: bool,
    width: usize,
    spaced: bool,
    theme: &Theme,
) -> Line<'static> {
    let stable = r.stable_version().unwrap_or_default();
    let mut spans = Vec::new();
    if r.image_warning() {
        spans.push(styled(
            format!("{} ", warn_sign(ascii)),
            theme.style(Role::AlertWarning),
        ));
    }
    let change = r.containers.first().and_then(|c| c.change());
    let text = match (r.new_version(), change) {
        (Some(_), Some(c)) if spaced => {
            let full = format!("{} {} {} ({})", c.from, arrow(ascii), c.to, c.kind.label());
            if full.chars().count() <= width {
                full
            } else {
                format!("{} {} {}", c.from, arrow(ascii), c.to)
            }
        }
        (Some(new), _) if stable.is_empty() => format!("{} {new}", arrow(ascii)),
        (Some(new), _) if spaced => format!("{stable} {} {new}", arrow(ascii)),
        (Some(new), _) => format!("{stable}{}{new}", arrow(ascii)),
        (None, _) => stable,
    };
    let room = width.saturating_sub(if spans.is_empty() { 0 } else { 2 });
    spans.push(Span::raw(truncate(&text, room, ascii)));
    Line::from(spans)
}

/// The table's and the metrics panel's areas, when the terminal is tall enough and the
/// selected row has metrics (or metrics are configured at all); `None` leaves the overview
/// as it is.
fn metrics_split(
    state: &AppState,
    terminal_height: u16,
    area: Rect,
) -> Option<(Rect, Rect, &RolloutKey)> {
    let key = &state.rollouts.selected()?.key;
    let m = &state.metrics;
    let wanted = m.settings.enabled || m.per_rollout.contains_key(key);
    if !wanted || terminal_height < TALL || area.height < PANEL_HEIGHT + 6 {
        return None;
    }
    let [table, panel] =
        ratatui::layout::Layout::vertical([Constraint::Fill(1), Constraint::Length(PANEL_HEIGHT)])
            .areas(area);
    Some((table, panel, key))
}

/// Whether any rollout source is failing (its rows are the last known).
fn stale_sources(state: &AppState) -> bool {
    ["rollouts", "canaries", "deployments"]
        .iter()
        .any(|s| state.session.source(s).is_some_and(|st| st.is_stale()))
}

fn empty_text(state: &AppState) -> Vec<Line<'static>> {
    let list = &state.rollouts;
    let msg = if !list.filter().is_empty() {
        format!(
            "No rollout matches \"{}\". Esc clears the filter.",
            list.filter()
        )
    } else if !list.loaded {
        let failing = state
            .session
            .sources
            .iter()
            .find(|s| s.state.is_stale())
            .map(|s| s.name);
        match failing {
            Some(name) => format!(
                "Cannot list {name} from {}: reconnecting…",
                state.session.info.cluster_url
            ),
            None => format!("Loading rollouts from {}…", state.session.info.context),
        }
    } else {
        format!("No rollouts in {}.", state.session.info.namespaces.label())
    };
    let mut lines = vec![Line::from(""), Line::from(msg)];
    for s in &state.session.sources {
        if let crate::state::SourceState::NotInstalled(what) = &s.state {
            lines.push(Line::from(format!("({what})")));
        }
    }
    lines
}
