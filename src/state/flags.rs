//! The flags screen (`3`): every flag of every backend, live, filterable; each source's
//! health. Toggles and the platform read-only switch build on this.

use std::collections::BTreeMap;

use crate::domain::flags::{Backend, Flag, FlagSource};

/// A change from a flag backend (the flagd watchers, the Unleash poller).
#[derive(Debug, Clone, PartialEq)]
pub enum FlagUpdate {
    /// Every flag of `backend` (an initial list, a relist, a poll): replaces its rows.
    Resync { backend: Backend, flags: Vec<Flag> },
    /// The flags of one source (a ConfigMap, a FeatureFlag) changed.
    Upsert {
        source: FlagSource,
        flags: Vec<Flag>,
    },
    /// A source is gone.
    Remove(FlagSource),
    /// A source's health: `live`, `not installed: …`, `forbidden: …`, `stale: …`.
    Source { name: String, state: String },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlagsView {
    rows: Vec<Flag>,
    /// Lower-case text the visible rows must contain.
    pub filter: String,
    pub cursor: usize,
    /// Each source's health by name.
    pub sources: BTreeMap<String, String>,
    /// Some backend is configured (else the screen says how to configure one).
    pub configured: bool,
    /// `[platform] read_only_flag`.
    pub platform_flag: String,
    /// `[flags] critical`: keys whose change needs the key typed.
    pub critical: Vec<String>,
    /// Flags with a change in flight (backend, environment, key).
    pub in_flight: std::collections::BTreeMap<u64, (Backend, String, String)>,
    /// Platform switches in flight: id → expected minutes.
    pub pending_platform: std::collections::BTreeMap<u64, u32>,
    /// This session turned the platform read-only at `.0`, expecting `.1` minutes.
    pub platform_expected: Option<(chrono::DateTime<chrono::Utc>, u32)>,
}

impl FlagsView {
    pub fn apply(&mut self, update: FlagUpdate) {
        match update {
            FlagUpdate::Resync { backend, flags } => {
                self.rows.retain(|f| f.backend != backend);
                self.rows.extend(flags);
            }
            FlagUpdate::Upsert { source, flags } => {
                self.rows.retain(|f| f.source != source);
                self.rows.extend(flags);
            }
            FlagUpdate::Remove(source) => self.rows.retain(|f| f.source != source),
            FlagUpdate::Source { name, state } => {
                self.sources.insert(name, state);
            }
        }
        self.rows.sort_by(|a, b| {
            (&a.environment, &a.key, a.backend, &a.source).cmp(&(
                &b.environment,
                &b.key,
                b.backend,
                &b.source,
            ))
        });
        self.clamp();
    }

    /// Every row, filter or not.
    pub fn all(&self) -> Vec<&Flag> {
        self.rows.iter().collect()
    }

    pub fn busy(&self, f: &Flag) -> bool {
        self.in_flight
            .values()
            .any(|(b, e, k)| *b == f.backend && *e == f.environment && *k == f.key)
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// Rows matching the filter (key, value, environment, backend, source), sorted by
    /// environment then key.
    pub fn visible(&self) -> Vec<&Flag> {
        self.rows
            .iter()
            .filter(|f| self.filter.is_empty() || haystack(f).contains(&self.filter))
            .collect()
    }

    pub fn selected(&self) -> Option<&Flag> {
        self.visible().get(self.cursor).copied()
    }

    pub fn set_filter(&mut self, text: &str) {
        self.filter = text.to_lowercase();
        self.cursor = 0;
    }

    pub fn move_by(&mut self, delta: isize) {
        self.cursor = self.cursor.saturating_add_signed(delta);
        self.clamp();
    }

    /// Forgets every row (another context or namespace set).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.sources.clear();
        self.cursor = 0;
    }

    fn clamp(&mut self) {
        let last = self.visible().len().saturating_sub(1);
        self.cursor = self.cursor.min(last);
    }
}

fn haystack(f: &Flag) -> String {
    format!(
        "{} {} {} {} {}",
        f.key,
        f.value_label(),
        f.environment,
        f.backend.label(),
        f.source.label()
    )
    .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::FlagState;

    fn flag(key: &str, env: &str, backend: Backend) -> Flag {
        Flag {
            key: key.into(),
            backend,
            source: FlagSource::Unleash {
                project: "default".into(),
            },
            environment: env.into(),
            state: FlagState::Enabled,
            default_variant: None,
            variants: BTreeMap::new(),
            targeting: false,
            strategies: 1,
            metadata: BTreeMap::new(),
            last_change: None,
            invalid: None,
            version: "1".into(),
        }
    }

    #[test]
    fn a_resync_replaces_its_backend_only_and_rows_sort_by_environment_and_key() {
        let mut v = FlagsView::default();
        v.apply(FlagUpdate::Resync {
            backend: Backend::Unleash,
            flags: vec![
                flag("b", "prod", Backend::Unleash),
                flag("a", "prod", Backend::Unleash),
            ],
        });
        let cm = FlagSource::ConfigMap {
            namespace: "casino-prod".into(),
            name: "flags".into(),
            key: "flags.flagd.json".into(),
        };
        let mut f = flag("new-lobby", "casino-prod", Backend::Flagd);
        f.source = cm.clone();
        v.apply(FlagUpdate::Upsert {
            source: cm.clone(),
            flags: vec![f],
        });
        let keys: Vec<_> = v.visible().iter().map(|f| f.key.clone()).collect();
        assert_eq!(keys, ["new-lobby", "a", "b"]);
        v.apply(FlagUpdate::Resync {
            backend: Backend::Unleash,
            flags: vec![flag("c", "dev", Backend::Unleash)],
        });
        assert_eq!(v.total(), 2);
        v.set_filter("LOBBY");
        assert_eq!(v.visible().len(), 1);
        v.set_filter("");
        v.apply(FlagUpdate::Remove(cm));
        assert_eq!(v.total(), 1);
    }
}
