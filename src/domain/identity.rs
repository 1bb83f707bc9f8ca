//! Who the operator is, as the cluster sees them.

use serde::{Deserialize, Serialize};

/// Where the identity shown in the header came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentitySource {
    /// The API server answered a `SelfSubjectReview`.
    SelfSubjectReview,
    /// The API lacks `SelfSubjectReview` or could not be reached: the kubeconfig user name.
    Kubeconfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub username: String,
    pub source: IdentitySource,
}

impl Identity {
    pub fn display(&self) -> String {
        match self.source {
            IdentitySource::SelfSubjectReview => self.username.clone(),
            IdentitySource::Kubeconfig => format!("{} (from kubeconfig)", self.username),
        }
    }
}
