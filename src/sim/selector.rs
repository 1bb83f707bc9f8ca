//! Label and field selectors, as the API server reads `?labelSelector=` and `?fieldSelector=`.
//!
//! Label selectors are comma-separated requirements that must all hold: `k=v`, `k==v`, `k!=v`,
//! `k in (a,b)`, `k notin (a,b)`, `k` (label present), `!k` (label absent), and the numeric
//! `k>n` / `k<n`. `!=` and `notin` also match objects without the label. Keys and values are
//! validated like Kubernetes validates them (qualified names, values of ≤ 63 characters).
//!
//! Field selectors are comma-separated `field=value`, `field==value` or `field!=value` terms
//! (`\,`, `\=` and `\\` escape those characters in values). Every kind supports
//! `metadata.name` and `metadata.namespace`; events (stored as core/v1 Event) also support the
//! `involvedObject.*` fields (or their events.k8s.io/v1 spelling `regarding.*`), `reason`,
//! `reportingComponent`, `source` (the source component) and `type`. Missing fields read as "".
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq)]
struct Requirement {
    key: String,
    op: Op,
}

#[derive(Debug, Clone, PartialEq)]
enum Op {
    /// `in` / `=` (or, negated, `notin` / `!=`, which also hold when the label is missing).
    Set { values: Vec<String>, negate: bool },
    /// `k` (true) or `!k` (false).
    Exists(bool),
    /// `k>n` (true) or `k<n` (false); the label must hold an integer.
    Compare { n: i64, greater: bool },
}

impl LabelSelector {
    pub fn parse(s: &str) -> Result<Self, String> {
        let toks = lex(s);
        let (mut requirements, mut pos) = (Vec::new(), 0);
        while pos < toks.len() {
            let (req, next) = requirement(&toks, pos)
                .map_err(|e| format!("unable to parse label selector {s:?}: {e}"))?;
            requirements.push(req);
            pos = next + 1;
            let problem = match toks.get(next) {
                None => break,
                Some(Tok::Sym(",")) if pos < toks.len() => continue,
                Some(Tok::Sym(",")) => "found end of string, expected a requirement after ','",
                Some(_) => "expected ',' or the end of the string after a requirement",
            };
            return Err(format!("unable to parse label selector {s:?}: {problem}"));
        }
        Ok(Self { requirements })
    }

    /// True when the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        self.requirements.iter().all(|r| {
            let value = labels.and_then(|l| l.get(&r.key)).and_then(Value::as_str);
            let int = || value.and_then(|v| v.parse::<i64>().ok());
            match &r.op {
                Op::Exists(present) => value.is_some() == *present,
                Op::Set { values, negate } => {
                    value.is_some_and(|v| values.iter().any(|s| s == v)) != *negate
                }
                Op::Compare { n, greater: true } => int().is_some_and(|v| v > *n),
                Op::Compare { n, greater: false } => int().is_some_and(|v| v < *n),
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    /// One of `!`, `=` (also for `==`), `!=`, `>`, `<`, `(`, `)`, `,`.
    Sym(&'static str),
}

impl std::fmt::Display for Tok {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tok::Word(w) => f.write_str(w),
            Tok::Sym(s) => f.write_str(s),
        }
    }
}

const SYMBOLS: [&str; 7] = ["!", "=", ">", "<", "(", ")", ","];

fn lex(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let sym = match c {
            c if c.is_whitespace() => continue,
            '!' if chars.next_if_eq(&'=').is_some() => "!=",
            '=' if chars.next_if_eq(&'=').is_some() => "=",
            c => match SYMBOLS.iter().find(|s| s.starts_with(c)) {
                Some(sym) => sym,
                None => {
                    let mut word = c.to_string();
                    let plain = |c: &char| !c.is_whitespace() && !"!=<>(),".contains(*c);
                    while let Some(c) = chars.next_if(plain) {
                        word.push(c);
                    }
                    out.push(Tok::Word(word));
                    continue;
                }
            },
        };
        out.push(Tok::Sym(sym));
    }
    out
}

/// Parses one requirement starting at `pos`; returns it and the position after it.
fn requirement(toks: &[Tok], mut pos: usize) -> Result<(Requirement, usize), String> {
    let at = |i: usize| toks.get(i);
    let negated = at(pos) == Some(&Tok::Sym("!"));
    pos += usize::from(negated);
    let key = match at(pos) {
        Some(Tok::Word(k)) => k.clone(),
        Some(t) => return Err(format!("found '{t}', expected a label key")),
        None => return Err("found end of string, expected a label key".into()),
    };
    validate_key(&key)?;
    pos += 1;
    if matches!(at(pos), None | Some(Tok::Sym(","))) {
        let op = Op::Exists(!negated);
        return Ok((Requirement { key, op }, pos));
    }
    if negated {
        return Err(format!(
            "'!{key}' must be followed by ',' or the end of the string"
        ));
    }
    let word = |i: usize| match at(i) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let op = match at(pos) {
        Some(Tok::Sym(sym @ ("=" | "!="))) => {
            let value = word(pos + 1).unwrap_or_default();
            validate_value(value)?;
            pos += usize::from(!value.is_empty());
            let negate = *sym == "!=";
            Op::Set {
                values: vec![value.to_owned()],
                negate,
            }
        }
        Some(Tok::Sym(sym @ (">" | "<"))) => {
            let n = word(pos + 1).and_then(|w| w.parse::<i64>().ok());
            let n = n.ok_or_else(|| format!("an integer must follow '{key}{sym}'"))?;
            pos += 1;
            Op::Compare {
                n,
                greater: *sym == ">",
            }
        }
        Some(Tok::Word(w)) if w == "in" || w == "notin" => {
            let (values, next) = value_set(toks, pos + 1)?;
            if values.is_empty() {
                return Err(format!("'{w}' needs at least one value"));
            }
            pos = next - 1;
            Op::Set {
                values,
                negate: w == "notin",
            }
        }
        Some(t) => return Err(format!("found '{t}', expected one of =, ==, !=, in, notin")),
        None => return Err("found end of string, expected an operator".into()),
    };
    Ok((Requirement { key, op }, pos + 1))
}

/// Parses `( v1, v2, ... )` starting at the opening parenthesis; returns the position after it.
fn value_set(toks: &[Tok], mut pos: usize) -> Result<(Vec<String>, usize), String> {
    if toks.get(pos) != Some(&Tok::Sym("(")) {
        return Err("expected '(' after 'in' or 'notin'".into());
    }
    let mut values: Vec<String> = Vec::new();
    // An empty slot (`(,a)`, `(a,,b)`, `(a,)`) is the empty value, as Kubernetes reads it.
    let mut expect_value = true;
    let mut after_comma = false;
    loop {
        pos += 1;
        match toks.get(pos) {
            Some(Tok::Sym(")")) => {
                if after_comma {
                    values.push(String::new());
                }
                return Ok((values, pos + 1));
            }
            Some(Tok::Sym(",")) => {
                if expect_value {
                    values.push(String::new());
                }
                (expect_value, after_comma) = (true, true);
            }
            Some(Tok::Word(v)) if expect_value => {
                validate_value(v)?;
                values.push(v.clone());
                (expect_value, after_comma) = (false, false);
            }
            Some(t) => return Err(format!("found '{t}', expected a value, ',' or ')'")),
            None => return Err("found end of string, expected ')'".into()),
        }
    }
}

/// 1..=`max` characters of `[A-Za-z0-9._-]`, alphanumeric at both ends.
fn is_name(s: &str, max: usize) -> bool {
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    s.len() <= max
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter()
            .all(|c| alnum(c) || matches!(c, b'-' | b'_' | b'.'))
}

fn validate_key(key: &str) -> Result<(), String> {
    let (prefix, name) = key.split_once('/').unwrap_or(("", key));
    let dns_label = |l: &str| is_name(l, 63) && !l.contains(['_', '.']) && l == l.to_lowercase();
    if key.contains('/') && (prefix.len() > 253 || !prefix.split('.').all(dns_label)) {
        return Err(format!(
            "invalid label key {key:?}: bad DNS-subdomain prefix"
        ));
    }
    if !is_name(name, 63) {
        return Err(format!(
            "invalid label key {key:?}: the name must be 1-63 characters of [A-Za-z0-9._-], \
             alphanumeric at both ends"
        ));
    }
    Ok(())
}

fn validate_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_name(value, 63) {
        return Ok(());
    }
    Err(format!(
        "invalid label value {value:?}: must be empty or 1-63 characters of [A-Za-z0-9._-], \
         alphanumeric at both ends"
    ))
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldSelector {
    terms: Vec<FieldTerm>,
}

#[derive(Debug, Clone, PartialEq)]
struct FieldTerm {
    /// JSON pointer to the value the field label reads.
    pointer: String,
    value: String,
    negate: bool,
}

/// Field labels of core/v1 Event beyond `metadata.name` / `metadata.namespace`.
#[rustfmt::skip]
const EVENT_FIELDS: [&str; 11] = [
    "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
    "reason", "reportingComponent", "source", "type",
];

/// The JSON pointer a supported field label of `kind` reads.
fn field_pointer(field: &str, kind: &str) -> Option<String> {
    let field = match field.strip_prefix("regarding.") {
        Some(rest) if kind == "Event" => format!("involvedObject.{rest}"),
        _ => field.to_owned(),
    };
    let common = field == "metadata.name" || field == "metadata.namespace";
    if !common && (kind != "Event" || !EVENT_FIELDS.contains(&field.as_str())) {
        return None;
    }
    let field = if field == "source" {
        "source.component"
    } else {
        &field
    };
    Some(format!("/{}", field.replace('.', "/")))
}

impl FieldSelector {
    pub fn parse(s: &str, kind: &str) -> Result<Self, String> {
        let mut terms = vec![];
        for term in split_unescaped(s)?.into_iter().filter(|t| !t.is_empty()) {
            let (field, op, raw) = split_term(term).ok_or_else(|| {
                format!("invalid field selector {s:?}: can't understand {term:?}")
            })?;
            let field = field.trim();
            let pointer = field_pointer(field, kind)
                .ok_or_else(|| format!("field label not supported: {field}"))?;
            let (value, negate) = (unescape(raw)?, op == "!=");
            terms.push(FieldTerm {
                pointer,
                value,
                negate,
            });
        }
        Ok(Self { terms })
    }

    /// True when the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.terms.iter().all(|t| {
            let actual = match obj.pointer(&t.pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
                _ => String::new(),
            };
            (actual == t.value) != t.negate
        })
    }
}

/// Splits on commas that a backslash does not escape; escapes stay for [`unescape`].
fn split_unescaped(s: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut start, mut escaped) = (0, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if escaped {
        return Err(format!("invalid field selector {s:?}: dangling '\\'"));
    }
    parts.push(&s[start..]);
    Ok(parts)
}

const OPS: [&str; 3] = ["!=", "==", "="];

/// Splits `field<op>value` at the first unescaped operator (`!=`, `==` or `=`).
fn split_term(term: &str) -> Option<(&str, &'static str, &str)> {
    let mut escaped = false;
    for (i, c) in term.char_indices() {
        let was_escaped = escaped;
        escaped = c == '\\' && !was_escaped;
        if was_escaped {
            continue;
        }
        let rest = &term[i..];
        if let Some(op) = OPS.into_iter().find(|op| rest.starts_with(op)) {
            return Some((&term[..i], op, &rest[op.len()..]));
        }
    }
    None
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match (c == '\\').then(|| chars.next()) {
            None => out.push(c),
            Some(Some(e @ ('\\' | ',' | '='))) => out.push(e),
            Some(e) => {
                let seq = e.map(String::from).unwrap_or_default();
                return Err(format!(
                    "invalid escape \\{seq} in field selector value {raw:?}"
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "selector_tests.rs"]
mod tests;
