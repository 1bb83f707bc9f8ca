//! The detail screen's state: which rollout is open, what its scoped watches delivered.
//! (The [detail] state helper fills in the reducer; these fields are the contract.)

use crate::domain::revision::DetailSnapshot;
use crate::domain::rollout::RolloutKey;

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
