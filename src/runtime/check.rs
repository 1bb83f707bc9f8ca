//! `shipdeck check`: the preflight before a maintenance window. The checks run in order,
//! each becoming one or more [`Check`] lines: config, kubeconfig, identity, crds, rbac,
//! prometheus, flags, audit. A group that cannot run (no cluster, the API server
//! unreachable, a config that does not load) is one failed line saying why. Nothing is
//! changed anywhere: the audit check opens the file for append and closes it (and removes
//! it again if it did not exist). The report goes to stdout; tracing to the log file.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use crate::adapters::kube::identity::{WhoAmI, whoami};
use crate::adapters::kube::{self as kube_adapter, KubeTarget};
use crate::adapters::log;
use crate::cli::{CheckArgs, CheckOutput, GlobalArgs, locale_is_utf8, resolve_namespaces};
use crate::config::{ConfigError, EnvLookup};
use crate::domain::scope::NamespaceScope;
use crate::theme::ColorDepth;

use super::startup::{self, Prepared};
use super::{session, tokio_runtime};

#[path = "check_cluster.rs"]
mod cluster;
#[path = "check_flags.rs"]
mod flags;
#[path = "check_prom.rs"]
mod prom;
#[path = "check_report.rs"]
pub mod report;

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

impl Check {
    pub fn pass(name: &str, detail: impl Into<String>) -> Self {
        Self {
            name: name.to_string(),
            ok: true,
            detail: detail.into(),
        }
    }

    pub fn fail(name: &str, detail: impl Into<String>) -> Self {
        Self {
            name: name.to_string(),
            ok: false,
            detail: detail.into(),
        }
    }
}

/// How long the API server may take to say who we are.
const IDENTITY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long any other request to the API server may take.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// The cluster the checks ask, or why they cannot.
pub(crate) type Cluster<'a> = Result<(&'a kube::Client, &'a NamespaceScope), &'a str>;

/// Runs `shipdeck check`: prints the report and exits with the number of failed checks.
pub fn main(flags: &GlobalArgs, args: &CheckArgs, env: &EnvLookup) -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let prepared = startup::prepare(flags, None, env, ColorDepth::TrueColor);
    if let Ok(p) = &prepared
        && let Some(path) = &p.log_path
        && let Err(e) = log::init(path, &p.loaded.config.log.level)
    {
        eprintln!("shipdeck: warning: {e}; continuing without a log file");
    }
    let var = |k: &str| std::env::var(k).ok();
    let ascii = prepared
        .as_ref()
        .map_or(flags.ascii, |p| p.loaded.config.ui.ascii)
        || !locale_is_utf8(
            var("LC_ALL").as_deref(),
            var("LC_CTYPE").as_deref(),
            var("LANG").as_deref(),
        );
    let rt = match tokio_runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("shipdeck: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let kubeconfig_env = std::env::var_os("KUBECONFIG");
    let checks = rt.block_on(collect(flags, &prepared, kubeconfig_env, env));
    let failed = report::failed(&checks);
    tracing::info!(checks = checks.len(), failed, "check done");
    let text = match args.output {
        CheckOutput::Text => report::text(&checks, ascii),
        CheckOutput::Json => format!("{}\n", report::json(&checks)),
    };
    // Not print!: a closed pipe (`| head`) must not panic.
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        tracing::warn!(error = %e, "cannot print the report");
    }
    ExitCode::from(report::exit_status(&checks))
}

/// Every check, in order.
async fn collect(
    flags: &GlobalArgs,
    prepared: &Result<Prepared, ConfigError>,
    kubeconfig_env: Option<OsString>,
    env: &EnvLookup,
) -> Vec<Check> {
    let mut out = vec![config_line(prepared)];
    let prepared = prepared.as_ref().ok();
    let target = kube_adapter::resolve(
        kubeconfig_env.as_ref(),
        env.home.as_ref(),
        flags.context.as_deref(),
    );
    let mut client = Err("skipped: no cluster".to_string());
    let mut scope = NamespaceScope::Some(Vec::new());
    match &target {
        Ok(t) => {
            let configured = prepared
                .and_then(|p| p.loaded.config.contexts.get(&t.context))
                .map(|c| c.namespaces.clone())
                .unwrap_or_default();
            scope = resolve_namespaces(flags, &configured, t.namespace.as_deref());
            out.push(Check::pass("kubeconfig", describe_target(t, &scope)));
            let (line, c) = identity(t).await;
            out.push(line);
            client = c;
        }
        Err(e) => {
            out.push(Check::fail("kubeconfig", e.to_string()));
            out.push(Check::fail("identity", "skipped: no cluster"));
        }
    }
    let cluster: Cluster<'_> = match &client {
        Ok(c) => Ok((c, &scope)),
        Err(reason) => Err(reason),
    };
    match cluster {
        Ok((c, s)) => {
            out.push(cluster::crds(c, s).await);
            out.extend(cluster::rbac(c, s).await);
        }
        Err(reason) => {
            out.push(Check::fail("crds", reason));
            out.push(Check::fail("rbac", reason));
        }
    }
    const NO_CONFIG: &str = "skipped: the config does not load";
    match prepared {
        Some(p) => out.extend(prom::checks(&p.loaded.config, cluster).await),
        None => out.push(Check::fail("prometheus", NO_CONFIG)),
    }
    match prepared {
        Some(p) => out.extend(flags::checks(&p.loaded.config, cluster).await),
        None => out.push(Check::fail("flags", NO_CONFIG)),
    }
    out.push(match prepared {
        Some(p) => audit(&p.audit_path),
        None => Check::fail("audit", NO_CONFIG),
    });
    for c in &out {
        tracing::info!(name = %c.name, ok = c.ok, detail = %c.detail, "check");
    }
    out
}

fn config_line(prepared: &Result<Prepared, ConfigError>) -> Check {
    match prepared {
        Ok(p) => Check::pass(
            "config",
            match &p.loaded.file {
                Some((path, via)) => format!("{} (found via {})", path.display(), via.label()),
                None => "no config file; the built-in defaults".to_string(),
            },
        ),
        Err(e) => Check::fail("config", e.to_string()),
    }
}

/// `context dev of ~/.kube/config: cluster c1 at https://…, user alice; namespaces casino-prod`.
fn describe_target(t: &KubeTarget, scope: &NamespaceScope) -> String {
    let files = t
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let cluster = t
        .kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == t.context)
        .and_then(|c| c.context.as_ref())
        .map_or_else(|| "?".to_string(), |c| c.cluster.clone());
    let ns = match scope {
        NamespaceScope::All => "all namespaces".to_string(),
        NamespaceScope::Some(list) => format!("namespaces {}", list.join(", ")),
    };
    format!(
        "context {} of {files}: cluster {cluster} at {}, user {}; {ns}",
        t.context, t.cluster_url, t.user
    )
}

/// Who the API server says we are, and the client for the other checks (or why not).
async fn identity(t: &KubeTarget) -> (Check, Result<kube::Client, String>) {
    let client = match session::client_for(t).await {
        Ok(c) => c,
        Err(e) => {
            let line = Check::fail("identity", format!("cannot connect: {e}"));
            return (line, Err("skipped: no client for the cluster".to_string()));
        }
    };
    match whoami(client.clone(), &t.user, IDENTITY_TIMEOUT).await {
        WhoAmI::Known(id) => (
            Check::pass("identity", format!("{} (SelfSubjectReview)", id.username)),
            Ok(client),
        ),
        WhoAmI::Unsupported(id) => (
            Check::pass(
                "identity",
                format!(
                    "{} (the kubeconfig user: this API server has no SelfSubjectReview)",
                    id.username
                ),
            ),
            Ok(client),
        ),
        WhoAmI::Unreachable { reason, .. } => {
            // The review's error names the layer (`client error (Connect)`); the root cause
            // (`Connection refused`) is further down its chain.
            let probe = tokio::time::timeout(CALL_TIMEOUT, client.apiserver_version()).await;
            let reason = match probe {
                Ok(Err(e)) => chain(&e),
                _ => reason,
            };
            (
                Check::fail(
                    "identity",
                    format!("API server {} unreachable: {reason}", t.cluster_url),
                ),
                Err("skipped: API server unreachable".to_string()),
            )
        }
    }
}

/// An error and its sources, each once: `client error (Connect): Connection refused`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(s) = next {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = s.source();
    }
    parts.join(": ")
}

/// Whether the audit file can be appended to: its folder created, the file opened for
/// append (created if missing, then removed again). Nothing is written.
fn audit(path: &Path) -> Check {
    match audit_writable(path) {
        Ok(()) => Check::pass(
            "audit",
            format!("{} can be opened for append", path.display()),
        ),
        Err(e) => Check::fail("audit", format!("{}: {e}", path.display())),
    }
}

fn audit_writable(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
    }
    let mut new = OpenOptions::new();
    new.append(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut new, 0o600);
    match new.open(path) {
        Ok(file) => {
            drop(file);
            std::fs::remove_file(path).map_err(|e| format!("cannot remove the test file: {e}"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => OpenOptions::new()
            .append(true)
            .open(path)
            .map(drop)
            .map_err(|e| format!("cannot open for append: {e}")),
        Err(e) => Err(format!("cannot create: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_check_leaves_no_trace_and_names_the_os_error() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("state/shipdeck/audit.jsonl");
        assert!(audit(&fresh).ok, "{:?}", audit(&fresh));
        assert!(!fresh.exists(), "a file the check created is removed again");
        assert!(fresh.parent().unwrap().is_dir());

        let existing = dir.path().join("audit.jsonl");
        std::fs::write(&existing, "{\"entry\":1}\n").unwrap();
        assert!(audit(&existing).ok);
        assert_eq!(
            std::fs::read_to_string(&existing).unwrap(),
            "{\"entry\":1}\n"
        );

        let under_a_file = existing.join("audit.jsonl");
        let c = audit(&under_a_file);
        assert!(!c.ok);
        assert!(c.detail.contains("cannot create the folder"), "{c:?}");
        assert!(c.detail.contains("os error"), "{c:?}");
    }

    #[test]
    fn an_error_chain_names_each_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("client error (Connect)")]
        struct Outer(#[source] std::io::Error);
        let e = Outer(std::io::Error::other("Connection refused"));
        assert_eq!(chain(&e), "client error (Connect): Connection refused");
    }
}
