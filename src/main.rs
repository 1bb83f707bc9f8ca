//! The `shipdeck` binary: parse the command line, validate everything that can be checked
//! before the terminal is touched (exit 2 with one named error), ask the cluster who we are
//! (before raw mode, so exec auth plugins can prompt), then run the UI.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use shipdeck::adapters::{clock, kube as kube_adapter, log};
use shipdeck::cli::{Cli, Command, ConfigCommand};
use shipdeck::config::EnvLookup;
use shipdeck::runtime::{self, startup};
use shipdeck::theme::ColorDepth;

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
        Some(Command::Demo(args)) => return runtime::demo::main(&cli.global, args, &env),
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
    runtime::app::install_panic_hook(None);
    let rt = match runtime::tokio_runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("shipdeck: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(runtime::app::run_session(runtime::app::SessionSetup {
        global: cli.global,
        prepared,
        target,
        depth,
        stderr_to,
        clock: clock::Clock::Wall,
        banner: None,
        first_run_hint: false,
    }))
}
