//! shipdeck — a terminal cockpit for release operators.
//!
//! The crate is a pure core (`domain`, `state`, `input`, `ui`, `theme`, `config`) with I/O at
//! the edges (`adapters`, `runtime`). `tests/architecture.rs` enforces which module may import
//! which; see the README's "Architecture" section.

pub mod adapters;
pub mod cli;
pub mod config;
pub mod domain;
pub mod input;
pub mod runtime;
pub mod sim;
pub mod state;
pub mod theme;
pub mod ui;
