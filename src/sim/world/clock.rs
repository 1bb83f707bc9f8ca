//! The simulator's clock. Scenario durations (pauses, intervals, when story events fire,
//! how long a pod takes to become ready) run on sim time, which advances `speed` times as
//! fast as the wall clock and can be advanced by hand (`POST /sim/v1/clock`). Object
//! timestamps stay wall-clock, as a real cluster writes them.

use std::time::{Duration, Instant};

/// Time since the scenario started, on the sim clock.
pub type SimInstant = Duration;

#[derive(Debug, Clone)]
pub struct SimClock {
    speed: f64,
    sim: Duration,
    last_real: Instant,
    /// Sim time never passes this (a frozen replay).
    stop: Option<Duration>,
}

impl SimClock {
    pub fn new(speed: f64, now: Instant) -> Self {
        Self {
            speed: sane(speed),
            sim: Duration::ZERO,
            last_real: now,
            stop: None,
        }
    }

    /// Moves sim time forward by the real time since the last tick, times the speed.
    pub fn tick(&mut self, real_now: Instant) {
        let dt = real_now.saturating_duration_since(self.last_real);
        self.sim = self.clamp(self.sim + dt.mul_f64(self.speed));
        self.last_real = real_now;
    }

    /// Sim time stops at `at` from now on (it never goes back).
    pub fn stop_at(&mut self, at: Duration) {
        self.stop = Some(at.max(self.sim));
    }

    /// Where the clock stops, if it does.
    pub fn stops_at(&self) -> Option<Duration> {
        self.stop
    }

    fn clamp(&self, t: Duration) -> Duration {
        self.stop.map_or(t, |s| t.min(s))
    }

    pub fn now(&self) -> SimInstant {
        self.sim
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Changes the speed from now on (time already passed is kept).
    pub fn set_speed(&mut self, speed: f64, real_now: Instant) {
        self.tick(real_now);
        self.speed = sane(speed);
    }

    /// Jumps sim time forward.
    pub fn advance(&mut self, by: Duration) {
        self.sim = self.clamp(self.sim + by);
    }

    /// The real time that `sim` of sim time takes at the current speed.
    pub fn real(&self, sim: Duration) -> Duration {
        sim.div_f64(self.speed)
    }
}

fn sane(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed.min(10_000.0)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_time_runs_at_speed_and_can_be_advanced() {
        let t0 = Instant::now();
        let mut c = SimClock::new(20.0, t0);
        c.tick(t0 + Duration::from_millis(500));
        assert_eq!(c.now(), Duration::from_secs(10));
        c.advance(Duration::from_secs(30));
        assert_eq!(c.now(), Duration::from_secs(40));
        c.set_speed(1.0, t0 + Duration::from_millis(600));
        assert_eq!(c.now(), Duration::from_secs(42));
        c.tick(t0 + Duration::from_millis(1600));
        assert_eq!(c.now(), Duration::from_secs(43));
        assert_eq!(SimClock::new(-3.0, t0).speed(), 1.0);
        assert_eq!(
            SimClock::new(4.0, t0).real(Duration::from_secs(20)),
            Duration::from_secs(5)
        );
    }
}
