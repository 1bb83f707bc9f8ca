//! Effects the reducer asks for, as data. The runtime executes them; results come back as
//! events. Mutating commands are refused by the executor in read-only mode, and the reducer
//! never emits one there.

use crate::domain::action_request::ActionRequest;
use crate::domain::audit::AuditEntry;
use crate::domain::scope::NamespaceScope;

use crate::domain::rollout::RolloutKey;

use super::detail::DetailTarget;
use super::metrics::{MetricsRequest, RangeRequest, ReleaseRequest};

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Quit,
    /// Load a theme by name or path and use it.
    SetTheme(String),
    /// (Re)start the watchers for these namespaces; their results carry `generation`.
    StartWatch {
        generation: u64,
        namespaces: NamespaceScope,
    },
    /// Switch to another kube context of the kubeconfig.
    SwitchContext(String),
    /// One interval's grouped metric queries.
    QueryMetrics(MetricsRequest),
    /// Range queries for the chart of the rollout on screen.
    QueryRange(RangeRequest),
    /// Look up when a rollout's newest revision started.
    FetchRelease(ReleaseRequest),
    /// Ring the terminal bell (a new critical alert).
    Bell,
    /// Start the detail's scoped watches (replacing any); results carry `generation`.
    OpenDetail {
        generation: u64,
        key: RolloutKey,
        target: DetailTarget,
    },
    /// Stop the detail's scoped watches.
    CloseDetail,
    /// Run a confirmed action: re-read, check what the operator saw, send exactly the
    /// plan's requests, record the outcome. Answered by `Event::ActionFinished`.
    RunAction(Box<ActionRequest>),
    /// Read what an undo needs (the Rollout's ReplicaSets) and fill in its plan. Answered
    /// by `Event::ActionPrepared`.
    PrepareUndo(Box<ActionRequest>),
    /// Append an attempt that ended in the reducer (cancelled, refused) to the audit file.
    Audit(Box<AuditEntry>),
    /// SelfSubjectAccessReview of every verb the actions need, in `namespace` (`""`:
    /// cluster-wide). Answered by `Event::Permissions`.
    CheckPermissions {
        generation: u64,
        namespace: String,
    },
    /// Read the audit file for the audit screen. Answered by `Event::AuditLoaded`.
    LoadAudit,
    /// Fill in a flag change's exact requests (a ConfigMap's current document is read).
    /// Answered by `Event::FlagPrepared`.
    PrepareFlag(Box<crate::domain::flag_request::FlagRequest>),
    /// Send a confirmed flag change (flagd through the API server, Unleash through its
    /// admin API) and record it. Answered by `Event::FlagFinished`.
    RunFlag(Box<crate::domain::flag_request::FlagRequest>),
}

impl Command {
    /// Whether the command changes anything outside shipdeck (a cluster, a flag backend).
    pub fn is_mutating(&self) -> bool {
        match self {
            Self::Quit
            | Self::SetTheme(_)
            | Self::StartWatch { .. }
            | Self::SwitchContext(_)
            | Self::QueryMetrics(_)
            | Self::QueryRange(_)
            | Self::FetchRelease(_)
            | Self::Bell
            | Self::OpenDetail { .. }
            | Self::CloseDetail
            | Self::PrepareUndo(_)
            | Self::Audit(_)
            | Self::CheckPermissions { .. }
            | Self::LoadAudit
            | Self::PrepareFlag(_) => false,
            Self::RunAction(_) | Self::RunFlag(_) => true,
        }
    }
}
