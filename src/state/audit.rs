//! The audit screen (`4`): every recorded attempt, newest first, filterable with `/`.

use crate::domain::audit::AuditEntry;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditView {
    /// Oldest first, as the file holds them (and as new attempts arrive).
    pub entries: Vec<AuditEntry>,
    /// Lower-case text the visible entries must contain.
    pub filter: String,
    /// Index into `visible()`.
    pub cursor: usize,
    /// Why the audit file could not be read, if it could not.
    pub error: Option<String>,
    /// The file was read once.
    pub loaded: bool,
}

impl AuditView {
    /// The entries the screen shows: newest first, matching the filter (on time, identity,
    /// context, object, action, outcome and reason).
    pub fn visible(&self) -> Vec<&AuditEntry> {
        self.entries
            .iter()
            .rev()
            .filter(|e| self.filter.is_empty() || haystack(e).contains(&self.filter))
            .collect()
    }

    pub fn selected(&self) -> Option<&AuditEntry> {
        self.visible().get(self.cursor).copied()
    }

    pub fn push(&mut self, entry: AuditEntry) {
        self.entries.push(entry);
        // The cursor stays on the entry it was on (the new one goes on top).
        if self.cursor > 0 || !self.filter.is_empty() {
            self.clamp();
        }
    }

    pub fn set_filter(&mut self, text: &str) {
        self.filter = text.to_lowercase();
        self.cursor = 0;
    }

    pub fn move_by(&mut self, delta: isize) {
        self.cursor = self.cursor.saturating_add_signed(delta);
        self.clamp();
    }

    fn clamp(&mut self) {
        let last = self.visible().len().saturating_sub(1);
        self.cursor = self.cursor.min(last);
    }
}

fn haystack(e: &AuditEntry) -> String {
    format!(
        "{} {} {} {}/{} {} {:?} {}",
        e.time.format("%Y-%m-%d %H:%M:%S"),
        e.identity,
        e.context,
        e.namespace,
        e.name,
        e.action,
        e.outcome,
        e.reason.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::audit::Outcome;

    fn entry(min: u32, name: &str, outcome: Outcome) -> AuditEntry {
        AuditEntry {
            time: chrono::Utc
                .with_ymd_and_hms(2026, 11, 26, 3, min, 0)
                .unwrap(),
            identity: "alice".into(),
            context: "prod".into(),
            namespace: "casino-prod".into(),
            name: name.into(),
            action: "abort".into(),
            requests: Vec::new(),
            outcome,
            reason: None,
        }
    }

    #[test]
    fn newest_first_and_filtered_on_any_field() {
        let mut v = AuditView::default();
        v.push(entry(1, "payments", Outcome::Done));
        v.push(entry(2, "lobby", Outcome::Cancelled));
        v.push(entry(3, "payments", Outcome::Failed));
        let names: Vec<_> = v
            .visible()
            .iter()
            .map(|e| e.time.format("%M").to_string())
            .collect();
        assert_eq!(names, ["03", "02", "01"]);
        v.set_filter("PAYMENTS");
        assert_eq!(v.visible().len(), 2);
        v.set_filter("cancelled");
        assert_eq!(v.visible()[0].name, "lobby");
        v.set_filter("");
        v.move_by(10);
        assert_eq!(v.cursor, 2);
        assert_eq!(v.selected().map(|e| e.name.as_str()), Some("payments"));
    }
}
