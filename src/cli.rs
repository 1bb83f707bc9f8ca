//! The command line (clap). Parsing only; `runtime::startup` turns it into a session.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::scope::NamespaceScope;

mod check;
mod demo;

use check::{CHECK_ABOUT, CHECK_HELP};
pub use check::{CheckArgs, CheckOutput};
pub use demo::DemoArgs;
use demo::{DEMO_ABOUT, DEMO_HELP};

const ABOUT: &str = "A terminal cockpit for release operators: every rollout in flight, whether \
the new version is healthy, and safe one-key actions.";

const LONG_ABOUT: &str = "shipdeck shows every Argo Rollout, Flagger canary and Deployment in the \
chosen namespaces on one keyboard-driven screen, with the ones that need a human pinned on top.

It reads your kubeconfig like kubectl does: $KUBECONFIG (a list of files) or ~/.kube/config, \
the current context (or --context) and that context's namespace (or -n / -A). The UI runs in \
the alternate screen; logs go to a file, never to the terminal. Press ? inside for every key.";

const EXAMPLES: &str = "Examples:
  shipdeck demo                         try it: the embedded casino world, no cluster needed
  shipdeck                              the current context and its namespace
  shipdeck --context prod -n casino-prod -n casino-staging
  shipdeck -A --readonly                every namespace; no dangerous key works (war-room screen)
  shipdeck --theme high-contrast        or light, colorblind, or a path to a theme .toml
  shipdeck config validate ~/my.toml    check a config file (exit 0 or 2)
  shipdeck config show                  the effective configuration and where each value came from
  shipdeck check -n casino-prod         the preflight: exit status = number of failed checks

Files:
  config   --config, $SHIPDECK_CONFIG, $XDG_CONFIG_HOME/shipdeck/config.toml, ~/.config/shipdeck/config.toml
  log      [log] path, default $XDG_STATE_HOME/shipdeck/shipdeck.log (or --log-file)

Exit status: 0 on a clean exit, 2 on a bad command line, config or kubeconfig.";

#[derive(Debug, Clone, Parser)]
#[command(
    name = "shipdeck",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = false
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Kube context to use instead of the kubeconfig's current-context.
    /// Example: --context prod-eu
    #[arg(long, value_name = "NAME", global = true)]
    pub context: Option<String>,

    /// Namespace to watch; repeat for several. Default: the context's namespace (or
    /// `[contexts.<name>] namespaces` in the config, else "default").
    /// Example: -n casino-prod -n casino-staging
    #[arg(short = 'n', long = "namespace", value_name = "NS", global = true)]
    pub namespaces: Vec<String>,

    /// Watch every namespace. Example: -A
    #[arg(
        short = 'A',
        long = "all-namespaces",
        conflicts_with = "namespaces",
        global = true
    )]
    pub all_namespaces: bool,

    /// Config file to read instead of the default locations.
    /// Example: --config ./shipdeck.toml
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,

    /// Colour theme: default, light, high-contrast, colorblind, or a path to a theme file
    /// (which may say base = "default" and override some roles). NO_COLOR turns colour off.
    /// Example: --theme colorblind
    #[arg(long, value_name = "NAME|PATH", global = true)]
    pub theme: Option<String>,

    /// Read-only session: dangerous keys are hidden and refused, and the header shows [RO].
    /// Example: --readonly
    #[arg(long, global = true)]
    pub readonly: bool,

    /// Log file (default $XDG_STATE_HOME/shipdeck/shipdeck.log).
    /// Example: --log-file /tmp/shipdeck.log
    #[arg(long, value_name = "PATH", global = true)]
    pub log_file: Option<PathBuf>,

    /// Draw ASCII symbols only (automatic when the locale is not UTF-8). Example: --ascii
    #[arg(long, global = true)]
    pub ascii: bool,

    /// Panic right after the first frame (tests the terminal restore path).
    #[arg(long, hide = true)]
    pub debug_panic: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Check or show the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run the simulated cluster: a Kubernetes API server on 127.0.0.1 that kubectl and
    /// shipdeck use like a real cluster. Prints its URL and a kubeconfig path; runs until
    /// Ctrl-C.
    #[command(after_help = SIM_EXAMPLES)]
    Sim(SimArgs),
    /// The preflight before a maintenance window: kubeconfig, identity, CRDs, RBAC for
    /// every action, Prometheus and its templates, flag backends, the audit file. One line
    /// per check; the exit status is the number of failed checks.
    #[command(long_about = CHECK_ABOUT, after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// The whole product on the embedded casino world, in one command: a canary waiting for
    /// approval, a payments canary starting to regress, a blue-green waiting for
    /// promotion, flags to flip. No cluster needed.
    #[command(long_about = DEMO_ABOUT, after_help = DEMO_HELP)]
    Demo(DemoArgs),
}

const SIM_EXAMPLES: &str = "Examples:
  shipdeck sim                                      empty cluster on a free port
  shipdeck sim --listen 127.0.0.1:6443 --kubeconfig-out ./sim.kubeconfig
  shipdeck sim --load ../shared/fixtures/argo-rollouts/info-testdata
  KUBECONFIG=./sim.kubeconfig kubectl get rollouts -A

The kubeconfig has one context per identity: sim-operator (current; all rights),
sim-operator-2 (all rights), sim-viewer (read only), sim-restricted (read only, no
list/watch on analysisruns and canaries). Control API on the same URL:
GET /sim/v1/requests (every request answered), POST /sim/v1/faults (e.g.
{\"kind\":\"api-down\",\"duration\":\"8s\"}), DELETE /sim/v1/faults.";

#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Address to listen on; port 0 picks a free port. Example: --listen 127.0.0.1:6443
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,

    /// The world to simulate. Example: --scenario empty
    #[arg(long, value_name = "NAME", default_value = "empty")]
    pub scenario: String,

    /// Objects to load (YAML/JSON files or folders, multi-document), kept with their
    /// recorded status; repeatable. Example: --load ./recorded/
    #[arg(long, value_name = "PATH")]
    pub load: Vec<PathBuf>,

    /// Where to write the kubeconfig (default: a new temporary file). Example:
    /// --kubeconfig-out ./sim.kubeconfig
    #[arg(long, value_name = "PATH")]
    pub kubeconfig_out: Option<PathBuf>,

    /// Overwrite an existing --kubeconfig-out file. Example: --force
    #[arg(long)]
    pub force: bool,

    /// Clock speed: every scenario duration (pauses, intervals, story events) is divided by
    /// it; object timestamps stay wall-clock. Example: --speed 20
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub speed: f64,

    /// Seed for everything random (pod names, metric noise), for reproducible runs.
    /// Example: --seed 42
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,

    /// Run no simulated controllers: objects stay exactly as loaded or written (a plain
    /// API server). Example: --no-controllers
    #[arg(long)]
    pub no_controllers: bool,

    /// How many workloads the `scale` scenario creates (7 in 10 canary Rollouts, 2
    /// blue-green, 1 Deployment). Example: --rollouts 5000
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub rollouts: usize,

    /// Namespaces the `scale` scenario spreads them over. Example: --namespaces 20
    #[arg(long = "namespaces", value_name = "K", default_value_t = 10)]
    pub scale_namespaces: usize,

    /// Canaries of the `scale` scenario in flight, with traffic metrics. Example: --inflight 50
    #[arg(long, value_name = "M", default_value_t = 50)]
    pub inflight: usize,

    /// Status changes per second in the `scale` scenario (CPU measurements).
    /// Example: --churn 100
    #[arg(long, value_name = "EVENTS_PER_S", default_value_t = 0.0)]
    pub churn: f64,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ConfigCommand {
    /// Check a config file (its keys, types, theme and key bindings); exit 0 when valid,
    /// else print the file, line, column and key at fault and exit 2.
    /// Example: shipdeck config validate ~/.config/shipdeck/config.toml
    Validate {
        /// The file to check (default: the one shipdeck would read).
        path: Option<PathBuf>,
    },
    /// Print the effective configuration, each value with where it came from
    /// (default, the file and line, or a command-line flag).
    Show,
}

/// The namespaces in view: `-A`, else `-n`, else the config's list for the context, else
/// the context's namespace, else `default` (kubectl's rule).
pub fn resolve_namespaces(
    flags: &GlobalArgs,
    configured: &[String],
    context_namespace: Option<&str>,
) -> NamespaceScope {
    if flags.all_namespaces {
        NamespaceScope::All
    } else if !flags.namespaces.is_empty() {
        NamespaceScope::Some(flags.namespaces.clone())
    } else if !configured.is_empty() {
        NamespaceScope::Some(configured.to_vec())
    } else {
        NamespaceScope::Some(vec![context_namespace.unwrap_or("default").to_string()])
    }
}

/// Whether the locale promises UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as setlocale reads them).
pub fn locale_is_utf8(lc_all: Option<&str>, lc_ctype: Option<&str>, lang: Option<&str>) -> bool {
    let value = [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .unwrap_or("");
    let v = value.to_ascii_lowercase();
    v.contains("utf-8") || v.contains("utf8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("shipdeck").chain(args.iter().copied()))
    }

    #[test]
    fn the_cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_parse_and_conflict() {
        let c = parse(&["--context", "prod", "-n", "a", "-n", "b", "--readonly"]).unwrap();
        assert_eq!(c.global.context.as_deref(), Some("prod"));
        assert_eq!(c.global.namespaces, ["a", "b"]);
        assert!(c.global.readonly);
        assert!(parse(&["-A", "-n", "a"]).is_err());
        let c = parse(&["config", "validate", "x.toml"]).unwrap();
        assert!(matches!(
            c.command,
            Some(Command::Config(ConfigCommand::Validate { path: Some(_) }))
        ));
        assert!(parse(&["--bogus"]).is_err());
    }

    #[test]
    fn sim_scale_flags_do_not_collide_with_global_ones() {
        let c = parse(&[
            "-n",
            "a",
            "sim",
            "--scenario",
            "scale",
            "--rollouts",
            "20",
            "--namespaces",
            "3",
            "--inflight",
            "4",
            "--churn",
            "2.5",
        ])
        .unwrap();
        assert_eq!(c.global.namespaces, ["a"]);
        let Some(Command::Sim(args)) = c.command else {
            panic!("not sim: {:?}", c.command)
        };
        assert_eq!(
            (
                args.rollouts,
                args.scale_namespaces,
                args.inflight,
                args.churn
            ),
            (20, 3, 4, 2.5)
        );
    }

    #[test]
    fn help_explains_every_flag_with_an_example() {
        let help = Cli::command().render_long_help().to_string();
        for flag in [
            "--context",
            "--namespace",
            "--all-namespaces",
            "--config",
            "--theme",
            "--readonly",
            "--log-file",
            "--ascii",
        ] {
            let at = help.find(flag).unwrap_or_else(|| panic!("{flag} missing"));
            let section = &help[at..];
            let next = section[2..].find("\n  -").map_or(section.len(), |i| i + 2);
            assert!(
                section[..next].contains("Example"),
                "{flag} has no example:\n{}",
                &section[..next]
            );
        }
        assert!(!help.contains("--debug-panic"));
        assert!(help.contains("shipdeck config show"));
    }

    #[test]
    fn namespaces_follow_kubectl_rules() {
        let mut g = parse(&[]).unwrap().global;
        assert_eq!(
            resolve_namespaces(&g, &[], None),
            NamespaceScope::Some(vec!["default".into()])
        );
        assert_eq!(
            resolve_namespaces(&g, &[], Some("casino-prod")),
            NamespaceScope::Some(vec!["casino-prod".into()])
        );
        assert_eq!(
            resolve_namespaces(&g, &["x".into()], Some("casino-prod")),
            NamespaceScope::Some(vec!["x".into()])
        );
        g.namespaces = vec!["n".into()];
        assert_eq!(
            resolve_namespaces(&g, &["x".into()], None),
            NamespaceScope::Some(vec!["n".into()])
        );
        g.namespaces.clear();
        g.all_namespaces = true;
        assert_eq!(
            resolve_namespaces(&g, &["x".into()], None),
            NamespaceScope::All
        );
    }

    #[test]
    fn utf8_locale_detection() {
        assert!(locale_is_utf8(None, None, Some("en_US.UTF-8")));
        assert!(locale_is_utf8(Some("C.utf8"), None, Some("C")));
        assert!(!locale_is_utf8(Some("C"), None, Some("en_US.UTF-8")));
        assert!(!locale_is_utf8(None, None, None));
        assert!(locale_is_utf8(Some(""), Some("de_DE.UTF-8"), None));
    }
}
