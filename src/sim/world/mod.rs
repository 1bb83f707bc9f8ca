//! The simulated world: controllers that behave like the real ones (ReplicaSets and pods,
//! Deployments, Argo Rollouts and AnalysisRuns, Flagger), a sim clock, and scenario stories.
//! Every tick the world locks the store and runs each controller once; the writes go
//! through API admission, so watches see them like any change.

pub mod analysis;
pub mod argo;
pub mod clock;
pub mod ctx;
pub mod deployment;
pub mod flagger;
pub mod hash;
pub mod loadtester;
pub mod metrics;
pub mod replicaset;
#[cfg(test)]
pub mod testkit;
pub mod traffic;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use self::clock::{SimClock, SimInstant};
use self::ctx::{Controller, Ctx, Timers, frozen};
use super::crds::Catalog;
use super::server::Shared;
use super::store::Store;

/// How often the world ticks (real time).
pub const TICK: Duration = Duration::from_millis(50);

/// Something the scenario makes happen at a sim time.
pub struct StoryStep {
    pub at: SimInstant,
    pub label: String,
    pub action: Box<dyn FnMut(&mut Ctx<'_>) + Send>,
    fired: bool,
}

impl StoryStep {
    pub fn new(
        at: SimInstant,
        label: &str,
        action: impl FnMut(&mut Ctx<'_>) + Send + 'static,
    ) -> Self {
        Self {
            at,
            label: label.to_string(),
            action: Box::new(action),
            fired: false,
        }
    }
}

pub struct World {
    pub clock: SimClock,
    pub rng: fastrand::Rng,
    pub timers: Timers,
    /// Writes the store refused: must stay empty (tests check).
    pub errors: Vec<String>,
    pub story: Vec<StoryStep>,
    /// Story steps fired: (sim time, label).
    pub fired: Vec<(SimInstant, String)>,
    controllers: Vec<Box<dyn Controller>>,
    pub running: bool,
    /// What metric queries measure; stories change it.
    pub metrics: metrics::MetricModel,
    /// Flagger's load tester (gates), served through the service proxy.
    pub loadtester: super::proxy::ProxyHandler,
    /// Replayed worlds write `epoch + sim time` into objects; live ones the wall clock.
    epoch: Option<chrono::DateTime<chrono::Utc>>,
}

/// Registers a controller after the built-in ones (used for controllers that share state
/// with other parts of the simulator, such as Flagger with its load tester).
impl World {
    pub fn add_controller(&mut self, c: Box<dyn Controller>) {
        if self.running {
            self.controllers.push(c);
        }
    }
}

/// Every controller of the simulated world, in the order they run each tick.
pub fn controllers() -> Vec<Box<dyn Controller>> {
    vec![
        Box::new(replicaset::ReplicaSetController),
        Box::new(deployment::DeploymentController),
        Box::new(analysis::AnalysisRunController),
        Box::new(replicaset::GarbageCollector),
        Box::new(argo::RolloutController),
        Box::new(traffic::TrafficController),
    ]
}

impl World {
    pub fn new(speed: f64, seed: u64, running: bool) -> Self {
        let mut controllers = if running { controllers() } else { Vec::new() };
        // Flagger and its load tester share the gate state: the server serves the
        // handler at the `flagger-loadtester` Service of every namespace.
        let (flagger, loadtester) = flagger::flagger_parts();
        if running {
            controllers.push(flagger);
        }
        Self {
            clock: SimClock::new(speed, Instant::now()),
            rng: fastrand::Rng::with_seed(seed),
            timers: Timers::default(),
            errors: Vec::new(),
            story: Vec::new(),
            fired: Vec::new(),
            controllers,
            running,
            metrics: metrics::MetricModel::new(seed),
            loadtester,
            epoch: None,
        }
    }

    /// Runs on `epoch + sim time` instead of the wall clock: objects, metric samples and
    /// ages are then the same on every run (for `shipdeck demo --freeze-at`).
    pub fn replay_from(&mut self, epoch: chrono::DateTime<chrono::Utc>) {
        self.epoch = Some(epoch);
        let secs = epoch.timestamp_micros() as f64 / 1e6;
        self.metrics = metrics::MetricModel::stepped_from(secs, self.metrics.traffic.seed);
    }

    /// The wall time the world writes now.
    pub fn wall(&self) -> chrono::DateTime<chrono::Utc> {
        match self.epoch {
            Some(e) => crate::sim::timeline::at(e, self.clock.now()),
            None => chrono::Utc::now(),
        }
    }

    /// Replays the story up to `until` in fixed sim-time steps, as fast as it computes,
    /// then stops the clock there. Deterministic for a given seed.
    pub fn run_to(&mut self, store: &mut Store, catalog: &'static Catalog, until: Duration) {
        let step = Duration::from_millis(100);
        self.clock.stop_at(until);
        while self.clock.now() < until {
            let left = until.saturating_sub(self.clock.now());
            self.clock.advance(step.min(left));
            self.reconcile(store, catalog);
        }
        // Settle: a few more rounds at the frozen time (writes that follow writes).
        for _ in 0..5 {
            self.reconcile(store, catalog);
        }
    }

    /// Runs `f` with a controller context on the store (for one-off world changes such as a
    /// release).
    pub fn with_ctx<R>(
        &mut self,
        store: &mut Store,
        catalog: &'static Catalog,
        f: impl FnOnce(&mut Ctx<'_>) -> R,
    ) -> R {
        let sim = self.clock.now();
        let wall = self.wall();
        let mut ctx = Ctx::new(
            store,
            catalog,
            (sim, wall),
            &mut self.rng,
            &mut self.timers,
            &mut self.errors,
            &mut self.metrics,
        );
        f(&mut ctx)
    }

    /// One tick: advance the clock, fire due story steps, run every controller once.
    pub fn step(&mut self, store: &mut Store, catalog: &'static Catalog) {
        self.clock.tick(Instant::now());
        self.reconcile(store, catalog);
    }

    /// Fires due story steps and runs every controller once, at the clock's time.
    fn reconcile(&mut self, store: &mut Store, catalog: &'static Catalog) {
        self.metrics.advance_to(self.clock.now());
        let wall = self.wall();
        let Self {
            clock,
            rng,
            timers,
            errors,
            story,
            fired,
            controllers,
            metrics,
            ..
        } = self;
        let mut ctx = Ctx::new(
            store,
            catalog,
            (clock.now(), wall),
            rng,
            timers,
            errors,
            metrics,
        );
        for step in story.iter_mut().filter(|s| !s.fired && s.at <= clock.now()) {
            step.fired = true;
            (step.action)(&mut ctx);
            fired.push((ctx.sim, step.label.clone()));
            tracing::info!(at = ?ctx.sim, step = %step.label, "story");
        }
        for c in controllers.iter_mut() {
            let t0 = Instant::now();
            c.reconcile(&mut ctx);
            let took = t0.elapsed();
            if took > Duration::from_millis(20) {
                tracing::debug!(controller = c.name(), ?took, "slow reconcile");
                if std::env::var_os("SHIPDECK_SIM_PROFILE").is_some() {
                    eprintln!("slow reconcile: {} took {took:?}", c.name());
                }
            }
        }
    }
}

/// Runs the world until `stop` fires.
pub fn spawn(
    shared: Arc<Shared>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            let (Ok(mut world), Ok(mut store)) = (shared.world.lock(), shared.store.lock()) else {
                return;
            };
            if world.running {
                world.step(&mut store, shared.catalog);
            }
            shared.timeline.set_sim(world.clock.now());
        }
    })
}

/// Starts a new release: sets the image of the first container of a Rollout or
/// Deployment (the workload of a Flagger canary is its Deployment). Returns the kind.
pub fn release(
    ctx: &mut Ctx<'_>,
    ns: &str,
    name: &str,
    image: &str,
) -> Result<&'static str, String> {
    for (av, kind) in [
        ("argoproj.io/v1alpha1", "Rollout"),
        ("apps/v1", "Deployment"),
    ] {
        if let Some(mut obj) = ctx.get(av, kind, ns, name) {
            if frozen(&obj) {
                return Err(format!("{kind} {ns}/{name} is frozen"));
            }
            let Some(c) = obj.pointer_mut("/spec/template/spec/containers/0") else {
                return Err(format!("{kind} {ns}/{name} has no container"));
            };
            c["image"] = json!(image);
            return ctx.update(obj).map(|_| kind).map_err(|e| e.message);
        }
    }
    Err(format!("no Rollout or Deployment {ns}/{name}"))
}

/// `POST /sim/v1/releases` and `/sim/v1/clock` bodies.
pub fn control(shared: &Shared, what: &str, body: &Value) -> Result<Value, String> {
    let mut world = shared.world.lock().map_err(|_| "world lock poisoned")?;
    match what {
        "clock" => {
            if let Some(speed) = body.get("speed").and_then(Value::as_f64) {
                world.clock.set_speed(speed, Instant::now());
            }
            if let Some(adv) = body.get("advance").and_then(Value::as_str) {
                let d = humantime::parse_duration(adv).map_err(|e| format!("advance: {e}"))?;
                world.clock.advance(d);
            }
            Ok(
                json!({"sim_seconds": world.clock.now().as_secs_f64(), "speed": world.clock.speed()}),
            )
        }
        "releases" => {
            let s = |k: &str| {
                body.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let (ns, name, image) = (s("namespace"), s("name"), s("image"));
            if ns.is_empty() || name.is_empty() || image.is_empty() {
                return Err("a release needs namespace, name and image".to_string());
            }
            let mut store = shared.store.lock().map_err(|_| "store lock poisoned")?;
            let kind = world.with_ctx(&mut store, shared.catalog, |ctx| {
                release(ctx, &ns, &name, &image)
            })?;
            Ok(json!({"released": format!("{ns}/{name}"), "kind": kind, "image": image}))
        }
        _ => Err(format!("unknown control {what:?}")),
    }
}
