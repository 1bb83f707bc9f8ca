//! The wall clock the simulator writes into objects and measures traffic on.
//!
//! A live simulator uses the real wall clock, as a cluster does. A replayed one
//! (`shipdeck demo --freeze-at`) runs on a fixed epoch plus sim time, so every timestamp,
//! metric sample and age on screen is the same on every run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

#[derive(Debug, Default)]
pub struct Timeline {
    epoch: Option<DateTime<Utc>>,
    sim_ms: AtomicU64,
}

impl Timeline {
    /// `None`: the real wall clock. `Some(epoch)`: epoch + sim time.
    pub fn new(epoch: Option<DateTime<Utc>>) -> Self {
        Self {
            epoch,
            sim_ms: AtomicU64::new(0),
        }
    }

    pub fn epoch(&self) -> Option<DateTime<Utc>> {
        self.epoch
    }

    /// The world's sim clock moved to `sim` (since the scenario started).
    pub fn set_sim(&self, sim: Duration) {
        let ms = u64::try_from(sim.as_millis()).unwrap_or(u64::MAX);
        self.sim_ms.store(ms, Ordering::Relaxed);
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.epoch {
            Some(e) => at(
                e,
                Duration::from_millis(self.sim_ms.load(Ordering::Relaxed)),
            ),
            None => Utc::now(),
        }
    }
}

/// `epoch + sim` (saturating at the epoch for absurd durations).
pub fn at(epoch: DateTime<Utc>, sim: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(sim)
        .ok()
        .and_then(|d| epoch.checked_add_signed(d))
        .unwrap_or(epoch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn replayed_time_is_epoch_plus_sim_time() {
        let epoch = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
        let t = Timeline::new(Some(epoch));
        assert_eq!(t.now(), epoch);
        t.set_sim(Duration::from_millis(90_500));
        assert_eq!(
            t.now(),
            Utc.with_ymd_and_hms(2026, 11, 26, 3, 1, 30).unwrap()
                + chrono::Duration::milliseconds(500)
        );
    }

    #[test]
    fn live_time_is_the_wall_clock() {
        let t = Timeline::new(None);
        t.set_sim(Duration::from_secs(3600));
        let d = (t.now() - Utc::now()).num_seconds().abs();
        assert!(d < 5, "live timeline is {d}s away from the wall clock");
    }
}
