//! `adapters::prometheus::PromClient` against a real Prometheus (Debian's package) scraping
//! the simulator: GET and POST instant queries agree, range queries give a matrix, a bad
//! query is Prometheus' `bad_data`, a route prefix (Mimir-style `/prometheus`) works, TLS
//! with a private CA and basic auth work (and fail the right way without the CA or with a
//! wrong password), a stopped server is "connection refused". Bearer tokens and extra
//! headers (which Prometheus ignores) and timeouts are checked against tiny local listeners.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use common::prometheus::{PromOptions, Prometheus};
use common::sim::{start, start_scenario};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use shipdeck::adapters::prometheus::{PromClient, PromError};
use shipdeck::config::{ConfigDuration, PrometheusConfig};
use shipdeck::domain::metrics::prom::{QueryData, Series};

/// A fixed test password and its bcrypt hash (cost 8), made once with Python's
/// `crypt.crypt(PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=256))`.
const USER: &str = "shipdeck";
const PASSWORD: &str = "s3cret-test-password";
const PASSWORD_BCRYPT: &str = "$2b$08$XIv8owkVKZA7Sc3Ub.j7HeHWBSGJCxGZiI/ewlSVCB6RCAwzcRg2m";

fn cfg(url: &str) -> PrometheusConfig {
    PrometheusConfig {
        url: url.to_string(),
        timeout: ConfigDuration::secs(10),
        ..PrometheusConfig::default()
    }
}

fn client(cfg: &PrometheusConfig) -> PromClient {
    PromClient::new(cfg).unwrap_or_else(|e| panic!("{e}"))
}

fn vector(d: QueryData) -> Vec<Series> {
    match d {
        QueryData::Vector(s) => s,
        other => panic!("expected a vector, got {other:?}"),
    }
}

/// The one value of `vector(1)`-like answers.
fn only_value(d: QueryData) -> f64 {
    let s = vector(d);
    assert_eq!(s.len(), 1, "{s:?}");
    s[0].samples[0].v
}

/// Polls `q` until it answers (a fresh Prometheus needs a scrape or two) or gives up.
async fn until_ok(c: &PromClient, q: &str, accept: impl Fn(&QueryData) -> bool) -> QueryData {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let last = c.query(q, None).await;
        match &last {
            Ok(d) if accept(d) => return d.clone(),
            _ => {}
        }
        assert!(Instant::now() < deadline, "{q} never answered: {last:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Now, to the millisecond (what the API's `time` carries).
fn now_ms() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_post_range_and_errors_against_a_real_prometheus() {
    let sim = start_scenario("steady").await;
    let Some(prom) = Prometheus::start(sim.addr) else {
        return;
    };
    let url = format!("http://{}", prom.addr);
    let post = client(&cfg(&url));
    let get = client(&PrometheusConfig {
        method: "get".to_string(),
        ..cfg(&format!("{url}/"))
    });
    assert_eq!(post.describe(), url);
    assert_eq!(get.describe(), url);
    assert!(!post.insecure());

    let up = r#"up{job="sim"}"#;
    until_ok(
        &post,
        up,
        |d| matches!(d, QueryData::Vector(s) if !s.is_empty()),
    )
    .await;

    // Instant query, both methods, same evaluation time (after the server's now of the
    // answer above, so the sample is there): the same vector.
    let at = now_ms();
    let by_post = post.query(up, Some(at)).await.unwrap();
    let by_get = get.query(up, Some(at)).await.unwrap();
    assert_eq!(by_post, by_get);
    let series = vector(by_post);
    assert_eq!(series.len(), 1);
    let labels: BTreeMap<String, String> = [
        ("__name__", "up".to_string()),
        ("instance", sim.addr.to_string()),
        ("job", "sim".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(series[0].labels, labels);
    assert_eq!(series[0].samples.len(), 1);
    let sample = series[0].samples[0];
    assert_eq!(sample.v, 1.0);
    assert!((sample.t - at.timestamp_millis() as f64 / 1000.0).abs() < 1e-6);

    // A grouped query of the simulator's own traffic metric.
    let grouped = r#"sum by (namespace, rollout, track) (http_requests_total)"#;
    let rows = vector(post.query(grouped, Some(at)).await.unwrap());
    assert!(
        rows.iter()
            .any(|s| s.labels.get("rollout").is_some_and(|r| r == "wallet")),
        "{rows:?}"
    );

    // Range query: a matrix, one sample per second step between start and end.
    let start = at - TimeDelta::seconds(3);
    let step = Duration::from_secs(1);
    let range = post.query_range(up, start, at, step).await.unwrap();
    assert_eq!(range, get.query_range(up, start, at, step).await.unwrap());
    let QueryData::Matrix(m) = range else {
        panic!("expected a matrix, got {range:?}")
    };
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].labels, labels);
    let first = start.timestamp_millis() as f64 / 1000.0;
    let ts: Vec<f64> = m[0].samples.iter().map(|s| s.t - first).collect();
    assert!(!ts.is_empty() && ts.len() <= 4, "{ts:?}");
    assert!(
        ts.iter()
            .all(|t| (t - t.round()).abs() < 1e-6 && *t >= 0.0 && *t <= 3.0),
        "{ts:?}"
    );
    assert!(m[0].samples.iter().all(|s| s.v == 1.0));

    // Scalars and strings come back as themselves.
    assert!(matches!(
        post.query("scalar(vector(2.5))", Some(at)).await.unwrap(),
        QueryData::Scalar(s) if s.v == 2.5
    ));
    assert!(matches!(
        get.query(r#""hello""#, Some(at)).await.unwrap(),
        QueryData::String { value, .. } if value == "hello"
    ));
    // Special values survive.
    let inf = only_value(post.query("vector(+Inf)", None).await.unwrap());
    assert_eq!(inf, f64::INFINITY);
    assert!(only_value(get.query("vector(NaN)", None).await.unwrap()).is_nan());

    // A bad query: Prometheus' own bad_data error, by either method.
    for c in [&post, &get] {
        let e = c.query("sum(", None).await.unwrap_err();
        let PromError::Api {
            error_type,
            message,
        } = &e
        else {
            panic!("expected an API error, got {e:?}")
        };
        assert_eq!(error_type, "bad_data");
        assert!(message.contains("parse error"), "{message}");
        assert!(
            e.to_string().starts_with("Prometheus error (bad_data): "),
            "{e}"
        );
        assert!(!e.retryable());
    }
    // end before start is bad_data too.
    let e = post.query_range(up, at, start, step).await.unwrap_err();
    assert!(
        matches!(&e, PromError::Api { error_type, .. } if error_type == "bad_data"),
        "{e:?}"
    );

    // Stopped: nothing listens on the port any more. A pooled keep-alive connection may be
    // the first to find out ("connection closed before message completed", when the client
    // has not yet read the server's close); once it is gone, a new connection is refused.
    drop(prom);
    let mut refused = None;
    for _ in 0..5 {
        let e = post.query(up, None).await.unwrap_err();
        assert!(matches!(e, PromError::Unreachable(_)), "{e:?}");
        assert!(e.retryable());
        if e == PromError::Unreachable("connection refused".to_string()) {
            refused = Some(e);
            break;
        }
    }
    let e = refused.expect("a new connection to the stopped Prometheus is refused");
    assert_eq!(e.to_string(), "Prometheus unreachable: connection refused");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_prefix_like_mimir() {
    let sim = start(Vec::new()).await;
    let opts = PromOptions {
        args: vec![
            "--web.route-prefix=/prometheus".to_string(),
            "--web.external-url=http://{addr}/prometheus".to_string(),
        ],
        ..PromOptions::default()
    };
    let Some(prom) = Prometheus::start_with(sim.addr, opts) else {
        return;
    };
    let base = format!("http://{}/prometheus", prom.addr);
    for url in [base.clone(), format!("{base}/")] {
        let c = client(&cfg(&url));
        assert_eq!(c.describe(), base);
        assert_eq!(only_value(c.query("vector(1)", None).await.unwrap()), 1.0);
        let get = client(&PrometheusConfig {
            method: "GET".to_string(),
            ..cfg(&url)
        });
        assert_eq!(only_value(get.query("vector(1)", None).await.unwrap()), 1.0);
    }
    // Without the prefix the API is not there.
    let e = client(&cfg(&format!("http://{}", prom.addr)))
        .query("vector(1)", None)
        .await
        .unwrap_err();
    assert!(matches!(e, PromError::Http { status: 404, .. }), "{e:?}");
    drop(prom);
    sim.stop().await;
}

/// A private CA and a server certificate for 127.0.0.1, as PEM: (ca, cert chain, key).
fn certificates() -> (String, String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "shipdeck-test-ca");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "prometheus-test");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_private_ca_and_basic_auth() {
    let sim = start(Vec::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates();
    let ca_file = write(dir.path(), "ca.pem", &ca);
    let cert_file = write(dir.path(), "server.pem", &cert);
    let key_file = write(dir.path(), "server.key", &key);
    // Trailing newline, as editors write it: not part of the password.
    let good = write(dir.path(), "password", &format!("{PASSWORD}\n"));
    let wrong = write(dir.path(), "wrong", "not-the-password\n");
    let web = format!(
        "tls_server_config:\n  cert_file: {}\n  key_file: {}\nbasic_auth_users:\n  {USER}: {PASSWORD_BCRYPT}\n",
        cert_file.display(),
        key_file.display()
    );
    let opts = PromOptions {
        web_config: Some(web),
        ..PromOptions::default()
    };
    let Some(prom) = Prometheus::start_with(sim.addr, opts) else {
        return;
    };
    let url = format!("https://{}", prom.addr);
    let with = |ca: bool, password: Option<&Path>, insecure: bool| PrometheusConfig {
        ca_file: ca.then(|| ca_file.clone()),
        basic_auth_user: password.map(|_| USER.to_string()),
        basic_auth_password_file: password.map(Path::to_path_buf),
        insecure_skip_verify: insecure,
        ..cfg(&url)
    };

    // The CA and the right password: answers (once Prometheus is ready).
    let trusted = client(&with(true, Some(&good), false));
    let d = until_ok(&trusted, "vector(1)", |_| true).await;
    assert_eq!(only_value(d), 1.0);
    assert!(!trusted.insecure());

    // Without the CA: the certificate is not trusted.
    let e = client(&with(false, Some(&good), false))
        .query("vector(1)", None)
        .await
        .unwrap_err();
    let PromError::Unreachable(why) = &e else {
        panic!("expected a TLS failure, got {e:?}")
    };
    assert!(
        why.starts_with("TLS handshake failed: invalid peer certificate")
            && why.contains("UnknownIssuer"),
        "{e}"
    );
    assert!(why.contains("ca_file"), "the message says what to do: {e}");

    // insecure_skip_verify: answers without the CA.
    let insecure = client(&with(false, Some(&good), true));
    assert!(insecure.insecure());
    assert_eq!(
        only_value(insecure.query("vector(1)", None).await.unwrap()),
        1.0
    );

    // A wrong password, or none: 401 from Prometheus.
    for password in [Some(wrong.as_path()), None] {
        let e = client(&with(true, password, false))
            .query("vector(1)", None)
            .await
            .unwrap_err();
        assert!(matches!(e, PromError::Http { status: 401, .. }), "{e:?}");
        assert!(
            e.to_string().starts_with("Prometheus answered HTTP 401: "),
            "{e}"
        );
        assert!(!e.retryable());
    }

    // Plain HTTP to the TLS port: Go's server answers 400.
    let e = client(&cfg(&format!("http://{}", prom.addr)))
        .query("vector(1)", None)
        .await
        .unwrap_err();
    assert!(matches!(e, PromError::Http { status: 400, .. }), "{e:?}");
    drop(prom);
    sim.stop().await;
}

/// A one-request-per-connection HTTP server that answers `body` and hands each request
/// (head and body, as text) to the test.
fn canned_server(body: &'static str) -> (SocketAddr, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let request = read_request(&mut s);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(answer.as_bytes());
            if tx.send(request).is_err() {
                return;
            }
        }
    });
    (addr, rx)
}

fn read_request(s: &mut TcpStream) -> String {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&raw).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = header(head, "content-length")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if body.len() >= len {
                return text;
            }
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&raw).to_string(),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
}

/// A header's value in a request head (names are case-insensitive).
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

const CANNED: &str = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"canned"},"value":[1732600000.123,"7"]}]}}"#;

#[tokio::test]
async fn bearer_token_and_extra_headers_are_sent() {
    let (addr, requests) = canned_server(CANNED);
    let dir = tempfile::tempdir().unwrap();
    let token = write(dir.path(), "token", "tok-123.abc\n");
    let mut headers = BTreeMap::new();
    headers.insert("X-Scope-OrgID".to_string(), "tenant-1".to_string());
    let post_cfg = PrometheusConfig {
        bearer_token_file: Some(token),
        headers,
        ..cfg(&format!("http://{addr}/prometheus"))
    };
    let at = DateTime::from_timestamp_millis(1_732_600_000_123).unwrap();
    let q = r#"sum by (job) (rate(x{a="b c"}[1m])) / 2 + 1"#;

    // POST: a form body.
    let d = client(&post_cfg).query(q, Some(at)).await.unwrap();
    assert_eq!(only_value(d), 7.0);
    let req = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let (head, body) = req.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("POST /prometheus/api/v1/query HTTP/1.1\r\n"),
        "{head}"
    );
    assert_eq!(
        header(head, "authorization").as_deref(),
        Some("Bearer tok-123.abc")
    );
    assert_eq!(header(head, "x-scope-orgid").as_deref(), Some("tenant-1"));
    assert_eq!(
        header(head, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        form,
        vec![
            ("query".to_string(), q.to_string()),
            ("time".to_string(), "1732600000.123".to_string())
        ]
    );

    // GET: the same parameters in the query string; range parameters too.
    let get_cfg = PrometheusConfig {
        method: "get".to_string(),
        ..post_cfg.clone()
    };
    let start = at - TimeDelta::minutes(30);
    let step = Duration::from_millis(15_500);
    let c = client(&get_cfg);
    // The canned answer is a vector; the client takes whatever the server says.
    c.query_range(q, start, at, step).await.unwrap();
    let req = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let head = req.split_once("\r\n\r\n").unwrap().0;
    let target = head.split_whitespace().nth(1).unwrap();
    let (path, query) = target.split_once('?').unwrap();
    assert!(head.starts_with("GET "), "{head}");
    assert_eq!(path, "/prometheus/api/v1/query_range");
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        params,
        vec![
            ("query".to_string(), q.to_string()),
            ("start".to_string(), "1732598200.123".to_string()),
            ("end".to_string(), "1732600000.123".to_string()),
            ("step".to_string(), "15.5".to_string()),
        ]
    );
    assert_eq!(
        header(head, "authorization").as_deref(),
        Some("Bearer tok-123.abc")
    );
    assert_eq!(header(head, "x-scope-orgid").as_deref(), Some("tenant-1"));

    // Credentials in the URL become basic auth and never show on screen.
    let c = client(&cfg(&format!("http://al%40ice:pa%3Ass@{addr}/")));
    assert_eq!(c.describe(), format!("http://{addr}"));
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("al%40ice") && !shown.contains("pa%3Ass"),
        "{shown}"
    );
    c.query("up", None).await.unwrap();
    let req = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let head = req.split_once("\r\n\r\n").unwrap().0;
    // base64("al@ice:pa:ss")
    assert_eq!(
        header(head, "authorization").as_deref(),
        Some("Basic YWxAaWNlOnBhOnNz")
    );
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let c = client(&PrometheusConfig {
        timeout: ConfigDuration(Duration::from_millis(500)),
        ..cfg(&format!("http://{addr}"))
    });
    let began = Instant::now();
    let e = c.query("up", None).await.unwrap_err();
    assert_eq!(e, PromError::Timeout(Duration::from_millis(500)));
    assert_eq!(e.to_string(), "Prometheus timed out after 500ms");
    assert!(e.retryable());
    assert!(began.elapsed() < Duration::from_secs(5));
}
