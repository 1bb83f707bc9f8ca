//! The two-person rule: a first operator's confirmed action is recorded on the object as a
//! request (annotation `shipdeck.io/approval-request`), shown to everyone watching, and runs
//! only when a different identity confirms it before it expires.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::audit::RecordedRequest;

/// The annotation that carries a pending request.
pub const ANNOTATION: &str = "shipdeck.io/approval-request";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    /// The action's label (`abort`, `approve`, …).
    pub action: String,
    /// Exactly the requests the first operator confirmed.
    pub requests: Vec<RecordedRequest>,
    pub identity: String,
    pub time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
}

impl ApprovalRequest {
    pub fn expires(&self, ttl: Duration) -> DateTime<Utc> {
        self.time + ttl
    }

    pub fn expired(&self, now: DateTime<Utc>, ttl: Duration) -> bool {
        now >= self.expires(ttl)
    }

    /// `abort by alice, 3m ago — expires in 27m`.
    pub fn describe(&self, now: DateTime<Utc>, ttl: Duration) -> String {
        let ago = super::human::human_duration((now - self.time).max(Duration::zero()));
        if self.expired(now, ttl) {
            return format!("{} by {}, {ago} ago — expired", self.action, self.identity);
        }
        let left = super::human::human_duration(self.expires(ttl) - now);
        format!(
            "{} by {}, {ago} ago — expires in {left}",
            self.action, self.identity
        )
    }
}

/// Reads the annotation's value; `None` when absent or unreadable (an unreadable request
/// cannot be approved: it is treated as none and a new one replaces it).
pub fn parse(value: Option<&str>) -> Option<ApprovalRequest> {
    serde_json::from_str(value?).ok()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn round_trips_and_expires() {
        let t = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
        let r = ApprovalRequest {
            action: "abort".into(),
            requests: Vec::new(),
            identity: "alice".into(),
            time: t,
            change: None,
        };
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(parse(Some(&text)), Some(r.clone()));
        assert_eq!(parse(Some("not json")), None);
        let ttl = Duration::minutes(30);
        let later = t + Duration::minutes(3);
        assert_eq!(
            r.describe(later, ttl),
            "abort by alice, 3m ago — expires in 27m"
        );
        assert!(r.expired(t + Duration::minutes(30), ttl));
    }
}
