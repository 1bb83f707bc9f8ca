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

/// How an attempt ended, and what it sent: the tail of an audit entry, shared by the
/// rollout and the flag executors.
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub sent: Vec<RecordedRequest>,
}

/// An attempt that ended before sending anything.
pub fn ending(outcome: Outcome, reason: String) -> Ending {
    Ending {
        outcome,
        reason: Some(reason),
        sent: Vec::new(),
    }
}

/// The reason the operator typed, when they typed one.
pub fn typed(reason: Option<&str>) -> Option<&str> {
    reason.map(str::trim).filter(|r| !r.is_empty())
}

/// A done attempt's reason: the operator's words, and what the bookkeeping (Event,
/// annotation) could not do.
pub fn done_reason(reason: Option<&str>, notes: Vec<String>) -> Option<String> {
    let typed = typed(reason);
    if notes.is_empty() {
        return typed.map(str::to_string);
    }
    let mut parts = vec![typed.unwrap_or("done").to_string()];
    parts.extend(notes);
    Some(parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_done_reason_keeps_the_operator_words_and_the_bookkeeping_notes() {
        assert_eq!(done_reason(None, vec![]), None);
        assert_eq!(done_reason(Some("  "), vec![]), None);
        assert_eq!(
            done_reason(Some(" INC-1 "), vec![]).as_deref(),
            Some("INC-1")
        );
        assert_eq!(
            done_reason(None, vec!["Event not recorded: 403: no".into()]).as_deref(),
            Some("done; Event not recorded: 403: no")
        );
        assert_eq!(
            done_reason(Some("INC-1"), vec!["a".into(), "b".into()]).as_deref(),
            Some("INC-1; a; b")
        );
    }
}
