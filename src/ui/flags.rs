//! The flags screen (`3`): every flag of every backend (key, what it serves, state,
//! environment, backend, targeting, last change), the order and the sources' health in the
//! title, invalid definitions with their reason, GitOps-managed rows marked `⟲` (as on the
//! overview) and rows of a source that is not live dimmed and marked `stale`; below, the
//! selected flag's variants and metadata.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::flags::{Flag, FlagState};
use crate::state::AppState;
use crate::theme::{Role, Theme};

use super::widgets::{dot, styled, truncate, warn_sign};

pub fn render(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let f = &state.flags;
    let visible = f.visible();
    let sep = dot(state.ascii);
    let sources: Vec<String> = f
        .sources
        .iter()
        .map(|(name, st)| format!("{name}: {st}"))
        .collect();
    let mut title = if f.filter.is_empty() {
        format!(" Flags {}", f.total())
    } else {
        format!(
            " Flags {} of {} {sep} filter \"{}\"",
            visible.len(),
            f.total(),
            f.filter
        )
    };
    title.push_str(&format!(" {sep} sorted by {}", f.sort.label()));
    if !sources.is_empty() {
        title.push_str(&format!(" {sep} {}", sources.join(&format!(" {sep} "))));
    }
    title.push(' ');
    let block = super::widgets::block(theme, state.ascii)
        .title(styled(title, theme.style(Role::ChromeTitle)));
    if visible.is_empty() {
        let text = if f.configured || !f.sources.is_empty() {
            "No flags found: flagd definitions are read from ConfigMaps and OpenFeature FeatureFlags in the namespaces in view."
        } else {
            "No flag backend configured: [flags.flagd] watches ConfigMaps and FeatureFlags, [flags.unleash] url and token_file add an Unleash server."
        };
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(""),
                Line::from(styled(text, theme.style(Role::ChromeDim))),
            ])
            .wrap(Wrap { trim: true })
            .block(block),
            area,
        );
        return;
    }
    let [top, bottom] = Layout::vertical([Constraint::Min(5), Constraint::Length(6)]).areas(area);
    let header = Row::new([
        "KEY",
        "VALUE",
        "STATE",
        "ENV",
        "BACKEND",
        "TARGETING",
        "LAST CHANGE",
    ])
    .style(theme.style(Role::ChromeDim));
    let rows: Vec<Row> = visible.iter().map(|flag| row(state, flag, theme)).collect();
    let table = Table::new(
        rows,
        [
            Constraint::Min(18),
            Constraint::Length(22),
            Constraint::Length(9),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Min(16),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(theme.style(Role::ChromeSelection));
    let mut ts = TableState::default().with_selected(Some(f.cursor.min(visible.len() - 1)));
    frame.render_stateful_widget(table, top, &mut ts);
    if let Some(sel) = visible.get(f.cursor.min(visible.len() - 1)) {
        render_detail(state, sel, theme, frame, bottom);
    }
}

/// The key, with `⟲` when a GitOps tool reconciles its object (a change here is reverted).
fn key_text(f: &Flag, ascii: bool) -> String {
    match (&f.gitops, ascii) {
        (None, _) => f.key.clone(),
        (Some(_), true) => format!("{} @", f.key),
        (Some(_), false) => format!("{} ⟲", f.key),
    }
}

fn row<'a>(state: &AppState, f: &Flag, theme: &Theme) -> Row<'a> {
    // Last known values of a source that is not live: dimmed, and `stale` leads the last
    // column (the panel below and the title say why).
    let stale = state.flags.stale(f).is_some();
    let dim = theme.style(Role::ChromeDim);
    let marked = |text: String| {
        if stale {
            format!("stale {} {text}", dot(state.ascii))
        } else {
            text
        }
    };
    if let Some(why) = &f.invalid {
        // The reason goes in the widest column; the panel below shows it whole.
        let bad = if stale {
            dim
        } else {
            theme.style(Role::StatusFailed)
        };
        let row = Row::new(vec![
            Cell::from(key_text(f, state.ascii)),
            Cell::from(styled(format!("{} invalid", warn_sign(state.ascii)), bad)),
            Cell::from(""),
            Cell::from(f.environment.clone()),
            Cell::from(f.backend.label()),
            Cell::from(""),
            Cell::from(styled(marked(why.clone()), bad)),
        ]);
        return if stale { row.style(dim) } else { row };
    }
    let (state_text, role) = match f.state {
        FlagState::Enabled => ("enabled", Role::StatusHealthy),
        FlagState::Disabled => ("DISABLED", Role::AlertWarning),
    };
    let role = if stale { Role::ChromeDim } else { role };
    let last = match &f.last_change {
        Some(c) => {
            let when =
                c.at.map(|t| crate::domain::rollout::format_age(t, state.now))
                    .unwrap_or_default();
            match &c.by {
                Some(by) => format!("{when} {by}"),
                None => format!("{when} changed outside shipdeck"),
            }
        }
        None => "changed outside shipdeck".to_string(),
    };
    let row = Row::new(vec![
        Cell::from(key_text(f, state.ascii)),
        Cell::from(truncate(&f.value_label(), 22, state.ascii)),
        Cell::from(styled(state_text, theme.style(role))),
        Cell::from(f.environment.clone()),
        Cell::from(f.backend.label()),
        Cell::from(if f.targeting { "rules" } else { "" }),
        Cell::from(marked(last)),
    ]);
    if stale { row.style(dim) } else { row }
}

/// Variants, targeting and metadata of the selected flag, and where it lives.
fn render_detail(state: &AppState, f: &Flag, theme: &Theme, frame: &mut Frame, area: Rect) {
    let dim = theme.style(Role::ChromeDim);
    let text = theme.style(Role::ChromeText);
    let variants: Vec<String> = f
        .variants
        .iter()
        .map(|(k, v)| {
            let default = f.default_variant.as_deref() == Some(k.as_str());
            format!("{}{k}={v}", if default { "*" } else { "" })
        })
        .collect();
    let metadata: Vec<String> = f.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut source = vec![styled("Source   ", dim), styled(f.source.label(), text)];
    if let Some(owner) = &f.gitops {
        source.push(styled(
            format!(
                "  {} GitOps: {} (a manual change is reverted by sync)",
                dot(state.ascii),
                owner.label()
            ),
            theme.style(Role::AlertInfo),
        ));
    }
    if let Some(why) = state.flags.stale(f) {
        source.push(styled(
            format!(
                "  {} last known values ({}: {why})",
                dot(state.ascii),
                f.source.reader()
            ),
            theme.style(Role::AlertWarning),
        ));
    }
    let mut lines = vec![Line::from(source)];
    if let Some(why) = &f.invalid {
        lines.push(Line::from(vec![
            styled("Invalid  ", dim),
            styled(why.clone(), theme.style(Role::StatusFailed)),
        ]));
    }
    if !variants.is_empty() {
        lines.push(Line::from(vec![
            styled("Variants ", dim),
            styled(variants.join("  "), text),
        ]));
    }
    let targeting = match (f.targeting, f.strategies) {
        (true, _) => "targeting rules apply: the default variant is served only when none matches",
        (false, 0) if f.backend == crate::domain::flags::Backend::Unleash => {
            "no strategies: enabling it makes Unleash add its default strategy (100 %)"
        }
        _ => "no targeting: everyone gets the default",
    };
    lines.push(Line::from(vec![
        styled("Rules    ", dim),
        styled(targeting, text),
    ]));
    if !metadata.is_empty() {
        lines.push(Line::from(vec![
            styled("Metadata ", dim),
            styled(metadata.join("  "), text),
        ]));
    }
    let block = super::widgets::block(theme, state.ascii).title(styled(
        format!(" {} ", f.key),
        theme.style(Role::ChromeTitle),
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
