//! A real Prometheus (Debian's package) scraping the simulator: one per test binary, on
//! 127.0.0.1 with a temporary config and data directory, scraping every second; stopped
//! when dropped. Plus a small HTTP client for its API (and the simulator's).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Prometheus {
    pub addr: SocketAddr,
    child: Child,
    /// Everything `prometheus` was started with (for [`Prometheus::restart`]).
    args: Vec<String>,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What [`Prometheus::start_with`] adds to the defaults.
#[derive(Debug, Clone, Default)]
pub struct PromOptions {
    /// Extra flags; `{addr}` becomes the listen address (`127.0.0.1:PORT`), e.g.
    /// `--web.external-url=http://{addr}/prometheus`.
    pub args: Vec<String>,
    /// The content of a `--web.config.file` (`tls_server_config`, `basic_auth_users`).
    pub web_config: Option<String>,
}

impl Prometheus {
    /// Starts Prometheus scraping `target` (`127.0.0.1:PORT`, plain HTTP) every second;
    /// `None` outside CI when it is not installed (CI fails instead).
    pub fn start(target: SocketAddr) -> Option<Self> {
        Self::start_with(target, PromOptions::default())
    }

    /// [`Prometheus::start`] with extra flags and/or a `--web.config.file` (TLS, basic
    /// auth). With a web config the plain-HTTP ready probe cannot be used: this returns
    /// once the port accepts connections, and the test waits for the API itself.
    pub fn start_with(target: SocketAddr, opts: PromOptions) -> Option<Self> {
        if !super::sim::require_tool("prometheus") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: sim\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut args = vec![
            format!("--config.file={}", config.display()),
            format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()),
            format!("--web.listen-address={addr}"),
            "--web.enable-lifecycle".to_string(),
            "--log.level=warn".to_string(),
        ];
        for arg in &opts.args {
            args.push(arg.replace("{addr}", &addr.to_string()));
        }
        if let Some(web) = &opts.web_config {
            let path = dir.path().join("web.yml");
            std::fs::write(&path, web).unwrap();
            args.push(format!("--web.config.file={}", path.display()));
        }
        let child = spawn(&args);
        let mut p = Self {
            addr,
            child,
            args,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        // The ready probe lives under the route prefix, if any.
        let prefix = opts
            .args
            .iter()
            .find_map(|a| a.strip_prefix("--web.route-prefix="))
            .unwrap_or("");
        let ready = format!("{}/-/ready", prefix.trim_end_matches('/'));
        loop {
            let up = if opts.web_config.is_some() {
                TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
            } else {
                get(addr, &ready).map(|(s, _)| s) == Some(200)
            };
            if up {
                break;
            }
            if let Ok(Some(status)) = p.child.try_wait() {
                panic!(
                    "prometheus exited at start ({status}); flags {:?}",
                    opts.args
                );
            }
            assert!(Instant::now() < deadline, "prometheus never became ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(p)
    }

    /// Stops the server (SIGTERM, then waits); the data directory stays.
    pub fn stop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
    }

    /// Starts it again on the same address and data (plain HTTP only) and waits until ready.
    pub fn restart(&mut self) {
        self.child = spawn(&self.args);
        let deadline = Instant::now() + Duration::from_secs(60);
        while get(self.addr, "/-/ready").map(|(s, _)| s) != Some(200) {
            assert!(Instant::now() < deadline, "prometheus never came back");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `/api/v1/query` at the current time; the parsed JSON.
    pub fn query(&self, q: &str) -> Value {
        self.query_path(&format!("/api/v1/query?query={}", encode(q)))
    }

    /// `/api/v1/query` evaluated at `time` (Unix seconds); the parsed JSON.
    pub fn query_at(&self, q: &str, time: f64) -> Value {
        self.query_path(&format!("/api/v1/query?query={}&time={time:.3}", encode(q)))
    }

    fn query_path(&self, path: &str) -> Value {
        let (status, body) = get(self.addr, path).unwrap();
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}

fn spawn(args: &[String]) -> Child {
    Command::new("prometheus")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts")
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
    }
}

/// A query-string component, form-encoded.
pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A minimal HTTP/1.1 GET over plain TCP: (status, body); `None` when nothing answers.
pub fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    request(addr, "GET", path, "", "")
}

pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    Some((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// `(labels, value)` rows of a vector result.
pub fn vector(v: &Value) -> Vec<(Value, f64)> {
    assert_eq!(v["status"], "success", "{v}");
    v["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["metric"].clone(),
                r["value"][1].as_str().unwrap().parse::<f64>().unwrap(),
            )
        })
        .collect()
}

/// The simulator's histogram bucket `(lower, upper]` that holds `x`.
pub fn bucket_of(x: f64) -> (f64, f64) {
    let mut lower = 0.0;
    for b in shipdeck::sim::traffic::series::BUCKETS {
        if x <= b {
            return (lower, b);
        }
        lower = b;
    }
    (lower, f64::INFINITY)
}

/// `a` within `rel` (relative) of `b`.
pub fn within(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}
