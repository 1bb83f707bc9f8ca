//! Connecting a session: the header's info from the kubeconfig target, and who we are.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::adapters::kube::KubeTarget;
use crate::adapters::kube::identity::{WhoAmI, whoami};
use crate::cli::{GlobalArgs, resolve_namespaces};
use crate::config::ContextConfig;
use crate::state::{Event, SessionInfo};

/// How long the first identity request may take before the UI starts without it.
pub const FIRST_IDENTITY_TIMEOUT: Duration = Duration::from_secs(3);
const RETRY_EVERY: Duration = Duration::from_secs(10);

pub fn info_for(
    target: &KubeTarget,
    flags: &GlobalArgs,
    contexts: &BTreeMap<String, ContextConfig>,
) -> SessionInfo {
    let ctx_cfg = contexts.get(&target.context).cloned().unwrap_or_default();
    SessionInfo {
        context: target.context.clone(),
        cluster_url: target.cluster_url.clone(),
        namespaces: resolve_namespaces(flags, &ctx_cfg.namespaces, target.namespace.as_deref()),
        context_read_only: ctx_cfg.read_only,
        kube_user: target.user.clone(),
    }
}

/// Builds a client for the target; `None` (with the reason logged) when it cannot be built.
pub async fn client_for(target: &KubeTarget) -> Result<kube::Client, String> {
    let cfg = target.client_config().await.map_err(|e| e.to_string())?;
    kube::Client::try_from(cfg).map_err(|e| e.to_string())
}

/// Asks the API server who we are until it answers (or says it cannot), then reports.
pub async fn identify_in_background(target: KubeTarget, user: String, events: mpsc::Sender<Event>) {
    loop {
        match client_for(&target).await {
            Ok(client) => match whoami(client, &user, FIRST_IDENTITY_TIMEOUT).await {
                WhoAmI::Known(id) | WhoAmI::Unsupported(id) => {
                    let _ = events.send(Event::Identity(id)).await;
                    return;
                }
                WhoAmI::Unreachable { reason, .. } => {
                    tracing::info!(%reason, "identity: API server not reachable yet");
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "identity: cannot build a client");
                return;
            }
        }
        tokio::time::sleep(RETRY_EVERY).await;
        if events.is_closed() {
            return;
        }
    }
}
