//! Parsing and rendering of templates (the rules are in the [`super`] module docs) and
//! Prometheus durations.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

use super::{NONE_VALUE, PLACEHOLDERS, TemplateError};
use crate::domain::metrics::MetricTarget;

/// A template cut into literal PromQL and placeholders.
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Cuts a template into pieces, checking placeholders, braces and quotes (module docs).
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let b = template.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut text_start) = (0, 0);
    let mut quote: Option<(u8, usize)> = None;
    let mut open: Vec<usize> = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c == b'{' {
            let word = b[i + 1..]
                .iter()
                .take_while(|x| x.is_ascii_lowercase() || **x == b'_')
                .count();
            let end = i + 1 + word;
            if word > 0 && b.get(end) == Some(&b'}') {
                let name = &template[i + 1..end];
                if !PLACEHOLDERS.contains(&name) {
                    return Err(TemplateError::new(format!(
                        "unknown placeholder `{{{name}}}`"
                    )));
                }
                out.push(Piece::Text(&template[text_start..i]));
                out.push(Piece::Placeholder(name));
                i = end + 1;
                text_start = i;
                continue;
            }
            let unclosed = match quote {
                Some((q, _)) => word > 0 && b.get(end).is_none_or(|x| *x == q),
                None => false,
            };
            if unclosed {
                return Err(TemplateError::new(format!(
                    "unclosed placeholder `{}` (a placeholder ends with `}}`)",
                    &template[i..end]
                )));
            }
        }
        match quote {
            Some((q, _)) if c == b'\\' && q != b'`' => i += 1,
            Some((q, _)) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' | b'`' => quote = Some((c, i)),
                b'{' => open.push(i),
                b'}' if open.pop().is_none() => {
                    return Err(TemplateError::new(format!(
                        "unbalanced brace: `}}` at character {} closes nothing",
                        i + 1
                    )));
                }
                b'#' => {
                    let rest = b[i..].iter().take_while(|x| **x != b'\n').count();
                    i += rest.saturating_sub(1);
                }
                _ => {}
            },
        }
        i += 1;
    }
    if let Some((q, at)) = quote {
        return Err(TemplateError::new(format!(
            "unterminated string: `{}` at character {} is never closed",
            char::from(q),
            at + 1
        )));
    }
    if let Some(at) = open.pop() {
        return Err(TemplateError::new(format!(
            "unbalanced brace: `{{` at character {} is never closed",
            at + 1
        )));
    }
    out.push(Piece::Text(&template[text_start..]));
    Ok(out)
}

/// Checks a template: balanced braces, known placeholders only.
pub fn validate(template: &str) -> Result<(), TemplateError> {
    pieces(template).map(|_| ())
}

/// Renders a template for a group of targets.
pub fn render(
    template: &str,
    namespaces: &[String],
    targets: &[MetricTarget],
    window: Duration,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder(name) => out.push_str(&value(name, namespaces, targets, window)),
        }
    }
    Ok(out)
}

fn value(name: &str, namespaces: &[String], targets: &[MetricTarget], window: Duration) -> String {
    let of = |f: fn(&MetricTarget) -> Option<&str>| alternation(targets.iter().filter_map(f));
    match name {
        "namespaces" if namespaces.iter().all(String::is_empty) => ".*".to_string(),
        "namespaces" => alternation(namespaces.iter().map(String::as_str)),
        "window" => format_window(window),
        "namespace" => of(|t| Some(&t.key.namespace)),
        "rollout" => of(|t| Some(&t.key.name)),
        "canary_service" => of(|t| t.canary_service.as_deref()),
        "stable_service" => of(|t| t.stable_service.as_deref()),
        "active_service" => of(|t| t.active_service.as_deref()),
        "preview_service" => of(|t| t.preview_service.as_deref()),
        "canary_hash" => of(|t| t.canary_hash.as_deref()),
        "stable_hash" => of(|t| t.stable_hash.as_deref()),
        // `pieces` admits known names only.
        _ => NONE_VALUE.to_string(),
    }
}

/// `a|b|c` of the distinct non-empty values, sorted and escaped; [`NONE_VALUE`] for none.
fn alternation<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let set: BTreeSet<&str> = values.filter(|v| !v.is_empty()).collect();
    if set.is_empty() {
        return NONE_VALUE.to_string();
    }
    let escaped: Vec<String> = set.into_iter().map(escape).collect();
    escaped.join("|")
}

/// A literal for an RE2 regex inside a double-quoted PromQL string: regex metacharacters
/// get a backslash, then backslashes and quotes are escaped for the string.
pub fn escape(value: &str) -> String {
    let mut re = String::with_capacity(value.len());
    for c in value.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            re.push('\\');
        }
        re.push(c);
    }
    re.replace('\\', r"\\").replace('"', r#"\""#)
}

/// A Prometheus duration: `1m`, `30s`, `1m30s`, `250ms`, `2h` (sub-millisecond parts are
/// dropped; zero is `0s`).
pub fn format_window(d: Duration) -> String {
    let mut ms = d.as_millis();
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        let n = ms / size;
        if n > 0 {
            let _ = write!(out, "{n}{unit}");
            ms -= n * size;
        }
    }
    out
}
