//! Kubeconfig resolution as kubectl does it: `$KUBECONFIG` (a list of files, merged, the
//! first to set a value wins; missing entries skipped) or `~/.kube/config`; the context from
//! `--context` or `current-context`; its namespace as the default namespace.
//!
//! Every problem becomes one line saying where we looked, what is wrong, and that
//! `shipdeck demo` works without a cluster.

use std::ffi::OsString;
use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};

/// What shipdeck connects to, resolved from the kubeconfig.
#[derive(Debug, Clone)]
pub struct KubeTarget {
    pub kubeconfig: Kubeconfig,
    pub paths: Vec<PathBuf>,
    pub context: String,
    pub cluster_url: String,
    /// The context's namespace, if it names one.
    pub namespace: Option<String>,
    /// The kubeconfig user of the context.
    pub user: String,
    /// Every context name, for `:ctx`.
    pub contexts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KubeconfigProblem {
    #[error(
        "no kubeconfig found (looked in {looked}); set KUBECONFIG or create ~/.kube/config, or try `shipdeck demo`"
    )]
    NotFound { looked: String },
    #[error(
        "kubeconfig {path} is not valid: {reason}; fix it or point KUBECONFIG elsewhere, or try `shipdeck demo`"
    )]
    Invalid { path: String, reason: String },
    #[error(
        "context `{name}` is not in the kubeconfig ({path}); its contexts are: {available}; or try `shipdeck demo`"
    )]
    UnknownContext {
        name: String,
        path: String,
        available: String,
    },
    #[error(
        "kubeconfig {path} has no current-context; pass --context NAME (contexts: {available}), or try `shipdeck demo`"
    )]
    NoCurrentContext { path: String, available: String },
    #[error("context `{name}` in {path} is incomplete: {reason}; or try `shipdeck demo`")]
    Incomplete {
        name: String,
        path: String,
        reason: String,
    },
}

/// The files kubectl would read: the entries of `$KUBECONFIG`, else `~/.kube/config`.
pub fn candidate_paths(kubeconfig_env: Option<&OsString>, home: Option<&PathBuf>) -> Vec<PathBuf> {
    match kubeconfig_env {
        Some(v) if !v.is_empty() => std::env::split_paths(v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        _ => home
            .map(|h| vec![h.join(".kube").join("config")])
            .unwrap_or_default(),
    }
}

/// Reads and merges the kubeconfig files and picks the context.
pub fn resolve(
    kubeconfig_env: Option<&OsString>,
    home: Option<&PathBuf>,
    context: Option<&str>,
) -> Result<KubeTarget, KubeconfigProblem> {
    let candidates = candidate_paths(kubeconfig_env, home);
    let looked = if candidates.is_empty() {
        "$KUBECONFIG and ~/.kube/config (HOME is not set)".to_string()
    } else {
        let list = join_paths(&candidates);
        if kubeconfig_env.is_some_and(|v| !v.is_empty()) {
            format!("$KUBECONFIG: {list}")
        } else {
            list
        }
    };
    let paths: Vec<PathBuf> = candidates.into_iter().filter(|p| p.is_file()).collect();
    if paths.is_empty() {
        return Err(KubeconfigProblem::NotFound { looked });
    }
    let mut merged = Kubeconfig::default();
    for p in &paths {
        let one = Kubeconfig::read_from(p).map_err(|e| KubeconfigProblem::Invalid {
            path: p.display().to_string(),
            reason: one_line(&e.to_string()),
        })?;
        merged = merged.merge(one).map_err(|e| KubeconfigProblem::Invalid {
            path: p.display().to_string(),
            reason: one_line(&e.to_string()),
        })?;
    }
    pick(merged, paths, context)
}

/// Picks the context (`--context`, else `current-context`) of a merged kubeconfig.
fn pick(
    merged: Kubeconfig,
    paths: Vec<PathBuf>,
    context: Option<&str>,
) -> Result<KubeTarget, KubeconfigProblem> {
    let path_label = join_paths(&paths);
    let contexts: Vec<String> = merged.contexts.iter().map(|c| c.name.clone()).collect();
    let available = if contexts.is_empty() {
        "none".to_string()
    } else {
        contexts.join(", ")
    };
    let Some(name) = context
        .map(str::to_string)
        .or_else(|| merged.current_context.clone().filter(|c| !c.is_empty()))
    else {
        return Err(KubeconfigProblem::NoCurrentContext {
            path: path_label,
            available,
        });
    };
    let Some(ctx) = merged.contexts.iter().find(|c| c.name == name) else {
        return Err(KubeconfigProblem::UnknownContext {
            name,
            path: path_label,
            available,
        });
    };
    let incomplete = |reason: String| KubeconfigProblem::Incomplete {
        name: name.clone(),
        path: path_label.clone(),
        reason,
    };
    let c = ctx
        .context
        .clone()
        .ok_or_else(|| incomplete("it has no context body".into()))?;
    let server = merged
        .clusters
        .iter()
        .find(|cl| cl.name == c.cluster)
        .ok_or_else(|| incomplete(format!("cluster `{}` is not defined", c.cluster)))?
        .cluster
        .as_ref()
        .and_then(|cl| cl.server.clone())
        .ok_or_else(|| incomplete(format!("cluster `{}` has no server URL", c.cluster)))?;
    Ok(KubeTarget {
        context: name.clone(),
        cluster_url: server,
        namespace: c.namespace.clone().filter(|n| !n.is_empty()),
        user: c.user.clone().unwrap_or_else(|| "(no user)".to_string()),
        contexts,
        paths,
        kubeconfig: merged,
    })
}

impl KubeTarget {
    /// Builds the kube client config for this target (reads certificates, runs nothing).
    pub async fn client_config(&self) -> Result<kube::Config, KubeconfigProblem> {
        let opts = KubeConfigOptions {
            context: Some(self.context.clone()),
            ..KubeConfigOptions::default()
        };
        let mut config = kube::Config::from_custom_kubeconfig(self.kubeconfig.clone(), &opts)
            .await
            .map_err(|e| KubeconfigProblem::Invalid {
                path: join_paths(&self.paths),
                reason: format!("context `{}`: {}", self.context, one_line(&e.to_string())),
            })?;
        // kube retries 429/503/504 up to 15 times (backoff up to 1000 s) by default. shipdeck
        // must never send an action twice (a 504 may have been applied) nor hang during an
        // outage: watchers back off on their own and failures are shown to the operator.
        config.default_retry = false;
        Ok(config)
    }

    /// The same kubeconfig with another context selected.
    pub fn with_context(&self, name: &str) -> Result<KubeTarget, KubeconfigProblem> {
        pick(self.kubeconfig.clone(), self.paths.clone(), Some(name))
    }
}

fn join_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
