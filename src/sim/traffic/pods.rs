//! Per-pod counters for `/metrics` in small scenarios (the `pod` label). Each tick the world
//! says which pods serve a track; the track's increase since the last tick is shared evenly
//! by the pods that served it. A pod's counters start at zero when it appears and its series
//! end when it goes, as a real pod's do, so `rate()` never sees a spike; summed over pods the
//! counters follow the track's, which is what the `sim` preset (grouped without `pod`) reads.

use std::collections::BTreeMap;

use super::series::{Track, Window, Workload};

pub fn zero() -> Window {
    Window {
        requests: 0.0,
        errors: 0.0,
        buckets: [0.0; 12],
    }
}

/// `acc += (b - a) * scale`, never decreasing a counter.
fn add_delta(acc: &mut Window, a: &Window, b: &Window, scale: f64) {
    acc.requests += (b.requests - a.requests).max(0.0) * scale;
    acc.errors += (b.errors - a.errors).max(0.0) * scale;
    for (i, x) in acc.buckets.iter_mut().enumerate() {
        *x += (b.buckets[i] - a.buckets[i]).max(0.0) * scale;
    }
}

#[derive(Debug, Clone)]
struct TrackPods {
    /// The track's counters at the last assignment.
    total: Window,
    /// Each serving pod's counters at the last assignment.
    pods: BTreeMap<String, Window>,
}

#[derive(Debug, Clone, Default)]
pub struct PodLedger {
    tracks: BTreeMap<(Workload, Track), TrackPods>,
}

impl PodLedger {
    /// From now on `pods` serve the track, whose counters are now `total`. The increase
    /// since the last call goes to the pods that served until now; new pods start at zero.
    pub fn assign(&mut self, w: &Workload, track: Track, pods: Vec<String>, total: Window) {
        let entry = self
            .tracks
            .entry((w.clone(), track))
            .or_insert_with(|| TrackPods {
                total: total.clone(),
                pods: BTreeMap::new(),
            });
        let n = entry.pods.len();
        if n > 0 {
            let scale = 1.0 / n as f64;
            for acc in entry.pods.values_mut() {
                add_delta(acc, &entry.total, &total, scale);
            }
        }
        entry.total = total;
        entry.pods.retain(|name, _| pods.contains(name));
        for p in pods {
            entry.pods.entry(p).or_insert_with(zero);
        }
    }

    /// Forgets workloads that no longer exist.
    pub fn retain(&mut self, keep: impl Fn(&Workload) -> bool) {
        self.tracks.retain(|(w, _), _| keep(w));
    }

    /// The track's pods and their counters given the track's counters `now_total`; `None`
    /// when no pod is known to serve it (then the track is exposed without `pod`).
    pub fn pods(
        &self,
        w: &Workload,
        track: Track,
        now_total: &Window,
    ) -> Option<Vec<(&str, Window)>> {
        let t = self.tracks.get(&(w.clone(), track))?;
        if t.pods.is_empty() {
            return None;
        }
        let scale = 1.0 / t.pods.len() as f64;
        Some(
            t.pods
                .iter()
                .map(|(name, acc)| {
                    let mut v = acc.clone();
                    add_delta(&mut v, &t.total, now_total, scale);
                    (name.as_str(), v)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w() -> Workload {
        Workload {
            namespace: "ns".into(),
            rollout: "web".into(),
            service: "web".into(),
        }
    }

    fn total(requests: f64) -> Window {
        Window {
            requests,
            errors: requests / 100.0,
            buckets: [requests; 12],
        }
    }

    fn requests(l: &PodLedger, now: f64) -> Vec<(String, f64)> {
        l.pods(&w(), Track::Stable, &total(now))
            .unwrap_or_default()
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.requests))
            .collect()
    }

    #[test]
    fn increases_are_shared_by_serving_pods_and_new_pods_start_at_zero() {
        let mut l = PodLedger::default();
        assert!(l.pods(&w(), Track::Stable, &total(0.0)).is_none());
        l.assign(
            &w(),
            Track::Stable,
            vec!["a".into(), "b".into()],
            total(1000.0),
        );
        assert_eq!(requests(&l, 1000.0), [("a".into(), 0.0), ("b".into(), 0.0)]);
        // Between ticks the pods share the increase so far.
        assert_eq!(requests(&l, 1010.0), [("a".into(), 5.0), ("b".into(), 5.0)]);
        // b goes, c comes: c starts at zero, a keeps counting.
        l.assign(
            &w(),
            Track::Stable,
            vec!["a".into(), "c".into()],
            total(1020.0),
        );
        assert_eq!(
            requests(&l, 1020.0),
            [("a".into(), 10.0), ("c".into(), 0.0)]
        );
        assert_eq!(
            requests(&l, 1040.0),
            [("a".into(), 20.0), ("c".into(), 10.0)]
        );
        // Counters never go down, even if the total were to.
        assert_eq!(
            requests(&l, 1000.0),
            [("a".into(), 10.0), ("c".into(), 0.0)]
        );
        // No pods: the track is exposed without the label.
        l.assign(&w(), Track::Stable, vec![], total(1050.0));
        assert!(l.pods(&w(), Track::Stable, &total(1060.0)).is_none());
        l.retain(|_| false);
        assert!(l.tracks.is_empty());
    }
}
