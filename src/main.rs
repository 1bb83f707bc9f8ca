//! The `shipdeck` binary: parse the command line, validate everything that can be checked
//! before the terminal is touched (exit 2 with one named error), ask the cluster who we are
//! (before raw mode, so exec auth plugins can prompt), then run the UI.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use shipdeck::adapters::kube::identity::{WhoAmI, whoami};
use shipdeck::adapters::{clock, kube as kube_adapter, log, terminal};
use shipdeck::cli::{Cli, Command, ConfigCommand, locale_is_utf8};
use shipdeck::config::EnvLookup;
use shipdeck::runtime::{self, Executor, Launch, session, startup};
use shipdeck::state::{AppState, Event, Session, update};
use shipdeck::theme::{self, ColorDepth};
use tokio::sync::mpsc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = EnvLookup::from_process();
    let outcome = match &cli.command {
        Some(Command::Config(ConfigCommand::Validate { path })) => {
            startup::validate(&cli.global, path.as_deref(), &env).map(|msg| println!("{msg}"))
        }
        Some(Command::Config(ConfigCommand::Show)) => {
            startup::show(&cli.global, &env).map(|text| print!("{text}"))
        }
        Some(Command::Sim(args)) => return runtime::simulate::run(args.clone()),
        Some(Command::Check(args)) => return runtime::check::main(&cli.global, args, &env),
        None => return run_ui(cli, env),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(&e),
    }
}

fn usage_error(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("shipdeck: {e}");
    ExitCode::from(2)
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn run_ui(cli: Cli, env: EnvLookup) -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let depth = ColorDepth::detect(var("NO_COLOR").as_deref(), var("COLORTERM").as_deref());
    let prepared = match startup::prepare(&cli.global, None, &env, depth) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let kubeconfig_env: Option<OsString> = std::env::var_os("KUBECONFIG");
    let home: Option<PathBuf> = env.home.clone();
    let target = match kube_adapter::resolve(
        kubeconfig_env.as_ref(),
        home.as_ref(),
        cli.global.context.as_deref(),
    ) {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let stderr_to = prepared.log_path.as_ref().and_then(|p| {
        log::init(p, &prepared.loaded.config.log.level)
            .map_err(|e| eprintln!("shipdeck: warning: {e}; continuing without a log file"))
            .ok()
    });
    install_panic_hook();
    let rt = match runtime::tokio_runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("shipdeck: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let client = match session::client_for(&target).await {
            Ok(c) => c,
            Err(e) => return usage_error(&e),
        };
        // Before raw mode: an exec auth plugin may prompt on this terminal.
        let who = whoami(client, &target.user, session::FIRST_IDENTITY_TIMEOUT).await;
        tracing::info!(context = %target.context, server = %target.cluster_url, identity = ?who, "session");

        let config = &prepared.loaded.config;
        let (metrics_settings, metrics_exec) = match runtime::metrics::setup(config) {
            Ok(m) => m,
            Err(e) => return usage_error(&e),
        };
        let info = session::info_for(&target, &cli.global, &config.contexts);
        let sess = Session::new(info, target.contexts.clone(), cli.global.readonly);
        let mut state = AppState::new(sess, prepared.keymap.clone(), clock::now());
        state.set_metrics(metrics_settings);
        state.set_safety(shipdeck::state::safety::SafetySettings::from_config(config));
        state.flags.configured = config.flags.flagd.enabled || !config.flags.unleash.url.is_empty();
        state.flags.platform_flag = config.platform.read_only_flag.clone();
        state.flags.critical = config.flags.critical.clone();
        state.ascii = config.ui.ascii
            || !locale_is_utf8(var("LC_ALL").as_deref(), var("LC_CTYPE").as_deref(), var("LANG").as_deref());
        state.theme_name = prepared.theme.name.clone();
        state.words.themes = theme::EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
        let (tx, rx) = mpsc::channel::<Event>(1024);
        if !config.flags.unleash.url.trim().is_empty() {
            // Detached: it ends when the loop's receiver is gone.
            drop(runtime::flags::poll_unleash(config.flags.unleash.clone(), tx.clone()));
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
        let launch = Launch {
            state,
            theme: prepared.theme,
            executor: Executor {
                events: tx,
                target,
                contexts: config.contexts.clone(),
                flags: cli.global.clone(),
                depth,
                watch: None,
                detail: None,
                new_theme: None,
                metrics: metrics_exec,
                actions: shipdeck::runtime::actions::ActionsExec::new(prepared.audit_path.clone()),
                flagd: config.flags.flagd.enabled.then_some(None),
                unleash: config.flags.unleash.clone(),
                quit: false,
            },
            events: rx,
            refresh: config.ui.refresh.0,
            max_fps: config.ui.max_fps,
            debug_panic: cli.global.debug_panic,
            stderr_to,
        };
        let mut launch = launch;
        let start = shipdeck::state::start(&mut launch.state);
        let read_only = launch.state.session.is_read_only();
        launch.executor.dispatch(start, read_only);
        match runtime::run(launch).await {
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
    })
}

/// On any panic, in any task: restore the terminal first, then print the report on the
/// normal screen, log it, and exit (a UI with a dead task must not carry on).
fn install_panic_hook() {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default().into_hooks();
    let _ = eyre_hook.install();
    let panic_hook = panic_hook.into_panic_hook();
    std::panic::set_hook(Box::new(move |info| {
        terminal::restore();
        tracing::error!("panic: {info}");
        panic_hook(info);
        std::process::exit(101);
    }));
}
