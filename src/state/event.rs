//! Everything that can happen to the app: keys, time, terminal size, and adapter results.

use chrono::{DateTime, Utc};

use crate::domain::identity::Identity;
use crate::domain::rollout::RolloutRow;
use crate::input::KeyChord;

use super::metrics::{MetricsAnswer, RangeAnswer, ReleaseAnswer};
use super::session::{SessionInfo, SourceState};
use crate::domain::rollout::RolloutKey;

/// Identifies the object a row comes from, whatever its strategy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowId {
    /// `rollouts`, `canaries` or `deployments` (the source's name).
    pub source: &'static str,
    pub namespace: String,
    pub name: String,
}

/// A change to the rollout rows, from the watchers.
#[derive(Debug, Clone, PartialEq)]
pub enum RolloutChange {
    /// The complete set (an initial list or a relist): replaces every row.
    Resync(Vec<RolloutRow>),
    /// New or changed rows.
    Upsert(Vec<RolloutRow>),
    /// Rows whose objects are gone (or are now part of another row).
    Remove(Vec<RowId>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Key(KeyChord),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock, read at the edge: the only way time enters the core.
    Tick(DateTime<Utc>),
    /// The API server told us who we are (or the kubeconfig did).
    Identity(Identity),
    /// The watchers of generation `generation` changed the rows.
    Rollouts {
        generation: u64,
        change: RolloutChange,
    },
    /// The health of a data source of generation `generation` changed.
    Source {
        generation: u64,
        name: &'static str,
        state: SourceState,
    },
    /// The session moved to another kube context (`:ctx`).
    SessionChanged(SessionInfo),
    /// A theme was loaded (`:theme`): its name, or why it could not be.
    ThemeLoaded(Result<String, String>),
    /// The grouped metric queries of request `id` came back.
    Metrics {
        id: u64,
        result: Result<MetricsAnswer, String>,
    },
    /// The chart's range queries of request `id` for `key` came back.
    MetricRange {
        id: u64,
        key: RolloutKey,
        result: Result<RangeAnswer, String>,
    },
    /// The release (newest ReplicaSet) of a rollout was looked up.
    Release(ReleaseAnswer),
    /// The scoped watches of detail opening `generation` saw a change (or failed; the
    /// watches keep going).
    Detail {
        generation: u64,
        result: Result<crate::domain::revision::DetailSnapshot, String>,
    },
    /// An undo's plan was read (or could not be).
    ActionPrepared {
        id: u64,
        result: Result<Box<crate::domain::action_request::ActionRequest>, String>,
    },
    /// Action `id` ended; `entry` is what the audit file now holds about it.
    ActionFinished {
        id: u64,
        entry: Box<crate::domain::audit::AuditEntry>,
    },
    /// SelfSubjectAccessReview answers for `namespace` (`""`: cluster-wide).
    Permissions {
        generation: u64,
        namespace: String,
        result: Result<Vec<(crate::domain::permissions::Need, bool)>, String>,
    },
    /// A flag backend changed (flagd watchers of watch generation `generation`; the Unleash
    /// poller sends generation 0).
    Flags {
        generation: u64,
        update: super::flags::FlagUpdate,
    },
    /// A flag change's requests were prepared (or could not be).
    FlagPrepared {
        id: u64,
        result: Result<Box<crate::domain::flag_request::FlagRequest>, String>,
    },
    /// Flag change `id` ended; `entry` is its audit line.
    FlagFinished {
        id: u64,
        entry: Box<crate::domain::audit::AuditEntry>,
    },
    /// The audit file was read (oldest first).
    AuditLoaded(Result<Vec<crate::domain::audit::AuditEntry>, String>),
    /// An adapter wants the operator to know something.
    Notice {
        error: bool,
        text: String,
    },
}
