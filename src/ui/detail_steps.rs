//! The detail's left column: the steps timeline (Argo canary), the services and pause
//! (blue-green), Flagger's analysis status, or the rolling update of a Deployment; then the
//! weight gauge (set vs actual) and the replica counts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::detail::{ArgoDetail, Pause};
use crate::domain::rollout::{ControllerKind, RolloutRow, format_age};
use crate::domain::steps::CanaryStep;
use crate::state::AppState;
use crate::theme::{Role, Theme};

use super::super::widgets::{dot, styled, truncate, warn_sign};
use super::{analysis_symbol, panel, symbol};

pub fn render(state: &AppState, theme: &Theme, row: &RolloutRow, frame: &mut Frame, area: Rect) {
    let ascii = state.ascii;
    let width = usize::from(area.width.saturating_sub(2));
    let (title, top, focus) = match (row.key.kind, &row.argo, &row.flagger) {
        (ControllerKind::ArgoCanary, Some(a), _) => {
            let (lines, focus) = canary_lines(state, theme, row, a, width);
            let count = match row.step {
                Some(s) => format!(" Steps {}/{} ", s.index, s.total),
                None => format!(" Steps ({}) ", a.steps.len()),
            };
            (count, lines, focus)
        }
        (ControllerKind::ArgoBlueGreen, Some(a), _) => (
            " Blue-green ".to_string(),
            bluegreen_lines(state, theme, row, a, width),
            0,
        ),
        (ControllerKind::Flagger, _, Some(f)) => (
            " Flagger ".to_string(),
            super::flagger::lines(state, theme, row, f, width),
            0,
        ),
        (ControllerKind::Deployment, _, _) => {
            let mut l = vec![Line::from("rolling update")];
            if row.spec_paused {
                l.push(Line::from(styled(
                    "‖ paused (spec.paused)".replace('‖', symbol("‖", ascii)),
                    theme.style(Role::StatusPaused),
                )));
            }
            (" Rollout ".to_string(), l, 0)
        }
        _ => {
            let why = match &row.invalid {
                Some(_) => "no steps: the object is invalid",
                None => "no status from the controller yet",
            };
            (
                " Steps ".to_string(),
                vec![Line::from(styled(why, theme.style(Role::ChromeDim)))],
                0,
            )
        }
    };
    let mut bottom = Vec::new();
    if let Some(g) = gauge_lines(state, theme, row, width) {
        bottom.push(Line::default());
        bottom.extend(g);
    }
    bottom.push(Line::default());
    bottom.extend(replica_lines(theme, row, width));

    let block = panel(
        theme,
        ascii,
        vec![styled(title, theme.style(Role::ChromeTitle))],
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    // The bottom gives way first when the column is short, then the timeline scrolls so
    // the current step stays in view.
    let bottom_n = if height >= top.len().min(4) + bottom.len() {
        bottom.len()
    } else {
        0
    };
    let room = height.saturating_sub(bottom_n);
    let offset = if top.len() > room {
        focus.saturating_sub(room / 2).min(top.len() - room)
    } else {
        0
    };
    let mut lines: Vec<Line> = top.into_iter().skip(offset).take(room).collect();
    while lines.len() < room {
        lines.push(Line::default());
    }
    lines.extend(bottom.into_iter().take(bottom_n));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `paused 4m12s — CanaryPauseStep`.
fn pause_text(p: &Pause, state: &AppState) -> String {
    let age = p
        .since
        .map(|t| format!(" {}", format_age(t, state.now)))
        .unwrap_or_default();
    let dash = if state.ascii { "-" } else { "—" };
    format!("paused{age} {dash} {}", p.reason.label())
}

/// Every step, the current one highlighted, with its pause or analysis; the line index of
/// the current step.
fn canary_lines(
    state: &AppState,
    theme: &Theme,
    row: &RolloutRow,
    a: &ArgoDetail,
    width: usize,
) -> (Vec<Line<'static>>, usize) {
    let ascii = state.ascii;
    let mut lines = Vec::new();
    let mut focus = 0;
    if a.steps.is_empty() {
        lines.push(Line::from(styled(
            "no steps: straight to 100 %",
            theme.style(Role::ChromeDim),
        )));
    }
    let cur = a.current_step_index.map(|i| i as usize);
    for (i, step) in a.steps.iter().enumerate() {
        let (mark, role) = match cur {
            Some(c) if i < c => (symbol("✔", ascii), Role::StatusHealthy),
            Some(c) if i == c && a.aborted => (symbol("✖", ascii), Role::StatusDegraded),
            Some(c) if i == c => (if ascii { ">" } else { "▶" }, Role::ChromeSelection),
            _ => (dot(ascii), Role::ChromeDim),
        };
        let current = cur == Some(i);
        if current {
            focus = lines.len();
        }
        let text = truncate(&format!("{mark} {i:>2} {}", step.label()), width, ascii);
        let style = if current {
            theme.style(Role::ChromeSelection)
        } else {
            theme.style(if role == Role::ChromeSelection {
                Role::ChromeText
            } else {
                role
            })
        };
        lines.push(Line::from(Span::styled(text, style)));
        if !current {
            continue;
        }
        if a.aborted {
            let at = a
                .aborted_at
                .map(|t| format!(" {} ago", format_age(t, state.now)))
                .unwrap_or_default();
            lines.push(sub(
                format!("aborted{at}"),
                Role::StatusDegraded,
                theme,
                width,
                ascii,
            ));
        }
        if matches!(step, CanaryStep::Pause { .. }) {
            let pause = a.pause_conditions.first().or(row.pause.as_ref());
            if let Some(p) = pause {
                let mut text = pause_text(p, state);
                if step.is_indefinite_pause() {
                    text.push_str(", until approved");
                }
                lines.push(sub(text, Role::StatusPaused, theme, width, ascii));
            }
        }
        if matches!(step, CanaryStep::Analysis)
            && let Some(run) = &a.step_analysis
        {
            let phase = phase_word(&run.phase);
            let (sym, role) = analysis_symbol(&phase);
            let text = format!("{} {phase} {}", symbol(sym, ascii), run.name);
            lines.push(sub(text, role, theme, width, ascii));
            if !run.message.is_empty() {
                lines.push(sub(
                    run.message.clone(),
                    Role::ChromeDim,
                    theme,
                    width,
                    ascii,
                ));
            }
        }
    }
    if cur.is_some_and(|c| c >= a.steps.len()) && !a.steps.is_empty() {
        focus = lines.len();
        lines.push(Line::from(styled(
            format!("{} all steps complete", symbol("✔", ascii)),
            theme.style(Role::StatusHealthy),
        )));
    }
    if let Some(bg) = &a.background_analysis {
        let phase = phase_word(&bg.phase);
        let (sym, role) = analysis_symbol(&phase);
        let text = format!("background {} {phase} {}", symbol(sym, ascii), bg.name);
        lines.push(Line::from(styled(
            truncate(&text, width, ascii),
            theme.style(role),
        )));
    }
    (lines, focus)
}

fn phase_word(p: &crate::domain::detail::AnalysisPhase) -> String {
    use crate::domain::detail::AnalysisPhase as A;
    match p {
        A::Pending => "Pending".into(),
        A::Running => "Running".into(),
        A::Successful => "Successful".into(),
        A::Failed => "Failed".into(),
        A::Error => "Error".into(),
        A::Inconclusive => "Inconclusive".into(),
        A::Other(s) => s.clone(),
    }
}

/// An indented line under a step.
fn sub(text: String, role: Role, theme: &Theme, width: usize, ascii: bool) -> Line<'static> {
    Line::from(styled(
        truncate(&format!("   {text}"), width, ascii),
        theme.style(role),
    ))
}

fn bluegreen_lines(
    state: &AppState,
    theme: &Theme,
    row: &RolloutRow,
    a: &ArgoDetail,
    width: usize,
) -> Vec<Line<'static>> {
    let ascii = state.ascii;
    let dim = theme.style(Role::ChromeDim);
    let mut lines = Vec::new();
    let svc = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    for (label, service, selector) in [
        ("active ", &a.active_service, &a.active_selector),
        ("preview", &a.preview_service, &a.preview_selector),
    ] {
        let text = format!("{label} {} {} {}", svc(service), dot(ascii), svc(selector));
        lines.push(Line::from(vec![styled(
            truncate(&text, width, ascii),
            theme.style(Role::ChromeText),
        )]));
    }
    if a.fully_promoted() {
        lines.push(Line::from(styled(
            format!("{} active serves the current revision", symbol("✔", ascii)),
            theme.style(Role::StatusHealthy),
        )));
    }
    let pause = a.pause_conditions.first().or(row.pause.as_ref());
    if let Some(p) = pause {
        lines.push(Line::from(styled(
            truncate(
                &format!("{} {}", symbol("‖", ascii), pause_text(p, state)),
                width,
                ascii,
            ),
            theme.style(Role::StatusPaused),
        )));
        lines.push(Line::from(styled("  waiting for promotion", dim)));
    }
    if a.aborted {
        lines.push(Line::from(styled(
            format!("{} aborted", symbol("✖", ascii)),
            theme.style(Role::StatusDegraded),
        )));
    }
    lines
}

/// `set    ██████░░░░ 50%` and `actual ████░░░░░░ 40%`.
fn gauge_lines(
    state: &AppState,
    theme: &Theme,
    row: &RolloutRow,
    width: usize,
) -> Option<Vec<Line<'static>>> {
    let w = row.weights?;
    let ascii = state.ascii;
    let bar_w = width.saturating_sub(13).max(4);
    let bar = |pct: u32, role: Role| -> Vec<Span<'static>> {
        let filled = (usize::try_from(pct.min(100)).unwrap_or(0) * bar_w).div_ceil(100);
        let (f, e) = if ascii { ("#", ".") } else { ("█", "░") };
        vec![
            styled(f.repeat(filled), theme.style(role)),
            styled(
                e.repeat(bar_w - filled.min(bar_w)),
                theme.style(Role::ChromeDim),
            ),
            Span::raw(format!(" {pct:>3}%")),
        ]
    };
    let dim = theme.style(Role::ChromeDim);
    let mut set = vec![styled("set     ", dim)];
    set.extend(bar(w.set, Role::ChartThreshold));
    let mut actual = vec![styled("actual  ", dim)];
    match w.actual {
        Some(a) => actual.extend(bar(a, Role::ChartCanary)),
        None => actual.push(styled("? (ReplicaSets not known)", dim)),
    }
    let mut lines = vec![Line::from(set), Line::from(actual)];
    if w.actual.is_some_and(|a| a != w.set) {
        lines.push(Line::from(styled(
            format!("{} actual differs from set", warn_sign(ascii)),
            theme.style(Role::AlertWarning),
        )));
    }
    Some(lines)
}

/// Desired, current, updated, ready and available, as a two-line table.
fn replica_lines(theme: &Theme, row: &RolloutRow, width: usize) -> Vec<Line<'static>> {
    let r = row.replicas;
    let labels: [&str; 5] = if width >= 35 {
        ["desired", "current", "updated", "ready", "avail"]
    } else {
        ["des", "cur", "upd", "rdy", "avl"]
    };
    let values = [r.desired, r.current, r.updated, r.ready, r.available];
    let dim = theme.style(Role::ChromeDim);
    let mut head = Vec::new();
    let mut vals = Vec::new();
    for (i, (l, v)) in labels.iter().zip(values).enumerate() {
        let w = l.len().max(v.to_string().len());
        head.push(styled(format!("{l:>w$} "), dim));
        let short = (i == 3 || i == 4) && v < r.desired;
        let role = if short {
            Role::StatusDegraded
        } else {
            Role::ChromeText
        };
        vals.push(styled(format!("{v:>w$} "), theme.style(role)));
    }
    vec![Line::from(head), Line::from(vals)]
}
