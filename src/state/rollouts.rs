//! The overview's list: rows, sort, filter, the pinned "needs attention" group and the
//! selection (kept by key, so it survives resyncs and re-sorting).

use std::collections::{HashMap, HashSet};

use crate::domain::rollout::{Attention, ControllerKind, Phase, RolloutKey, RolloutRow};

use super::event::RowId;
use super::rollout_order::{FilterTerms, compare, pinned_order, same_place};

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
    /// Names of services configured critical, by namespace.
    critical: HashMap<String, HashSet<String>>,
    /// Where each source object's row is in `rows`.
    index: HashMap<RowId, usize>,
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
            critical: HashMap::new(),
            index: HashMap::new(),
        }
    }
}

impl RolloutList {
    /// Replaces every row at once (a resync); the selection stays on the same rollout when it
    /// still exists, else on the row at the same position.
    pub fn replace(&mut self, rows: Vec<RolloutRow>) {
        let pos = self.cursor().unwrap_or(0);
        self.rows = rows;
        self.reindex();
        self.apply_overlays();
        self.after_change(pos, true);
    }

    /// Adds or replaces rows (by source object), keeping the selection. The order is
    /// computed again only when a row was added or changed what places or filters it.
    pub fn upsert(&mut self, rows: Vec<RolloutRow>) {
        let pos = self.cursor().unwrap_or(0);
        let mut moved = false;
        for row in rows {
            let id = row_id(&row);
            match self.index.get(&id).copied() {
                Some(i) => {
                    if self.selected.as_ref() == Some(&self.rows[i].key) {
                        self.selected = Some(row.key.clone());
                    }
                    let old = std::mem::replace(&mut self.rows[i], row);
                    self.overlay(i);
                    moved |= !same_place(self.sort, &old, &self.rows[i]);
                }
                None => {
                    self.rows.push(row);
                    let i = self.rows.len() - 1;
                    self.index.insert(id, i);
                    self.overlay(i);
                    moved = true;
                }
            }
        }
        self.after_change(pos, moved);
    }

    /// Removes rows by source object, keeping the selection where it was.
    pub fn remove(&mut self, ids: &[RowId]) {
        let pos = self.cursor().unwrap_or(0);
        let gone: HashSet<&RowId> = ids.iter().collect();
        self.rows.retain(|r| !gone.contains(&row_id(r)));
        self.reindex();
        self.after_change(pos, true);
    }

    /// Forgets every row (another context or namespace set).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.index.clear();
        self.loaded = false;
        self.recompute();
        self.selected = None;
    }

    fn reindex(&mut self) {
        self.index = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (row_id(r), i))
            .collect();
    }

    /// After rows changed: recompute the order (when `moved`) and keep the selection on its
    /// rollout, or at the position it had (`pos`, taken before the change) when its row is
    /// gone.
    fn after_change(&mut self, pos: usize, moved: bool) {
        self.loaded = true;
        if moved {
            self.recompute();
        }
        self.keep_selection(pos);
    }

    /// Keeps the selection on its rollout, or at `pos` when that is no longer visible.
    fn keep_selection(&mut self, pos: usize) {
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
        self.keep_selection(pos);
    }

    /// Services configured critical (`[[services]] critical = true`).
    pub fn set_critical(&mut self, services: HashSet<(String, String)>) {
        self.critical.clear();
        for (ns, name) in services {
            self.critical.entry(ns).or_default().insert(name);
        }
        self.apply_overlays();
    }

    /// Alert marks and critical services on top of what the converters said.
    fn apply_overlays(&mut self) {
        for i in 0..self.rows.len() {
            self.overlay(i);
        }
    }

    /// The overlays of one row.
    fn overlay(&mut self, i: usize) {
        let Some(r) = self.rows.get_mut(i) else {
            return;
        };
        let firing = self.alerting.contains(&r.key);
        if firing && r.attention != Some(Attention::AlertFiring) {
            self.displaced.insert(r.key.clone(), r.attention);
            r.attention = Some(Attention::AlertFiring);
        } else if !firing && let Some(before) = self.displaced.remove(&r.key) {
            r.attention = before;
        }
        if self
            .critical
            .get(&r.key.namespace)
            .is_some_and(|names| names.contains(&r.key.name))
        {
            r.critical = true;
        }
    }

    /// Every row, visible or not, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &RolloutRow> {
        self.rows.iter()
    }

    /// The row of a rollout, visible or not.
    pub fn get(&self, key: &RolloutKey) -> Option<&RolloutRow> {
        let id = RowId {
            source: source_of(key.kind),
            namespace: key.namespace.clone(),
            name: key.name.clone(),
        };
        self.index
            .get(&id)
            .and_then(|i| self.rows.get(*i))
            .filter(|r| &r.key == key)
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
        let mut idx: Vec<usize> = if terms.is_empty() {
            (0..self.rows.len()).collect()
        } else {
            (0..self.rows.len())
                .filter(|i| terms.matches(&self.rows[*i]))
                .collect()
        };
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
