//! 10,000 watch events into a fleet of 5,000 rollouts: the status changes the `scale`
//! scenario's churn makes (ready replicas flip between 3 and 2).
//!
//! - `reducer`: the events as the reducer receives them (`Event::Rollouts` with an
//!   `Upsert` of the changed row), in batches of 512 (a burst; the watcher's batch size),
//!   or one event per watch event (a trickle, as at 100 events/s).
//! - `watcher + reducer`: the watcher's work as well: each object is put into the cache, the
//!   affected rows converted and diffed against what was sent (`Objects::put`, `affected`,
//!   `diff`), the check whether a rollout's stable ReplicaSet must be fetched
//!   (`missing_stable_set`, for the event's own object), then the reducer.
//! - `watcher, 5,000 rollouts`: the full scan for missing stable ReplicaSets, which the
//!   watcher makes on a resync only (it followed every batch before, ≈ 4 ms each).
//!
//! The one-at-a-time benches time a slice of the 10,000 events per iteration (the next
//! slice each time): 1,000 for the reducer (multiply by 10), 200 for watcher + reducer
//! (multiply by 50).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use serde_json::{Value, json};
use shipdeck::adapters::kube::rows::{Objects, ROLLOUTS};
use shipdeck::domain::rollout::RolloutRow;
use shipdeck::state::{AppState, Event, RolloutChange, update};

use common::{ROLLOUTS_N, fleet_rows, objects, scale_objects, state_with};

const EVENTS: usize = 10_000;
/// Events per iteration of the one-at-a-time reducer bench.
const SLICE: usize = 1_000;
/// Events per iteration of the one-at-a-time watcher + reducer bench.
const WATCH_SLICE: usize = 200;

/// Deterministic picks of workloads (xorshift).
fn picks(n: usize, count: usize) -> Vec<usize> {
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..count)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % n as u64) as usize
        })
        .collect()
}

/// The changed objects, in order: each a workload whose ready replicas flipped.
fn changed_objects(list: &[(&'static str, Value)]) -> Vec<(&'static str, Value)> {
    let mut ready: Vec<i64> = vec![3; list.len()];
    picks(list.len(), EVENTS)
        .into_iter()
        .enumerate()
        .map(|(seq, i)| {
            let (source, obj) = &list[i];
            let mut o = obj.clone();
            ready[i] = if ready[i] == 3 { 2 } else { 3 };
            o["status"]["readyReplicas"] = json!(ready[i]);
            o["metadata"]["resourceVersion"] = json!((100_000 + seq).to_string());
            (*source, o)
        })
        .collect()
}

/// The rows the reducer receives for the changed objects (converted once, up front).
fn changed_rows(
    list: &[(&'static str, Value)],
    changed: &[(&'static str, Value)],
) -> Vec<RolloutRow> {
    let mut cache = objects(list);
    cache.all_rows();
    changed
        .iter()
        .flat_map(|(source, o)| {
            let old = cache.put(source, o.clone());
            let ids = cache.affected(source, old.as_ref(), Some(o));
            cache.diff(&ids).upsert
        })
        .collect()
}

fn ingest(s: &mut AppState, rows: &[RolloutRow], batch: usize) {
    let generation = s.session.generation;
    for chunk in rows.chunks(batch) {
        black_box(update(
            s,
            Event::Rollouts {
                generation,
                change: RolloutChange::Upsert(chunk.to_vec()),
            },
        ));
    }
}

fn watch_and_ingest(s: &mut AppState, cache: &mut Objects, changed: &[(&'static str, Value)]) {
    let generation = s.session.generation;
    for (source, o) in changed {
        if *source == ROLLOUTS {
            black_box(cache.missing_stable_set(o));
        }
        let old = cache.put(source, o.clone());
        let ids = cache.affected(source, old.as_ref(), Some(o));
        let diff = cache.diff(&ids);
        if !diff.upsert.is_empty() {
            black_box(update(
                s,
                Event::Rollouts {
                    generation,
                    change: RolloutChange::Upsert(diff.upsert),
                },
            ));
        }
    }
}

fn bench_ingest(c: &mut Criterion) {
    let list = scale_objects(ROLLOUTS_N);
    let changed = changed_objects(&list);
    let rows = changed_rows(&list, &changed);
    assert_eq!(rows.len(), EVENTS, "every change is one changed row");
    let mut g = c.benchmark_group("ingest 10,000 watch events, 5,000 rollouts");
    // An iteration takes seconds: few samples, one iteration each.
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(1));

    let mut s = state_with(fleet_rows(ROLLOUTS_N), 200, 60);
    g.bench_function("reducer, 10,000 events in batches of 512", |b| {
        b.iter(|| ingest(&mut s, &rows, 512))
    });
    let mut next = 0;
    g.bench_function("reducer, one event each (1,000 of the 10,000)", |b| {
        b.iter(|| {
            ingest(&mut s, &rows[next..next + SLICE], 1);
            next = (next + SLICE) % EVENTS;
        })
    });
    let mut next = 0;
    g.bench_function(
        "watcher + reducer, one event each (200 of the 10,000)",
        |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut cache = objects(&list);
                    let mut s = state_with(cache.all_rows(), 200, 60);
                    // The cache and rows as they are after the events before this slice.
                    for (source, o) in &changed[..next] {
                        cache.put(source, o.clone());
                    }
                    s.rollouts.replace(cache.all_rows());
                    let t = Instant::now();
                    watch_and_ingest(&mut s, &mut cache, &changed[next..next + WATCH_SLICE]);
                    total += t.elapsed();
                    next = (next + WATCH_SLICE) % EVENTS;
                }
                total
            })
        },
    );
    g.finish();

    // The scan alone: what every batch costs the watcher whatever its size.
    let mut g = c.benchmark_group("watcher, 5,000 rollouts");
    g.sample_size(20);
    let mut cache = objects(&list);
    cache.all_rows();
    g.bench_function("rollouts_missing_stable_sets (on a resync)", |b| {
        b.iter(|| black_box(cache.rollouts_missing_stable_sets()))
    });
    g.finish();
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
