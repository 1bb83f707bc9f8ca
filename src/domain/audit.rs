//! One audit record: an action attempt and how it ended. Written as one JSON line.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Refused,
    Cancelled,
    Failed,
    Done,
}

/// A request as recorded: verb, path, content type and body, never a header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub verb: String,
    pub path: String,
    pub content_type: String,
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub time: DateTime<Utc>,
    pub identity: String,
    pub context: String,
    pub namespace: String,
    pub name: String,
    pub action: String,
    pub requests: Vec<RecordedRequest>,
    pub outcome: Outcome,
    /// Why it was refused or failed; the operator's typed reason for a done action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
