//! The status line (text input, flash message or the selected row's message) and the key
//! hints of the scope in effect, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::input::{Intent, Scope};
use crate::state::{AppState, Overlay};
use crate::theme::{Role, Theme};

use super::widgets::{styled, truncate};

pub fn render_status(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (prefix, input) = match &state.overlay {
        Overlay::Filter(input) => ("/", Some(input)),
        Overlay::Palette(p) => (":", Some(&p.input)),
        _ => ("", None),
    };
    if let Some(input) = input {
        let width = usize::from(area.width.saturating_sub(2));
        let scroll = input.visual_scroll(width);
        let shown: String = input.value().chars().skip(scroll).collect();
        let line = Line::from(vec![
            styled(prefix, theme.style(Role::ChromeKey)),
            styled(shown, theme.style(Role::ChromeMatch)),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        let x = area.x + 1 + (input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        // A flash (e.g. a palette error) still shows, right-aligned.
        if let Some(f) = &state.flash {
            let role = if f.error {
                Role::AlertWarning
            } else {
                Role::ChromeFlash
            };
            frame.render_widget(
                Paragraph::new(styled(format!("{} ", f.text), theme.style(role)))
                    .alignment(ratatui::layout::Alignment::Right),
                area,
            );
        }
        return;
    }
    let width = usize::from(area.width);
    // An auto-rollback countdown outranks everything on this line.
    let line = if let Some(banner) = crate::state::safety::banner(state) {
        Line::from(styled(
            truncate(&format!(" ⚠ {banner}"), width, state.ascii),
            theme.style(Role::StatusFailed),
        ))
    } else if let Some(f) = &state.flash {
        let role = if f.error {
            Role::AlertWarning
        } else {
            Role::ChromeFlash
        };
        Line::from(styled(
            truncate(&format!(" {}", f.text), width, state.ascii),
            theme.style(role),
        ))
    } else if state.first_run_hint {
        Line::from(styled(
            truncate(
                " press ? for keys · j/k move · Enter opens · q quits",
                width,
                state.ascii,
            ),
            theme.style(Role::ChromeFlash),
        ))
    } else if let Some(r) = state
        .rollouts
        .selected()
        .filter(|_| state.screen == crate::state::Screen::Rollouts)
    {
        let mut text = format!(" {}/{}", r.key.namespace, r.key.name);
        if let Some(reason) = &r.invalid {
            text.push_str(&format!(": invalid object: {reason}"));
        } else {
            if let Some(a) = r.attention {
                text.push_str(&format!(" [{}]", a.label()));
            }
            if let Some(a) = &r.approval {
                let ttl = state.safety.settings.two_person_ttl;
                text.push_str(&format!(
                    " second approval needed: {}",
                    a.describe(state.now, ttl)
                ));
            }
            if let Some(g) = &r.gitops {
                text.push_str(&format!(" (GitOps: {})", g.label()));
            }
            if let Some(p) = &r.pause {
                let age = p
                    .since
                    .map(|t| format!(" {}", crate::domain::rollout::format_age(t, state.now)))
                    .unwrap_or_default();
                text.push_str(&format!(
                    " paused{age} {} {}",
                    super::widgets::dot(state.ascii),
                    p.reason.label()
                ));
            }
            if !r.message.is_empty() {
                text.push_str(&format!(": {}", r.message));
            }
        }
        Line::from(styled(
            truncate(&text, width, state.ascii),
            theme.style(Role::ChromeDim),
        ))
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// Intents worth a footer hint (navigation is left to the help screen). `Esc back` only
/// when there is something to go back from.
fn footer_worthy(state: &AppState, intent: Intent, scope: Scope) -> bool {
    match scope {
        Scope::Global => match intent {
            Intent::Filter | Intent::Palette => true,
            Intent::Back => {
                !state.rollouts.filter().is_empty()
                    || state.screen != crate::state::Screen::Rollouts
            }
            _ => false,
        },
        _ => !matches!(intent, Intent::PrevItem | Intent::NextItem),
    }
}

/// Always shown, at the end, whatever else has to go.
const ESSENTIAL: [Intent; 2] = [Intent::Help, Intent::Quit];

pub fn render_keys(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    if let Overlay::Confirm(d) = &state.overlay {
        let key = |i: Intent, default: &str| {
            styled(
                format!(" {}", super::confirm::key_name(state, i, default)),
                theme.style(Role::ChromeKey),
            )
        };
        let label = |l: &'static str| styled(l, theme.style(Role::ChromeDim));
        let line = if d.loading || d.error.is_some() {
            Line::from(vec![key(Intent::Cancel, "Esc"), label(" close")])
        } else if d.nothing_to_send.is_some() {
            Line::from(vec![
                key(Intent::Confirm, "Enter"),
                label(" close "),
                key(Intent::Cancel, "Esc"),
                label(" cancel"),
            ])
        } else {
            Line::from(vec![
                key(Intent::Confirm, "Enter"),
                label(" confirm "),
                key(Intent::Cancel, "Esc"),
                label(" cancel  type a reason"),
            ])
        };
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if matches!(state.overlay, Overlay::Help { .. }) {
        let line = Line::from(vec![
            styled(" Esc ? q", theme.style(Role::ChromeKey)),
            styled(" close  ", theme.style(Role::ChromeDim)),
            styled("j k PgUp PgDn", theme.style(Role::ChromeKey)),
            styled(" scroll", theme.style(Role::ChromeDim)),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let scopes = state.scopes();
    let filtering = matches!(state.overlay, Overlay::Filter(_));
    let bindings = state
        .keymap
        .in_effect(&scopes, state.session.is_read_only());
    let hint = |b: &crate::input::Binding| {
        let key = b.chord.to_string();
        let label = b.intent.name().replace('_', "-");
        let width = key.chars().count() + label.chars().count() + 3;
        (key, label, width, b.dangerous())
    };
    let mut seen: Vec<Intent> = Vec::new();
    let mut hints = Vec::new();
    let mut essentials = Vec::new();
    for b in &bindings {
        if seen.contains(&b.intent) {
            continue;
        }
        seen.push(b.intent);
        if ESSENTIAL.contains(&b.intent) && scopes.last() != Some(&Scope::Input) {
            essentials.push(hint(b));
        } else if footer_worthy(state, b.intent, b.scope)
            && !(filtering && b.intent == Intent::Complete)
        {
            hints.push(hint(b));
        }
    }
    let max = usize::from(area.width);
    let mut used = 1 + essentials.iter().map(|h| h.2).sum::<usize>();
    let mut spans: Vec<Span> = vec![Span::raw(" ")];
    for (key, label, width, dangerous) in hints {
        if used + width > max {
            continue;
        }
        used += width;
        let key_role = if dangerous {
            Role::AlertWarning
        } else {
            Role::ChromeKey
        };
        spans.push(styled(key, theme.style(key_role)));
        spans.push(styled(format!(" {label}  "), theme.style(Role::ChromeDim)));
    }
    for (key, label, _, _) in essentials {
        spans.push(styled(key, theme.style(Role::ChromeKey)));
        spans.push(styled(format!(" {label}  "), theme.style(Role::ChromeDim)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
