//! Traffic of the simulated world and what Prometheus would see of it: a model per workload
//! and track (stable / canary), `/metrics` in the Prometheus text format, and the answer to
//! the `sim` preset's queries (`/api/v1/query`, `/api/v1/query_range`).

pub mod backfill;
pub mod expo;
pub mod model;
pub mod pods;
pub mod promql;
pub mod query;
pub mod series;
