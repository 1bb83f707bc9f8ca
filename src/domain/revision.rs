//! What the detail screen shows beyond the row: the revision tree as the Argo Rollouts CLI
//! draws it, the AnalysisRuns with every measured value, and the object's events. Built at
//! the edge from the Kubernetes objects (`adapters::kube::convert::detail`), rendered by
//! `ui`. Pure data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kind of a tree node, as the CLI's KIND column names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeKind {
    Rollout,
    Deployment,
    Canary,
    /// `# revision:N`: groups what belongs to one revision.
    Revision,
    ReplicaSet,
    Pod,
    AnalysisRun,
    Experiment,
}

impl NodeKind {
    /// The CLI's KIND column (empty for a revision line).
    pub fn label(self) -> &'static str {
        match self {
            Self::Rollout => "Rollout",
            Self::Deployment => "Deployment",
            Self::Canary => "Canary",
            Self::Revision => "",
            Self::ReplicaSet => "ReplicaSet",
            Self::Pod => "Pod",
            Self::AnalysisRun => "AnalysisRun",
            Self::Experiment => "Experiment",
        }
    }
}

/// One line of the revision tree, in display order (depth-first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeNode {
    /// 0 for the workload, 1 for a revision, 2 for its ReplicaSets and runs, 3 for pods.
    pub depth: u8,
    pub kind: NodeKind,
    /// The object name; `revision:N` for a revision line.
    pub name: String,
    /// The CLI's status text without its symbol (`Healthy`, `ScaledDown`,
    /// `ImagePullBackOff`, `Running`, `Failed`); empty for a revision line.
    pub status: String,
    /// The CLI's status symbol (`✔ ✖ ◌ • ⚠ ‖ ?`); empty for a revision line.
    pub symbol: String,
    pub created: Option<DateTime<Utc>>,
    /// The CLI's INFO cells (`stable`, `canary`, `ready:1/1`, `restarts:3`, `✔ 2`, `✖ 1`,
    /// `delay:25s`), in the CLI's order.
    pub info: Vec<String>,
    /// The revision number of the branch this node is in.
    pub revision: Option<u64>,
}

/// One measurement of an analysis metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementView {
    /// As the provider returned it (`"0.98"`, `"[0.98]"`).
    pub value: String,
    pub at: Option<DateTime<Utc>>,
    /// `Successful`, `Failed`, `Inconclusive`, `Error`, `Running`.
    pub phase: String,
    pub message: String,
}

/// A threshold parsed from a condition like `result[0] >= 0.95`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// `>=`, `>`, `<=`, `<`, `==`, `!=`.
    pub op: String,
    pub value: f64,
    /// Whether the condition is the success or the failure condition.
    pub success: bool,
}

/// One metric of an AnalysisRun: its spec limits, its status counters and measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisMetricView {
    pub name: String,
    pub phase: String,
    /// The raw success and failure conditions (empty when absent).
    pub success_condition: String,
    pub failure_condition: String,
    /// Parsed when the condition is `result[0] <op> N` or `result <op> N`.
    pub threshold: Option<Threshold>,
    pub successful: u32,
    pub failed: u32,
    pub failure_limit: Option<i64>,
    pub inconclusive: u32,
    pub inconclusive_limit: Option<i64>,
    pub consecutive_error: u32,
    pub consecutive_error_limit: Option<i64>,
    pub message: String,
    /// Oldest first.
    pub measurements: Vec<MeasurementView>,
}

/// An AnalysisRun of the rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRunView {
    pub name: String,
    pub phase: String,
    pub message: String,
    /// A background run (no `step-index` label), else a step run.
    pub background: bool,
    pub revision: Option<u64>,
    pub created: Option<DateTime<Utc>>,
    pub metrics: Vec<AnalysisMetricView>,
}

/// A Kubernetes event of the object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub warning: bool,
    pub reason: String,
    pub message: String,
    pub count: u32,
    pub last_seen: Option<DateTime<Utc>>,
}

/// Everything the detail screen knows beyond the row, as of the last change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DetailSnapshot {
    /// The workload converted with its ReplicaSets: the actual weight and the CLI's
    /// `Images:` list the overview's row cannot know.
    pub row: Option<Box<crate::domain::rollout::RolloutRow>>,
    pub tree: Vec<TreeNode>,
    /// Newest first.
    pub analysis: Vec<AnalysisRunView>,
    /// Newest first, at most 20.
    pub events: Vec<EventView>,
}
