//! The vocabulary of shipdeck and every rule that is arithmetic or logic. Pure: no I/O, no
//! clock reads (time arrives as values).

pub mod identity;
pub mod judge;
pub mod rollout;
pub mod sample;
pub mod scope;
