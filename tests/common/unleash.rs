//! A real Unleash (npm `unleash-server` 7.5, pinned in tests/unleash) on a throwaway
//! PostgreSQL (Debian's), both started by the test and stopped when the handle drops.
//! PostgreSQL listens only on a Unix socket in the temporary directory (no TCP port to
//! race for); Unleash on 127.0.0.1 with an admin token from `INIT_ADMIN_API_TOKENS`.
//! `npm ci` runs in tests/unleash when its `node_modules` is missing or older than the
//! lockfile (once per machine; concurrent tests wait on a lock file). Needs `mod common;`
//! in the test crate.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::prometheus::get;
use crate::common::sim::require_tool;

/// The socket's port number (only names the socket file: nothing listens on TCP).
const PG_PORT: u16 = 5432;

pub struct Unleash {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The admin API token (`*:*.<hex>`); events record it as user `admin`.
    pub token: String,
    pub project: String,
    /// How long PostgreSQL and then Unleash took to come up.
    pub pg_startup: Duration,
    pub unleash_startup: Duration,
    addr: SocketAddr,
    node: Child,
    stdin: Option<ChildStdin>,
    http: reqwest::Client,
    pg_bin: PathBuf,
    pg_data: PathBuf,
    as_postgres: bool,
    dir: tempfile::TempDir,
}

fn unleash_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/unleash")
}

/// Like [`require_tool`] for what it cannot check.
fn missing(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is required under CI=true but is not installed");
    }
    eprintln!("\n!!! SKIPPING: {what} is not installed (CI would fail here) !!!\n");
}

/// `/usr/lib/postgresql/<newest>/bin`, else `pg_config --bindir`.
fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    bin.join("initdb").exists().then_some(bin)
}

/// Starts PostgreSQL and Unleash; `None` (after a loud message) when node, npm or
/// PostgreSQL is missing outside CI; panics under CI=true.
pub async fn start() -> Option<Unleash> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::task::spawn_blocking(start_blocking).await.unwrap()
}

fn start_blocking() -> Option<Unleash> {
    if !require_tool("node") || !require_tool("npm") {
        return None;
    }
    let node = Command::new("node")
        .args(["-p", "process.versions.node"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if node.split('.').next().and_then(|m| m.parse::<u32>().ok()) < Some(20) {
        missing(&format!(
            "Node.js >= 20 for unleash-server 7.5 (node says {node:?})"
        ));
        return None;
    }
    let Some(pg_bin) = pg_bin() else {
        missing("PostgreSQL (Debian package postgresql)");
        return None;
    };
    let t0 = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("shipdeck-unleash-")
        .tempdir_in("/tmp")
        .unwrap();
    // PostgreSQL refuses to run as root: as root, everything runs as the postgres user.
    let as_postgres = dir.path().metadata().unwrap().uid() == 0;
    if as_postgres {
        run(Command::new("chown").arg("postgres:").arg(dir.path()));
    }
    let pg_data = dir.path().join("data");
    let pg = |tool: &str| {
        let mut c = pg_cmd(&pg_bin, tool, as_postgres);
        c.current_dir(dir.path());
        c
    };
    let initdb_args = "-U postgres -A trust -E UTF8 --locale=C --no-sync";
    run(pg("initdb")
        .arg("-D")
        .arg(&pg_data)
        .args(initdb_args.split(' ')));
    run(pg("pg_ctl")
        .arg("-D")
        .arg(&pg_data)
        .arg("-l")
        .arg(dir.path().join("postgres.log"))
        .args(["-w", "-t", "60", "-o"])
        .arg(format!(
            "-p {PG_PORT} -k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            dir.path().display()
        ))
        .arg("start"));
    run(pg("createdb").arg("-h").arg(dir.path()).args([
        "-p",
        &PG_PORT.to_string(),
        "-U",
        "postgres",
        "unleash",
    ]));
    let pg_startup = t0.elapsed();

    ensure_node_modules();

    let token = format!("*:*.{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let database_url = format!(
        "postgres://postgres@localhost/unleash?host={}&port={PG_PORT}",
        dir.path().display()
    );
    let t1 = Instant::now();
    let mut last_err = String::new();
    for _attempt in 0..3 {
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("unleash.log")).unwrap();
        let mut node = Command::new("node")
            .arg(unleash_dir().join("server.js"))
            .current_dir(unleash_dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env(
                "HOME",
                std::env::var("HOME").unwrap_or_else(|_| "/tmp".into()),
            )
            .env("PORT", port.to_string())
            .env("DATABASE_URL", &database_url)
            .env("INIT_ADMIN_API_TOKENS", &token)
            .env("EXIT_ON_STDIN_EOF", "1")
            .env("LOG_LEVEL", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("node starts");
        let stdin = node.stdin.take();
        let stdout = node.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("unleash-ready ") {
                    let _ = tx.send(());
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        let ready = loop {
            if rx.recv_timeout(Duration::from_millis(100)).is_ok() {
                break true;
            }
            if let Ok(Some(status)) = node.try_wait() {
                last_err = format!("{status}: {}", read_log(dir.path()));
                break false;
            }
            if Instant::now() > deadline {
                let _ = node.kill();
                let _ = node.wait();
                panic!("unleash never became ready: {}", read_log(dir.path()));
            }
        };
        if !ready {
            // Exit code 3: the port was taken meanwhile; try another.
            continue;
        }
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut u = Unleash {
            url: format!("http://{addr}"),
            token: token.clone(),
            project: "default".to_string(),
            pg_startup,
            unleash_startup: Duration::ZERO,
            addr,
            node,
            stdin,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            pg_bin: pg_bin.clone(),
            pg_data: pg_data.clone(),
            as_postgres,
            dir,
        };
        while get(addr, "/health").map(|(s, _)| s) != Some(200) {
            assert!(
                Instant::now() < deadline,
                "unleash /health never answered 200"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        u.unleash_startup = t1.elapsed();
        eprintln!(
            "unleash: PostgreSQL up in {:.1?}, Unleash ready in {:.1?} at {}",
            u.pg_startup, u.unleash_startup, u.url
        );
        return Some(u);
    }
    stop_postgres(&pg_bin, &pg_data, as_postgres);
    panic!("unleash did not start: {last_err}");
}

fn read_log(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("unleash.log")).unwrap_or_default();
    text.chars().take(4000).collect()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `npm ci` in tests/unleash unless `node_modules` is complete and not older than the
/// lockfile (npm writes `node_modules/.package-lock.json` last).
fn ensure_node_modules() {
    let dir = unleash_dir();
    let lock =
        std::fs::File::create(Path::new(env!("CARGO_TARGET_TMPDIR")).join("unleash-npm.lock"))
            .unwrap();
    lock.lock().unwrap();
    let mtime = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    let hidden = mtime(&dir.join("node_modules/.package-lock.json"));
    let wanted = mtime(&dir.join("package-lock.json"));
    if hidden.is_some() && hidden >= wanted {
        return;
    }
    eprintln!("unleash: npm ci in tests/unleash (once per machine; ~/.npm caches it)...");
    let t = Instant::now();
    let args = "ci --ignore-scripts --no-audit --no-fund --loglevel=error --prefer-offline";
    run(Command::new("npm").args(args.split(' ')).current_dir(&dir));
    eprintln!("unleash: npm ci took {:.1?}", t.elapsed());
}

/// A PostgreSQL tool, as the postgres user when we are root (PostgreSQL refuses root).
fn pg_cmd(bin: &Path, tool: &str, as_postgres: bool) -> Command {
    if !as_postgres {
        return Command::new(bin.join(tool));
    }
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
    c
}

fn stop_postgres(bin: &Path, data: &Path, as_postgres: bool) {
    let _ = pg_cmd(bin, "pg_ctl", as_postgres)
        .arg("-D")
        .arg(data)
        .args(["-m", "fast", "-w", "-t", "30", "stop"])
        .current_dir("/")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

impl Unleash {
    /// One admin-API request with the admin token: (status, JSON body or `null`).
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("authorization", &self.token);
        if let Some(body) = body {
            r = r
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A feature in the project. `env_strategies`: `development` gets the `default`
    /// strategy and `production` a 50 % rollout constrained to two user ids; otherwise
    /// no environment has a strategy.
    pub async fn create_feature(&self, name: &str, env_strategies: bool) {
        let base = format!("/api/admin/projects/{}/features", self.project);
        let (s, b) = self
            .admin(
                "POST",
                &base,
                Some(json!({"name": name, "type": "release"})),
            )
            .await;
        assert!(s == 200 || s == 201, "create {name}: {s} {b}");
        if !env_strategies {
            return;
        }
        let strategies = [
            ("development", json!({"name": "default"})),
            (
                "production",
                json!({"name": "flexibleRollout",
                  "parameters": {"rollout": "50", "stickiness": "default", "groupId": name},
                  "constraints": [{"contextName": "userId", "operator": "IN", "values": ["1", "2"]}]}),
            ),
        ];
        for (env, strategy) in strategies {
            let path = format!("{base}/{name}/environments/{env}/strategies");
            let (s, b) = self.admin("POST", &path, Some(strategy)).await;
            assert!(s == 200 || s == 201, "strategy for {name}/{env}: {s} {b}");
        }
    }

    /// Unleash's event log, newest first (`GET /api/admin/events`): every change made
    /// through the admin API is one event (`feature-environment-enabled`, ...).
    pub async fn events(&self) -> Vec<Value> {
        let (s, b) = self.admin("GET", "/api/admin/events", None).await;
        assert_eq!(s, 200, "{b}");
        b["events"].as_array().cloned().unwrap_or_default()
    }

    /// The newest event's id (0 when there is none): later events have higher ids.
    pub async fn last_event_id(&self) -> u64 {
        let events = self.events().await;
        events
            .iter()
            .filter_map(|e| e["id"].as_u64())
            .max()
            .unwrap_or(0)
    }

    /// Events about features (they name one, or their type says so) after `id`.
    pub async fn feature_events_after(&self, id: u64) -> Vec<Value> {
        let events = self.events().await;
        events
            .into_iter()
            .filter(|e| e["id"].as_u64().is_some_and(|i| i > id))
            .filter(|e| {
                e["featureName"].is_string()
                    || e["type"].as_str().is_some_and(|t| t.starts_with("feature"))
            })
            .collect()
    }

    /// The server's view of one environment of a feature (`enabled`, `strategies`, ...).
    pub async fn environment(&self, feature: &str, env: &str) -> Value {
        let path = format!("/api/admin/projects/{}/features/{feature}", self.project);
        let (s, b) = self.admin("GET", &path, None).await;
        assert_eq!(s, 200, "{b}");
        b["environments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == env)
            .cloned()
            .unwrap_or_else(|| panic!("{feature} has no environment {env}: {b}"))
    }
}

impl Drop for Unleash {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.node.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while !matches!(self.node.try_wait(), Ok(Some(_))) {
            if Instant::now() > deadline {
                let _ = self.node.kill();
                let _ = self.node.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        stop_postgres(&self.pg_bin, &self.pg_data, self.as_postgres);
    }
}
