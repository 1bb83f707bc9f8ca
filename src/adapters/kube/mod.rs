//! Kubernetes: kubeconfig resolution (as kubectl does it), the client, and who we are.

pub mod actions;
pub mod convert;
pub mod detail;
pub mod flags;
pub mod flags_list;
pub mod identity;
pub mod kubeconfig;
pub mod rbac;
pub mod release;
pub mod rows;
pub mod source;
mod watching;

pub use kubeconfig::{KubeTarget, KubeconfigProblem, resolve};
