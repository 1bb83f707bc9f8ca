//! Kubernetes: kubeconfig resolution (as kubectl does it), the client, and who we are.

pub mod convert;
pub mod identity;
pub mod kubeconfig;

pub use kubeconfig::{KubeTarget, KubeconfigProblem, resolve};
