//! The two header lines: where and who (context, cluster, namespaces, identity, `[RO]`),
//! then the screen tabs and one freshness slot per data source.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::metrics::alerts::AlertSeverity;
use crate::domain::rollout::format_age;
use crate::state::{AppState, Screen, SourceState};
use crate::theme::{Role, Theme};

use super::widgets::styled;

pub fn render(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let s = &state.session;
    let header = theme.style(Role::ChromeHeader);
    let sep = if state.ascii { " | " } else { " │ " };
    let mut top = vec![styled(
        " shipdeck ",
        header.patch(theme.style(Role::ChromeTitle)),
    )];
    // Read-only first: on a war-room screen it must be impossible to miss or cut off.
    if s.is_read_only() {
        top.push(styled(
            " [RO] read-only ",
            theme.style(Role::ChromeReadOnly),
        ));
    }
    // Firing alerts next: they are why the operator is awake.
    if let Some(alerts) = alerts_span(state, theme) {
        top.push(Span::raw(" "));
        top.push(alerts);
    }
    // The client-side safety net: armed only while this shipdeck runs.
    let armed = crate::state::safety::armed(state).len();
    if armed > 0 {
        let n = if armed == 1 { "service" } else { "services" };
        top.push(Span::raw(" "));
        top.push(styled(
            format!(" auto-rollback armed ({armed} {n}) "),
            theme.style(Role::AlertWarning),
        ));
    }
    if let Some(banner) = &state.banner {
        top.push(Span::raw(" "));
        top.push(styled(
            format!(" {banner} "),
            theme.style(Role::ChromeFlash),
        ));
    }
    top.extend([
        styled(format!("{sep}ctx "), header),
        styled(
            s.info.context.clone(),
            header.patch(theme.style(Role::ChromeTitle)),
        ),
        styled(format!("{sep}ns {}", namespaces_label(state)), header),
        styled(format!("{sep}as {}", s.identity_label()), header),
        styled(format!("{sep}{}", s.info.cluster_url), header),
    ]);
    let line_area = Rect { height: 1, ..area };
    frame.render_widget(Paragraph::new(Line::from(top)).style(header), line_area);

    let mut tabs = vec![Span::raw(" ")];
    for (i, screen) in Screen::ALL.iter().enumerate() {
        let style = if *screen == state.screen {
            theme.style(Role::ChromeSelection)
        } else {
            theme.style(Role::ChromeDim)
        };
        tabs.push(styled(format!(" {} {} ", i + 1, screen.title()), style));
        tabs.push(Span::raw(" "));
    }
    let second = Rect {
        y: area.y + 1,
        height: 1,
        ..area
    };
    let tabs_line = Line::from(tabs);
    let tabs_width = tabs_line.width() as u16;
    frame.render_widget(Paragraph::new(tabs_line), second);
    let room = second.width.saturating_sub(tabs_width);
    let full = slots_line(state, theme, false);
    let line = if full.width() as u16 <= room {
        full
    } else {
        slots_line(state, theme, true)
    };
    let right = Rect {
        x: second.x + tabs_width,
        width: room,
        ..second
    };
    frame.render_widget(Paragraph::new(line).alignment(Alignment::Right), right);
}

/// `⚠ 2 alerts (1 critical)`, in the style of the worst; `None` when nothing fires.
fn alerts_span(state: &AppState, theme: &Theme) -> Option<Span<'static>> {
    let active = &state.metrics.alerts.active;
    if active.is_empty() {
        return None;
    }
    let critical = active
        .iter()
        .filter(|a| a.severity == AlertSeverity::Critical)
        .count();
    let n = active.len();
    let (sign, role) = if critical > 0 {
        (if state.ascii { "x" } else { "✖" }, Role::AlertCritical)
    } else {
        (super::widgets::warn_sign(state.ascii), Role::AlertWarning)
    };
    let mut text = format!(" {sign} {n} alert{}", if n == 1 { "" } else { "s" });
    if critical > 0 {
        text.push_str(&format!(" ({critical} critical)"));
    }
    text.push(' ');
    Some(styled(text, theme.style(role)))
}

/// The namespaces, shortened to the first and a count when there are many.
fn namespaces_label(state: &AppState) -> String {
    match &state.session.info.namespaces {
        crate::domain::scope::NamespaceScope::Some(list) if list.len() > 2 => {
            format!("{},+{}", list[0], list.len() - 1)
        }
        other => other.label(),
    }
}

/// One slot per data source; `compact` shortens healthy ones and leaves out those off.
fn slots_line(state: &AppState, theme: &Theme, compact: bool) -> Line<'static> {
    let mut spans = Vec::new();
    for slot in &state.session.sources {
        let derived = (slot.name == "flags").then(|| flags_state(state));
        let flag_problem = derived.as_ref().and_then(|d| d.as_ref().err());
        let slot_state = match &derived {
            Some(Ok(s)) => s,
            _ => &slot.state,
        };
        let (mark, text, role) = if let Some(p) = flag_problem {
            (
                super::widgets::warn_sign(state.ascii),
                p.clone(),
                Role::AlertWarning,
            )
        } else {
            match slot_state {
                SourceState::Off => (
                    if state.ascii { "-" } else { "○" },
                    "off".to_string(),
                    Role::ChromeDim,
                ),
                SourceState::Connecting => ("~", "connecting".to_string(), Role::StatusProgressing),
                SourceState::Live { .. } => (
                    if state.ascii { "*" } else { "●" },
                    "live".to_string(),
                    Role::StatusHealthy,
                ),
                SourceState::Stale { since, retries } => (
                    super::widgets::warn_sign(state.ascii),
                    format!(
                        "stale {}, reconnecting ({retries})",
                        format_age(*since, state.now)
                    ),
                    Role::AlertWarning,
                ),
                SourceState::Forbidden(what) => (
                    super::widgets::warn_sign(state.ascii),
                    format!("forbidden: {what}"),
                    Role::AlertWarning,
                ),
                SourceState::NotInstalled(what) => ("-", what.clone(), Role::ChromeDim),
            }
        };
        // Compact: sources that are off are left out and healthy ones shrink to a mark;
        // a problem is always spelled out.
        let problem = flag_problem.is_some()
            || matches!(
                slot_state,
                SourceState::Stale { .. }
                    | SourceState::Forbidden(_)
                    | SourceState::NotInstalled(_)
            );
        if compact && matches!(slot_state, SourceState::Off) {
            continue;
        }
        spans.push(styled(
            format!("{} ", slot.name),
            theme.style(Role::ChromeDim),
        ));
        if compact && !problem {
            spans.push(styled(format!("{mark} "), theme.style(role)));
        } else {
            spans.push(styled(format!("{mark} {text}  "), theme.style(role)));
        }
    }
    Line::from(spans)
}

/// The flags slot, from the flag backends' own health: off when none is configured,
/// connecting until one answers, live when all are; `Err` names the first problem.
fn flags_state(state: &AppState) -> Result<SourceState, String> {
    let f = &state.flags;
    if !f.configured {
        return Ok(SourceState::Off);
    }
    if f.sources.is_empty() {
        return Ok(SourceState::Connecting);
    }
    match f.sources.iter().find(|(_, s)| s.as_str() != "live") {
        None => Ok(SourceState::Live { since: state.now }),
        Some((name, problem)) => Err(format!("{name}: {problem}")),
    }
}
