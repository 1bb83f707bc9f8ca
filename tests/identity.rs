//! Identity: the real kube client sends a SelfSubjectReview to a loopback HTTP responder
//! that records the request; 404 falls back to the kubeconfig user (final), an unreachable
//! or silent server falls back too but is marked for retry. (The simulator's tests cover
//! the same request against a full API server.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use shipdeck::adapters::kube::identity::{WhoAmI, whoami};
use shipdeck::adapters::kube::resolve;
use shipdeck::domain::identity::IdentitySource;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers one request with `status` and `body`; returns the request text it got.
async fn respond_once(
    status: &'static str,
    body: &'static str,
) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = sock.read(&mut buf).await.unwrap();
            req.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&req).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if req.len() >= end + 4 + len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        sock.write_all(resp.as_bytes()).await.unwrap();
        String::from_utf8_lossy(&req).into_owned()
    });
    (url, task)
}

async fn client(url: &str) -> (kube::Client, tempfile::TempDir) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let kc = common::kubeconfig(dir.path(), url);
    let target = resolve(Some(&kc.into_os_string()), None, None).unwrap();
    let cfg = target.client_config().await.unwrap();
    (kube::Client::try_from(cfg).unwrap(), dir)
}

#[tokio::test]
async fn the_username_comes_from_a_self_subject_review() {
    let (url, server) = respond_once(
        "201 Created",
        r#"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview","metadata":{},"status":{"userInfo":{"username":"alice@corp.example","groups":["ops"]}}}"#,
    )
    .await;
    let (c, _d) = client(&url).await;
    let who = whoami(c, "alice", Duration::from_secs(5)).await;
    let req = server.await.unwrap();
    assert!(
        req.starts_with("POST /apis/authentication.k8s.io/v1/selfsubjectreviews"),
        "{req}"
    );
    assert!(
        req.contains("authorization: Bearer abc") || req.contains("Authorization: Bearer abc"),
        "{req}"
    );
    let body = &req[req.find("\r\n\r\n").unwrap() + 4..];
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["kind"], "SelfSubjectReview");
    assert_eq!(json["apiVersion"], "authentication.k8s.io/v1");
    let WhoAmI::Known(id) = who else {
        panic!("{who:?}")
    };
    assert_eq!(id.username, "alice@corp.example");
    assert_eq!(id.source, IdentitySource::SelfSubjectReview);
    assert_eq!(id.display(), "alice@corp.example");
}

#[tokio::test]
async fn an_api_without_self_subject_review_means_the_kubeconfig_user() {
    let (url, server) = respond_once(
        "404 Not Found",
        r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404}"#,
    )
    .await;
    let (c, _d) = client(&url).await;
    let who = whoami(c, "alice", Duration::from_secs(5)).await;
    server.await.unwrap();
    let WhoAmI::Unsupported(id) = who else {
        panic!("{who:?}")
    };
    assert_eq!(id.display(), "alice (from kubeconfig)");
}

#[tokio::test]
async fn unreachable_or_silent_servers_fall_back_and_are_retried() {
    let (c, _d) = client("http://127.0.0.1:1").await;
    let who = whoami(c, "alice", Duration::from_secs(5)).await;
    assert!(matches!(who, WhoAmI::Unreachable { .. }), "{who:?}");
    assert_eq!(who.identity().username, "alice");

    // Accepts the connection but never answers: bounded by the timeout.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let (_sock, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
    });
    let (c, _d2) = client(&url).await;
    let t0 = Instant::now();
    let who = whoami(c, "alice", Duration::from_millis(500)).await;
    assert!(t0.elapsed() < Duration::from_secs(5));
    let WhoAmI::Unreachable { reason, .. } = who else {
        panic!("{who:?}")
    };
    assert!(reason.contains("no answer"), "{reason}");
    hold.abort();
}
