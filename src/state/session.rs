//! What the header shows: where we are connected, as whom, and how fresh each source is.

use chrono::{DateTime, Utc};

use crate::domain::identity::Identity;
use crate::domain::scope::NamespaceScope;

/// Why the session is read-only. The flag and the palette are sticky; a context's config
/// applies only while that context is active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOnlyReason {
    Flag,
    Context(String),
    Palette,
}

/// The connection as resolved from the kubeconfig.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    pub context: String,
    pub cluster_url: String,
    pub namespaces: NamespaceScope,
    /// Set when `[contexts.<name>] read_only = true` applies.
    pub context_read_only: bool,
    /// The kubeconfig user; shown until the API server says who we are.
    pub kube_user: String,
}

/// The state of one data source, for the header's freshness slot.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceState {
    /// Not part of this session (not configured, or not built yet).
    Off,
    Connecting,
    Live {
        since: DateTime<Utc>,
    },
    /// Failing since `since`; the watcher keeps reconnecting (`retries` attempts so far).
    Stale {
        since: DateTime<Utc>,
        retries: u32,
    },
    /// RBAC refuses it: what was refused (`list canaries`).
    Forbidden(String),
    /// The kind's API is not served (its CRD is not installed); not retried.
    NotInstalled(String),
}

impl SourceState {
    /// Whether rows from this source may be out of date.
    pub fn is_stale(&self) -> bool {
        matches!(self, Self::Stale { .. } | Self::Forbidden(_))
    }
}

/// The data sources of a session, as the header names them.
pub const SOURCES: [&str; 5] = ["rollouts", "canaries", "deployments", "metrics", "flags"];

#[derive(Debug, Clone, PartialEq)]
pub struct SourceSlot {
    pub name: &'static str,
    pub state: SourceState,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub info: SessionInfo,
    pub identity: Option<Identity>,
    pub read_only: Option<ReadOnlyReason>,
    pub contexts: Vec<String>,
    pub sources: Vec<SourceSlot>,
    /// Bumped whenever the watched world changes (context, namespaces): results of older
    /// watchers carry an older generation and are dropped.
    pub generation: u64,
}

impl Session {
    pub fn new(info: SessionInfo, contexts: Vec<String>, read_only_flag: bool) -> Self {
        let read_only = if read_only_flag {
            Some(ReadOnlyReason::Flag)
        } else if info.context_read_only {
            Some(ReadOnlyReason::Context(info.context.clone()))
        } else {
            None
        };
        Self {
            info,
            identity: None,
            read_only,
            contexts,
            sources: SOURCES
                .into_iter()
                .map(|name| SourceSlot {
                    name,
                    state: SourceState::Off,
                })
                .collect(),
            generation: 0,
        }
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// Applies a context switch: a read-only mode that came from the old context's config is
    /// replaced by the new context's; one from the flag or the palette stays.
    pub fn switch(&mut self, info: SessionInfo) {
        match &self.read_only {
            Some(ReadOnlyReason::Flag) | Some(ReadOnlyReason::Palette) => {}
            _ => {
                self.read_only = info
                    .context_read_only
                    .then(|| ReadOnlyReason::Context(info.context.clone()));
            }
        }
        self.identity = None;
        self.info = info;
    }

    pub fn source(&self, name: &str) -> Option<&SourceState> {
        self.sources
            .iter()
            .find(|s| s.name == name)
            .map(|s| &s.state)
    }

    pub fn set_source(&mut self, name: &str, state: SourceState) {
        if let Some(slot) = self.sources.iter_mut().find(|s| s.name == name) {
            slot.state = state;
        }
    }

    /// The identity for the header: the API's answer, or the kubeconfig user until then.
    pub fn identity_label(&self) -> String {
        match &self.identity {
            Some(id) => id.display(),
            None => format!("{} (from kubeconfig)", self.info.kube_user),
        }
    }
}
