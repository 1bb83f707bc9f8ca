//! The client's pure parts (URLs, times) and its configuration checks; the HTTP itself is
//! proven against a real Prometheus in `tests/prometheus_client.rs`.

use std::path::PathBuf;

use super::*;

#[test]
fn times_are_unix_seconds_with_milliseconds() {
    let t = DateTime::from_timestamp_millis(1_732_600_000_123).unwrap();
    assert_eq!(unix_seconds(t), "1732600000.123");
    let t = DateTime::from_timestamp_millis(1_732_600_000_005).unwrap();
    assert_eq!(unix_seconds(t), "1732600000.005");
    let t = DateTime::from_timestamp_millis(1_732_600_000_000).unwrap();
    assert_eq!(unix_seconds(t), "1732600000.000");
}

#[test]
fn endpoints_keep_the_path_prefix() {
    for raw in [
        "https://m.example/prometheus",
        "https://m.example/prometheus/",
        " https://m.example/prometheus#frag ",
    ] {
        let (base, creds) = base_url(raw).unwrap();
        assert_eq!(creds, None);
        assert_eq!(
            endpoint(&base, "query").as_str(),
            "https://m.example/prometheus/api/v1/query"
        );
    }
    let (base, _) = base_url("http://127.0.0.1:9090").unwrap();
    assert_eq!(
        endpoint(&base, "query_range").as_str(),
        "http://127.0.0.1:9090/api/v1/query_range"
    );
}

#[test]
fn url_credentials_are_taken_out() {
    let (base, creds) = base_url("https://al%40ice:p%3Ass@m.example/prom").unwrap();
    assert_eq!(base.as_str(), "https://m.example/prom");
    assert_eq!(creds, Some(("al@ice".to_string(), "p:ss".to_string())));
    let c = PromClient::new(&PrometheusConfig {
        url: "https://al%40ice:p%3Ass@m.example/prom/".to_string(),
        ..PrometheusConfig::default()
    })
    .unwrap();
    assert_eq!(c.describe(), "https://m.example/prom");
    assert!(!format!("{c:?}").contains("p%3Ass"));
}

fn config_error(cfg: PrometheusConfig) -> String {
    match PromClient::new(&cfg) {
        Err(PromError::Config(m)) => m,
        Err(other) => panic!("expected a config error, got {other:?}"),
        Ok(c) => panic!("expected a config error, got {c:?}"),
    }
}

#[test]
fn config_problems_name_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-file");
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "t\n").unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let base = PrometheusConfig {
        url: "http://127.0.0.1:9".to_string(),
        ..PrometheusConfig::default()
    };
    let path = |p: &PathBuf| p.display().to_string();
    let cases: Vec<(PrometheusConfig, Vec<String>)> = vec![
        (
            PrometheusConfig {
                bearer_token_file: Some(missing.clone()),
                ..base.clone()
            },
            vec![
                "cannot read prometheus.bearer_token_file".into(),
                path(&missing),
            ],
        ),
        (
            PrometheusConfig {
                bearer_token_file: Some(empty.clone()),
                ..base.clone()
            },
            vec!["prometheus.bearer_token_file".into(), "is empty".into()],
        ),
        (
            PrometheusConfig {
                basic_auth_user: Some("u".into()),
                basic_auth_password_file: Some(missing.clone()),
                ..base.clone()
            },
            vec![
                "cannot read prometheus.basic_auth_password_file".into(),
                path(&missing),
            ],
        ),
        (
            PrometheusConfig {
                basic_auth_password_file: Some(token.clone()),
                ..base.clone()
            },
            vec!["basic_auth_user is not".into()],
        ),
        (
            PrometheusConfig {
                bearer_token_file: Some(token.clone()),
                basic_auth_user: Some("u".into()),
                ..base.clone()
            },
            vec!["not both".into()],
        ),
        (
            PrometheusConfig {
                ca_file: Some(missing.clone()),
                ..base.clone()
            },
            vec!["cannot read prometheus.ca_file".into(), path(&missing)],
        ),
        (
            PrometheusConfig {
                ca_file: Some(not_pem.clone()),
                ..base.clone()
            },
            vec!["prometheus.ca_file".into(), path(&not_pem)],
        ),
        (
            PrometheusConfig {
                method: "put".into(),
                ..base.clone()
            },
            vec!["prometheus.method must be \"post\" or \"get\", not \"put\"".into()],
        ),
        (
            PrometheusConfig {
                timeout: crate::config::ConfigDuration::secs(0),
                ..base.clone()
            },
            vec!["prometheus.timeout".into()],
        ),
        (
            PrometheusConfig {
                headers: [("bad header".to_string(), "x".to_string())].into(),
                ..base.clone()
            },
            vec!["prometheus.headers: \"bad header\" is not a valid header name".into()],
        ),
        (
            PrometheusConfig {
                url: String::new(),
                ..base.clone()
            },
            vec!["prometheus.url is empty".into()],
        ),
        (
            PrometheusConfig {
                url: "ftp://x".into(),
                ..base.clone()
            },
            vec!["http:// or https://".into()],
        ),
        (
            PrometheusConfig {
                url: "https://u:secret@".into(),
                ..base.clone()
            },
            vec!["prometheus.url (hidden) is not a URL".into()],
        ),
    ];
    for (cfg, wants) in cases {
        let m = config_error(cfg);
        for want in wants {
            assert!(m.contains(&want), "{m:?} lacks {want:?}");
        }
        assert!(!m.contains("secret"), "{m}");
    }
}

#[test]
fn good_configs_build() {
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("password");
    std::fs::write(&password, "pw\r\n").unwrap();
    for method in ["post", "GET", ""] {
        let c = PromClient::new(&PrometheusConfig {
            url: "http://127.0.0.1:9/".to_string(),
            method: method.to_string(),
            basic_auth_user: Some("u".to_string()),
            basic_auth_password_file: Some(password.clone()),
            headers: [("X-Scope-OrgID".to_string(), "tenant-1".to_string())].into(),
            insecure_skip_verify: true,
            ..PrometheusConfig::default()
        })
        .unwrap();
        assert_eq!(c.describe(), "http://127.0.0.1:9");
        assert!(c.insecure());
    }
}
