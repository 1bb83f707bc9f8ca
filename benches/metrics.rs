//! One metrics interval in the reducer with 1,000 and 5,000 rollouts in flight: planning the
//! grouped query (tick) and judging the answer (values → verdicts → alerts). The two sizes
//! show whether an interval grows linearly with the fleet.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use shipdeck::domain::detail::ArgoDetail;
use shipdeck::domain::metrics::SideValues;
use shipdeck::domain::rollout::{ControllerKind, Phase, RolloutRow, StepProgress, Weights};
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::state::metrics::{MetricsAnswer, MetricsSettings};
use shipdeck::state::{AppState, Command, Event, Session, SessionInfo, update};

fn rows(n: usize) -> Vec<RolloutRow> {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let mut r = RolloutRow::new(
                "casino-prod",
                &format!("svc-{i}"),
                ControllerKind::ArgoCanary,
            );
            r.phase = Phase::Progressing;
            r.step = Some(StepProgress { index: 1, total: 4 });
            r.weights = Some(Weights {
                set: 20,
                actual: Some(20),
            });
            r.since = Some(now - Duration::minutes(2));
            r.argo = Some(ArgoDetail {
                current_pod_hash: Some(format!("new{i}")),
                stable_rs: Some(format!("old{i}")),
                ..ArgoDetail::default()
            });
            r
        })
        .collect()
}

fn state(n: usize) -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let session = Session::new(
        SessionInfo {
            context: "bench".into(),
            cluster_url: "https://127.0.0.1".into(),
            namespaces: NamespaceScope::All,
            context_read_only: false,
            kube_user: "bench".into(),
        },
        vec!["bench".into()],
        false,
    );
    let mut s = AppState::with_rows(session, rows(n), now);
    s.set_metrics(MetricsSettings {
        enabled: true,
        ..MetricsSettings::default()
    });
    s
}

fn side(rate: f64, err: f64) -> SideValues {
    SideValues {
        request_rate: Some(rate),
        error_ratio: Some(err),
        p95: Some(0.1),
        p99: Some(0.2),
    }
}

fn bench_interval(c: &mut Criterion) {
    for (n, label) in [(1000, "1,000"), (5000, "5,000")] {
        bench_size(c, n, label);
    }
}

fn bench_size(c: &mut Criterion, n: usize, label: &str) {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    c.bench_function(
        &format!("metrics tick: plan one grouped query, {label} in flight"),
        |b| {
            b.iter_batched(
                || state(n),
                |mut s| black_box(update(&mut s, Event::Tick(now))),
                BatchSize::LargeInput,
            )
        },
    );
    c.bench_function(
        &format!("metrics answer: judge {label} rollouts (3 metrics each)"),
        |b| {
            b.iter_batched(
                || {
                    let mut s = state(n);
                    let cmds = update(&mut s, Event::Tick(now));
                    let Some(Command::QueryMetrics(q)) = cmds
                        .into_iter()
                        .find(|c| matches!(c, Command::QueryMetrics(_)))
                    else {
                        unreachable!("a tick with rollouts in flight asks for metrics")
                    };
                    let mut answer = MetricsAnswer::default();
                    for (i, t) in q.targets.iter().enumerate() {
                        let err = if i % 10 == 0 { 0.08 } else { 0.01 };
                        answer
                            .current
                            .insert(t.key.clone(), [side(20.0, err), side(80.0, 0.01)]);
                    }
                    (s, q.id, answer)
                },
                |(mut s, id, answer)| {
                    black_box(update(
                        &mut s,
                        Event::Metrics {
                            id,
                            result: Ok(answer),
                        },
                    ))
                },
                BatchSize::LargeInput,
            )
        },
    );
}

criterion_group!(benches, bench_interval);
criterion_main!(benches);
