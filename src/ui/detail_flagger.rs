//! The detail's left column for a Flagger Canary: its phase, weight against the maximum,
//! failed checks against the threshold, iterations, step weights and waiting gates.

use ratatui::text::{Line, Span};

use crate::domain::detail::FlaggerDetail;
use crate::domain::phase::FlaggerPhase;
use crate::domain::rollout::RolloutRow;
use crate::state::AppState;
use crate::theme::{Role, Theme};

use super::super::widgets::{dot, phase_role, styled, truncate, warn_sign};
use super::symbol;

pub(super) fn lines(
    state: &AppState,
    theme: &Theme,
    row: &RolloutRow,
    f: &FlaggerDetail,
    width: usize,
) -> Vec<Line<'static>> {
    let ascii = state.ascii;
    let dim = theme.style(Role::ChromeDim);
    let kv = |k: &str, v: Span<'static>| Line::from(vec![styled(format!("{k:<9}"), dim), v]);
    let mut lines = Vec::new();
    let phase = f.phase.map_or("not initialised", |p| p.label());
    let p = f.phase.map_or(row.phase, |p| p.phase());
    lines.push(kv(
        "phase",
        styled(
            format!("{} {phase}", p.symbol(ascii)),
            theme.style(phase_role(p)),
        ),
    ));
    let max = f
        .max_weight
        .map(|m| format!(" / max {m}%"))
        .unwrap_or_default();
    lines.push(kv(
        "weight",
        Span::raw(format!("{}%{max}", f.canary_weight)),
    ));
    let threshold = f.threshold.map_or("-".to_string(), |t| t.to_string());
    let checks = format!("failed {}/{threshold}", f.failed_checks);
    lines.push(if f.failed_checks > 0 {
        kv(
            "checks",
            styled(
                format!("{} {checks}", warn_sign(ascii)),
                theme.style(Role::AlertWarning),
            ),
        )
    } else {
        kv("checks", Span::raw(checks))
    });
    let iters = match f.max_iterations {
        Some(m) => format!("{}/{m}", f.iterations),
        None => f.iterations.to_string(),
    };
    lines.push(kv("iter", Span::raw(iters)));
    if !f.step_weights.is_empty() {
        let w: Vec<String> = f.step_weights.iter().map(u32::to_string).collect();
        lines.push(kv(
            "steps",
            Span::raw(truncate(&w.join(" "), width.saturating_sub(9), ascii)),
        ));
    } else if let Some(s) = f.step_weight {
        lines.push(kv("step", Span::raw(format!("+{s}%"))));
    }
    let gate = match f.phase {
        Some(FlaggerPhase::Waiting) => Some("confirm-rollout waits"),
        Some(FlaggerPhase::WaitingPromotion) => Some("confirm-promotion waits"),
        _ => None,
    };
    lines.push(match gate {
        Some(g) => kv(
            "gates",
            styled(
                format!("{} {g}", symbol("‖", ascii)),
                theme.style(Role::StatusPaused),
            ),
        ),
        None => kv("gates", styled("none waiting", dim)),
    });
    // Every webhook with its type: the gates an operator opens, the checks that run.
    if !f.webhooks.is_empty() {
        let hooks: Vec<String> = f
            .webhooks
            .iter()
            .map(|w| format!("{} ({})", w.name, w.kind))
            .collect();
        let text = truncate(&hooks.join(", "), width.saturating_sub(9), ascii);
        lines.push(kv("hooks", Span::raw(text)));
    }
    if f.suspended {
        lines.push(kv(
            "",
            styled("suspended (spec.suspend)", theme.style(Role::StatusPaused)),
        ));
    }
    if f.skip_analysis {
        lines.push(kv(
            "",
            styled(
                format!("{} skipAnalysis: checks are skipped", warn_sign(ascii)),
                theme.style(Role::AlertWarning),
            ),
        ));
    }
    if !f.target.is_empty() {
        let text = format!("{} {} {}-primary", f.target, dot(ascii), f.target);
        lines.push(kv(
            "target",
            styled(truncate(&text, width.saturating_sub(9), ascii), dim),
        ));
    }
    lines
}
