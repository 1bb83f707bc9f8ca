//! The small languages of an AnalysisRun, as far as the simulator speaks them: the
//! `successCondition` / `failureCondition` expressions (a subset of expr-lang over a
//! Prometheus vector `result`), Go durations (`30s`, `1m30s`), `{{args.x}}` templates, and
//! sample values printed as Prometheus prints them.

use std::time::Duration;

/// Why a condition could not be evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// Syntax or functions the simulator does not implement.
    Unsupported,
    /// A runtime error (as expr-lang reports it).
    Runtime(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Num(f64),
    Bool(bool),
    List(Vec<f64>),
}

#[derive(Debug, Clone)]
enum Ast {
    Num(f64),
    Bool(bool),
    Result,
    Index(Box<Ast>, Box<Ast>),
    Call(String, Box<Ast>),
    Not(Box<Ast>),
    Neg(Box<Ast>),
    Bin(String, Box<Ast>, Box<Ast>),
}

fn tokens(s: &str) -> Option<Vec<String>> {
    let cs: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && cs.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '.' || cs[i] == '_') {
                let exp_sign =
                    matches!(cs[i], 'e' | 'E') && matches!(cs.get(i + 1), Some('+' | '-'));
                i += if exp_sign { 2 } else { 1 };
            }
            out.push(cs[start..i].iter().collect());
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < cs.len() && (cs[i].is_alphanumeric() || cs[i] == '_') {
                i += 1;
            }
            out.push(cs[start..i].iter().collect());
        } else {
            let two: String = cs[i..(i + 2).min(cs.len())].iter().collect();
            if ["&&", "||", ">=", "<=", "==", "!="].contains(&two.as_str()) {
                out.push(two);
                i += 2;
            } else if "()[]<>!+-*/".contains(c) {
                out.push(c.to_string());
                i += 1;
            } else {
                return None;
            }
        }
    }
    Some(out)
}

struct Parser {
    toks: Vec<String>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(String::as_str)
    }

    fn eat(&mut self, t: &str) -> bool {
        let hit = self.peek() == Some(t);
        self.pos += usize::from(hit);
        hit
    }

    fn binary(&mut self, ops: &[&str], next: fn(&mut Self) -> Option<Ast>) -> Option<Ast> {
        let mut left = next(self)?;
        while let Some(op) = self.peek().filter(|t| ops.contains(t)).map(str::to_string) {
            self.pos += 1;
            let op = match op.as_str() {
                "or" => "||".to_string(),
                "and" => "&&".to_string(),
                _ => op,
            };
            left = Ast::Bin(op, Box::new(left), Box::new(next(self)?));
        }
        Some(left)
    }

    fn or(&mut self) -> Option<Ast> {
        self.binary(&["||", "or"], Self::and)
    }

    fn and(&mut self) -> Option<Ast> {
        self.binary(&["&&", "and"], Self::cmp)
    }

    fn cmp(&mut self) -> Option<Ast> {
        self.binary(&[">=", ">", "<=", "<", "==", "!="], Self::sum)
    }

    fn sum(&mut self) -> Option<Ast> {
        self.binary(&["+", "-"], Self::product)
    }

    fn product(&mut self) -> Option<Ast> {
        self.binary(&["*", "/"], Self::unary)
    }

    fn unary(&mut self) -> Option<Ast> {
        if self.eat("!") || self.eat("not") {
            return Some(Ast::Not(Box::new(self.unary()?)));
        }
        if self.eat("-") {
            return Some(Ast::Neg(Box::new(self.unary()?)));
        }
        let mut e = self.primary()?;
        while self.eat("[") {
            let i = self.or()?;
            if !self.eat("]") {
                return None;
            }
            e = Ast::Index(Box::new(e), Box::new(i));
        }
        Some(e)
    }

    fn primary(&mut self) -> Option<Ast> {
        let t = self.peek()?.to_string();
        self.pos += 1;
        match t.as_str() {
            "(" => {
                let e = self.or()?;
                self.eat(")").then_some(e)
            }
            "true" | "false" => Some(Ast::Bool(t == "true")),
            "result" => Some(Ast::Result),
            "len" | "isNaN" | "isInf" | "asFloat" | "asInt" => {
                if !self.eat("(") {
                    return None;
                }
                let arg = self.or()?;
                self.eat(")").then(|| Ast::Call(t, Box::new(arg)))
            }
            _ if t.starts_with(|c: char| c.is_ascii_digit() || c == '.') => {
                t.replace('_', "").parse::<f64>().ok().map(Ast::Num)
            }
            _ => None,
        }
    }
}

fn runtime<T>(msg: String) -> Result<T, EvalError> {
    Err(EvalError::Runtime(msg))
}

fn num(v: Val) -> Result<f64, EvalError> {
    match v {
        Val::Num(n) => Ok(n),
        other => runtime(format!(
            "invalid operation: expected a number, got {other:?}"
        )),
    }
}

fn truth(v: Val) -> Result<bool, EvalError> {
    match v {
        Val::Bool(b) => Ok(b),
        other => runtime(format!("invalid operation: expected a bool, got {other:?}")),
    }
}

fn eval(e: &Ast, result: &[f64]) -> Result<Val, EvalError> {
    Ok(match e {
        Ast::Num(n) => Val::Num(*n),
        Ast::Bool(b) => Val::Bool(*b),
        Ast::Result => Val::List(result.to_vec()),
        Ast::Not(x) => Val::Bool(!truth(eval(x, result)?)?),
        Ast::Neg(x) => Val::Num(-num(eval(x, result)?)?),
        Ast::Index(list, i) => {
            let Val::List(l) = eval(list, result)? else {
                return Err(EvalError::Unsupported);
            };
            let i = num(eval(i, result)?)?;
            let at = if i < 0.0 { l.len() as f64 + i } else { i };
            match l.get(at as usize).filter(|_| at >= 0.0) {
                Some(v) => Val::Num(*v),
                None => {
                    return runtime(format!(
                        "index out of range: {i} (array length is {})",
                        l.len()
                    ));
                }
            }
        }
        Ast::Call(f, arg) => match (f.as_str(), eval(arg, result)?) {
            ("len", Val::List(l)) => Val::Num(l.len() as f64),
            ("isNaN", Val::Num(n)) => Val::Bool(n.is_nan()),
            ("isInf", Val::Num(n)) => Val::Bool(n.is_infinite()),
            ("asFloat", Val::Num(n)) => Val::Num(n),
            ("asInt", Val::Num(n)) => Val::Num(n.trunc()),
            _ => return Err(EvalError::Unsupported),
        },
        Ast::Bin(op, a, b) if op == "||" || op == "&&" => {
            let left = truth(eval(a, result)?)?;
            if left == (op == "||") {
                Val::Bool(left)
            } else {
                Val::Bool(truth(eval(b, result)?)?)
            }
        }
        Ast::Bin(op, a, b) => {
            let (a, b) = (eval(a, result)?, eval(b, result)?);
            match (op.as_str(), a, b) {
                ("==", a, b) => Val::Bool(a == b),
                ("!=", a, b) => Val::Bool(a != b),
                (op, a, b) => {
                    let (x, y) = (num(a)?, num(b)?);
                    match op {
                        ">=" => Val::Bool(x >= y),
                        ">" => Val::Bool(x > y),
                        "<=" => Val::Bool(x <= y),
                        "<" => Val::Bool(x < y),
                        "+" => Val::Num(x + y),
                        "-" => Val::Num(x - y),
                        "*" => Val::Num(x * y),
                        "/" => Val::Num(x / y),
                        _ => return Err(EvalError::Unsupported),
                    }
                }
            }
        }
    })
}

/// Evaluates a condition over a vector result to a bool.
pub fn condition(expr: &str, result: &[f64]) -> Result<bool, EvalError> {
    let mut p = Parser {
        toks: tokens(expr).ok_or(EvalError::Unsupported)?,
        pos: 0,
    };
    let ast = p.or().ok_or(EvalError::Unsupported)?;
    if p.pos != p.toks.len() {
        return Err(EvalError::Unsupported);
    }
    match eval(&ast, result)? {
        Val::Bool(b) => Ok(b),
        Val::Num(_) => runtime("expected bool, but got float64".into()),
        Val::List(_) => runtime("expected bool, but got []float64".into()),
    }
}

/// A sample value as Prometheus' client prints it (`0.99`, `NaN`, `+Inf`).
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

/// A vector result as Argo stores it: `[0.99,0.98]`.
pub fn format_vector(vs: &[f64]) -> String {
    let parts: Vec<String> = vs.iter().map(|v| format_value(*v)).collect();
    format!("[{}]", parts.join(","))
}

/// A Go duration (`time.ParseDuration`): `300ms`, `1.5h`, `2h45m`; errors as Go words them.
pub fn go_duration(s: &str) -> Result<Duration, String> {
    let invalid = || format!("time: invalid duration \"{s}\"");
    let body = s.strip_prefix('+').unwrap_or(s);
    if body == "0" {
        return Ok(Duration::ZERO);
    }
    if body.is_empty() || body.starts_with('-') {
        return Err(invalid());
    }
    let mut total = 0.0f64;
    let mut rest = body;
    while !rest.is_empty() {
        let n_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..n_end].parse().map_err(|_| invalid())?;
        rest = &rest[n_end..];
        let u_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..u_end];
        let scale = match unit {
            "" => return Err(format!("time: missing unit in duration \"{s}\"")),
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(format!("time: unknown unit \"{unit}\" in duration \"{s}\"")),
        };
        total += n * scale;
        rest = &rest[u_end..];
    }
    Ok(Duration::from_secs_f64(total))
}

/// Substitutes `{{ args.name }}` tags (values already escaped for where they go); an
/// unknown tag is replaced by nothing and reported, as Argo's templating does.
pub fn substitute(text: &str, args: &[(String, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut err = None;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!(
                "Cannot find end tag=\"}}}}\" in the template=\"{text}\" starting from \"{rest}\""
            ));
        };
        let tag = &after[..end];
        match args.iter().find(|(k, _)| format!("args.{k}") == tag.trim()) {
            Some((_, v)) => out.push_str(v),
            None => err = Some(format!("failed to resolve {{{{{tag}}}}}")),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    err.map_or(Ok(out), Err)
}

#[cfg(test)]
#[path = "analysis_eval_tests.rs"]
mod tests;
