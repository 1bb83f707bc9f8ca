//! The Prometheus HTTP API over the evaluator: parameters as Prometheus reads them (GET query
//! string, POST form body), answers and errors shaped and worded as Prometheus'.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::{Eval, Labels, QueryError, Val, fmt_value};
use crate::sim::traffic::promql::{self, ParseError};
use crate::sim::traffic::series::TrafficSeries;

/// A millisecond timestamp as the number of seconds Prometheus writes.
fn ts(ms: i64) -> Json {
    if ms % 1000 == 0 {
        json!(ms / 1000)
    } else {
        json!(ms as f64 / 1000.0)
    }
}

fn metric(l: &Labels) -> Json {
    Json::Object(
        l.iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect(),
    )
}

/// An error answer: HTTP status, Prometheus' `errorType`, message.
struct ApiError(u16, &'static str, String);

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(400, "bad_data", msg.into())
}

fn invalid(param: &str, msg: impl std::fmt::Display) -> ApiError {
    bad(format!("invalid parameter {param:?}: {msg}"))
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Parse(ParseError::Unsupported(_)) => bad(e.to_string()),
            QueryError::Parse(p) => invalid("query", p),
            QueryError::Exec(m) => ApiError(422, "execution", m),
        }
    }
}

/// Answers `GET`/`POST` `/api/v1/query` and `/api/v1/query_range` as Prometheus does: the
/// HTTP status and the JSON body. `now` is the default evaluation time (seconds).
pub fn api(
    series: &dyn TrafficSeries,
    path: &str,
    method: &str,
    query_string: &str,
    body: &[u8],
    content_type: &str,
    now: f64,
) -> (u16, Json) {
    let form = Form::new(method, query_string, body, content_type);
    let result = match path {
        "/api/v1/query" | "/api/v1/query_range" if method != "GET" && method != "POST" => Err(
            ApiError(405, "bad_data", format!("method {method} not allowed")),
        ),
        "/api/v1/query" => query(series, &form, now),
        "/api/v1/query_range" => query_range(series, &form),
        _ => Err(ApiError(
            404,
            "not_found",
            format!("no such endpoint: {path}"),
        )),
    };
    match result {
        Ok(data) => (200, json!({"status": "success", "data": data})),
        Err(ApiError(status, kind, msg)) => (
            status,
            json!({"status": "error", "errorType": kind, "error": msg}),
        ),
    }
}

fn query(series: &dyn TrafficSeries, form: &Form, now: f64) -> Result<Json, ApiError> {
    let t = match form.get("time") {
        "" => (now * 1000.0).round() as i64,
        s => ms(parse_time(s)
            .map_err(|e| invalid("time", format!("invalid time value for 'time': {e}")))?),
    };
    let expr = promql::parse(form.get("query")).map_err(QueryError::from)?;
    let eval = Eval {
        series,
        workloads: series.workloads(),
    };
    Ok(match eval.eval(&expr, t)? {
        Val::Scalar(v) => json!({"resultType": "scalar", "result": [ts(t), fmt_value(v)]}),
        Val::Vector(v) => {
            let rows = v
                .iter()
                .map(|(l, x)| json!({"metric": metric(l), "value": [ts(t), fmt_value(*x)]}));
            json!({"resultType": "vector", "result": rows.collect::<Vec<_>>()})
        }
    })
}

fn query_range(series: &dyn TrafficSeries, form: &Form) -> Result<Json, ApiError> {
    let start = parse_time(form.get("start")).map_err(|e| invalid("start", e))?;
    let end = parse_time(form.get("end")).map_err(|e| invalid("end", e))?;
    if end < start {
        return Err(invalid(
            "end",
            "end timestamp must not be before start time",
        ));
    }
    let step = parse_step(form.get("step")).map_err(|e| invalid("step", e))?;
    if step <= 0 {
        return Err(invalid(
            "step",
            "zero or negative query resolution step widths are not accepted. Try a positive integer",
        ));
    }
    if (end - start) / step > 11_000 {
        return Err(bad(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        ));
    }
    let expr = promql::parse(form.get("query")).map_err(QueryError::from)?;
    let eval = Eval {
        series,
        workloads: series.workloads(),
    };
    let (mut t, end, step) = (
        ms(start),
        ms(end),
        i64::try_from(step / 1_000_000).unwrap_or(i64::MAX).max(1),
    );
    let mut out: BTreeMap<Labels, Vec<Json>> = BTreeMap::new();
    while t <= end {
        let rows = match eval.eval(&expr, t)? {
            Val::Scalar(v) => vec![(Labels::new(), v)],
            Val::Vector(v) => v,
        };
        for (l, v) in rows {
            out.entry(l).or_default().push(json!([ts(t), fmt_value(v)]));
        }
        t += step;
    }
    let rows: Vec<Json> = out
        .iter()
        .map(|(l, v)| json!({"metric": metric(l), "values": v}))
        .collect();
    Ok(json!({"resultType": "matrix", "result": rows}))
}

/// Nanoseconds to Prometheus' millisecond timestamps.
fn ms(ns: i128) -> i64 {
    i64::try_from(ns.div_euclid(1_000_000)).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

/// Prometheus' `parseTime`: unix seconds (rounded to milliseconds) or RFC 3339, in ns.
fn parse_time(s: &str) -> Result<i128, String> {
    if let Some(t) = s.parse::<f64>().ok().filter(|t| t.is_finite()) {
        let whole = t.trunc();
        let frac = ((t - whole) * 1000.0).round() / 1000.0;
        return Ok(whole as i128 * 1_000_000_000 + (frac * 1e9) as i64 as i128);
    }
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(d) => {
            Ok(i128::from(d.timestamp()) * 1_000_000_000 + i128::from(d.timestamp_subsec_nanos()))
        }
        Err(_) => Err(format!("cannot parse {s:?} to a valid timestamp")),
    }
}

/// Prometheus' `parseDuration`: seconds (with decimals) or a duration such as `15s`, in ns.
fn parse_step(s: &str) -> Result<i128, String> {
    if let Ok(d) = s.parse::<f64>() {
        let ns = d * 1e9;
        if ns > i64::MAX as f64 || ns < i64::MIN as f64 {
            return Err(format!(
                "cannot parse {s:?} to a valid duration. It overflows int64"
            ));
        }
        return Ok(i128::from(ns as i64));
    }
    promql::parse_duration(s)
        .map(i128::from)
        .ok_or_else(|| format!("cannot parse {s:?} to a valid duration"))
}

/// Request parameters as Go's `FormValue` sees them: a form body first, then the URL query.
struct Form(Vec<(String, String)>);

impl Form {
    fn new(method: &str, query_string: &str, body: &[u8], content_type: &str) -> Self {
        let form_body = method == "POST"
            && content_type.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        let body = if form_body {
            String::from_utf8_lossy(body).into_owned()
        } else {
            String::new()
        };
        // Go's url.ParseQuery drops a pair with `;` or a malformed escape; the rest is
        // ordinary form decoding.
        let pairs = body
            .split('&')
            .chain(query_string.split('&'))
            .filter(|p| !p.is_empty() && !p.contains(';') && !malformed(p));
        Self(
            pairs
                .flat_map(|p| form_urlencoded::parse(p.as_bytes()))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Whether a `%` in `s` is not followed by two hex digits.
fn malformed(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'%'
            && !b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

#[cfg(test)]
#[path = "query_http_tests.rs"]
mod tests;
