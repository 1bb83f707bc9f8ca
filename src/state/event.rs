//! Everything that can happen to the app: keys, time, terminal size, and adapter results.

use chrono::{DateTime, Utc};

use crate::domain::identity::Identity;
use crate::domain::rollout::RolloutRow;
use crate::input::KeyChord;

use super::session::SessionInfo;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Key(KeyChord),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock, read at the edge: the only way time enters the core.
    Tick(DateTime<Utc>),
    /// The API server told us who we are (or the kubeconfig did).
    Identity(Identity),
    /// A full, atomic replacement of the rollout rows (a watcher's initial list).
    RolloutsResync(Vec<RolloutRow>),
    /// The session moved to another kube context (`:ctx`).
    SessionChanged(SessionInfo),
    /// A theme was loaded (`:theme`): its name, or why it could not be.
    ThemeLoaded(Result<String, String>),
    /// An adapter wants the operator to know something.
    Notice {
        error: bool,
        text: String,
    },
}
