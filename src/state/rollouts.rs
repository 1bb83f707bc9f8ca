//! The overview's list: rows, sort, filter, the pinned "needs attention" group and the
//! selection (kept by key, so it survives resyncs and re-sorting).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use crate::domain::rollout::{Attention, ControllerKind, Phase, RolloutKey, RolloutRow};

use super::event::RowId;

/// The source a row comes from (`rollouts`, `canaries`, `deployments`).
pub fn source_of(kind: ControllerKind) -> &'static str {
    match kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => "rollouts",
        ControllerKind::Flagger => "canaries",
        ControllerKind::Deployment => "deployments",
    }
}

pub fn row_id(row: &RolloutRow) -> RowId {
    RowId {
        source: source_of(row.key.kind),
        namespace: row.key.namespace.clone(),
        name: row.key.name.clone(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Namespace,
    Name,
    Phase,
    Age,
    Kind,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Namespace,
        SortKey::Name,
        SortKey::Phase,
        SortKey::Age,
        SortKey::Kind,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Namespace => "namespace",
            Self::Name => "name",
            Self::Phase => "phase",
            Self::Age => "age",
            Self::Kind => "kind",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RolloutList {
    rows: Vec<RolloutRow>,
    sort: SortKey,
    filter: String,
    /// Indices into `rows` in display order: pinned first.
    visible: Vec<usize>,
    pinned: usize,
    selected: Option<RolloutKey>,
    /// Whether any rows have ever arrived (distinguishes "loading" from "none").
    pub loaded: bool,
    /// Rollouts with a firing regression alert: pinned as "alert firing".
    alerting: HashSet<RolloutKey>,
    /// The attention a row had before an alert displaced it (restored when it clears).
    displaced: HashMap<RolloutKey, Option<Attention>>,
    /// `(namespace, name)` of services configured critical.
    critical: HashSet<(String, String)>,
}

impl Default for RolloutList {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            sort: SortKey::Namespace,
            filter: String::new(),
            visible: Vec::new(),
            pinned: 0,
            selected: None,
            loaded: false,
            alerting: HashSet::new(),
            displaced: HashMap::new(),
            critical: HashSet::new(),
        }
    }
}

impl RolloutList {
    /// Replaces every row at once (a resync); the selection stays on the same rollout when it
    /// still exists, else on the row at the same position.
    pub fn replace(&mut self, rows: Vec<RolloutRow>) {
        let pos = self.cursor().unwrap_or(0);
        self.rows = rows;
        self.after_change(pos);
    }

    /// Adds or replaces rows (by source object), keeping the selection.
    pub fn upsert(&mut self, rows: Vec<RolloutRow>) {
        let pos = self.cursor().unwrap_or(0);
        for row in rows {
            let id = row_id(&row);
            match self.rows.iter().position(|r| row_id(r) == id) {
                Some(i) => {
                    if self.selected.as_ref() == Some(&self.rows[i].key) {
                        self.selected = Some(row.key.clone());
                    }
                    self.rows[i] = row;
                }
                None => self.rows.push(row),
            }
        }
        self.after_change(pos);
    }

    /// Removes rows by source object, keeping the selection where it was.
    pub fn remove(&mut self, ids: &[RowId]) {
        let pos = self.cursor().unwrap_or(0);
        self.rows.retain(|r| !ids.contains(&row_id(r)));
        self.after_change(pos);
    }

    /// Forgets every row (another context or namespace set).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.loaded = false;
        self.recompute();
        self.selected = None;
    }

    /// After rows changed: recompute the order and keep the selection on its rollout, or at
    /// the position it had (`pos`, taken before the change) when its row is gone.
    fn after_change(&mut self, pos: usize) {
        self.loaded = true;
        self.apply_overlays();
        self.recompute();
        let still_there = self
            .selected
            .as_ref()
            .is_some_and(|k| self.position_of(k).is_some());
        if !still_there {
            self.select_index(pos.min(self.visible.len().saturating_sub(1)));
        }
    }

    /// Marks the rollouts with a firing alert (the rest lose the mark), keeping the
    /// selection.
    pub fn set_alerting(&mut self, keys: HashSet<RolloutKey>) {
        if keys == self.alerting {
            return;
        }
        self.alerting = keys;
        let pos = self.cursor().unwrap_or(0);
        self.apply_overlays();
        self.recompute();
        let still_there = self
            .selected
            .as_ref()
            .is_some_and(|k| self.position_of(k).is_some());
        if !still_there {
            self.select_index(pos.min(self.visible.len().saturating_sub(1)));
        }
    }

    /// Services configured critical (`[[services]] critical = true`).
    pub fn set_critical(&mut self, services: HashSet<(String, String)>) {
        self.critical = services;
        self.apply_overlays();
    }

    /// Alert marks and critical services on top of what the converters said.
    fn apply_overlays(&mut self) {
        for r in &mut self.rows {
            let firing = self.alerting.contains(&r.key);
            if firing && r.attention != Some(Attention::AlertFiring) {
                self.displaced.insert(r.key.clone(), r.attention);
                r.attention = Some(Attention::AlertFiring);
            } else if !firing && let Some(before) = self.displaced.remove(&r.key) {
                r.attention = before;
            }
            if self
                .critical
                .contains(&(r.key.namespace.clone(), r.key.name.clone()))
            {
                r.critical = true;
            }
        }
    }

    /// Every row, visible or not, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &RolloutRow> {
        self.rows.iter()
    }

    /// The row of a rollout, visible or not.
    pub fn get(&self, key: &RolloutKey) -> Option<&RolloutRow> {
        self.rows.iter().find(|r| &r.key == key)
    }

    /// The row named `name` (tests).
    #[cfg(test)]
    pub fn get_by_name(&self, name: &str) -> &RolloutRow {
        self.rows
            .iter()
            .find(|r| r.key.name == name)
            .unwrap_or_else(|| panic!("no row {name}"))
    }

    /// Moves the selection to a rollout; false when it is not visible.
    pub fn select_key(&mut self, key: &RolloutKey) -> bool {
        match self.position_of(key) {
            Some(pos) => {
                self.select_index(pos);
                true
            }
            None => false,
        }
    }

    /// Rows in the Progressing phase (all rows, not only the visible).
    pub fn progressing(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.phase == Phase::Progressing)
            .count()
    }

    /// Rows needing attention (all rows, not only the visible).
    pub fn attention_total(&self) -> usize {
        self.rows.iter().filter(|r| r.needs_attention()).count()
    }

    pub fn set_sort(&mut self, sort: SortKey) {
        self.sort = sort;
        self.recompute();
    }

    pub fn sort(&self) -> SortKey {
        self.sort
    }

    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.recompute();
        if self.cursor().is_none() {
            self.select_index(0);
        }
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// Rows in display order.
    pub fn visible(&self) -> impl Iterator<Item = &RolloutRow> {
        self.visible.iter().filter_map(|i| self.rows.get(*i))
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// How many of the visible rows form the pinned group at the top.
    pub fn pinned(&self) -> usize {
        self.pinned
    }

    /// Position of the selection among the visible rows.
    pub fn cursor(&self) -> Option<usize> {
        self.selected.as_ref().and_then(|k| self.position_of(k))
    }

    pub fn selected(&self) -> Option<&RolloutRow> {
        let pos = self.cursor()?;
        self.visible.get(pos).and_then(|i| self.rows.get(*i))
    }

    pub fn select_index(&mut self, pos: usize) {
        self.selected = self
            .visible
            .get(pos.min(self.visible.len().saturating_sub(1)))
            .and_then(|i| self.rows.get(*i))
            .map(|r| r.key.clone());
    }

    /// Moves the selection by `delta` rows, clamped to the list.
    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let cur = self.cursor().unwrap_or(0) as isize;
        let last = self.visible.len() as isize - 1;
        self.select_index((cur + delta).clamp(0, last) as usize);
    }

    fn position_of(&self, key: &RolloutKey) -> Option<usize> {
        self.visible
            .iter()
            .position(|i| self.rows.get(*i).is_some_and(|r| &r.key == key))
    }

    fn recompute(&mut self) {
        let terms = FilterTerms::parse(&self.filter);
        let mut idx: Vec<usize> = (0..self.rows.len())
            .filter(|i| terms.matches(&self.rows[*i]))
            .collect();
        let sort = self.sort;
        let rows = &self.rows;
        idx.sort_by(|a, b| {
            let (ra, rb) = (&rows[*a], &rows[*b]);
            rb.needs_attention()
                .cmp(&ra.needs_attention())
                .then_with(|| pinned_order(ra, rb))
                .then_with(|| compare(sort, ra, rb))
        });
        self.pinned = idx.iter().filter(|i| rows[**i].needs_attention()).count();
        self.visible = idx;
    }
}

/// A `/` filter: space-separated terms, all of which must match. `ns:<prefix>`,
/// `status:<phase prefix>` (or `status:attention`), `kind:<prefix>` (canary, bluegreen,
/// flagger, deploy); any other word is a substring of namespace/name, kind, phase or
/// versions. Case does not matter.
#[derive(Debug, Default)]
struct FilterTerms {
    ns: Vec<String>,
    status: Vec<String>,
    kind: Vec<String>,
    words: Vec<String>,
}

impl FilterTerms {
    fn parse(filter: &str) -> Self {
        let mut t = Self::default();
        for word in filter.to_lowercase().split_whitespace() {
            match word.split_once(':') {
                Some(("ns", v)) => t.ns.push(v.to_string()),
                Some(("status", v)) => t.status.push(v.to_string()),
                Some(("kind", v)) => t.kind.push(v.to_string()),
                _ => t.words.push(word.to_string()),
            }
        }
        t
    }

    fn matches(&self, r: &RolloutRow) -> bool {
        let phase = r.phase.label().to_lowercase();
        self.ns
            .iter()
            .all(|n| r.key.namespace.to_lowercase().starts_with(n.as_str()))
            && self.status.iter().all(|s| {
                phase.starts_with(s.as_str())
                    || (s == "attention" && r.needs_attention())
                    || (s == "invalid" && r.invalid.is_some())
            })
            && self
                .kind
                .iter()
                .all(|k| r.key.kind.label().starts_with(k.as_str()))
            && (self.words.is_empty() || {
                let hay = r.haystack();
                self.words.iter().all(|w| hay.contains(w.as_str()))
            })
    }
}

/// Within the pinned group, the most urgent reason first.
fn pinned_order(a: &RolloutRow, b: &RolloutRow) -> Ordering {
    if a.needs_attention() && b.needs_attention() {
        a.attention.cmp(&b.attention)
    } else {
        Ordering::Equal
    }
}

fn compare(sort: SortKey, a: &RolloutRow, b: &RolloutRow) -> Ordering {
    let by_ns_name = || {
        a.key
            .namespace
            .cmp(&b.key.namespace)
            .then_with(|| a.key.name.cmp(&b.key.name))
            .then_with(|| a.key.kind.cmp(&b.key.kind))
    };
    match sort {
        SortKey::Namespace => by_ns_name(),
        SortKey::Name => a.key.name.cmp(&b.key.name).then_with(by_ns_name),
        SortKey::Phase => a.phase.cmp(&b.phase).then_with(by_ns_name),
        // Newest change first; rows without a time go last.
        SortKey::Age => match (a.since, b.since) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then_with(by_ns_name),
        SortKey::Kind => a.key.kind.cmp(&b.key.kind).then_with(by_ns_name),
    }
}
