//! `shipdeck check`: its arguments and its help (what each check means).

use clap::Args;

pub(super) const CHECK_ABOUT: &str = "The preflight before a maintenance window: \
everything shipdeck needs, checked in order against the cluster of --context (namespaces \
from -n / -A as for the UI), one line per check: a tick (OK) or a cross (FAIL) and the \
reason. Nothing is changed.";

pub(super) const CHECK_HELP: &str = "Checks, in order:
  config      the config file loads (else prometheus and audit are skipped)
  kubeconfig  the file, context, cluster and user resolved ($KUBECONFIG, --context)
  identity    who the API server says we are (SelfSubjectReview), or the kubeconfig user
              when it cannot say; an unreachable API server fails here
  crds        which of Argo Rollouts (rollouts, analysisruns.argoproj.io) and Flagger
              (canaries.flagger.app) are installed; only none of them and no readable
              Deployments fails
  rbac        SelfSubjectAccessReview for every verb an action needs, per namespace in
              scope (-A: cluster-wide), and which actions a denial refuses
  prometheus  [prometheus] url answers a query (not configured passes: metrics are off),
              then each query template returns data for every Argo rollout in flight
              (status.currentPodHash differs from status.stableRS)
  flags       [flags.flagd]: every flagd definition (ConfigMaps, FeatureFlags) in scope
              lists and validates (an invalid one fails: it cannot be toggled);
              [flags.unleash]: the server answers with the token and project
  audit       the audit file's folder can be created and the file opened for append
A check that cannot run (no cluster; API server or Prometheus unreachable) is one failed line.

Examples:
  shipdeck check --context prod -n casino-prod
  shipdeck check -A -o json | jq '.checks[] | select(.ok | not)'

Exit status: the number of failed checks (0: ready; at most 125); 2 when the command line
is wrong.";

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Report format: text (a line per check, then a summary) or json
    /// ({"checks":[{"name","ok","detail"},..],"failed":N}). Example: -o json
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT",
        value_enum,
        default_value_t
    )]
    pub output: CheckOutput,
}

/// How `shipdeck check` prints its report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckOutput {
    #[default]
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::CheckOutput;
    use crate::cli::{Cli, Command};

    #[test]
    fn check_parses_its_format_and_teaches_the_exit_status() {
        let parse = |args: &[&str]| Cli::try_parse_from(args.iter().copied());
        let c = parse(&["shipdeck", "-n", "a", "check", "-o", "json"]).unwrap();
        assert!(matches!(c.command, Some(Command::Check(a)) if a.output == CheckOutput::Json));
        let c = parse(&["shipdeck", "check"]).unwrap();
        assert!(matches!(c.command, Some(Command::Check(a)) if a.output == CheckOutput::Text));
        assert!(parse(&["shipdeck", "check", "-o", "yaml"]).is_err());
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("check")
            .unwrap()
            .render_long_help()
            .to_string();
        for word in [
            "kubeconfig",
            "identity",
            "crds",
            "rbac",
            "prometheus",
            "flags",
            "audit",
        ] {
            assert!(
                help.contains(&format!("  {word} ")),
                "{word} missing:\n{help}"
            );
        }
        assert!(help.contains("number of failed checks"), "{help}");
    }
}
