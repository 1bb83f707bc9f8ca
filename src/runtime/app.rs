//! One UI session against one kubeconfig target: the identity question, the state, the
//! executor and the loop. `shipdeck` and `shipdeck demo` both end up here, so the demo runs
//! exactly the code path of a real cluster.

use std::process::ExitCode;

use tokio::sync::mpsc;

use super::startup::Prepared;
use super::{Executor, Launch, session};
use crate::adapters::clock::Clock;
use crate::adapters::kube::KubeTarget;
use crate::adapters::kube::identity::{WhoAmI, whoami};
use crate::adapters::terminal;
use crate::cli::{GlobalArgs, locale_is_utf8};
use crate::state::{AppState, Event, Session, update};
use crate::theme::{self, ColorDepth};

/// Everything a session needs that was settled before the terminal is touched.
pub struct SessionSetup {
    pub global: GlobalArgs,
    pub prepared: Prepared,
    pub target: KubeTarget,
    pub depth: ColorDepth,
    pub stderr_to: Option<std::fs::File>,
    /// Where ticks read the time (the wall clock outside the frozen demo).
    pub clock: Clock,
    /// A label the header shows next to the name (the demo says what it is).
    pub banner: Option<String>,
    /// Show "press ? for keys" until the first key.
    pub first_run_hint: bool,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Runs the UI until quit; the terminal is restored on every path.
pub async fn run_session(setup: SessionSetup) -> ExitCode {
    let SessionSetup {
        global,
        prepared,
        target,
        depth,
        stderr_to,
        clock,
        banner,
        first_run_hint,
    } = setup;
    let client = match session::client_for(&target).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("shipdeck: {e}");
            return ExitCode::from(2);
        }
    };
    // Before raw mode: an exec auth plugin may prompt on this terminal.
    let who = whoami(client, &target.user, session::FIRST_IDENTITY_TIMEOUT).await;
    tracing::info!(context = %target.context, server = %target.cluster_url, identity = ?who, "session");

    let config = &prepared.loaded.config;
    let (metrics_settings, metrics_exec) = match super::metrics::setup(config) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("shipdeck: {e}");
            return ExitCode::from(2);
        }
    };
    let info = session::info_for(&target, &global, &config.contexts);
    let sess = Session::new(info, target.contexts.clone(), global.readonly);
    let mut state = AppState::new(sess, prepared.keymap.clone(), clock.now());
    state.set_metrics(metrics_settings);
    state.clock_stopped = matches!(clock, Clock::Stopped(_));
    state.set_safety(crate::state::safety::SafetySettings::from_config(config));
    state.flags.configured = config.flags.flagd.enabled || !config.flags.unleash.url.is_empty();
    state.flags.platform_flag = config.platform.read_only_flag.clone();
    state.flags.critical = config.flags.critical.clone();
    state.ascii = config.ui.ascii
        || !locale_is_utf8(
            var("LC_ALL").as_deref(),
            var("LC_CTYPE").as_deref(),
            var("LANG").as_deref(),
        );
    state.theme_name = prepared.theme.name.clone();
    state.words.themes = theme::EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
    state.banner = banner;
    state.first_run_hint = first_run_hint;
    let (tx, rx) = mpsc::channel::<Event>(1024);
    if !config.flags.unleash.url.trim().is_empty() {
        // Detached: it ends when the loop's receiver is gone.
        drop(super::flags::poll_unleash(
            config.flags.unleash.clone(),
            tx.clone(),
        ));
    }
    match &who {
        WhoAmI::Known(id) | WhoAmI::Unsupported(id) => {
            update(&mut state, Event::Identity(id.clone()));
        }
        WhoAmI::Unreachable { reason, .. } => {
            tracing::warn!(%reason, "API server not reachable; starting anyway");
            let (t, user, events) = (target.clone(), target.user.clone(), tx.clone());
            tokio::spawn(async move { session::identify_in_background(t, user, events).await });
        }
    }
    let mut launch = Launch {
        state,
        theme: prepared.theme,
        executor: Executor {
            events: tx,
            target,
            contexts: config.contexts.clone(),
            flags: global.clone(),
            depth,
            watch: None,
            detail: None,
            new_theme: None,
            metrics: metrics_exec,
            actions: super::actions::ActionsExec::new(prepared.audit_path.clone()),
            flagd: config.flags.flagd.enabled.then_some(None),
            unleash: config.flags.unleash.clone(),
            quit: false,
        },
        events: rx,
        refresh: config.ui.refresh.0,
        max_fps: config.ui.max_fps,
        debug_panic: global.debug_panic,
        stderr_to,
        clock,
    };
    let start = crate::state::start(&mut launch.state);
    let read_only = launch.state.session.is_read_only();
    launch.executor.dispatch(start, read_only);
    match super::run(launch).await {
        Ok(exit) => {
            tracing::info!(?exit, "bye");
            ExitCode::SUCCESS
        }
        Err(e) => {
            terminal::restore();
            eprintln!("shipdeck: terminal error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Cleanup that must run even when a task panics (the demo's temporary files and
/// processes).
pub type PanicCleanup = Box<dyn Fn() + Send + Sync>;

/// On any panic, in any task: restore the terminal first, run `cleanup`, then print the
/// report on the normal screen, log it, and exit (a UI with a dead task must not carry on).
pub fn install_panic_hook(cleanup: Option<PanicCleanup>) {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default().into_hooks();
    let _ = eyre_hook.install();
    let panic_hook = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        terminal::restore();
        if let Some(c) = &cleanup {
            c();
        }
        tracing::error!("panic: {info}");
        panic_hook(info);
        std::process::exit(101);
    }));
}
