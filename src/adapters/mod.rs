//! The only code that touches the network, the terminal or the wall clock. Foreign types
//! become domain types here, in pure functions.

pub mod audit;
pub mod clock;
pub mod kube;
pub mod log;
pub mod metrics_jobs;
pub mod prometheus;
pub mod terminal;
pub mod unleash;
