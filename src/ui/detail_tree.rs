//! The revision tree as `kubectl argo rollouts get rollout` draws it (NAME with tree lines
//! and kind glyphs, KIND, STATUS, AGE, INFO; the cursor's node highlighted), and the
//! object's recent events, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::domain::revision::{NodeKind, TreeNode};
use crate::domain::rollout::format_age;
use crate::state::AppState;
use crate::state::detail::DetailState;
use crate::theme::{Role, Theme};

use super::super::widgets::{dot, styled, truncate, warn_sign};
use super::{panel, symbol, symbol_role, watch_error};

/// Events shown at most (the snapshot keeps 20).
const MAX_EVENTS: usize = 20;

fn glyph(kind: NodeKind, ascii: bool) -> &'static str {
    match (kind, ascii) {
        (NodeKind::Rollout | NodeKind::Deployment | NodeKind::Canary, false) => "⟳",
        (NodeKind::Rollout | NodeKind::Deployment | NodeKind::Canary, true) => "@",
        (NodeKind::Revision, _) => "#",
        (NodeKind::ReplicaSet, false) => "⧉",
        (NodeKind::ReplicaSet, true) => "%",
        (NodeKind::Pod, false) => "□",
        (NodeKind::Pod, true) => "o",
        (NodeKind::AnalysisRun, false) => "α",
        (NodeKind::AnalysisRun, true) => "a",
        (NodeKind::Experiment, false) => "Σ",
        (NodeKind::Experiment, true) => "E",
    }
}

/// The tree lines in front of each node: `│  └──`, as the CLI draws them.
pub(super) fn prefixes(nodes: &[TreeNode], ascii: bool) -> Vec<String> {
    let (pipe, tee, elbow) = if ascii {
        ("|  ", "|--", "`--")
    } else {
        ("│  ", "├──", "└──")
    };
    // Whether, after node `i`, a node of depth `level` comes before any shallower one.
    let continues = |i: usize, level: u8| {
        nodes
            .iter()
            .skip(i + 1)
            .find(|n| n.depth <= level)
            .is_some_and(|n| n.depth == level)
    };
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if n.depth == 0 {
                return String::new();
            }
            let mut s = String::new();
            for level in 1..n.depth {
                s.push_str(if continues(i, level) { pipe } else { "   " });
            }
            s.push_str(if continues(i, n.depth) { tee } else { elbow });
            s
        })
        .collect()
}

/// Cuts or pads `text` to exactly `width` columns.
fn fit(text: &str, width: usize, ascii: bool) -> String {
    let t = truncate(text, width, ascii);
    let pad = width.saturating_sub(t.width());
    format!("{t}{}", " ".repeat(pad))
}

pub fn render_tree(
    state: &AppState,
    theme: &Theme,
    d: &DetailState,
    frame: &mut Frame,
    area: Rect,
) {
    let ascii = state.ascii;
    let mut title = vec![styled(" Revisions ", theme.style(Role::ChromeTitle))];
    if let Some(e) = watch_error(d) {
        title.push(styled(
            format!("{} {} ", warn_sign(ascii), truncate(e, 40, ascii)),
            theme.style(Role::AlertWarning),
        ));
    }
    let block = panel(theme, ascii, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let nodes = match &d.snapshot {
        Some(s) if !s.tree.is_empty() => &s.tree,
        Some(_) => {
            return note(
                frame,
                inner,
                theme,
                "no revisions known",
                Role::ChromeDim,
                ascii,
            );
        }
        None => {
            let (text, role) = match watch_error(d) {
                Some(e) => (
                    format!("{} cannot watch: {e}", warn_sign(ascii)),
                    Role::AlertWarning,
                ),
                None => ("loading the revision tree…".to_string(), Role::ChromeDim),
            };
            return note(frame, inner, theme, &text, role, ascii);
        }
    };
    let wide = width >= 70;
    // Columns as wide as their widest cell (the CLI's tabwriter), within bounds.
    let kind_w = if wide {
        nodes
            .iter()
            .map(|n| n.kind.label().len())
            .max()
            .unwrap_or(4)
            .clamp(4, 11)
    } else {
        0
    };
    let status_w = nodes
        .iter()
        .map(|n| n.status.width() + 2)
        .max()
        .unwrap_or(6)
        .clamp(6, 18)
        .min(width / 4);
    let age_w = 6;
    let info_min = 8;
    let pre = prefixes(nodes, ascii);
    let names: Vec<String> = nodes
        .iter()
        .zip(&pre)
        .map(|(n, p)| format!("{p}{} {}", glyph(n.kind, ascii), n.name))
        .collect();
    let longest = names.iter().map(|n| n.width()).max().unwrap_or(4);
    let fixed = kind_w + status_w + age_w + usize::from(wide) + 2;
    let name_w = longest.min(width.saturating_sub(fixed + info_min)).max(8);
    let dim = theme.style(Role::ChromeDim);
    let head = {
        let mut s = fit("NAME", name_w, ascii) + " ";
        if wide {
            s += &fit("KIND", kind_w, ascii);
            s += " ";
        }
        s += &fit("STATUS", status_w, ascii);
        s += " ";
        s += &fit("AGE", age_w, ascii);
        s += "INFO";
        Line::from(styled(truncate(&s, width, ascii), dim))
    };
    let rows = usize::from(inner.height) - 1;
    let cursor = d.tree_cursor.min(nodes.len().saturating_sub(1));
    let offset = if nodes.len() > rows && rows > 0 {
        cursor.saturating_sub(rows - 1).min(nodes.len() - rows)
    } else {
        0
    };
    let mut lines = vec![head];
    for (i, n) in nodes.iter().enumerate().skip(offset).take(rows) {
        let mut spans = vec![Span::raw(fit(&names[i], name_w, ascii) + " ")];
        if wide {
            spans.push(styled(fit(n.kind.label(), kind_w, ascii) + " ", dim));
        }
        let status = if n.status.is_empty() {
            String::new()
        } else {
            format!("{} {}", symbol(&n.symbol, ascii), n.status)
        };
        spans.push(styled(
            fit(&status, status_w, ascii) + " ",
            theme.style(symbol_role(&n.symbol)),
        ));
        let age = n
            .created
            .map(|t| format_age(t, state.now))
            .unwrap_or_default();
        spans.push(styled(fit(&age, age_w, ascii), dim));
        let used: usize = spans.iter().map(|s| s.content.width()).sum();
        let info = n
            .info
            .iter()
            .map(|c| info_cell(c, ascii))
            .collect::<Vec<_>>()
            .join(",");
        spans.push(Span::raw(truncate(
            &info,
            width.saturating_sub(used),
            ascii,
        )));
        let mut line = Line::from(spans);
        if i == cursor {
            line = line.style(theme.style(Role::ChromeSelection));
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// An INFO cell with the CLI's symbols made ASCII when asked (`✔ 2` → `+ 2`).
fn info_cell(cell: &str, ascii: bool) -> String {
    if !ascii {
        return cell.to_string();
    }
    cell.split(' ')
        .map(|w| match w {
            "✔" | "✖" | "◌" | "◷" | "•" | "⚠" | "‖" | "॥" => symbol(w, true),
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn note(frame: &mut Frame, area: Rect, theme: &Theme, text: &str, role: Role, ascii: bool) {
    let text = if ascii {
        text.replace('…', "...")
    } else {
        text.to_string()
    };
    frame.render_widget(
        Paragraph::new(styled(
            truncate(&text, usize::from(area.width), ascii),
            theme.style(role),
        )),
        area,
    );
}

pub fn render_events(
    state: &AppState,
    theme: &Theme,
    d: &DetailState,
    frame: &mut Frame,
    area: Rect,
) {
    let ascii = state.ascii;
    let events = d.snapshot.as_ref().map(|s| s.events.as_slice());
    let warnings = events.map_or(0, |e| {
        e.iter().take(MAX_EVENTS).filter(|e| e.warning).count()
    });
    let mut title = vec![styled(" Events ", theme.style(Role::ChromeTitle))];
    if warnings > 0 {
        title.push(styled(
            format!(
                "{} {warnings} warning{} ",
                warn_sign(ascii),
                if warnings == 1 { "" } else { "s" }
            ),
            theme.style(Role::AlertWarning),
        ));
    }
    let block = panel(theme, ascii, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let Some(events) = events else {
        return note(
            frame,
            inner,
            theme,
            "loading events…",
            Role::ChromeDim,
            ascii,
        );
    };
    if events.is_empty() {
        return note(
            frame,
            inner,
            theme,
            "no recent events",
            Role::ChromeDim,
            ascii,
        );
    }
    let lines: Vec<Line> = events
        .iter()
        .take(MAX_EVENTS.min(usize::from(inner.height)))
        .map(|e| {
            let (mark, style): (&str, Style) = if e.warning {
                (warn_sign(ascii), theme.style(Role::AlertWarning))
            } else {
                (dot(ascii), theme.style(Role::ChromeText))
            };
            let age = e
                .last_seen
                .map(|t| format_age(t, state.now))
                .unwrap_or_else(|| "-".into());
            let count = if e.count > 1 {
                format!(" ×{}", e.count).replace('×', if ascii { "x" } else { "×" })
            } else {
                String::new()
            };
            let head = format!("{mark} {age:>6} {}{count}", e.reason);
            let rest = format!(": {}", e.message);
            let room = width.saturating_sub(head.width());
            Line::from(vec![
                styled(truncate(&head, width, ascii), style),
                styled(truncate(&rest, room, ascii), theme.style(Role::ChromeDim)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(depth: u8) -> TreeNode {
        TreeNode {
            depth,
            kind: NodeKind::Pod,
            name: String::new(),
            status: String::new(),
            symbol: String::new(),
            created: None,
            info: Vec::new(),
            revision: None,
        }
    }

    #[test]
    fn tree_lines_match_the_cli() {
        let nodes: Vec<TreeNode> = [0, 1, 2, 3, 1, 2, 3, 3, 1, 2].map(node).to_vec();
        let p = prefixes(&nodes, false);
        assert_eq!(
            p,
            [
                "",
                "├──",
                "│  └──",
                "│     └──",
                "├──",
                "│  └──",
                "│     ├──",
                "│     └──",
                "└──",
                "   └──",
            ]
        );
        assert_eq!(prefixes(&nodes, true)[6], "|     |--");
    }
}
