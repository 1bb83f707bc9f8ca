//! `parse_response` over real answers (Kayenta's recorded `query_range` responses) and
//! hand-written ones: every result type, Prometheus errors, special floats and garbage.

use std::path::{Path, PathBuf};

use super::*;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kayenta/prometheus")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(name)).unwrap()
}

fn ok(body: &str) -> QueryData {
    parse_response(200, body.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{body}"))
}

fn err(status: u16, body: &str) -> PromError {
    match parse_response(status, body.as_bytes()) {
        Ok(d) => panic!("expected an error, got {d:?} for {body}"),
        Err(e) => e,
    }
}

fn garbage_text(status: u16, body: &str) -> String {
    match err(status, body) {
        PromError::Garbage(text) => text,
        other => panic!("expected Garbage, got {other:?}"),
    }
}

fn smp(t: f64, v: f64) -> Sample {
    Sample { t, v }
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn matrix(d: QueryData) -> Vec<Series> {
    match d {
        QueryData::Matrix(s) => s,
        other => panic!("expected a matrix, got {other:?}"),
    }
}

fn vector(d: QueryData) -> Vec<Series> {
    match d {
        QueryData::Vector(s) => s,
        other => panic!("expected a vector, got {other:?}"),
    }
}

#[test]
fn in_repo_fixtures_equal_the_shared_copies() {
    let shared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/kayenta/prometheus");
    for name in [
        "rangeQueryEmpty.json",
        "rangeQueryWithTags.json",
        "rangeQueryWithoutTags.json",
    ] {
        // The shared workspace copy is optional; the in-repo copy is the one tested.
        if let Ok(theirs) = std::fs::read(shared.join(name)) {
            assert_eq!(theirs, fixture(name), "{name} differs from the shared copy");
        }
    }
}

#[test]
fn kayenta_range_query_with_tags() {
    let series = matrix(parse_response(200, &fixture("rangeQueryWithTags.json")).unwrap());
    assert_eq!(series.len(), 1);
    let s = &series[0];
    assert_eq!(
        s.labels,
        labels(&[
            ("exception", "InternalServerError"),
            ("method", "GET"),
            ("uri", "/uri-1")
        ])
    );
    assert_eq!(s.samples.len(), 57);
    assert_eq!(s.samples[0], smp(1599658195.474, 4.0));
    assert_eq!(s.samples[9], smp(1599658204.474, 9.0));
    assert_eq!(s.samples[56], smp(1599658251.474, 2.0));
    assert_eq!(s.last(), Some(2.0));
    assert_eq!(s.samples.iter().map(|x| x.v).sum::<f64>(), 256.0);
    // One sample a second, in order.
    assert!(
        s.samples
            .windows(2)
            .all(|w| ((w[1].t - w[0].t) - 1.0).abs() < 1e-6)
    );
}

#[test]
fn kayenta_range_query_without_tags() {
    let series = matrix(parse_response(200, &fixture("rangeQueryWithoutTags.json")).unwrap());
    assert_eq!(series.len(), 1);
    assert!(series[0].labels.is_empty());
    let samples = &series[0].samples;
    assert_eq!(samples.len(), 58);
    assert_eq!(samples[0], smp(1599657179.54, 43.0));
    assert_eq!(samples[57], smp(1599657236.54, 43.0));
    assert_eq!(samples.iter().map(|x| x.v).sum::<f64>(), 2446.0);
}

#[test]
fn kayenta_empty_range_query() {
    let d = parse_response(200, &fixture("rangeQueryEmpty.json")).unwrap();
    assert_eq!(d, QueryData::Matrix(Vec::new()));
}

#[test]
fn vector_answer() {
    let series = vector(ok(
        r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"namespace":"casino-prod","rollout":"payments","track":"canary"},"value":[1732600000.123,"0.99"]},
            {"metric":{"namespace":"casino-prod","rollout":"payments","track":"stable"},"value":[1732600000.123,"1e-05"]},
            {"metric":{},"value":[1732600000,"42"]}
        ]},"warnings":["some warning"]}"#,
    ));
    assert_eq!(series.len(), 3);
    assert_eq!(
        series[0].labels,
        labels(&[
            ("namespace", "casino-prod"),
            ("rollout", "payments"),
            ("track", "canary")
        ])
    );
    assert_eq!(series[0].samples, vec![smp(1732600000.123, 0.99)]);
    assert_eq!(series[1].last(), Some(1e-5));
    assert!(series[2].labels.is_empty());
    assert_eq!(series[2].samples[0].t, 1732600000.0);
}

#[test]
fn empty_vector() {
    let d = ok(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
    assert_eq!(d, QueryData::Vector(Vec::new()));
}

#[test]
fn scalar_and_string_answers() {
    let d =
        ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1732600000.5,"3.25"]}}"#);
    assert_eq!(d, QueryData::Scalar(smp(1732600000.5, 3.25)));
    let d =
        ok(r#"{"status":"success","data":{"resultType":"string","result":[1732600000,"hello"]}}"#);
    assert_eq!(
        d,
        QueryData::String {
            t: 1732600000.0,
            value: "hello".to_string()
        }
    );
}

#[test]
fn nan_and_infinities_are_values() {
    let series = vector(ok(
        r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"q":"nan"},"value":[1,"NaN"]},
            {"metric":{"q":"pinf"},"value":[1,"+Inf"]},
            {"metric":{"q":"inf"},"value":[1,"Inf"]},
            {"metric":{"q":"ninf"},"value":[1,"-Inf"]}
        ]}}"#,
    ));
    let v: Vec<f64> = series.iter().map(|s| s.samples[0].v).collect();
    assert!(v[0].is_nan());
    assert_eq!(v[1], f64::INFINITY);
    assert_eq!(v[2], f64::INFINITY);
    assert_eq!(v[3], f64::NEG_INFINITY);
    let d = ok(
        r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"a":"b"},"values":[[1,"NaN"],[2,"-Inf"],[3,"0.5"]]}]}}"#,
    );
    let s = &matrix(d)[0];
    assert!(s.samples[0].v.is_nan());
    assert_eq!(s.samples[1].v, f64::NEG_INFINITY);
    assert_eq!(s.samples[2], smp(3.0, 0.5));
}

#[test]
fn prometheus_errors_whatever_the_status() {
    let cases = [
        (
            400,
            r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected right parenthesis ')'"}"#,
            "bad_data",
            "1:5: parse error: unexpected right parenthesis ')'",
        ),
        (
            422,
            r#"{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}"#,
            "execution",
            "query processing would load too many samples into memory in query execution",
        ),
        (
            503,
            r#"{"status":"error","errorType":"unavailable","error":"too many queries"}"#,
            "unavailable",
            "too many queries",
        ),
        (
            200,
            r#"{"status":"error","errorType":"internal","error":"odd but possible"}"#,
            "internal",
            "odd but possible",
        ),
    ];
    for (status, body, error_type, message) in cases {
        let e = err(status, body);
        assert_eq!(
            e,
            PromError::Api {
                error_type: error_type.to_string(),
                message: message.to_string()
            }
        );
        assert_eq!(
            e.to_string(),
            format!("Prometheus error ({error_type}): {message}")
        );
    }
    assert!(!err(400, cases[0].1).retryable());
    assert!(!err(422, cases[1].1).retryable());
    assert!(err(503, cases[2].1).retryable());
    // errorType missing: still an API error.
    assert_eq!(
        err(400, r#"{"status":"error","error":"boom"}"#),
        PromError::Api {
            error_type: "unknown".to_string(),
            message: "boom".to_string()
        }
    );
}

#[test]
fn non_prometheus_bodies_with_error_statuses_are_http_errors() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let e = err(502, html);
    assert_eq!(
        e,
        PromError::Http {
            status: 502,
            excerpt: html.to_string()
        }
    );
    assert_eq!(
        e.to_string(),
        format!("Prometheus answered HTTP 502: {html}")
    );
    assert!(e.retryable());
    let e = err(401, "Unauthorized\n");
    assert_eq!(
        e,
        PromError::Http {
            status: 401,
            excerpt: "Unauthorized".to_string()
        }
    );
    assert!(!e.retryable());
    // JSON, but not the API's: still an HTTP error.
    assert!(matches!(
        err(404, r#"{"message":"not found"}"#),
        PromError::Http { status: 404, .. }
    ));
    assert!(
        matches!(err(500, ""), PromError::Http { status: 500, ref excerpt } if excerpt == "(empty body)")
    );
}

#[test]
fn non_json_success_is_garbage_with_an_escaped_excerpt() {
    let page = format!(
        "<!DOCTYPE html>\n<html>\t<body>{}</body></html>",
        "Sign in to continue. ".repeat(20)
    );
    let text = garbage_text(200, &page);
    assert!(text.starts_with("HTTP 200, not JSON ("), "{text}");
    assert!(
        text.contains(r#"<!DOCTYPE html>\n<html>\t<body>Sign in"#),
        "{text}"
    );
    assert!(text.ends_with("…\""), "{text}");
    let quoted = text.split_once(": \"").map(|(_, q)| q).unwrap_or_default();
    assert!(quoted.chars().count() < 140, "excerpt too long: {quoted}");
    assert_eq!(garbage_text(200, "  \n"), "HTTP 200, empty body");
    let e = err(200, "<html>");
    assert!(
        e.to_string()
            .starts_with("Prometheus sent garbage: HTTP 200, not JSON")
    );
    assert!(!e.retryable());
}

#[test]
fn truncated_json_is_garbage() {
    let text = garbage_text(
        200,
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{}"#,
    );
    assert!(text.contains("not JSON (EOF while parsing"), "{text}");
}

/// One case a line: `<body> | <message>`, where a body not starting with `{` is
/// `<resultType> <result>` inside a success envelope.
const WRONG_SHAPES: &str = r#"
{"status":"success"} | data is missing
{"status":"success","data":[]} | data is not an object
{"status":"success","data":{"result":[]}} | data.resultType is missing
{"status":"success","data":{"resultType":"vector"}} | data.result is missing
{"data":{}} | status is missing
{"status":"partial","data":{}} | status is "partial", not "success" or "error"
histogram [] | data.resultType "histogram" is not vector, matrix, scalar or string
vector {} | data.result is not an array
vector [{"value":[1,"1"]},{"value":[1,"1"]},{"value":[1]}] | data.result[2].value is not [time, "value"]
vector [{"metric":{},"value":[1,2]}] | data.result[0].value is not [time, "value"]
vector [{"metric":{},"value":["1","2"]}] | data.result[0].value is not [time, "value"]
vector [{"metric":{},"value":[1,"fast"]}] | data.result[0].value[1] "fast" is not a number
vector [{"metric":{}}] | data.result[0].value is missing
vector [{"metric":{"job":5},"value":[1,"1"]}] | data.result[0].metric.job is not a string
vector [{"metric":[],"value":[1,"1"]}] | data.result[0].metric is not an object
vector [7] | data.result[0] is not an object
vector [{"metric":{},"histogram":[1,{"count":"3"}]}] | data.result[0] is a native histogram (not supported; query a quantile instead)
matrix [{"metric":{},"values":[[1,"1"],[2]]}] | data.result[0].values[1] is not [time, "value"]
matrix [{"metric":{},"values":{}}] | data.result[0].values is not an array
matrix [{"metric":{},"value":[1,"1"]}] | data.result[0].values is missing
scalar [1,"1",3] | data.result is not [time, "value"]
string [1,2] | data.result is not [time, "string"]
"#;

/// [`WRONG_SHAPES`] as (body, the error it must give).
fn wrong_shapes() -> Vec<(String, &'static str)> {
    WRONG_SHAPES
        .lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (body, want) = line.split_once(" | ").unwrap();
            let body = match body.split_once(' ') {
                Some((kind, result)) if !body.starts_with('{') => format!(
                    r#"{{"status":"success","data":{{"resultType":"{kind}","result":{result}}}}}"#
                ),
                _ => body.to_string(),
            };
            (body, want)
        })
        .collect()
}

#[test]
fn wrong_shapes_name_what_is_wrong() {
    for (body, want) in wrong_shapes() {
        assert_eq!(garbage_text(200, &body), want, "{body}");
    }
}

#[test]
fn status_line_wording() {
    use std::time::Duration;
    assert_eq!(
        PromError::Unreachable("connection refused".to_string()).to_string(),
        "Prometheus unreachable: connection refused"
    );
    assert_eq!(
        PromError::Timeout(Duration::from_secs(5)).to_string(),
        "Prometheus timed out after 5s"
    );
    assert_eq!(
        PromError::Timeout(Duration::from_millis(1500)).to_string(),
        "Prometheus timed out after 1s 500ms"
    );
    assert_eq!(
        PromError::Config("prometheus.url is empty".to_string()).to_string(),
        "Prometheus config: prometheus.url is empty"
    );
    assert!(PromError::Unreachable(String::new()).retryable());
    assert!(PromError::Timeout(Duration::from_secs(1)).retryable());
    assert!(!PromError::Config(String::new()).retryable());
}

/// The typed fast path reads every successful vector and matrix as the general path does
/// (compared through `Debug`, so NaN equals NaN), and leaves everything else to it.
#[test]
fn the_fast_path_reads_what_the_general_path_reads() {
    let mut bodies: Vec<String> = [
        "rangeQueryWithTags.json",
        "rangeQueryWithoutTags.json",
        "rangeQueryEmpty.json",
    ]
    .map(|f| String::from_utf8(fixture(f)).unwrap())
    .to_vec();
    bodies.extend(
        [
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
            r#"{"status":"success","warnings":["w"],"data":{"resultType":"vector","result":[
                {"metric":{"namespace":"a\"b","rollout":"caf\u00e9"},"value":[1795662000.123,"0.25"]},
                {"metric":null,"value":[1,"NaN"]},
                {"value":[2,"+Inf"]},
                {"metric":{},"value":[3,"-Inf"],"extra":1}]}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[
                {"metric":{"a":"b"},"values":[[1,"NaN"],[2,"-Inf"],[3,"0.5"]]},
                {"metric":{"a":"c"},"values":[]}]}}"#,
        ]
        .map(str::to_string),
    );
    for body in &bodies {
        let fast = fast_path(body.as_bytes()).unwrap_or_else(|| panic!("no fast path: {body}"));
        let general = general(200, body.as_bytes()).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{general:?}"), "{body}");
    }
    let mut odd: Vec<String> = vec![
        r#"{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}"#.to_string(),
        r#"{"status":"success","data":{"resultType":"string","result":[1,"s"]}}"#.to_string(),
        r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#.to_string(),
        r#"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"x"]}]}}"#
            .to_string(),
    ];
    odd.extend(wrong_shapes().into_iter().map(|(body, _)| body));
    for body in &odd {
        let fast = fast_path(body.as_bytes());
        let general = general(200, body.as_bytes());
        match (fast, general) {
            (None, _) => {}
            (Some(f), Ok(g)) => assert_eq!(format!("{f:?}"), format!("{g:?}"), "{body}"),
            (Some(f), Err(e)) => panic!("fast path read {f:?} where the general path says {e}"),
        }
    }
}
