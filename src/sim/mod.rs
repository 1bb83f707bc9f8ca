//! The simulated platform: a Kubernetes API server that real kubectl and the unmodified kube
//! client accept, used by `shipdeck sim`, `shipdeck demo`, tests and benchmarks. Never
//! imported by domain/state/ui/adapters.

pub mod catalog;
pub mod crds;
pub mod discovery;
pub mod events;
pub mod patch;
pub mod schema;
pub mod selector;
pub mod table;
