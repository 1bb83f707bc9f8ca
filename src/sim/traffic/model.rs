//! The traffic model: per workload a profile (request rate, 5xx ratio, log-normal latency)
//! and a timeline of the canary's share of traffic; faults multiply errors or latency of a
//! track for a time. Everything is a function of wall-clock time, so counters advance at the
//! configured per-second rates whatever the sim clock's speed, and any past window can be
//! computed (before the simulator started, the first state is assumed to have held).

use std::collections::BTreeMap;

use super::pods::PodLedger;
use super::series::{BUCKETS, Track, TrafficSeries, Window, Workload};

/// How a workload's tracks behave without faults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    /// Requests per second of the whole workload (both tracks).
    pub rps: f64,
    /// Fraction of requests answered with a 5xx.
    pub error_ratio: f64,
    /// Median latency in seconds (log-normal).
    pub median: f64,
    /// Log-normal shape (σ of the log).
    pub sigma: f64,
}

impl Profile {
    /// A workload's profile, varied by name and seed (±20 % traffic, ±15 % latency).
    pub fn seeded(name: &str, seed: u64) -> Self {
        let h = super::super::world::hash::fnv32(format!("{seed}/{name}").as_bytes());
        let u = |shift: u32| f64::from((h >> shift) & 0xff) / 255.0;
        Self {
            rps: 40.0 * (0.8 + 0.4 * u(0)),
            error_ratio: 0.002,
            median: 0.045 * (0.85 + 0.3 * u(8)),
            sigma: 0.5,
        }
    }

    /// The latency at quantile `q` (for tests and health).
    pub fn quantile(&self, q: f64, latency_factor: f64) -> f64 {
        self.median * latency_factor * (self.sigma * crate::domain::judge::normal_quantile(q)).exp()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// The 5xx ratio is multiplied by this (capped at 1).
    Errors(f64),
    /// Latency is multiplied by this.
    Latency(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrafficFault {
    pub namespace: String,
    pub rollout: String,
    /// `None`: both tracks.
    pub track: Option<Track>,
    pub kind: FaultKind,
    pub from: f64,
    pub until: f64,
}

#[derive(Debug, Clone)]
struct Flow {
    workload: Workload,
    profile: Profile,
    /// (time, canary share 0..=1), ascending.
    shares: Vec<(f64, f64)>,
}

/// Counters start this long before the model (so they are never near zero).
pub const HISTORY: f64 = 3600.0;

#[derive(Debug, Clone)]
pub struct TrafficModel {
    flows: BTreeMap<(String, String), Flow>,
    faults: Vec<TrafficFault>,
    /// When the model was made (wall clock, seconds since the epoch).
    pub origin: f64,
    pub seed: u64,
    /// Per-pod counters (the `pod` label); `None` in the scale scenario, whose tracks are
    /// exposed as aggregates so a real Prometheus can scrape it on two cores.
    pub pods: Option<PodLedger>,
}

impl TrafficModel {
    pub fn new(origin: f64, seed: u64) -> Self {
        Self {
            flows: BTreeMap::new(),
            faults: Vec::new(),
            origin,
            seed,
            pods: Some(PodLedger::default()),
        }
    }

    /// Adds a workload (once) with its seeded profile.
    pub fn ensure(&mut self, namespace: &str, rollout: &str, service: &str) {
        let key = (namespace.to_string(), rollout.to_string());
        if !self.flows.contains_key(&key) {
            let profile = Profile::seeded(&format!("{namespace}/{rollout}"), self.seed);
            self.flows.insert(
                key,
                Flow {
                    workload: Workload {
                        namespace: namespace.to_string(),
                        rollout: rollout.to_string(),
                        service: service.to_string(),
                    },
                    profile,
                    shares: Vec::new(),
                },
            );
        }
    }

    /// The workload as its series name it.
    pub fn workload(&self, namespace: &str, rollout: &str) -> Option<Workload> {
        self.flows
            .get(&(namespace.to_string(), rollout.to_string()))
            .map(|f| f.workload.clone())
    }

    pub fn profile(&self, namespace: &str, rollout: &str) -> Option<Profile> {
        self.flows
            .get(&(namespace.to_string(), rollout.to_string()))
            .map(|f| f.profile)
    }

    pub fn set_profile(&mut self, namespace: &str, rollout: &str, profile: Profile) {
        if let Some(f) = self
            .flows
            .get_mut(&(namespace.to_string(), rollout.to_string()))
        {
            f.profile = profile;
        }
    }

    /// Records the canary's share of traffic (0..=1) from time `at` on.
    pub fn set_share(&mut self, namespace: &str, rollout: &str, share: f64, at: f64) {
        let Some(f) = self
            .flows
            .get_mut(&(namespace.to_string(), rollout.to_string()))
        else {
            return;
        };
        let share = share.clamp(0.0, 1.0);
        if f.shares
            .last()
            .is_some_and(|(_, s)| (*s - share).abs() < 1e-9)
        {
            return;
        }
        let at = f.shares.last().map_or(at, |(t, _)| at.max(*t));
        f.shares.push((at, share));
    }

    pub fn add_fault(&mut self, fault: TrafficFault) {
        self.faults.push(fault);
    }

    /// Series `/metrics` exposes at `now`: per workload, track (and pod, where known), two
    /// codes, the buckets with `+Inf`, `_sum` and `_count`.
    pub fn series_count(&self, now: f64) -> usize {
        let per_group = 2 + BUCKETS.len() + 1 + 2;
        let groups: usize = self
            .flows
            .values()
            .flat_map(|f| Track::ALL.map(|t| (f, t)))
            .map(|(f, t)| {
                self.pods
                    .as_ref()
                    .and_then(|l| l.pods(&f.workload, t, &self.counters(&f.workload, t, now)))
                    .map_or(1, |p| p.len())
            })
            .sum();
        groups * per_group
    }

    /// Breakpoints inside (from, to): share changes and fault edges of the flow.
    fn cuts(&self, f: &Flow, from: f64, to: f64) -> Vec<f64> {
        let mut t: Vec<f64> = f.shares.iter().map(|(t, _)| *t).collect();
        for x in self.faults_of(&f.workload) {
            t.push(x.from);
            t.push(x.until);
        }
        t.retain(|x| x.is_finite() && *x > from && *x < to);
        t.push(from);
        t.push(to);
        t.sort_by(f64::total_cmp);
        t.dedup();
        t
    }

    fn faults_of<'a>(&'a self, w: &'a Workload) -> impl Iterator<Item = &'a TrafficFault> + 'a {
        self.faults
            .iter()
            .filter(move |x| x.namespace == w.namespace && x.rollout == w.rollout)
    }

    /// The canary's share at `t`: the last recorded before it; before the first record, the
    /// first value if it was recorded at the model's start (the starting state extends into
    /// the past), else none.
    fn share_at(&self, f: &Flow, t: f64) -> f64 {
        let mut share = f
            .shares
            .first()
            .filter(|(at, _)| *at <= self.origin)
            .map_or(0.0, |(_, s)| *s);
        for (at, s) in &f.shares {
            if *at <= t {
                share = *s;
            }
        }
        share
    }

    /// (error factor, latency factor) of a track at time `t`.
    fn factors(&self, w: &Workload, track: Track, t: f64) -> (f64, f64) {
        let (mut e, mut l) = (1.0, 1.0);
        for x in self.faults_of(w) {
            if x.track.is_none_or(|tr| tr == track) && x.from <= t && t < x.until {
                match x.kind {
                    FaultKind::Errors(k) => e *= k,
                    FaultKind::Latency(k) => l *= k,
                }
            }
        }
        (e, l)
    }

    /// Requests per second, 5xx ratio and latency factor of a track at time `t`.
    pub fn rates_at(
        &self,
        namespace: &str,
        rollout: &str,
        track: Track,
        t: f64,
    ) -> Option<(f64, f64, f64)> {
        let f = self
            .flows
            .get(&(namespace.to_string(), rollout.to_string()))?;
        let share = self.share_at(f, t);
        let share = if track == Track::Canary {
            share
        } else {
            1.0 - share
        };
        let (e, l) = self.factors(&f.workload, track, t);
        Some((
            f.profile.rps * share,
            (f.profile.error_ratio * e).min(1.0),
            l,
        ))
    }
}

/// Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26 for erf; |error| < 1.5e-7).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

impl TrafficSeries for TrafficModel {
    fn workloads(&self) -> Vec<Workload> {
        self.flows.values().map(|f| f.workload.clone()).collect()
    }

    fn window(&self, w: &Workload, track: Track, from: f64, to: f64) -> Window {
        let mut out = Window {
            requests: 0.0,
            errors: 0.0,
            buckets: [0.0; 12],
        };
        let Some(f) = self.flows.get(&(w.namespace.clone(), w.rollout.clone())) else {
            return out;
        };
        if to <= from {
            return out;
        }
        let cuts = self.cuts(f, from, to);
        for seg in cuts.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let mid = (a + b) / 2.0;
            let Some((rps, err, lat)) = self.rates_at(&w.namespace, &w.rollout, track, mid) else {
                continue;
            };
            let n = rps * (b - a);
            out.requests += n;
            out.errors += n * err;
            let median = f.profile.median * lat;
            for (i, le) in BUCKETS.iter().enumerate() {
                let z = (le.ln() - median.ln()) / f.profile.sigma;
                out.buckets[i] += n * normal_cdf(z);
            }
        }
        out.buckets[11] = out.requests;
        out
    }
}

impl TrafficModel {
    /// The counters as `/metrics` shows them at `now`: the increase since the history start.
    pub fn counters(&self, w: &Workload, track: Track, now: f64) -> Window {
        self.window(w, track, self.origin - HISTORY, now)
    }

    /// Mean latency (for `_sum`) of a track at `t`.
    pub fn mean_latency(&self, w: &Workload, track: Track, t: f64) -> f64 {
        let Some(f) = self.flows.get(&(w.namespace.clone(), w.rollout.clone())) else {
            return 0.0;
        };
        let (_, l) = self.factors(w, track, t);
        f.profile.median * l * (f.profile.sigma * f.profile.sigma / 2.0).exp()
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
