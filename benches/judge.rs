//! The canary judge on one metric with 1,000 samples per side.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shipdeck::domain::judge::{JudgeConfig, MetricConfig, MetricSamples, judge, mann_whitney};

/// Deterministic latency-like samples: a skewed positive distribution (xorshift based).
fn latencies(seed: u64, n: usize, scale: f64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            scale * (0.2 + u * u)
        })
        .collect()
}

fn bench_judge(c: &mut Criterion) {
    let canary = latencies(0x9e37_79b9_7f4a_7c15, 1000, 1.05);
    let baseline = latencies(0xd1b5_4a32_d192_ed03, 1000, 1.0);
    let config = JudgeConfig {
        metrics: vec![MetricConfig {
            groups: vec!["latency".to_owned()],
            unit: Some("s".to_owned()),
            ..MetricConfig::new("p99")
        }],
        ..JudgeConfig::default()
    };
    let samples = [MetricSamples::new("p99", canary.clone(), baseline.clone())];

    c.bench_function("judge/one metric, 2x1000 samples", |b| {
        b.iter(|| judge(black_box(&config), black_box(&samples)))
    });
    c.bench_function("mann_whitney/2x1000 samples, confidence 0.98", |b| {
        b.iter(|| mann_whitney(black_box(&canary), black_box(&baseline), 0.98))
    });

    // Millisecond-quantised data: many ties, the other extreme for the rank statistic.
    let quantised =
        |v: &[f64]| -> Vec<f64> { v.iter().map(|x| (x * 1000.0).round() / 1000.0).collect() };
    let tied = [MetricSamples::new(
        "p99",
        quantised(&canary),
        quantised(&baseline),
    )];
    c.bench_function("judge/one metric, 2x1000 tied samples", |b| {
        b.iter(|| judge(black_box(&config), black_box(&tied)))
    });
}

criterion_group!(benches, bench_judge);
criterion_main!(benches);
