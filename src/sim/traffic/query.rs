//! Evaluation of the simulator's PromQL subset over a [`TrafficSeries`] and the Prometheus
//! HTTP API answering it (`/api/v1/query`, `/api/v1/query_range`), shaped and worded as
//! Prometheus answers.

use std::collections::BTreeMap;

use super::promql::{self, BinOp, Expr, MatchOp, Matcher, ParseError};
use super::series::{BUCKETS, Track, TrafficSeries, Window, Workload};

pub use self::web::api;

#[path = "query_http.rs"]
mod web;

/// A series' labels, ordered as Prometheus orders them.
pub type Labels = BTreeMap<String, String>;
type Vector = Vec<(Labels, f64)>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A failure while evaluating (Prometheus' `execution` errors).
    #[error("{0}")]
    Exec(String),
}

enum Val {
    Scalar(f64),
    Vector(Vector),
}

/// What one sample of a family reads from a track's window.
#[derive(Clone, Copy)]
enum Part {
    Ok,
    Errors,
    All,
    Bucket(usize),
}

fn unsupported(what: impl Into<String>) -> QueryError {
    ParseError::Unsupported(what.into()).into()
}

/// Evaluates `query` at `t` (seconds since the epoch, rounded to milliseconds as Prometheus
/// does): one row per result series, sorted by labels (a scalar is one unlabelled row).
pub fn instant(
    series: &dyn TrafficSeries,
    query: &str,
    t: f64,
) -> Result<Vec<(Labels, f64)>, String> {
    let expr = promql::parse(query).map_err(|e| e.to_string())?;
    let eval = Eval {
        series,
        workloads: series.workloads(),
    };
    match eval
        .eval(&expr, (t * 1000.0).round() as i64)
        .map_err(|e| e.to_string())?
    {
        Val::Scalar(v) => Ok(vec![(Labels::new(), v)]),
        Val::Vector(v) => Ok(v),
    }
}

struct Eval<'a> {
    series: &'a dyn TrafficSeries,
    workloads: Vec<Workload>,
}

impl Eval<'_> {
    fn eval(&self, e: &Expr, t: i64) -> Result<Val, QueryError> {
        let vector = |e: &Expr| match self.eval(e, t)? {
            Val::Vector(v) => Ok(v),
            Val::Scalar(_) => Err(QueryError::Exec(
                "expected an instant vector, got a scalar".into(),
            )),
        };
        Ok(match e {
            Expr::Number(n) => Val::Scalar(*n),
            Expr::Call(f, args) => match (f.as_str(), args.as_slice()) {
                ("rate" | "increase", [Expr::Range(ms, range)]) => {
                    Val::Vector(self.select(ms, *range, t, f == "rate")?)
                }
                ("histogram_quantile", [phi, v]) => match self.eval(phi, t)? {
                    Val::Scalar(phi) => Val::Vector(quantiles(phi, vector(v)?)),
                    Val::Vector(_) => {
                        return Err(QueryError::Exec("expected a scalar quantile".into()));
                    }
                },
                _ => return Err(unsupported(format!("function {f}()"))),
            },
            Expr::Aggregate {
                op,
                without,
                labels,
                expr,
                ..
            } if op == "sum" => Val::Vector(sum(vector(expr)?, *without, labels)),
            Expr::Aggregate { op, .. } => return Err(unsupported(format!("aggregation {op}"))),
            Expr::Binary(op, l, r) => binary(*op, self.eval(l, t)?, self.eval(r, t)?)?,
            Expr::Selector(_) => {
                return Err(unsupported(
                    "instant vector selector outside rate() or increase()",
                ));
            }
            Expr::Range(..) => {
                return Err(unsupported(
                    "range vector selector outside rate() or increase()",
                ));
            }
        })
    }

    /// `rate`/`increase` of the selected counters over `(t - range, t]`: the model's exact
    /// increase (divided by the range in seconds for a rate), without the metric name.
    fn select(
        &self,
        ms: &[Matcher],
        range: i64,
        t: i64,
        per_second: bool,
    ) -> Result<Vector, QueryError> {
        let name = ms
            .iter()
            .find(|m| m.name == "__name__" && m.op == MatchOp::Eq)
            .map(|m| m.value.as_str());
        let parts: Vec<(Option<(&str, String)>, Part)> = match name {
            Some("http_requests_total") => vec![
                (Some(("code", "200".into())), Part::Ok),
                (Some(("code", "500".into())), Part::Errors),
            ],
            Some("http_request_duration_seconds_count") => vec![(None, Part::All)],
            Some("http_request_duration_seconds_bucket") => {
                let les = BUCKETS
                    .iter()
                    .map(|b| le_label(*b))
                    .chain(["+Inf".to_string()]);
                les.enumerate()
                    .map(|(i, le)| (Some(("le", le)), Part::Bucket(i)))
                    .collect()
            }
            Some(other) => return Err(unsupported(format!("metric {other}"))),
            None => return Err(unsupported("a selector without a metric name")),
        };
        let (from, to) = ((t - range) as f64 / 1000.0, t as f64 / 1000.0);
        let per = if per_second {
            range as f64 / 1000.0
        } else {
            1.0
        };
        let mut out = Vector::new();
        for w in &self.workloads {
            for track in Track::ALL {
                let base = [
                    ("__name__", name.unwrap_or_default()),
                    ("namespace", w.namespace.as_str()),
                    ("service", &w.service),
                ];
                let base = base
                    .into_iter()
                    .chain([("rollout", w.rollout.as_str()), ("track", track.label())]);
                let base: Labels = base.map(|(k, v)| (k.to_string(), v.to_string())).collect();
                let picked: Vec<(Labels, Part)> = parts
                    .iter()
                    .map(|(extra, part)| {
                        let mut l = base.clone();
                        l.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
                        (l, *part)
                    })
                    .filter(|(l, _)| {
                        ms.iter()
                            .all(|m| m.matches(l.get(&m.name).map_or("", String::as_str)))
                    })
                    .collect();
                if picked.is_empty() {
                    continue;
                }
                let win = self.series.window(w, track, from, to);
                for (mut l, part) in picked {
                    l.remove("__name__");
                    out.push((l, read(&win, part) / per));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

fn read(w: &Window, part: Part) -> f64 {
    match part {
        Part::Ok => (w.requests - w.errors).max(0.0),
        Part::Errors => w.errors,
        Part::All => w.requests,
        Part::Bucket(i) => w.buckets.get(i).copied().unwrap_or(f64::NAN),
    }
}

/// `le` as Prometheus 3 stores it (float formatting: `1.0`, `0.005`).
fn le_label(b: f64) -> String {
    if b.fract() == 0.0 {
        format!("{b:.1}")
    } else {
        fmt_value(b)
    }
}

fn sum(v: Vector, without: bool, names: &[String]) -> Vector {
    let mut groups: BTreeMap<Labels, f64> = BTreeMap::new();
    for (mut l, x) in v {
        l.retain(|k, _| names.contains(k) != without && !(without && k == "__name__"));
        groups.entry(l).and_modify(|s| *s += x).or_insert(x);
    }
    groups.into_iter().collect()
}

fn arith(op: BinOp, a: f64, b: f64) -> f64 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Mod => a % b,
        BinOp::Pow => a.powf(b),
    }
}

/// Arithmetic as Prometheus does it: vector/vector matches identical label sets one to one;
/// results lose the metric name.
fn binary(op: BinOp, l: Val, r: Val) -> Result<Val, QueryError> {
    let unname = |mut l: Labels| {
        l.remove("__name__");
        l
    };
    Ok(match (l, r) {
        (Val::Scalar(a), Val::Scalar(b)) => Val::Scalar(arith(op, a, b)),
        (Val::Vector(v), Val::Scalar(b)) => Val::Vector(
            v.into_iter()
                .map(|(l, a)| (unname(l), arith(op, a, b)))
                .collect(),
        ),
        (Val::Scalar(a), Val::Vector(v)) => Val::Vector(
            v.into_iter()
                .map(|(l, b)| (unname(l), arith(op, a, b)))
                .collect(),
        ),
        (Val::Vector(lv), Val::Vector(rv)) => {
            let mut right: BTreeMap<Labels, f64> = BTreeMap::new();
            for (l, b) in rv {
                let l = unname(l);
                if right.insert(l.clone(), b).is_some() {
                    return Err(QueryError::Exec(format!(
                        "found duplicate series for the match group {} on the right hand-side \
                         of the operation;many-to-many matching not allowed: matching labels \
                         must be unique on one side",
                        fmt_labels(&l)
                    )));
                }
            }
            let mut out: BTreeMap<Labels, f64> = BTreeMap::new();
            for (l, a) in lv {
                let l = unname(l);
                let Some(b) = right.get(&l) else { continue };
                if out.insert(l, arith(op, a, *b)).is_some() {
                    return Err(QueryError::Exec(
                        "multiple matches for labels: many-to-one matching must be explicit \
                         (group_left/group_right)"
                            .into(),
                    ));
                }
            }
            Val::Vector(out.into_iter().collect())
        }
    })
}

fn fmt_labels(l: &Labels) -> String {
    let pairs: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// `histogram_quantile` over classic buckets: grouped by all labels but `le`; samples
/// without a parseable `le` are ignored.
fn quantiles(phi: f64, v: Vector) -> Vector {
    let mut groups: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
    for (mut l, x) in v {
        let Some(le) = l.remove("le").and_then(|s| s.parse::<f64>().ok()) else {
            continue;
        };
        l.remove("__name__");
        groups.entry(l).or_default().push((le, x));
    }
    groups
        .into_iter()
        .map(|(l, b)| (l, bucket_quantile(phi, b)))
        .collect()
}

/// Prometheus' `BucketQuantile` (`promql/quantile.go`) over `(upper bound, cumulative count)`.
fn bucket_quantile(q: f64, mut b: Vec<(f64, f64)>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    } else if q < 0.0 {
        return f64::NEG_INFINITY;
    } else if q > 1.0 {
        return f64::INFINITY;
    }
    b.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
    if b.last().is_none_or(|x| x.0 != f64::INFINITY) {
        return f64::NAN;
    }
    b.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        kept.1 += if same { next.1 } else { 0.0 };
        same
    });
    // Monotonic envelope; differences within float precision are ignored either way.
    let mut prev = b[0].1;
    for x in b.iter_mut().skip(1) {
        if x.1 == prev {
            continue;
        } else if almost_equal(prev, x.1, 1e-12) || x.1 < prev {
            x.1 = prev;
        } else {
            prev = x.1;
        }
    }
    let n = b.len();
    if n < 2 || b[n - 1].1 == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * b[n - 1].1;
    let (mut lo, mut hi) = (0, n - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if b[mid].1 >= rank {
            hi = mid
        } else {
            lo = mid + 1
        }
    }
    if lo == n - 1 {
        return b[n - 2].0;
    } else if lo == 0 && b[0].0 <= 0.0 {
        return b[0].0;
    }
    let (mut start, end, mut count) = (0.0, b[lo].0, b[lo].1);
    if lo > 0 {
        start = b[lo - 1].0;
        count -= b[lo - 1].1;
        rank -= b[lo - 1].1;
    }
    start + (end - start) * (rank / count)
}

/// Prometheus' `almost.Equal`.
fn almost_equal(a: f64, b: f64, eps: f64) -> bool {
    if (a.is_nan() && b.is_nan()) || a == b {
        return true;
    }
    let (sum, diff) = (a.abs() + b.abs(), (a - b).abs());
    if a == 0.0 || b == 0.0 || sum < f64::MIN_POSITIVE {
        return diff < eps * f64::MIN_POSITIVE;
    }
    diff / sum.min(f64::MAX) < eps
}

/// A sample value as Prometheus writes it (Go's `FormatFloat(v, 'f', -1, 64)`).
pub fn fmt_value(v: f64) -> String {
    match v {
        _ if v.is_nan() => "NaN".into(),
        f64::INFINITY => "+Inf".into(),
        f64::NEG_INFINITY => "-Inf".into(),
        _ => format!("{v}"),
    }
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
