//! The detail screen's state: which rollout is open, what its scoped watches delivered, and
//! its sub-reducer. Opening asks the executor for watches scoped to the rollout (its
//! ReplicaSets, Pods, AnalysisRuns and Events); closing stops them. Every opening gets a
//! new generation; results of an older opening are dropped.

use crate::domain::revision::DetailSnapshot;
use crate::domain::rollout::{ControllerKind, RolloutKey, RolloutRow};
use crate::input::Intent;

use super::{AppState, Command, RolloutList};

#[derive(Debug, Clone, PartialEq)]
pub struct DetailState {
    pub key: RolloutKey,
    /// The watches of this opening; results of older ones are dropped.
    pub generation: u64,
    /// `None` until the first snapshot arrives.
    pub snapshot: Option<DetailSnapshot>,
    /// Why the scoped watches fail, if they do.
    pub error: Option<String>,
    /// The selected node of the revision tree.
    pub tree_cursor: usize,
}

/// The kind of the object whose detail is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkloadKind {
    /// An Argo Rollout (`argoproj.io/v1alpha1`).
    Rollout,
    /// A Deployment (`apps/v1`): a plain one, or a Flagger Canary's target.
    Deployment,
}

impl WorkloadKind {
    /// The Kubernetes kind, as `involvedObject.kind` and owner references spell it.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Rollout => "Rollout",
            Self::Deployment => "Deployment",
        }
    }
}

/// What the scoped watches of a detail look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailTarget {
    pub namespace: String,
    pub kind: WorkloadKind,
    /// The workload's name (a Flagger Canary's `spec.targetRef.name`).
    pub name: String,
    /// The label selector of its ReplicaSets and Pods. `None`: the workload's own
    /// `spec.selector`, read by the adapter from the watched object (the rows do not carry
    /// it; it is stable across new pod-template hashes).
    pub selector: Option<String>,
}

impl DetailTarget {
    /// The target of a row: an Argo Rollout itself, a Deployment itself, a Flagger Canary's
    /// target Deployment. `None` for a Canary whose target is unknown.
    pub fn for_row(row: &RolloutRow) -> Option<Self> {
        let (kind, name) = match row.key.kind {
            ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => {
                (WorkloadKind::Rollout, row.key.name.clone())
            }
            ControllerKind::Deployment => (WorkloadKind::Deployment, row.key.name.clone()),
            ControllerKind::Flagger => {
                let target = row.flagger.as_ref().map(|f| f.target.clone())?;
                if target.is_empty() {
                    return None;
                }
                (WorkloadKind::Deployment, target)
            }
        };
        Some(Self {
            namespace: row.key.namespace.clone(),
            kind,
            name,
            selector: None,
        })
    }
}

impl DetailState {
    /// The overview row of the open rollout; `None` once it is gone from the cluster.
    pub fn row<'a>(&self, rows: &'a RolloutList) -> Option<&'a RolloutRow> {
        rows.get(&self.key)
    }

    /// Whether the rollout's row disappeared while the detail is open.
    pub fn gone(&self, rows: &RolloutList) -> bool {
        rows.loaded && self.row(rows).is_none()
    }

    /// What the detail screen should say beside the snapshot: the rollout is gone (the last
    /// snapshot stays), the watches fail, or the first snapshot is still on its way.
    pub fn notice(&self, rows: &RolloutList) -> Option<String> {
        let name = format!("{}/{}", self.key.namespace, self.key.name);
        if self.gone(rows) {
            return Some(match self.snapshot {
                Some(_) => format!("{name} is gone from the cluster; showing the last snapshot"),
                None => format!("{name} is gone from the cluster"),
            });
        }
        if let Some(e) = &self.error {
            return Some(match self.snapshot {
                Some(_) => format!("watch failing, showing the last snapshot: {e}"),
                None => format!("watch failing: {e}"),
            });
        }
        self.snapshot.is_none().then(|| format!("loading {name}…"))
    }

    /// Nodes of the revision tree in the snapshot (0 before the first).
    pub fn tree_len(&self) -> usize {
        self.snapshot.as_ref().map_or(0, |s| s.tree.len())
    }

    /// Moves the tree cursor by `delta`, clamped to the tree.
    pub fn move_cursor(&mut self, delta: isize) {
        let last = self.tree_len().saturating_sub(1);
        let next = self.tree_cursor.saturating_add_signed(delta);
        self.tree_cursor = next.min(last);
    }
}

/// Opens the detail of the selected row: a new generation and the command that starts its
/// scoped watches (any open detail is replaced).
pub fn open(state: &mut AppState) -> Vec<Command> {
    let Some(row) = state.rollouts.selected() else {
        state.flash("no rollout selected", true);
        return Vec::new();
    };
    let key = row.key.clone();
    let Some(target) = DetailTarget::for_row(row) else {
        state.flash(
            format!(
                "{}/{}: the canary names no target Deployment",
                key.namespace, key.name
            ),
            true,
        );
        return Vec::new();
    };
    state.detail_generation += 1;
    let generation = state.detail_generation;
    state.detail = Some(DetailState {
        key: key.clone(),
        generation,
        snapshot: None,
        error: None,
        tree_cursor: 0,
    });
    state.dirty = true;
    vec![Command::OpenDetail {
        generation,
        key,
        target,
    }]
}

/// Closes the detail (its watches stop); the overview selection stays on its rollout.
pub fn close(state: &mut AppState) -> Vec<Command> {
    match state.detail.take() {
        Some(d) => {
            state.rollouts.select_key(&d.key);
            state.dirty = true;
            vec![Command::CloseDetail]
        }
        None => Vec::new(),
    }
}

/// A result of the scoped watches; results of another opening (or of a closed detail) are
/// dropped. A failure keeps the last snapshot.
pub fn on_result(
    state: &mut AppState,
    generation: u64,
    result: Result<DetailSnapshot, String>,
) -> Vec<Command> {
    let Some(d) = state.detail.as_mut().filter(|d| d.generation == generation) else {
        return Vec::new();
    };
    match result {
        Ok(snapshot) => {
            d.snapshot = Some(snapshot);
            d.error = None;
            d.move_cursor(0);
        }
        Err(e) => d.error = Some(e),
    }
    state.dirty = true;
    Vec::new()
}

/// After the rows changed: tells the operator once when the open rollout disappears.
/// `present` is whether its row existed before the change.
pub fn after_rows(state: &mut AppState, present: bool) {
    let Some(d) = &state.detail else {
        return;
    };
    if present && d.gone(&state.rollouts) {
        let text = format!(
            "{}/{} is gone from the cluster; the detail shows its last snapshot",
            d.key.namespace, d.key.name
        );
        state.flash(text, true);
    }
}

/// Whether the open detail's row exists (false without a detail).
pub fn row_present(state: &AppState) -> bool {
    state
        .detail
        .as_ref()
        .is_some_and(|d| d.row(&state.rollouts).is_some())
}

/// The revision of the tree node under the detail's cursor, when it is not the current one
/// (`u` there undoes to it).
pub fn selected_revision(state: &AppState) -> Option<u64> {
    let d = state.detail.as_ref()?;
    let snap = d.snapshot.as_ref()?;
    let rev = snap.tree.get(d.tree_cursor)?.revision?;
    let current = d.row(&state.rollouts).and_then(|r| r.seen.revision);
    (current != Some(rev)).then_some(rev)
}

/// What the overview does with a key after the detail saw it.
pub(super) enum KeyFlow {
    /// The detail used the key; these are its commands.
    Handled(Vec<Command>),
    /// The overview handles the key too, after these commands (the detail closed because
    /// the key leaves the overview).
    Pass(Vec<Command>),
}

/// A key while the detail is open (`Pass` with nothing when it is not).
pub(super) fn on_intent(state: &mut AppState, intent: Intent, page: isize) -> KeyFlow {
    let Some(d) = state.detail.as_mut() else {
        return KeyFlow::Pass(Vec::new());
    };
    match intent {
        Intent::Back => return KeyFlow::Handled(close(state)),
        Intent::Down => d.move_cursor(1),
        Intent::Up => d.move_cursor(-1),
        Intent::PageDown => d.move_cursor(page),
        Intent::PageUp => d.move_cursor(-page),
        Intent::Top => d.tree_cursor = 0,
        Intent::Bottom => d.tree_cursor = d.tree_len().saturating_sub(1),
        // The overview's selection stays on the open rollout.
        Intent::Open | Intent::NextPanel => {}
        Intent::Filter => state.flash("close the detail (Esc) to filter", false),
        // Another screen: the detail's watches stop.
        Intent::ScreenAlerts | Intent::ScreenFlags | Intent::ScreenAudit => {
            return KeyFlow::Pass(close(state));
        }
        _ => return KeyFlow::Pass(Vec::new()),
    }
    KeyFlow::Handled(Vec::new())
}

#[cfg(test)]
#[path = "detail_tests.rs"]
mod tests;
