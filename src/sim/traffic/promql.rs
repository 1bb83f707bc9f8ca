//! The PromQL the simulator answers: a lexer and recursive-descent parser for selectors,
//! range selectors, `rate`/`increase`/`histogram_quantile`, aggregations and arithmetic, and
//! label-matcher regexes (RE2 syntax via the `regex` crate, fully anchored as Prometheus anchors them).
//! Valid PromQL outside that subset is [`ParseError::Unsupported`]; malformed input is
//! [`ParseError::Syntax`], worded as Prometheus words it.

pub use self::parser::parse;
pub use self::pattern::Regex;

#[path = "promql_parser.rs"]
mod parser;
#[path = "promql_regex.rs"]
mod pattern;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// `pos` is `line:col` (1-based, bytes), as in Prometheus' messages.
    #[error("{pos}: parse error: {msg}")]
    Syntax { pos: String, msg: String },
    #[error("unsupported by simulator: {0}")]
    Unsupported(String),
}

fn unsupported(what: impl Into<String>) -> ParseError {
    ParseError::Unsupported(what.into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Eq,
    Ne,
    Re,
    Nre,
}

/// A label matcher; a label a series lacks has the value `""`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    re: Option<Regex>,
}

impl Matcher {
    pub fn new(name: &str, op: MatchOp, value: &str) -> Result<Self, ParseError> {
        let re = matches!(op, MatchOp::Re | MatchOp::Nre)
            .then(|| Regex::new(value))
            .transpose()?;
        Ok(Self {
            name: name.into(),
            op,
            value: value.into(),
            re,
        })
    }

    pub fn matches(&self, v: &str) -> bool {
        match (self.op, &self.re) {
            (MatchOp::Eq, _) => v == self.value,
            (MatchOp::Ne, _) => v != self.value,
            (MatchOp::Re, Some(re)) => re.is_match(v),
            (MatchOp::Nre, Some(re)) => !re.is_match(v),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    /// An instant vector selector (the metric name is a `__name__` matcher).
    Selector(Vec<Matcher>),
    /// A range vector selector; the range in milliseconds.
    Range(Vec<Matcher>, i64),
    /// `rate`, `increase` (one range vector) or `histogram_quantile` (scalar, vector).
    Call(String, Vec<Expr>),
    Aggregate {
        op: String,
        without: bool,
        labels: Vec<String>,
        param: Option<Box<Expr>>,
        expr: Box<Expr>,
    },
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    fn kind(&self) -> &'static str {
        match self {
            Self::Number(_) => "scalar",
            Self::Binary(_, l, r) if l.kind() == "scalar" && r.kind() == "scalar" => "scalar",
            Self::Range(..) => "range vector",
            _ => "instant vector",
        }
    }
}

const AGGREGATORS: &str = concat!(
    "sum avg count min max group stddev stdvar topk bottomk count_values quantile limitk ",
    "limit_ratio",
);
const KEYWORDS: &str = concat!(
    "offset smoothed anchored by without on ignoring group_left group_right fill ",
    "fill_left fill_right bool",
);
const FUNCTIONS: &str = concat!(
    "abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil ",
    "changes clamp clamp_max clamp_min cos cosh count_over_time days_in_month ",
    "day_of_month day_of_week day_of_year deg delta deriv exp first_over_time floor ",
    "histogram_avg histogram_count histogram_sum histogram_stddev histogram_stdvar ",
    "histogram_fraction histogram_quantile histogram_quantiles ",
    "double_exponential_smoothing hour idelta increase info irate label_replace ",
    "label_join last_over_time ln log10 log2 mad_over_time max_over_time min_over_time ",
    "minute month pi predict_linear present_over_time quantile_over_time rad rate resets ",
    "round scalar sgn sin sinh sort sort_desc sort_by_label sort_by_label_desc sqrt ",
    "stddev_over_time stdvar_over_time sum_over_time tan tanh time timestamp vector year",
);
const OPS: [&str; 24] = [
    "=~", "!~", "!=", "==", "<=", ">=", "(", ")", "{", "}", "[", "]", ",", "=", "+", "-", "*", "/",
    "%", "^", "<", ">", "@", ":",
];

/// Parses a Prometheus duration (`1h30m`, `5m`, `250ms`; units in decreasing order) into
/// nanoseconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    const S: i64 = 1_000_000_000;
    const UNITS: [(&str, i64); 7] = [
        ("y", 365 * 86400 * S),
        ("w", 7 * 86400 * S),
        ("d", 86400 * S),
        ("h", 3600 * S),
        ("m", 60 * S),
        ("s", S),
        ("ms", S / 1000),
    ];
    if s == "0" {
        return Some(0);
    }
    let (mut rest, mut total, mut last) = (s, 0i64, None);
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let v: i64 = rest.get(..digits).filter(|d| !d.is_empty())?.parse().ok()?;
        rest = rest.get(digits..)?;
        let len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = UNITS
            .iter()
            .position(|(u, _)| Some(*u) == rest.get(..len))?;
        if last.is_some_and(|l| unit <= l) {
            return None;
        }
        last = Some(unit);
        total = total.checked_add(v.checked_mul(UNITS.get(unit)?.1)?)?;
        rest = rest.get(len..)?;
    }
    (!s.is_empty()).then_some(total)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Dur(i64),
    Op(&'static str),
    Eof,
}

impl Tok {
    fn desc(&self) -> String {
        match self {
            Self::Ident(w) => match (keyword(w, AGGREGATORS), keyword(w, "and or unless atan2")) {
                (Some(a), _) => format!("<aggr:{a}>"),
                (_, Some(op)) => format!("<op:{op}>"),
                _ => match keyword(w, KEYWORDS) {
                    Some(k) => format!("<{k}>"),
                    None => format!("identifier {w:?}"),
                },
            },
            Self::Str(s) => format!("string {s:?}"),
            Self::Num(n) => format!("number \"{n}\""),
            Self::Dur(ms) => format!("duration \"{ms}ms\""),
            Self::Op(o) if "+-*/%^=!<>".contains(&o[..1]) => format!("<op:{o}>"),
            Self::Op(o) => format!("{o:?}"),
            Self::Eof => "end of input".into(),
        }
    }
}

/// `w` in lower case when it is one of the (case-insensitive) keywords in `list`.
fn keyword(w: &str, list: &str) -> Option<String> {
    let w = w.to_ascii_lowercase();
    list.split(' ').any(|k| k == w).then_some(w)
}

fn syntax(q: &str, at: usize, msg: impl Into<String>) -> ParseError {
    let before = q.get(..at).unwrap_or(q);
    let pos = match before.rfind('\n') {
        _ if q.is_empty() => "unknown position".into(),
        Some(nl) => format!("{}:{}", before.matches('\n').count() + 1, at - nl),
        None => format!("1:{}", at + 1),
    };
    ParseError::Syntax {
        pos,
        msg: msg.into(),
    }
}

fn lex(q: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let (mut out, mut i, mut depth) = (Vec::new(), 0, [0u32; 3]);
    while let Some(c) = q.get(i..).and_then(|r| r.chars().next()) {
        let (rest, start) = (q.get(i..).unwrap_or_default(), i);
        let word = |ok: &dyn Fn(usize, char) -> bool| {
            rest.char_indices()
                .find(|(n, c)| !ok(*n, *c))
                .map_or(rest.len(), |x| x.0)
        };
        let tok = if c.is_whitespace() || c == '#' {
            i += if c == '#' {
                rest.find('\n').unwrap_or(rest.len())
            } else {
                c.len_utf8()
            };
            continue;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let n = word(&|_, c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
            i += n;
            match rest[..n].to_ascii_lowercase().as_str() {
                "inf" => Tok::Num(f64::INFINITY),
                "nan" => Tok::Num(f64::NAN),
                _ => Tok::Ident(rest[..n].into()),
            }
        } else if c.is_ascii_digit()
            || (c == '.' && rest[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            let b = rest.as_bytes();
            let n = word(&|n, c| {
                c.is_ascii_alphanumeric()
                    || c == '.'
                    || (n > 0
                        && "+-".contains(c)
                        && b[n - 1].eq_ignore_ascii_case(&b'e')
                        && b[1] != b'x')
            });
            i += n;
            let w = &rest[..n];
            match w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
                Some(h) => i64::from_str_radix(h, 16).ok().map(|v| Tok::Num(v as f64)),
                None => w
                    .parse()
                    .ok()
                    .map(Tok::Num)
                    .or_else(|| parse_duration(w).map(|ns| Tok::Dur(ns / 1_000_000))),
            }
            .ok_or_else(|| syntax(q, start, format!("bad number or duration syntax: {w:?}")))?
        } else if "\"'`".contains(c) {
            let (s, n) = string(rest, c).map_err(|m| syntax(q, start, m))?;
            i += n;
            Tok::Str(s)
        } else if let Some(op) = OPS.iter().find(|o| rest.starts_with(**o)) {
            i += op.len();
            if let Some(k) = "([{".find(op) {
                depth[k] += 1;
            } else if let Some(k) = ")]}".find(op) {
                if depth[k] == 0 {
                    let what = [
                        "right parenthesis ')'",
                        "right bracket ']'",
                        "character: '}'",
                    ];
                    return Err(syntax(q, start, format!("unexpected {}", what[k])));
                }
                depth[k] -= 1;
            }
            Tok::Op(op)
        } else {
            return Err(syntax(q, start, format!("unexpected character: {c:?}")));
        };
        out.push((tok, start));
    }
    let open = [
        "unclosed left parenthesis",
        "unclosed left bracket",
        "unexpected end of input inside braces",
    ];
    if let Some(k) = (0..3).rev().find(|k| depth[*k] > 0) {
        return Err(syntax(q, q.len(), open[k]));
    }
    out.push((Tok::Eof, q.len()));
    Ok(out)
}

/// A quoted string at the start of `rest`: its value and length in bytes.
fn string(rest: &str, quote: char) -> Result<(String, usize), String> {
    let (mut out, mut chars) = (String::new(), rest.char_indices().skip(1));
    while let Some((n, c)) = chars.next() {
        match c {
            _ if c == quote => return Ok((out, n + 1)),
            '\n' if quote != '`' => break,
            '\\' if quote != '`' => {
                let Some((_, e)) = chars.next() else { break };
                let (digits, radix) = match e {
                    'x' => (2, 16),
                    'u' => (4, 16),
                    'U' => (8, 16),
                    '0'..='7' => (2, 8),
                    _ => {
                        out.push(match e {
                            'a' => '\x07',
                            'b' => '\x08',
                            'f' => '\x0c',
                            'n' => '\n',
                            'r' => '\r',
                            't' => '\t',
                            'v' => '\x0b',
                            '\\' => '\\',
                            _ if e == quote => e,
                            _ => {
                                return Err(format!(
                                    "unknown escape sequence U+{:04X} {e:?}",
                                    e as u32
                                ));
                            }
                        });
                        continue;
                    }
                };
                let mut code = if radix == 8 {
                    e.to_string()
                } else {
                    String::new()
                };
                code.extend(chars.by_ref().take(digits).map(|x| x.1));
                let code = u32::from_str_radix(&code, radix)
                    .ok()
                    .filter(|c| radix == 16 || *c < 256);
                out.push(
                    code.and_then(char::from_u32)
                        .ok_or("escape sequence is an invalid Unicode code point")?,
                );
            }
            _ => out.push(c),
        }
    }
    Err(if quote == '`' {
        "unterminated raw string"
    } else {
        "unterminated quoted string"
    }
    .into())
}

#[cfg(test)]
#[path = "promql_tests.rs"]
mod tests;
