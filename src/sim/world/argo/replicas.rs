//! Replica arithmetic of the canary strategy: how many pods the canary and the stable
//! ReplicaSet get for a weight (the basic canary realises the weight by replica counts within
//! maxSurge / maxUnavailable; a traffic-routed canary keeps stable at full size).

/// The numbers of one ReplicaSet that the arithmetic looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// `spec.replicas`
    pub spec: i64,
    /// `status.replicas`
    pub created: i64,
    /// `status.availableReplicas`
    pub available: i64,
}

/// The canary count closest to `weight`, and the stable count, out of `spec_replicas` (or one
/// more when surging is allowed).
pub fn approximate(spec_replicas: i64, weight: i64, max_weight: i64, max_surge: i64) -> (i64, i64) {
    if spec_replicas == 0 {
        return (0, 0);
    }
    let exact = (spec_replicas * weight) as f64 / max_weight as f64;
    let ceil = exact.ceil() as i64;
    let floor = exact.floor() as i64;
    let tied = |total: i64| (total as f64 * (weight as f64 / max_weight as f64)).fract() == 0.5;
    let zero_allowed =
        weight == max_weight || weight == 0 || (spec_replicas == 1 && max_surge == 0);
    let mut options: Vec<(i64, i64)> = Vec::new();
    if ceil < spec_replicas || zero_allowed {
        options.push((ceil, spec_replicas));
    }
    if !tied(spec_replicas) && (floor != 0 || zero_allowed) {
        options.push((floor, spec_replicas));
    }
    if max_surge > 0 {
        options.push((ceil, spec_replicas + 1));
        if !tied(spec_replicas + 1) && (floor != 0 || zero_allowed) {
            options.push((floor, spec_replicas + 1));
        }
    }
    let delta = |(canary, total): (i64, i64)| {
        ((canary * max_weight) as f64 / total as f64 - weight as f64).abs()
    };
    let Some(mut best) = options.first().copied() else {
        return (0, spec_replicas);
    };
    for o in options.iter().skip(1) {
        if delta(*o) < delta(best) {
            best = *o;
        }
    }
    (best.0, best.1 - best.0)
}

/// What a basic canary rollout's sets are scaled to now: `(new, stable)`.
pub struct Basic {
    pub replicas: i64,
    pub weight: i64,
    pub max_weight: i64,
    pub max_surge: i64,
    pub max_unavailable: i64,
    pub new: Option<Counts>,
    /// The stable set (it may be the new set itself when fully promoted).
    pub stable: Option<Counts>,
    pub stable_is_new: bool,
    /// `spec.replicas` of every other set.
    pub others: i64,
}

fn for_scale_down(rs: Option<Counts>, ignore_availability: bool) -> i64 {
    match rs {
        None => 0,
        Some(r) if r.spec < r.available || ignore_availability => r.spec,
        Some(r) => r.available,
    }
}

fn scale_down_count(drain: Option<Counts>, desired: i64, down: i64, current: i64) -> i64 {
    match drain {
        Some(d) if d.spec > desired => desired.max(d.spec - down),
        _ => current,
    }
}

fn within_limits(
    drain: Option<Counts>,
    adjust: Option<Counts>,
    mut drain_n: i64,
    mut adjust_n: i64,
    max_allowed: i64,
    min_available: i64,
) -> (i64, i64) {
    let mut over = (adjust_n + drain_n - max_allowed).max(0);
    let mut available = 0;
    if let Some(d) = drain {
        available += d.available.min(drain_n);
    }
    if let Some(a) = adjust {
        adjust_n -= over;
        available += a.available.min(adjust_n);
        let extra = (a.available - adjust_n).max(0);
        let missing = (min_available - available).max(0);
        adjust_n += extra.min(missing);
        over = (adjust_n + drain_n - max_allowed).max(0);
        drain_n -= over;
    }
    (drain_n, adjust_n)
}

impl Basic {
    pub fn counts(&self) -> (i64, i64) {
        let (mut want_new, mut want_stable) =
            approximate(self.replicas, self.weight, self.max_weight, self.max_surge);
        let scale_stable = self.stable.is_some() && !self.stable_is_new;
        let spec = |r: Option<Counts>| r.map(|r| r.spec).unwrap_or(0);
        let mut stable_n = 0;
        let mut new_n = spec(self.new);
        if scale_stable {
            stable_n = spec(self.stable);
        } else {
            want_new = self.replicas;
            want_stable = 0;
        }
        let max_allowed = self.replicas + self.max_surge;
        let total = self.others + spec(self.new) + if scale_stable { stable_n } else { 0 };
        let mut up = max_allowed - total;
        if scale_stable && spec(self.stable) < want_stable && up > 0 {
            let s = spec(self.stable);
            if s + up < want_stable {
                stable_n = s + up;
                up = 0;
            } else {
                stable_n = want_stable;
                up -= want_stable - s;
            }
        }
        if let Some(n) = self.new
            && n.spec < want_new
            && up > 0
        {
            new_n = (n.spec + up).min(want_new);
        }
        if self.others > 0 {
            return (new_n, stable_n);
        }
        let min_available = self.replicas - self.max_unavailable;
        let increasing = self.new.is_none_or(|n| want_new >= n.spec);
        let to_down =
            for_scale_down(self.new, !increasing) + for_scale_down(self.stable, increasing);
        if to_down <= min_available {
            return (new_n, stable_n);
        }
        let down = to_down - min_available;
        if !increasing {
            new_n = scale_down_count(self.new, want_new, down, new_n);
            (new_n, stable_n) = within_limits(
                self.new,
                self.stable,
                new_n,
                stable_n,
                max_allowed,
                min_available,
            );
        } else if scale_stable {
            stable_n = scale_down_count(self.stable, want_stable, down, stable_n);
            (stable_n, new_n) = within_limits(
                self.stable,
                self.new,
                stable_n,
                new_n,
                max_allowed,
                min_available,
            );
        }
        (new_n, stable_n)
    }
}

/// Pods for a traffic weight (rounded up).
pub fn weight_to_replicas(replicas: i64, weight: i64, max_weight: i64) -> i64 {
    if max_weight == 0 {
        return 0;
    }
    ((weight * replicas) as f64 / max_weight as f64).ceil() as i64
}

#[cfg(test)]
#[path = "replicas_tests.rs"]
mod tests;
