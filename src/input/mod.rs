//! Keys and what they mean: key chords, the named intents, and the scoped keymap table that
//! drives key handling, the footer hints, the help screen and read-only filtering.
//!
//! `input` depends only on `domain`; `state` uses it to resolve keys (so the intents live
//! here, not in `state`, which keeps the module graph acyclic).

pub mod intent;
pub mod key;
pub mod keymap;

pub use intent::{Intent, Scope};
pub use key::{KeyChord, KeyCode};
pub use keymap::{Binding, KeyMap, KeymapError};
