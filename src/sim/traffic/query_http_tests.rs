use serde_json::{Value, json};

use super::super::instant;
use super::super::tests::{Fake, fake, quantile, rate, ratio};
use super::*;

const T: f64 = 1_700_000_000.0;

/// Form encoding: spaces as `+`, everything else not alphanumeric as `%XX`.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b' ' => "+".to_string(),
            _ if b.is_ascii_alphanumeric() => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn get(f: &Fake, path: &str, qs: &str) -> (u16, Value) {
    api(f, path, "GET", qs, b"", "", T)
}

fn error(status: u16, msg: &str) -> (u16, Value) {
    (
        status,
        json!({"status": "error", "errorType": "bad_data", "error": msg}),
    )
}

fn web(track: &str) -> Value {
    json!({"namespace": "other", "rollout": "web", "track": track})
}

fn vector(t: Value, canary: &str, stable: &str) -> (u16, Value) {
    let result = json!([{"metric": web("canary"), "value": [t, canary]}, {"metric": web("stable"), "value": [t, stable]}]);
    (
        200,
        json!({"status": "success", "data": {"resultType": "vector", "result": result}}),
    )
}

#[test]
fn instant_query_answers_a_vector() {
    let f = fake();
    let qs = format!("query={}&time=1700000000", enc(&rate("other", "1m")));
    assert_eq!(
        get(&f, "/api/v1/query", &qs),
        vector(json!(1_700_000_000), "0", "3")
    );
    let qs = format!(
        "query={}&time=1700000000&timeout=5s",
        enc(&ratio("other", "1m"))
    );
    assert_eq!(
        get(&f, "/api/v1/query", &qs),
        vector(json!(1_700_000_000), "NaN", "0")
    );
    let qs = format!("query={}", enc(&quantile("0.99", "other", "1m")));
    assert_eq!(
        get(&f, "/api/v1/query", &qs),
        vector(json!(1_700_000_000), "NaN", "10")
    );
}

#[test]
fn evaluation_time_defaults_to_now_and_reads_unix_or_rfc3339() {
    let f = fake();
    let q = format!("query={}", enc(&rate("other", "1m")));
    let (_, body) = api(&f, "/api/v1/query", "GET", &q, b"", "", T + 0.25);
    assert_eq!(
        body["data"]["result"][1]["value"][0],
        json!(1_700_000_000.25)
    );
    let (_, body) = get(&f, "/api/v1/query", &format!("{q}&time=1700000000.781"));
    assert_eq!(
        body["data"]["result"][1]["value"],
        json!([1_700_000_000.781, "3"])
    );
    assert_eq!(
        f.calls.borrow().last().map(|c| c.3),
        Some(1_700_000_000.781)
    );
    let (_, body) = get(
        &f,
        "/api/v1/query",
        &format!("{q}&time=2023-11-14T22:13:20Z"),
    );
    assert_eq!(body["data"]["result"][1]["value"][0], json!(1_700_000_000));
    let (_, body) = get(
        &f,
        "/api/v1/query",
        &format!("{q}&time={}", enc("2023-11-14T23:13:20.5+01:00")),
    );
    assert_eq!(
        body["data"]["result"][1]["value"][0],
        json!(1_700_000_000.5)
    );
}

#[test]
fn post_forms_are_read_before_the_query_string() {
    let f = fake();
    let body = format!("query={}&time=1700000000", enc(&rate("other", "1m")));
    let ct = "application/x-www-form-urlencoded; charset=UTF-8";
    let want = vector(json!(1_700_000_000), "0", "3");
    assert_eq!(
        api(&f, "/api/v1/query", "POST", "", body.as_bytes(), ct, T),
        want
    );
    let shadowed = "query=nonsense(&time=1";
    assert_eq!(
        api(
            &f,
            "/api/v1/query",
            "POST",
            shadowed,
            body.as_bytes(),
            ct,
            T
        ),
        want
    );
    let (status, _) = api(
        &f,
        "/api/v1/query",
        "POST",
        "",
        body.as_bytes(),
        "application/json",
        T,
    );
    assert_eq!(status, 400, "a body that is not a form is ignored");
}

#[test]
fn range_query_answers_a_matrix() {
    let f = fake();
    let q = enc(&rate("other", "1m"));
    let t = T as i64;
    let series = |track: &str, v: &str| json!({"metric": web(track), "values": [[t, v], [t + 60, v], [t + 120, v]]});
    let want = (
        200,
        json!({"status": "success", "data": {"resultType": "matrix", "result": [series("canary", "0"), series("stable", "3")]}}),
    );
    for step in ["60", "1m", "60.0", "60s"] {
        let qs = format!("query={q}&start={t}&end={}&step={step}", t + 150);
        assert_eq!(get(&f, "/api/v1/query_range", &qs), want, "step {step}");
    }
    let windows: Vec<(f64, f64)> = f
        .calls
        .borrow()
        .iter()
        .take(6)
        .map(|c| (c.2, c.3))
        .collect();
    assert_eq!(
        windows.iter().step_by(2).copied().collect::<Vec<_>>(),
        [(T - 60.0, T), (T, T + 60.0), (T + 60.0, T + 120.0)]
    );
    let qs = "query=1%2B1&start=1700000000.5&end=1700000001.5&step=0.5";
    let values = json!([
        [1_700_000_000.5, "2"],
        [1_700_000_001, "2"],
        [1_700_000_001.5, "2"]
    ]);
    let want = json!({"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {}, "values": values}]}});
    assert_eq!(get(&f, "/api/v1/query_range", qs), (200, want));
}

#[test]
fn every_preset_as_a_range_query_matches_its_instant_queries() {
    let f = fake();
    let presets = [
        rate("casino-.*", "1m"),
        ratio(".*", "30s"),
        quantile("0.95", "casino-prod|other", "5m"),
        quantile("0.99", ".+", "1m"),
    ];
    for q in presets {
        let qs = format!("query={}&start={T}&end={}&step=15s", enc(&q), T + 30.0);
        let (status, body) = get(&f, "/api/v1/query_range", &qs);
        assert_eq!(status, 200, "{body}");
        let result = body["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (step, t) in [T, T + 15.0, T + 30.0].into_iter().enumerate() {
            let rows = instant(&f, &q, t).unwrap();
            assert_eq!(result.len(), rows.len(), "{q}");
            for (series, (labels, v)) in result.iter().zip(rows) {
                assert_eq!(series["metric"], metric(&labels));
                let sample = json!([ts((t * 1000.0) as i64), fmt_value(v)]);
                assert_eq!(series["values"][step], sample, "{q}");
            }
        }
    }
}

#[test]
fn scalars_answer_a_scalar() {
    let (status, body) = get(&fake(), "/api/v1/query", "query=1+%2B+1&time=1700000000.5");
    assert_eq!(
        (status, body),
        (
            200,
            json!({"status": "success", "data": {"resultType": "scalar", "result": [1_700_000_000.5, "2"]}})
        )
    );
}

#[test]
fn bad_queries_are_bad_data() {
    let f = fake();
    let q = |q: &str| get(&f, "/api/v1/query", &format!("query={}", enc(q)));
    assert_eq!(
        q("avg(rate(http_requests_total[1m]))"),
        error(400, "unsupported by simulator: aggregation avg")
    );
    assert_eq!(
        q("sum(rate(x[1m])"),
        error(
            400,
            "invalid parameter \"query\": 1:16: parse error: unclosed left parenthesis"
        )
    );
    assert_eq!(
        q("foo(x)"),
        error(
            400,
            "invalid parameter \"query\": 1:1: parse error: unknown function with name \"foo\""
        )
    );
    assert_eq!(
        q(""),
        error(
            400,
            "invalid parameter \"query\": unknown position: parse error: no expression found in input"
        )
    );
    assert_eq!(get(&f, "/api/v1/query", ""), q(""));
}

#[test]
fn bad_parameters_are_worded_as_prometheus_words_them() {
    let f = fake();
    let q = format!("query={}", enc(&rate(".*", "1m")));
    let cases = [
        (
            "/api/v1/query",
            format!("{q}&time=abc"),
            "invalid parameter \"time\": invalid time value for 'time': cannot parse \"abc\" to a valid timestamp",
        ),
        (
            "/api/v1/query_range",
            format!("{q}&end=10&step=1"),
            "invalid parameter \"start\": cannot parse \"\" to a valid timestamp",
        ),
        (
            "/api/v1/query_range",
            format!("{q}&start=10&end=yesterday&step=1"),
            "invalid parameter \"end\": cannot parse \"yesterday\" to a valid timestamp",
        ),
        (
            "/api/v1/query_range",
            format!("{q}&start=10&end=5&step=1"),
            "invalid parameter \"end\": end timestamp must not be before start time",
        ),
        (
            "/api/v1/query_range",
            format!("{q}&start=0&end=10&step=0"),
            "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer",
        ),
        (
            "/api/v1/query_range",
            format!("{q}&start=0&end=10&step=-1m"),
            "invalid parameter \"step\": cannot parse \"-1m\" to a valid duration",
        ),
        (
            "/api/v1/query_range",
            format!("{q}&start=0&end=10"),
            "invalid parameter \"step\": cannot parse \"\" to a valid duration",
        ),
        (
            "/api/v1/query_range",
            format!("{q}&start=0&end=11001&step=1"),
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        ),
    ];
    for (path, qs, msg) in cases {
        assert_eq!(get(&f, path, &qs), error(400, msg), "{qs}");
    }
    let (status, body) = get(
        &f,
        "/api/v1/query_range",
        "query=1&start=0&end=11000&step=1",
    );
    assert_eq!(
        (
            status,
            body["data"]["result"][0]["values"].as_array().map(Vec::len)
        ),
        (200, Some(11001))
    );
}

#[test]
fn other_paths_and_methods_are_refused() {
    let f = fake();
    assert_eq!(get(&f, "/api/v1/series", "").0, 404);
    let (status, body) = api(&f, "/api/v1/query", "DELETE", "query=1", b"", "", T);
    assert_eq!((status, body["status"].as_str()), (405, Some("error")));
}

#[test]
fn form_decoding() {
    assert!(!malformed("a+b%2Bc%e2%82%AC"));
    assert!(malformed("%zz") && malformed("%2") && malformed("a%"));
    let euro = Form::new("GET", "q=a+b%2Bc%e2%82%AC", b"", "");
    assert_eq!(euro.get("q"), "a b+c€");
    let form = Form::new(
        "GET",
        "a=1&b&a=2&bad=%zz&c=x%3Dy",
        b"a=0",
        "application/x-www-form-urlencoded",
    );
    assert_eq!(
        (form.get("a"), form.get("b"), form.get("bad"), form.get("c")),
        ("1", "", "", "x=y")
    );
    let posted = Form::new("POST", "a=1", b"a=0", "Application/X-WWW-Form-Urlencoded");
    assert_eq!(posted.get("a"), "0");
}

#[test]
fn time_and_step_parsing() {
    assert_eq!(parse_time("1700000000"), Ok(1_700_000_000_000_000_000));
    assert_eq!(
        ms(parse_time("1700000000.7814").unwrap_or_default()),
        1_700_000_000_781
    );
    assert_eq!(ms(parse_time("-1.5").unwrap_or_default()), -1500);
    assert_eq!(
        parse_time("1970-01-01T00:00:01.000000001Z"),
        Ok(1_000_000_001)
    );
    assert!(parse_time("NaN").is_err());
    assert_eq!(parse_step("15s"), Ok(15_000_000_000));
    assert_eq!(parse_step("1h30m"), Ok(5_400_000_000_000));
    assert_eq!(parse_step("0.25"), Ok(250_000_000));
    assert_eq!(
        parse_step("1e30"),
        Err("cannot parse \"1e30\" to a valid duration. It overflows int64".into())
    );
    assert!(parse_step("30m1h").is_err());
}
