//! `shipdeck sim`: start the simulator, write its kubeconfig, serve until Ctrl-C.

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::SimArgs;
use crate::sim::{self, SimConfig, kubeconfig};

pub fn run(args: SimArgs) -> ExitCode {
    let rt = match super::tokio_runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("shipdeck sim: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let stop = StopSignals::install();
        let path = args.kubeconfig_out.clone().unwrap_or_else(kubeconfig::temp_path);
        if path.exists() && !args.force {
            eprintln!(
                "shipdeck sim: {} exists; pass --force to overwrite it, or choose another --kubeconfig-out",
                path.display()
            );
            return ExitCode::from(2);
        }
        let cfg = SimConfig {
            listen: args.listen,
            scenario: args.scenario.clone(),
            load: args.load.clone(),
            speed: args.speed,
            seed: args.seed,
            controllers: !args.no_controllers,
            scale: crate::sim::scenario::ScaleOptions {
                rollouts: args.rollouts,
                namespaces: args.scale_namespaces,
                inflight: args.inflight,
                churn: args.churn,
            },
            ..SimConfig::default()
        };
        let handle = match sim::start(cfg).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("shipdeck sim: {e}");
                return ExitCode::from(2);
            }
        };
        for w in &handle.report.warnings {
            eprintln!("shipdeck sim: warning: {w}");
        }
        let text = handle.kubeconfig("sim-operator", handle.namespace);
        if let Err(e) = kubeconfig::write(&path, &text, args.force) {
            eprintln!("shipdeck sim: {e}");
            handle.stop().await;
            return ExitCode::from(2);
        }
        // Whoever reads stdout may go away (`| head -1`): the banner is best effort, the
        // simulator keeps serving until it is told to stop.
        let mut out = std::io::stdout().lock();
        let shown = path.display();
        let _ = writeln!(
            out,
            "shipdeck sim: serving {} (scenario {}: {} objects, {} loaded, speed {})\n\
             kubeconfig: {shown}\n\
             contexts: sim-operator (current), sim-operator-2, sim-viewer, sim-restricted\n\
             try: KUBECONFIG={shown} kubectl get rollouts -A\n\
             Ctrl-C stops the simulator.",
            handle.url, args.scenario, handle.scenario_objects, handle.report.loaded, args.speed
        );
        let _ = out.flush();
        drop(out);
        stop.wait().await;
        handle.stop().await;
        if args.kubeconfig_out.is_none() {
            let _ = std::fs::remove_file(&path);
        }
        ExitCode::SUCCESS
    })
}

/// SIGTERM and SIGINT, listened for from before the simulator starts (so a stop that
/// comes early is not the default "killed by signal").
struct StopSignals(Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>);

impl StopSignals {
    fn install() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        Self(
            signal(SignalKind::terminate())
                .ok()
                .zip(signal(SignalKind::interrupt()).ok()),
        )
    }

    async fn wait(self) {
        match self.0 {
            Some((mut term, mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}
