//! `shipdeck sim`: start the simulator, write its kubeconfig, serve until Ctrl-C.

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
            scale_rollouts: args.rollouts,
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
        println!(
            "shipdeck sim: serving {} (scenario {}: {} objects, {} loaded, speed {})",
            handle.url, args.scenario, handle.scenario_objects, handle.report.loaded, args.speed
        );
        println!("kubeconfig: {}", path.display());
        println!("contexts: sim-operator (current), sim-operator-2, sim-viewer, sim-restricted");
        println!("try: KUBECONFIG={} kubectl get rollouts -A", path.display());
        println!("Ctrl-C stops the simulator.");
        wait_for_stop().await;
        handle.stop().await;
        if args.kubeconfig_out.is_none() {
            let _ = std::fs::remove_file(&path);
        }
        ExitCode::SUCCESS
    })
}

async fn wait_for_stop() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
