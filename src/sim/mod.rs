//! The simulated platform: a Kubernetes API server that real kubectl and the unmodified kube
//! client accept, used by `shipdeck sim`, `shipdeck demo`, tests and benchmarks. Never
//! imported by domain/state/ui/adapters.
//!
//! One listener serves the Kubernetes API, the control API (`/sim/v1/requests`,
//! `/sim/v1/faults`), `/metrics` and the service proxy; the kubeconfig's server URL reaches
//! them all.

pub mod admit;
pub mod auth;
pub mod catalog;
pub mod control;
pub mod crds;
pub mod discovery;
pub mod events;
pub mod faults;
pub mod kubeconfig;
pub mod list;
pub mod load;
pub mod openapi;
pub mod patch;
pub mod proto;
pub mod proxy;
pub mod reqlog;
pub mod resources;
pub mod scenario;
pub mod schema;
pub mod selector;
pub mod server;
pub mod status;
pub mod store;
pub mod table;
pub mod timeline;
pub mod tls;
pub mod traffic;
pub mod watch;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::oneshot;

use self::auth::Identity;
use self::crds::Catalog;
use self::load::LoadReport;
use self::proxy::{ProxyHandler, ProxyRegistry};
use self::server::Shared;
use self::store::Store;

/// The scenarios this version knows.
pub const SCENARIOS: &[&str] = scenario::NAMES;

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub listen: SocketAddr,
    pub scenario: String,
    pub load: Vec<PathBuf>,
    /// How often watches with `allowWatchBookmarks` get a bookmark.
    pub bookmark_every: Duration,
    /// Changes kept for watch resumes; older resourceVersions get 410.
    pub history: usize,
    /// Sim clock speed: every scenario duration is divided by it.
    pub speed: f64,
    /// Seed for everything random (pod names, metric noise).
    pub seed: u64,
    /// Run the simulated controllers (off: objects stay exactly as loaded or written).
    pub controllers: bool,
    /// Size of the `scale` scenario.
    pub scale: scenario::ScaleOptions,
    /// Replay on this wall time plus sim time instead of the wall clock (deterministic
    /// timestamps and metrics).
    pub epoch: Option<chrono::DateTime<chrono::Utc>>,
    /// Run the story to this sim time before serving, then stop the clock there.
    pub freeze_at: Option<Duration>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            scenario: "empty".to_string(),
            load: Vec::new(),
            bookmark_every: Duration::from_secs(5),
            history: 10_000,
            speed: 1.0,
            seed: 1,
            controllers: true,
            scale: scenario::ScaleOptions::default(),
            epoch: None,
            freeze_at: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("unknown scenario {0:?}; scenarios: {list}", list = SCENARIOS.join(", "))]
    UnknownScenario(String),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error("{0}")]
    Load(String),
}

/// A running simulator.
pub struct SimHandle {
    pub addr: SocketAddr,
    /// `https://127.0.0.1:PORT` (the same port answers plain HTTP too).
    pub url: String,
    /// The CA that signed the server certificate (PEM).
    pub ca_pem: String,
    /// The namespace the scenario's kubeconfig contexts default to.
    pub namespace: Option<&'static str>,
    /// How many objects the scenario created.
    pub scenario_objects: usize,
    pub shared: Arc<Shared>,
    pub report: LoadReport,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    stop_world: tokio::sync::watch::Sender<bool>,
    world_task: tokio::task::JoinHandle<()>,
}

impl SimHandle {
    pub fn identities(&self) -> &[Identity] {
        &self.shared.identities
    }

    pub fn identity(&self, name: &str) -> Option<&Identity> {
        self.shared.identities.iter().find(|i| i.name == name)
    }

    /// A kubeconfig for this simulator with `current` as the current context.
    pub fn kubeconfig(&self, current: &str, namespace: Option<&str>) -> String {
        kubeconfig::render(
            &self.url,
            &self.ca_pem,
            &self.shared.identities,
            current,
            namespace,
        )
    }

    /// Serves a service through the API server's proxy.
    pub fn register_proxy(&self, ns: &str, svc: &str, port: &str, handler: ProxyHandler) {
        if let Ok(mut r) = self.shared.proxies.write() {
            r.register(ns, svc, port, handler);
        }
    }

    /// Stops serving and waits for the listener to close.
    pub async fn stop(mut self) {
        self.shared.drop_all_watches();
        let _ = self.stop_world.send(true);
        let _ = (&mut self.world_task).await;
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Starts the simulator on `cfg.listen` (port 0 picks a free port).
pub async fn start(cfg: SimConfig) -> Result<SimHandle, SimError> {
    let Some(scene) = scenario::build_with(&cfg.scenario, &cfg.scale) else {
        return Err(SimError::UnknownScenario(cfg.scenario));
    };
    let catalog = Catalog::get();
    let mut store = Store::new(cfg.history);
    let now = cfg.epoch.unwrap_or_else(chrono::Utc::now);
    if let Some(ns_def) = catalog.find("", "v1", "namespaces") {
        for ns in ["default", "kube-system", "kube-public"] {
            admit::ensure_namespace(&mut store, ns_def, ns, now);
        }
    }
    let report = load::load(&mut store, catalog, &cfg.load, now).map_err(SimError::Load)?;
    let ns_def = catalog
        .find("", "v1", "namespaces")
        .ok_or_else(|| SimError::Load("the catalog has no namespaces".into()))?;
    let scenario_objects = scene.objects.len();
    for obj in scene.objects {
        if obj["kind"] == "Namespace" {
            let name = obj
                .pointer("/metadata/name")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            admit::ensure_namespace(&mut store, ns_def, name, now);
            continue;
        }
        let def = obj
            .get("apiVersion")
            .and_then(|a| a.as_str())
            .zip(obj.get("kind").and_then(|k| k.as_str()))
            .and_then(|(a, k)| catalog.find_kind(a, k))
            .ok_or_else(|| SimError::Load(format!("scenario object of unknown kind: {obj}")))?;
        let ns = obj
            .pointer("/metadata/namespace")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let mode = if scene.recorded {
            admit::Mode::Load
        } else {
            admit::Mode::Api
        };
        admit::create(&mut store, def, &ns, obj, now, mode)
            .map_err(|e| SimError::Load(format!("scenario {}: {}", cfg.scenario, e.message)))?;
    }
    let mut world = world::World::new(cfg.speed, cfg.seed, cfg.controllers);
    if let Some(epoch) = cfg.epoch {
        world.replay_from(epoch);
    }
    world.story = scene.story;
    if !scene.pod_labels {
        world.metrics.traffic.pods = None;
    }
    let origin = world.metrics.traffic.origin;
    for (ns, name, share) in &scene.flows {
        world.metrics.traffic.ensure(ns, name, name);
        world.metrics.traffic.set_share(ns, name, *share, origin);
    }
    for c in scene.controllers {
        world.add_controller(c);
    }
    if let Some(until) = cfg.freeze_at {
        world.run_to(&mut store, catalog, until);
    }
    let timeline = timeline::Timeline::new(cfg.epoch);
    timeline.set_sim(world.clock.now());
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| SimError::Listen {
            addr: cfg.listen,
            reason: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| SimError::Listen {
        addr: cfg.listen,
        reason: e.to_string(),
    })?;
    let mut proxies = ProxyRegistry::default();
    proxies.register("", "flagger-loadtester", "", world.loadtester.clone());
    let (drop_tx, _) = tokio::sync::watch::channel(0u64);
    let shared = Arc::new(Shared {
        store: Mutex::new(store),
        faults: Mutex::new(faults::Faults::default()),
        log: Mutex::new(reqlog::RequestLog::default()),
        proxies: RwLock::new(proxies),
        identities: auth::identities(),
        drop_watches: drop_tx,
        bookmark_every: cfg.bookmark_every,
        catalog,
        address: addr.to_string(),
        world: Mutex::new(world),
        timeline,
    });
    let tls = tls::generate().map_err(SimError::Load)?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = server::router(shared.clone());
    let acceptor = tls.acceptor.clone();
    let task = tokio::spawn(async move {
        tls::serve(listener, app, acceptor, async move {
            let _ = rx.await;
        })
        .await;
    });
    let (stop_world, stop_rx) = tokio::sync::watch::channel(false);
    let world_task = world::spawn(shared.clone(), stop_rx);
    Ok(SimHandle {
        addr,
        url: format!("https://{addr}"),
        ca_pem: tls.ca_pem,
        namespace: scene.namespace,
        scenario_objects,
        shared,
        report,
        shutdown: Some(tx),
        task,
        stop_world,
        world_task,
    })
}
