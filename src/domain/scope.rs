//! Which namespaces shipdeck looks at.

use serde::{Deserialize, Serialize};

/// The namespaces in view: a list (from `-n`, config or the kube context) or all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NamespaceScope {
    All,
    Some(Vec<String>),
}

impl NamespaceScope {
    pub fn label(&self) -> String {
        match self {
            Self::All => "all namespaces".to_string(),
            Self::Some(list) => list.join(","),
        }
    }

    pub fn contains(&self, ns: &str) -> bool {
        match self {
            Self::All => true,
            Self::Some(list) => list.iter().any(|n| n == ns),
        }
    }
}
