//! shipdeck without a terminal: the real reducer, the real executor (kube watchers,
//! Prometheus client, release lookups) and wall-clock ticks, driven by the test. What a
//! frame would show is rendered to a TestBackend on demand.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use clap::Parser;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::cli::Cli;
use shipdeck::config::Config;
use shipdeck::runtime::Executor;
use shipdeck::sim::SimHandle;
use shipdeck::state::{AppState, Event, Session, start, update};
use shipdeck::theme::{ColorDepth, Theme};
use tokio::sync::mpsc;

pub struct Headless {
    pub state: AppState,
    exec: Executor,
    rx: mpsc::Receiver<Event>,
    _dir: tempfile::TempDir,
}

impl Headless {
    /// Watches `namespace` of `sim` as the operator identity, with `config_toml` as the
    /// configuration file.
    pub async fn start(sim: &SimHandle, namespace: &str, config_toml: &str) -> Self {
        Self::start_as(sim, namespace, config_toml, "sim-operator", false).await
    }

    /// As `start`, as the simulator identity `context`, read-only or not.
    pub async fn start_as(
        sim: &SimHandle,
        namespace: &str,
        config_toml: &str,
        context: &str,
        read_only: bool,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let kc = dir.path().join("kubeconfig");
        std::fs::write(&kc, sim.kubeconfig(context, None)).unwrap();
        let (config, _) = shipdeck::config::parse("test.toml", config_toml).unwrap();
        config.validate().unwrap();
        let target =
            shipdeck::adapters::kube::resolve(Some(&kc.clone().into_os_string()), None, None)
                .unwrap();
        let cli = Cli::try_parse_from(["shipdeck", "-n", namespace]).unwrap();
        let info = shipdeck::runtime::session::info_for(&target, &cli.global, &config.contexts);
        let session = Session::new(info, target.contexts.clone(), read_only);
        let mut state = AppState::new(session, Default::default(), chrono::Utc::now());
        let (settings, metrics) = shipdeck::runtime::metrics::setup(&config).unwrap();
        state.set_metrics(settings);
        state.set_safety(shipdeck::state::safety::SafetySettings::from_config(
            &config,
        ));
        state.flags.configured = config.flags.flagd.enabled;
        state.flags.platform_flag = config.platform.read_only_flag.clone();
        state.flags.critical = config.flags.critical.clone();
        let (tx, rx) = mpsc::channel(1024);
        let mut exec = Executor {
            events: tx,
            target,
            contexts: config.contexts.clone(),
            flags: cli.global.clone(),
            depth: ColorDepth::TrueColor,
            watch: None,
            detail: None,
            new_theme: None,
            metrics,
            actions: shipdeck::runtime::actions::ActionsExec::new(dir.path().join("audit.jsonl")),
            flagd: config.flags.flagd.enabled.then_some(None),
            unleash: config.flags.unleash.clone(),
            quit: false,
        };
        if !config.flags.unleash.url.trim().is_empty() {
            drop(shipdeck::runtime::flags::poll_unleash(
                config.flags.unleash.clone(),
                exec.events.clone(),
            ));
        }
        let first = start(&mut state);
        exec.dispatch(first, false);
        Self {
            state,
            exec,
            rx,
            _dir: dir,
        }
    }

    /// Runs the loop (events, a tick every 250 ms) until `done` holds or `timeout` passes;
    /// panics with the screen and `what` on timeout.
    pub async fn run_until(
        &mut self,
        what: &str,
        timeout: Duration,
        mut done: impl FnMut(&AppState) -> bool,
    ) {
        let deadline = Instant::now() + timeout;
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        while !done(&self.state) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}\n{}",
                self.screen(150, 40)
            );
            let ev = tokio::select! {
                Some(ev) = self.rx.recv() => ev,
                _ = tick.tick() => Event::Tick(chrono::Utc::now()),
            };
            let cmds = update(&mut self.state, ev);
            let ro = self.state.session.is_read_only();
            self.exec.dispatch(cmds, ro);
        }
    }

    /// Feeds one event as the loop would.
    pub fn send(&mut self, ev: Event) {
        let cmds = update(&mut self.state, ev);
        let ro = self.state.session.is_read_only();
        self.exec.dispatch(cmds, ro);
    }

    /// The audit file this instance writes.
    pub fn audit_path(&self) -> std::path::PathBuf {
        self._dir.path().join("audit.jsonl")
    }

    /// The screen as text.
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        update(&mut self.state, Event::Resize { width, height });
        let theme = Theme::load("default", ColorDepth::TrueColor).unwrap();
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        term.draw(|f| shipdeck::ui::render(&self.state, &theme, f))
            .unwrap();
        let buf = term.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..height {
            for x in 0..width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }
}

/// A config with Prometheus at `url` (preset sim), fast intervals for tests.
pub fn config(url: &str, interval: &str, window: &str, min_requests: u32) -> String {
    format!(
        "[prometheus]\nurl = \"{url}\"\npreset = \"sim\"\ninterval = \"{interval}\"\ntimeout = \"2s\"\n\n[rules]\nwindow = \"{window}\"\nmin_requests = {min_requests}\n\n[[services]]\nnamespace = \"casino-prod\"\nname = \"payments\"\ncritical = true\n"
    )
}

/// `Config` is used only through the TOML text; keep the import meaningful.
pub fn parsed(text: &str) -> Config {
    shipdeck::config::parse("test.toml", text).unwrap().0
}

/// The casino world at 10× with its controllers, for end-to-end action tests.
pub async fn casino() -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    shipdeck::sim::start(shipdeck::sim::SimConfig {
        scenario: "casino".into(),
        speed: 10.0,
        ..shipdeck::sim::SimConfig::default()
    })
    .await
    .unwrap()
}

/// Headless shipdeck on `ns` as `sim-operator`, its identity known (as SelfSubjectReview
/// would tell it).
pub async fn operator(sim: &SimHandle, ns: &str) -> Headless {
    let mut h = Headless::start(sim, ns, "").await;
    h.send(Event::Identity(shipdeck::domain::identity::Identity {
        username: "sim-operator".into(),
        source: shipdeck::domain::identity::IdentitySource::SelfSubjectReview,
    }));
    h
}

pub fn key(
    ns: &str,
    name: &str,
    kind: shipdeck::domain::rollout::ControllerKind,
) -> shipdeck::domain::rollout::RolloutKey {
    shipdeck::domain::rollout::RolloutKey {
        namespace: ns.into(),
        name: name.into(),
        kind,
    }
}
