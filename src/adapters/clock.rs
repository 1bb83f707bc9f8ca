//! The wall clock, read only here and sent to the core as `Event::Tick`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::state::Event;

/// A clock that replaces the wall clock for the whole process (the frozen demo's
/// timeline), installed once before the UI starts.
static INSTALLED: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();

/// Now: the wall clock, or the installed one. Every time shipdeck writes (audit lines,
/// annotations, Events) comes from here.
pub fn now() -> DateTime<Utc> {
    match INSTALLED.get() {
        Some(Clock::Stopped(f)) => f(),
        _ => Utc::now(),
    }
}

/// Makes `clock` the process's clock (the first install wins; later ones are ignored).
pub fn install(clock: Clock) {
    let _ = INSTALLED.set(clock);
}

/// Where ticks read the time: the wall clock, or a stopped one read from a source (the
/// frozen demo's timeline, so ages and countdowns stand still with the story).
#[derive(Clone, Default)]
pub enum Clock {
    #[default]
    Wall,
    Stopped(std::sync::Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::Wall => Utc::now(),
            Self::Stopped(f) => f(),
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Wall => "Clock::Wall",
            Self::Stopped(_) => "Clock::Stopped",
        })
    }
}

/// Sends a tick every `every` until the receiver is gone.
pub async fn ticks(every: Duration, tx: mpsc::Sender<Event>, clock: Clock) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        if tx.send(Event::Tick(clock.now())).await.is_err() {
            return;
        }
    }
}
