//! The wall clock, read only here and sent to the core as `Event::Tick`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::state::Event;

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Sends a tick every `every` until the receiver is gone.
pub async fn ticks(every: Duration, tx: mpsc::Sender<Event>) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        if tx.send(Event::Tick(now())).await.is_err() {
            return;
        }
    }
}
