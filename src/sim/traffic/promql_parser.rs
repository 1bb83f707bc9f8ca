//! The recursive-descent parser of the subset (operator precedence as PromQL's, type checks
//! and error wording as Prometheus').

use super::{
    AGGREGATORS, BinOp, Expr, FUNCTIONS, MatchOp, Matcher, ParseError, Tok, keyword, lex, syntax,
    unsupported,
};

/// Parses a query of the subset.
pub fn parse(q: &str) -> Result<Expr, ParseError> {
    let mut p = Parser {
        q,
        toks: lex(q)?,
        i: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(syntax(q, 0, "no expression found in input"));
    }
    let e = p.expr()?;
    match p.peek() {
        Tok::Eof => Ok(e),
        _ => Err(p.unexpected("", "")),
    }
}

struct Parser<'a> {
    q: &'a str,
    toks: Vec<(Tok, usize)>,
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        self.toks.get(self.i).map_or(&Tok::Eof, |t| &t.0)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.q.len(), |t| t.1)
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.i += 1;
        t
    }

    fn is(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn ident(&self, words: &str) -> Option<String> {
        match self.peek() {
            Tok::Ident(w) => keyword(w, words),
            _ => None,
        }
    }

    fn err(&self, at: usize, msg: impl Into<String>) -> ParseError {
        syntax(self.q, at, msg)
    }

    fn unexpected(&self, ctx: &str, expected: &str) -> ParseError {
        let mut msg = format!("unexpected {}", self.peek().desc());
        if !ctx.is_empty() {
            msg += &format!(" in {ctx}");
        }
        if !expected.is_empty() {
            msg += &format!(", expected {expected}");
        }
        self.err(self.pos(), msg)
    }

    fn expect(&mut self, op: &str, ctx: &str) -> Result<(), ParseError> {
        if !self.is(op) {
            return Err(self.unexpected(ctx, &format!("{op:?}")));
        }
        self.i += 1;
        Ok(())
    }

    /// Additive level (the lowest this subset has); comparisons and set operators are refused.
    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.term()?;
        while let Some(op) = [("+", BinOp::Add), ("-", BinOp::Sub)]
            .into_iter()
            .find(|o| self.is(o.0))
        {
            lhs = self.binary(op.1, lhs, Self::term)?;
        }
        match (self.peek(), self.ident("and or unless atan2")) {
            (Tok::Op(o @ ("==" | "!=" | "<" | ">" | "<=" | ">=")), _) => {
                Err(unsupported(format!("comparison operator {o}")))
            }
            (_, Some(w)) => Err(unsupported(format!("binary operator {w}"))),
            _ => Ok(lhs),
        }
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.unary()?;
        while let Some(op) = [("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Mod)]
            .into_iter()
            .find(|o| self.is(o.0))
        {
            lhs = self.binary(op.1, lhs, Self::unary)?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.is("-") || self.is("+") {
            let minus = self.next() == Tok::Op("-");
            return Ok(match self.unary()? {
                Expr::Number(n) if minus => Expr::Number(-n),
                e if minus => Expr::Binary(BinOp::Mul, Box::new(Expr::Number(-1.0)), Box::new(e)),
                e => e,
            });
        }
        let base = self.postfix()?;
        if self.is("^") {
            return self.binary(BinOp::Pow, base, Self::unary);
        }
        Ok(base)
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: Expr,
        rhs: fn(&mut Self) -> Result<Expr, ParseError>,
    ) -> Result<Expr, ParseError> {
        let at = self.pos();
        self.i += 1;
        if let Some(w) =
            self.ident("bool on ignoring group_left group_right fill fill_left fill_right")
        {
            return Err(unsupported(format!("binary operator modifier {w}")));
        }
        let rhs = rhs(self)?;
        if lhs.kind() == "range vector" || rhs.kind() == "range vector" {
            return Err(self.err(
                at,
                "binary expression must contain only scalar and instant vector types",
            ));
        }
        Ok(Expr::Binary(op, Box::new(lhs), Box::new(rhs)))
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let at = self.pos();
        let mut e = self.primary()?;
        if self.is("[") {
            self.i += 1;
            let ms = match (self.next(), &e) {
                (Tok::Dur(ms), Expr::Selector(_)) => ms,
                (Tok::Num(s), Expr::Selector(_)) if s.is_finite() => (s * 1000.0) as i64,
                (_, Expr::Selector(_)) => {
                    return Err({
                        self.i -= 1;
                        self.unexpected("range", "duration")
                    });
                }
                _ => return Err(self.err(at, "ranges only allowed for vector selectors")),
            };
            if self.is(":") {
                return Err(unsupported("subquery"));
            }
            self.expect("]", "range")?;
            if ms <= 0 {
                return Err(self.err(at, "duration must be greater than 0"));
            }
            if let Expr::Selector(m) = e {
                e = Expr::Range(m, ms);
            }
        }
        match (self.ident("offset smoothed anchored"), self.is("@")) {
            (Some(w), _) => Err(unsupported(format!("{w} modifier"))),
            (_, true) => Err(unsupported("@ modifier")),
            _ => Ok(e),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let at = self.pos();
        match self.next() {
            Tok::Num(n) => Ok(Expr::Number(n)),
            Tok::Str(_) => Err(unsupported("string literal")),
            Tok::Op("(") => {
                let e = self.expr()?;
                self.expect(")", "paren expression")?;
                Ok(e)
            }
            Tok::Op("{") => self.selector(Vec::new(), at),
            Tok::Ident(w) if keyword(&w, AGGREGATORS).is_some() => {
                self.aggregate(w.to_ascii_lowercase(), at)
            }
            Tok::Ident(w) if self.is("(") => self.call(w, at),
            Tok::Ident(w) => {
                let name = vec![Matcher::new("__name__", MatchOp::Eq, &w)?];
                match self.is("{") {
                    true => {
                        self.i += 1;
                        self.selector(name, at)
                    }
                    false => Ok(Expr::Selector(name)),
                }
            }
            _ => Err({
                self.i -= 1;
                self.unexpected("", "")
            }),
        }
    }

    fn selector(&mut self, mut ms: Vec<Matcher>, at: usize) -> Result<Expr, ParseError> {
        while !self.is("}") {
            let (Tok::Ident(label) | Tok::Str(label)) = self.peek().clone() else {
                return Err(self.unexpected("label matching", "identifier or \"}\""));
            };
            self.i += 1;
            let op_at = self.pos();
            let ops = [
                ("=", MatchOp::Eq),
                ("!=", MatchOp::Ne),
                ("=~", MatchOp::Re),
                ("!~", MatchOp::Nre),
            ];
            let Some((_, op)) = ops.into_iter().find(|o| self.is(o.0)) else {
                return Err(self.unexpected("label matching", "label matching operator"));
            };
            self.i += 1;
            let Tok::Str(value) = self.next() else {
                self.i -= 1;
                return Err(self.unexpected("label matching", "string"));
            };
            if label == "__name__" && op == MatchOp::Eq && ms.iter().any(|m| m.name == "__name__") {
                return Err(self.err(
                    at,
                    format!(
                        "metric name must not be set twice: {:?} or {value:?}",
                        ms[0].value
                    ),
                ));
            }
            ms.push(Matcher::new(&label, op, &value).map_err(|e| match e {
                ParseError::Syntax { msg, .. } => self.err(op_at, msg),
                other => other,
            })?);
            if !self.is("}") {
                self.expect(",", "label matching")?;
            }
        }
        self.i += 1;
        if ms.iter().all(|m| m.matches("")) {
            return Err(self.err(
                at,
                "vector selector must contain at least one non-empty matcher",
            ));
        }
        Ok(Expr::Selector(ms))
    }

    fn args(&mut self, ctx: &str) -> Result<Vec<Expr>, ParseError> {
        self.expect("(", ctx)?;
        let mut args = Vec::new();
        while !self.is(")") {
            args.push(self.expr()?);
            if !self.is(")") {
                self.expect(",", ctx)?;
            }
        }
        self.i += 1;
        Ok(args)
    }

    fn grouping(&mut self) -> Result<Option<(bool, Vec<String>)>, ParseError> {
        let Some(w) = self.ident("by without") else {
            return Ok(None);
        };
        self.i += 1;
        self.expect("(", "grouping opts")?;
        let mut labels = Vec::new();
        while !self.is(")") {
            match self.next() {
                Tok::Ident(l) | Tok::Str(l) => labels.push(l),
                _ => {
                    return Err({
                        self.i -= 1;
                        self.unexpected("grouping opts", "label")
                    });
                }
            }
            if !self.is(")") {
                self.expect(",", "grouping opts")?;
            }
        }
        self.i += 1;
        Ok(Some((w == "without", labels)))
    }

    fn aggregate(&mut self, op: String, at: usize) -> Result<Expr, ParseError> {
        let first = self.grouping()?;
        let mut args = self.args("aggregation")?;
        let (without, labels) = match first {
            Some(g) => g,
            None => self.grouping()?.unwrap_or_default(),
        };
        let want = if "topk bottomk count_values quantile limitk limit_ratio"
            .split(' ')
            .any(|a| a == op)
        {
            2
        } else {
            1
        };
        if args.len() != want {
            return Err(self.err(
                at,
                match args.len() {
                    0 => "no arguments for aggregate expression provided".into(),
                    n => format!(
                        "wrong number of arguments for aggregate expression provided, \
                     expected {want}, got {n}"
                    ),
                },
            ));
        }
        let (expr, param) = (args.pop(), args.pop());
        let expr = Box::new(
            expr.ok_or_else(|| self.err(at, "no arguments for aggregate expression provided"))?,
        );
        if expr.kind() != "instant vector" {
            return Err(self.err(
                at,
                format!(
                    "expected type instant vector in aggregation expression, got {}",
                    expr.kind()
                ),
            ));
        }
        Ok(Expr::Aggregate {
            op,
            without,
            labels,
            param: param.map(Box::new),
            expr,
        })
    }

    fn call(&mut self, func: String, at: usize) -> Result<Expr, ParseError> {
        if !FUNCTIONS.split(' ').any(|f| f == func) {
            return Err(self.err(at, format!("unknown function with name {func:?}")));
        }
        let want: &[&str] = match func.as_str() {
            "rate" | "increase" => &["range vector"],
            "histogram_quantile" => &["scalar", "instant vector"],
            _ => return Err(unsupported(format!("function {func}()"))),
        };
        let args = self.args("function call")?;
        if args.len() != want.len() {
            return Err(self.err(
                at,
                format!(
                    "expected {} argument(s) in call to {func:?}, got {}",
                    want.len(),
                    args.len()
                ),
            ));
        }
        if let Some((a, w)) = args.iter().zip(want).find(|(a, w)| a.kind() != **w) {
            return Err(self.err(
                at,
                format!(
                    "expected type {w} in call to function {func:?}, got {}",
                    a.kind()
                ),
            ));
        }
        Ok(Expr::Call(func, args))
    }
}
