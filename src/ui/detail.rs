//! The rollout detail screen: a summary (status, strategy, versions, GitOps owner and the
//! actions possible now), the steps timeline with weights and replicas (or Flagger's
//! analysis), the revision tree as the CLI draws it, the AnalysisRuns with every measured
//! value against its threshold, the recent events and the metrics panel. Pure rendering;
//! every panel clips or scrolls to its area.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::rollout::{RolloutRow, format_age};
use crate::domain::version::Severity;
use crate::input::Intent;
use crate::state::AppState;
use crate::state::detail::DetailState;
use crate::theme::{Role, Theme};

use super::metrics_panel::{PANEL_HEIGHT, render_metrics_panel};
use super::widgets::{arrow, dot, phase_span, styled, truncate, warn_sign};

#[path = "detail_analysis.rs"]
mod analysis;
#[path = "detail_flagger.rs"]
mod flagger;
#[path = "detail_steps.rs"]
mod steps;
#[path = "detail_tree.rs"]
mod tree;

/// Rows the middle (steps, tree, analysis) keeps before the metrics panel is added below.
const MIDDLE_MIN: u16 = 12;
/// Bodies at least this wide get the wider steps column.
const WIDE: u16 = 100;

pub fn render(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(d) = &state.detail else {
        return;
    };
    // The detail's own conversion (with the ReplicaSets) knows more than the overview's row.
    let own = d
        .snapshot
        .as_ref()
        .and_then(|s| s.row.as_deref())
        .filter(|r| r.key == d.key);
    let listed = state.rollouts.get(&d.key);
    let merged = own.map(|r| {
        let mut r = r.clone();
        // What the overview adds on top (configured critical, a firing alert) still holds.
        if let Some(l) = listed {
            r.critical |= l.critical;
            r.attention = l.attention.or(r.attention);
        }
        r
    });
    let Some(row) = merged.as_ref().or(listed) else {
        let text = format!(
            "{}/{} is gone (deleted, or out of the namespaces in view). Esc goes back.",
            d.key.namespace, d.key.name
        );
        let block = super::widgets::block(theme, state.ascii)
            .title(styled(" Rollout ", theme.style(Role::ChromeTitle)));
        frame.render_widget(
            Paragraph::new(styled(text, theme.style(Role::ChromeDim))).block(block),
            area,
        );
        return;
    };
    let mut lines = summary(state, theme, row, usize::from(area.width.saturating_sub(2)));
    let max_h = (area.height / 3).max(3);
    // Short terminals lose the version and note lines first; status and actions stay.
    while lines.len() + 2 > usize::from(max_h) && lines.len() > 2 {
        lines.remove(lines.len() - 2);
    }
    let want = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let summary_h = want.min(max_h);
    let [top, rest] =
        Layout::vertical([Constraint::Length(summary_h), Constraint::Fill(1)]).areas(area);
    render_summary(state, theme, row, lines, frame, top);

    // The metrics panel and the events go below when the middle keeps room for the steps
    // and the tree.
    let tall = rest.height >= PANEL_HEIGHT + MIDDLE_MIN;
    let (middle, bottom) = if tall {
        let [m, b] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(PANEL_HEIGHT)]).areas(rest);
        (m, Some(b))
    } else {
        (rest, None)
    };
    let left_w = if area.width >= WIDE { 38 } else { 30 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(middle);
    steps::render(state, theme, row, frame, left);
    match bottom {
        Some(bottom) => {
            let [tree_area, analysis_area] =
                Layout::vertical([Constraint::Fill(1), analysis_height(d, 1)]).areas(right);
            tree::render_tree(state, theme, d, frame, tree_area);
            analysis::render(state, theme, d, row, frame, analysis_area);
            let metrics_w = bottom.width.saturating_mul(3) / 5;
            let [metrics, events] =
                Layout::horizontal([Constraint::Length(metrics_w), Constraint::Fill(1)])
                    .areas(bottom);
            render_metrics_panel(state, theme, &row.key, frame, metrics);
            tree::render_events(state, theme, d, frame, events);
        }
        None => {
            let [tree_area, analysis_area, events] = Layout::vertical([
                Constraint::Fill(3),
                analysis_height(d, 2),
                Constraint::Fill(2),
            ])
            .areas(right);
            tree::render_tree(state, theme, d, frame, tree_area);
            analysis::render(state, theme, d, row, frame, analysis_area);
            tree::render_events(state, theme, d, frame, events);
        }
    }
}

/// Three rows (one line) when there are no runs to show, else a share of the column.
fn analysis_height(d: &DetailState, share: u16) -> Constraint {
    match &d.snapshot {
        Some(s) if s.analysis.is_empty() => Constraint::Length(3),
        _ => Constraint::Fill(share),
    }
}

fn render_summary(
    state: &AppState,
    theme: &Theme,
    row: &RolloutRow,
    lines: Vec<Line<'static>>,
    frame: &mut Frame,
    area: Rect,
) {
    let ascii = state.ascii;
    let mut title = vec![
        styled(" Rollout ", theme.style(Role::ChromeTitle)),
        styled(
            format!("{}/{} ", row.key.namespace, row.key.name),
            theme.style(Role::ChromeText),
        ),
    ];
    if row.critical {
        title.push(styled(
            format!("{} critical ", dot(ascii)),
            theme.style(Role::AlertWarning),
        ));
    }
    title.push(styled(
        format!("{} Esc back ", dot(ascii)),
        theme.style(Role::ChromeDim),
    ));
    let block = super::widgets::block(theme, ascii).title(Line::from(title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The summary's lines: status, strategy, versions, notes, actions. Each fits `width`.
fn summary(state: &AppState, theme: &Theme, row: &RolloutRow, width: usize) -> Vec<Line<'static>> {
    let ascii = state.ascii;
    let dim = theme.style(Role::ChromeDim);
    let mut lines = Vec::new();

    // Status: symbol and word, message, time in phase.
    let mut status = vec![styled("Status   ", dim)];
    let mut used = 9;
    if row.invalid.is_some() {
        status.push(styled(
            format!("{} Invalid", warn_sign(ascii)),
            theme.style(Role::StatusUnknown),
        ));
        used += 9;
    } else {
        let s = phase_span(row.phase, ascii, theme);
        used += s.content.chars().count();
        status.push(s);
    }
    let since = row
        .since
        .map(|t| format!("  {} in phase {}", dot(ascii), format_age(t, state.now)))
        .unwrap_or_default();
    if !row.message.is_empty() {
        let room = width.saturating_sub(used + 2 + since.chars().count());
        status.push(Span::raw(format!(
            "  {}",
            truncate(&row.message, room, ascii)
        )));
    }
    status.push(styled(since, dim));
    lines.push(Line::from(status));
    if let Some(reason) = &row.invalid {
        lines.push(Line::from(styled(
            truncate(
                &format!("{} invalid object: {reason}", warn_sign(ascii)),
                width,
                ascii,
            ),
            theme.style(Role::AlertWarning),
        )));
    }

    // Strategy, step, GitOps owner.
    let mut strategy = strategy_label(row).to_string();
    if let Some(s) = row.step {
        strategy.push_str(&format!("  {} step {}/{}", dot(ascii), s.index, s.total));
    }
    let mut parts = vec![styled("Strategy ", dim), Span::raw(strategy.clone())];
    if let Some(g) = &row.gitops {
        let text = format!(
            "  {} GitOps: {} (a manual change to the spec is reverted by sync)",
            dot(ascii),
            g.label()
        );
        let room = width.saturating_sub(9 + strategy.chars().count());
        parts.push(styled(
            truncate(&text, room, ascii),
            theme.style(Role::AlertInfo),
        ));
    }
    lines.push(Line::from(parts));

    // Versions per container, then the image notes.
    for c in row.containers.iter().take(3) {
        let text = match (c.change(), &c.stable, &c.canary) {
            (Some(ch), _, _) => format!(
                "{} {} {} ({})",
                ch.from,
                arrow(ascii),
                ch.to,
                ch.kind.label()
            ),
            (None, Some(s), Some(n)) if s.raw != n.raw => {
                format!("{} {} {}", s.label(), arrow(ascii), n.label())
            }
            (None, Some(s), _) => s.label(),
            (None, None, Some(n)) => format!("{} {}", arrow(ascii), n.label()),
            (None, None, None) => "unknown".to_string(),
        };
        let line = format!("Version  {}: {text}", c.name);
        lines.push(Line::from(truncate(&line, width, ascii)));
    }
    if row.containers.len() > 3 {
        lines.push(Line::from(styled(
            format!("         +{} more containers", row.containers.len() - 3),
            dim,
        )));
    }
    // Warnings one a line; the info notes (tags without digest) folded into one.
    let (warnings, infos): (Vec<_>, Vec<_>) = row
        .image_notes
        .iter()
        .partition(|n| n.severity == Severity::Warning);
    for n in warnings.iter().take(2) {
        lines.push(Line::from(styled(
            truncate(
                &format!("         {} {}", warn_sign(ascii), n.text()),
                width,
                ascii,
            ),
            theme.style(Role::AlertWarning),
        )));
    }
    if let Some(first) = infos.first() {
        let more = match infos.len() {
            1 => String::new(),
            n => format!(" (+{} more)", n - 1),
        };
        lines.push(Line::from(styled(
            truncate(&format!("         i {}{more}", first.text()), width, ascii),
            dim,
        )));
    }
    lines.push(actions_line(state, theme, row, width));
    lines
}

fn strategy_label(row: &RolloutRow) -> &'static str {
    use crate::domain::rollout::ControllerKind as K;
    match row.key.kind {
        K::ArgoCanary => "Argo canary",
        K::ArgoBlueGreen => "Argo blue-green",
        K::Flagger => "Flagger canary",
        K::Deployment => "Deployment (rolling)",
    }
}

/// `Actions  a approve  P promote-full  x abort   ✗ retry: not aborted`: the possible
/// ones with their keys, then why the others are not.
fn actions_line(state: &AppState, theme: &Theme, row: &RolloutRow, width: usize) -> Line<'static> {
    let ascii = state.ascii;
    let dim = theme.style(Role::ChromeDim);
    let mut spans = vec![styled("Actions  ", dim)];
    if state.session.is_read_only() {
        spans.push(styled(
            "[RO] read-only: no action can be taken",
            theme.style(Role::ChromeReadOnly),
        ));
        return Line::from(spans);
    }
    let mut used = 9;
    let checks = crate::state::actions::checks(state, row);
    for c in checks.iter().filter(|c| c.possible()) {
        let key = Intent::parse(c.action.intent_name())
            .and_then(|i| state.keymap.keys_for(i).into_iter().next())
            .map(|k| k.to_string())
            .unwrap_or_else(|| ":".to_string());
        let label = format!(" {}  ", c.action.label());
        let w = key.chars().count() + label.chars().count();
        if used + w > width {
            break;
        }
        used += w;
        spans.push(styled(key, theme.style(Role::AlertWarning)));
        spans.push(styled(label, theme.style(Role::ChromeText)));
    }
    let cross = if ascii { "x" } else { "✗" };
    for c in checks.iter().filter(|c| !c.possible()) {
        let text = format!("{cross} {}  ", c.text());
        let w = text.chars().count();
        if used + w > width {
            let room = width.saturating_sub(used);
            if room > 8 {
                spans.push(styled(truncate(&text, room, ascii), dim));
            }
            break;
        }
        used += w;
        spans.push(styled(text, dim));
    }
    Line::from(spans)
}

/// A CLI status symbol, or its ASCII stand-in.
pub(super) fn symbol(s: &str, ascii: bool) -> &str {
    if !ascii {
        return if s == "॥" { "‖" } else { s };
    }
    match s {
        "✔" => "+",
        "✖" => "x",
        "◌" | "◷" => "~",
        "•" => "-",
        "⚠" => "!",
        "‖" | "॥" => "=",
        _ => "?",
    }
}

/// The role of a CLI status symbol: status is never colour alone, the symbol stays.
pub(super) fn symbol_role(s: &str) -> Role {
    match s {
        "✔" => Role::StatusHealthy,
        "✖" => Role::StatusDegraded,
        "◌" | "◷" => Role::StatusProgressing,
        "⚠" => Role::AlertWarning,
        "‖" | "॥" => Role::StatusPaused,
        "•" => Role::ChromeDim,
        _ => Role::StatusUnknown,
    }
}

/// The symbol and role of an AnalysisRun or measurement phase (`Successful`, `Failed`, …).
pub(super) fn analysis_symbol(phase: &str) -> (&'static str, Role) {
    match phase {
        "Successful" => ("✔", Role::StatusHealthy),
        "Failed" | "Error" => ("✖", Role::StatusDegraded),
        "Running" | "Pending" => ("◌", Role::StatusProgressing),
        "Inconclusive" => ("⚠", Role::AlertWarning),
        _ => ("?", Role::StatusUnknown),
    }
}

/// A block titled ` title ` in the theme's style.
pub(super) fn panel(
    theme: &Theme,
    ascii: bool,
    title: Vec<Span<'static>>,
) -> ratatui::widgets::Block<'static> {
    super::widgets::block(theme, ascii).title(Line::from(title))
}

/// Whether the detail state shows a failure of its scoped watches.
pub(super) fn watch_error(d: &DetailState) -> Option<&str> {
    d.error.as_deref()
}
