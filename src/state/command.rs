//! Effects the reducer asks for, as data. The runtime executes them; results come back as
//! events. Mutating commands are refused by the executor in read-only mode, and the reducer
//! never emits one there.

use crate::domain::scope::NamespaceScope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    /// Load a theme by name or path and use it.
    SetTheme(String),
    /// (Re)start the watchers for these namespaces; their results carry `generation`.
    StartWatch {
        generation: u64,
        namespaces: NamespaceScope,
    },
    /// Switch to another kube context of the kubeconfig.
    SwitchContext(String),
}

impl Command {
    /// Whether the command changes anything outside shipdeck (a cluster, a flag backend).
    pub fn is_mutating(&self) -> bool {
        match self {
            Self::Quit | Self::SetTheme(_) | Self::StartWatch { .. } | Self::SwitchContext(_) => {
                false
            }
        }
    }
}
