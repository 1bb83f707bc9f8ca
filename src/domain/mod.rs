//! The vocabulary of shipdeck and every rule that is arithmetic or logic. Pure: no I/O, no
//! clock reads (time arrives as values).

pub mod action_request;
pub mod actions;
pub mod approval;
pub mod argo_requests;
pub mod audit;
pub mod deployment_requests;
pub mod detail;
pub mod flag_request;
pub mod flagd;
pub mod flagd_schema;
pub mod flagger_requests;
pub mod flags;
pub mod human;
pub mod identity;
pub mod judge;
pub mod metrics;
pub mod permissions;
pub mod phase;
pub mod revision;
pub mod rollout;
pub mod sample;
pub mod scope;
pub mod steps;
pub mod version;
