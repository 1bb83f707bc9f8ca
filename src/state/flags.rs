//! The flags screen (`3`): every flag of every backend, live, filterable and sortable (`s`
//! cycles the order); each source's health, and which rows are last known values of a source
//! that is not live (stale). Toggles and the platform read-only switch build on this.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use crate::domain::flags::{Backend, Flag, FlagSource, FlagState};

/// Environment, key, backend, source: what every order falls back to.
fn env_key(f: &Flag) -> (&str, &str, Backend, &FlagSource) {
    (&f.environment, &f.key, f.backend, &f.source)
}

/// The order of the flags screen's rows (`s` cycles it; the title names it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FlagSort {
    /// Environment, then key (the default).
    #[default]
    Environment,
    /// Key, then environment.
    Key,
    /// Backend, then environment, then key.
    Backend,
    /// Newest last change first; unknown changes last.
    LastChange,
    /// Invalid definitions first, then DISABLED, then enabled.
    State,
}

impl FlagSort {
    pub const ALL: [FlagSort; 5] = [
        Self::Environment,
        Self::Key,
        Self::Backend,
        Self::LastChange,
        Self::State,
    ];

    /// The words in the screen's title: `sorted by last change`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Environment => "environment",
            Self::Key => "key",
            Self::Backend => "backend",
            Self::LastChange => "last change",
            Self::State => "state",
        }
    }

    /// The next order in the cycle.
    pub fn next(self) -> Self {
        let at = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(at + 1) % Self::ALL.len()]
    }

    fn order(self, a: &Flag, b: &Flag) -> std::cmp::Ordering {
        let when = |f: &Flag| Reverse(f.last_change.as_ref().and_then(|c| c.at));
        let rank = |f: &Flag| match (&f.invalid, f.state) {
            (Some(_), _) => 0,
            (None, FlagState::Disabled) => 1,
            (None, FlagState::Enabled) => 2,
        };
        match self {
            Self::Environment => env_key(a).cmp(&env_key(b)),
            Self::Key => (&a.key, env_key(a)).cmp(&(&b.key, env_key(b))),
            Self::Backend => (a.backend, env_key(a)).cmp(&(b.backend, env_key(b))),
            // `Reverse(None)` sorts after every `Reverse(Some(_))`: unknown changes last.
            Self::LastChange => (when(a), env_key(a)).cmp(&(when(b), env_key(b))),
            Self::State => (rank(a), env_key(a)).cmp(&(rank(b), env_key(b))),
        }
    }
}

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
    /// The rows' order.
    pub sort: FlagSort,
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
        let sort = self.sort;
        self.rows.sort_by(|a, b| sort.order(a, b));
        self.clamp();
    }

    /// `s`: the next order; the selected flag stays selected.
    pub fn cycle_sort(&mut self) {
        let selected = self.selected().map(Flag::id);
        self.sort = self.sort.next();
        let sort = self.sort;
        self.rows.sort_by(|a, b| sort.order(a, b));
        if let Some(id) = selected {
            self.cursor = self
                .visible()
                .iter()
                .position(|f| f.id() == id)
                .unwrap_or(0);
        }
        self.clamp();
    }

    /// Why `f` shows last known values: the health of the source that reads it, when that
    /// is not `live` (backend down, 401/403/404, watch lost). `None`: current.
    pub fn stale(&self, f: &Flag) -> Option<&str> {
        self.sources
            .get(f.source.reader())
            .map(String::as_str)
            .filter(|state| *state != "live")
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

    /// Rows matching the filter (key, value, environment, backend, source), in the order of
    /// [`FlagsView::sort`].
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
#[path = "flags_tests.rs"]
mod tests;
