//! Render snapshots of the metrics feature: the overview's metrics panel (live and stale),
//! the Alerts screen with firing alerts and with none, and the header's alert count. The
//! states are built by feeding the reducer real events (ticks, Prometheus answers, keys).
//! Each snapshot also asserts its key facts in plain text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/draw.rs"]
mod draw;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use draw::draw;
use shipdeck::domain::identity::{Identity, IdentitySource};
use shipdeck::domain::metrics::prom::Sample;
use shipdeck::domain::metrics::{MetricKind, SideValues};
use shipdeck::domain::rollout::RolloutKey;
use shipdeck::domain::sample::synthetic_rows;
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::input::KeyChord;
use shipdeck::state::metrics::{MetricsAnswer, MetricsSettings, RangeAnswer};
use shipdeck::state::{AppState, Command, Event, Session, SessionInfo, update};
use shipdeck::theme::{ColorDepth, Role, Theme};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

fn secs(s: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(s)
}

/// The synthetic rows of `tests/render.rs`, with metrics configured.
fn state() -> AppState {
    let session = Session::new(
        SessionInfo {
            context: "sim-operator".into(),
            cluster_url: "https://127.0.0.1:6443".into(),
            namespaces: NamespaceScope::Some(vec![
                "casino-prod".into(),
                "casino-staging".into(),
                "payments-eu".into(),
            ]),
            context_read_only: false,
            kube_user: "sim-operator".into(),
        },
        vec!["sim-operator".into()],
        false,
    );
    let mut s = AppState::with_rows(session, synthetic_rows(30, t0()), t0());
    update(
        &mut s,
        Event::Identity(Identity {
            username: "alice@example.com".into(),
            source: IdentitySource::SelfSubjectReview,
        }),
    );
    s.set_metrics(MetricsSettings {
        enabled: true,
        source: "http://127.0.0.1:9090".into(),
        ..Default::default()
    });
    s
}

fn side(rate: f64, err: f64, p95: f64, p99: f64) -> SideValues {
    SideValues {
        request_rate: Some(rate),
        error_ratio: Some(err),
        p95: Some(p95),
        p99: Some(p99),
    }
}

fn healthy() -> [SideValues; 2] {
    [
        side(20.0, 0.01, 0.100, 0.200),
        side(180.0, 0.01, 0.100, 0.200),
    ]
}

/// The demo story: payments' canary serves 8× the stable's 5xx and 3× its p99.
fn payments_regressing() -> [SideValues; 2] {
    [
        side(20.0, 0.08, 0.120, 0.600),
        side(180.0, 0.01, 0.100, 0.200),
    ]
}

/// One interval at `at`: the tick's grouped query answered with `values("ns/name")` for
/// every target (none when it returns `None`), and the chart's range query, when there is one,
/// answered with `range`. Returns the commands of the tick.
fn interval(
    s: &mut AppState,
    at: DateTime<Utc>,
    values: impl Fn(&str) -> Option<[SideValues; 2]>,
    range: Option<&dyn Fn(&RolloutKey) -> RangeAnswer>,
) -> Vec<Command> {
    let cmds = update(s, Event::Tick(at));
    let mut query = None;
    for c in &cmds {
        match c {
            Command::QueryMetrics(q) => query = Some(q.clone()),
            Command::QueryRange(r) => {
                if let Some(f) = range {
                    update(
                        s,
                        Event::MetricRange {
                            id: r.id,
                            key: r.target.key.clone(),
                            result: Ok(f(&r.target.key)),
                        },
                    );
                }
            }
            _ => {}
        }
    }
    let q = query.unwrap_or_else(|| panic!("no metrics query at {at}: {cmds:?}"));
    let mut answer = MetricsAnswer::default();
    for t in &q.targets {
        if let Some(v) = values(&format!("{}/{}", t.key.namespace, t.key.name)) {
            answer.current.insert(t.key.clone(), v);
        }
    }
    update(
        s,
        Event::Metrics {
            id: q.id,
            result: Ok(answer),
        },
    );
    cmds
}

/// Range samples of payments: the canary's 5xx and p99 climb after the first few samples;
/// the stable side stays flat (with a little deterministic noise).
fn payments_range(_key: &RolloutKey) -> RangeAnswer {
    let n = 30;
    let start = (t0() - Duration::seconds(300)).timestamp() as f64;
    let noise = |i: usize| ((i * 7) % 5) as f64 / 100.0;
    let series = |f: &dyn Fn(usize) -> f64| -> Vec<Sample> {
        (0..n)
            .map(|i| Sample {
                t: start + 10.0 * i as f64,
                v: f(i),
            })
            .collect()
    };
    let bad = |i: usize| i >= 3;
    let mut out = BTreeMap::new();
    out.insert(
        MetricKind::RequestRate,
        [
            series(&|i| 20.0 * (1.0 + noise(i))),
            series(&|i| 180.0 * (1.0 + noise(i))),
        ],
    );
    out.insert(
        MetricKind::ErrorRatio,
        [
            series(&|i| if bad(i) { 0.08 } else { 0.01 } * (1.0 + noise(i))),
            series(&|i| 0.01 * (1.0 + noise(i))),
        ],
    );
    out.insert(
        MetricKind::LatencyP95,
        [
            series(&|i| 0.100 * (1.0 + noise(i))),
            series(&|i| 0.100 * (1.0 + noise(i + 1))),
        ],
    );
    out.insert(
        MetricKind::LatencyP99,
        [
            series(&|i| if bad(i) { 0.600 } else { 0.200 } * (1.0 + noise(i))),
            series(&|i| 0.200 * (1.0 + noise(i))),
        ],
    );
    RangeAnswer { series: out }
}

/// Two regressing intervals of payments (the alert fires on the second), everything else
/// healthy, with the chart of payments (the selected row).
fn firing() -> AppState {
    let mut s = state();
    let values = |name: &str| {
        Some(if name == "casino-prod/payments" {
            payments_regressing()
        } else {
            healthy()
        })
    };
    let range: &dyn Fn(&RolloutKey) -> RangeAnswer = &payments_range;
    interval(&mut s, t0(), values, Some(range));
    interval(&mut s, secs(10), values, Some(range));
    s
}

fn line_with<'a>(screen: &'a str, a: &str, b: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(a) && l.contains(b))
        .unwrap_or_else(|| panic!("no line with {a:?} and {b:?}:\n{screen}"))
}

fn press(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, Event::Key(KeyChord::ch(c)));
    }
}

fn payments_key(s: &AppState) -> RolloutKey {
    s.rollouts
        .all()
        .find(|r| r.key.namespace == "casino-prod" && r.key.name == "payments")
        .unwrap()
        .key
        .clone()
}

#[test]
fn metrics_panel_of_the_selected_rollout() {
    let mut s = firing();
    assert_eq!(s.rollouts.selected().unwrap().key, payments_key(&s));
    let (screen, term) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("metrics_panel_120x36", screen);
    let title = line_with(&screen, "Metrics", "casino-prod/payments");
    assert!(title.contains("canary vs stable"), "{title}");
    assert!(
        screen.contains("http://127.0.0.1:9090 · every 10s · updated 0 s ago"),
        "{screen}"
    );
    let err = line_with(&screen, "5xx ", "8.00%");
    for part in ["1.00%", "×8.00", "> +10% & ≥0.5pp", "✖ breach +700%"] {
        assert!(err.contains(part), "{part}: {err}");
    }
    let p99 = line_with(&screen, "p99 ", "600ms");
    for part in ["200ms", "×3.00", "> +20% & ≥5ms", "✖ breach +200%"] {
        assert!(p99.contains(part), "{part}: {p99}");
    }
    let p95 = line_with(&screen, "p95 ", "120ms");
    assert!(p95.contains("✔ ok"), "exactly +20 % is not a breach: {p95}");
    let rate = line_with(&screen, "req/s ", "20.0/s");
    assert!(rate.contains("180.0/s") && rate.contains("×0.11"), "{rate}");
    assert!(screen.contains("CANARY TREND") && screen.contains("STABLE TREND"));
    let judge = line_with(&screen, "Kayenta judge:", "Fail 0");
    assert!(judge.contains("error_ratio High"), "{judge}");
    // The header counts the firing alerts (5xx and p99 of a critical service).
    let header = screen.lines().next().unwrap();
    assert!(header.contains("✖ 2 alerts (2 critical)"), "{header}");
    // The table still lists the rollouts above the panel.
    assert!(screen.contains("⚠ ATTENTION"));
    // Styles: the alert count is critical; the canary trend of 5xx above the band is drawn
    // in the threshold role, the stable trend in its own.
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let buf = term.backend().buffer();
    let x = header[..header.find("✖ 2 alerts").unwrap()].chars().count() as u16;
    assert_eq!(buf[(x, 0)].bg, theme.style(Role::AlertCritical).bg.unwrap());
    let fgs = |row: &str| {
        let y = screen.lines().position(|l| l == row).unwrap() as u16;
        (75..119).map(|x| buf[(x, y)].fg).collect::<Vec<_>>()
    };
    let colour = |role: Role| theme.style(role).fg.unwrap();
    let err_fgs = fgs(err);
    assert!(err_fgs.contains(&colour(Role::ChartThreshold)));
    assert!(
        err_fgs.contains(&colour(Role::ChartCanary)),
        "before the regression"
    );
    assert!(err_fgs.contains(&colour(Role::ChartStable)));
    assert!(
        !fgs(p95).contains(&colour(Role::ChartThreshold)),
        "within the band"
    );
}

#[test]
fn metrics_panel_says_why_a_rollout_has_no_verdict() {
    let mut s = state();
    // jackpot's canary serves too little traffic to judge: 0.5/s × 60 s < 50 requests.
    let values = |name: &str| {
        Some(if name == "casino-prod/jackpot" {
            [side(0.5, 0.02, 0.1, 0.2), side(180.0, 0.01, 0.1, 0.2)]
        } else {
            healthy()
        })
    };
    interval(&mut s, t0(), values, None);
    let jackpot = s
        .rollouts
        .all()
        .find(|r| r.key.namespace == "casino-prod" && r.key.name == "jackpot")
        .unwrap()
        .key
        .clone();
    assert!(s.rollouts.select_key(&jackpot));
    let (screen, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("metrics_panel_no_data_120x36", screen);
    assert!(line_with(&screen, "5xx ", "2.00%").contains("? no data"));
    assert!(
        screen.contains("? too few requests for jackpot canary: 30 in 1m"),
        "{screen}"
    );
    assert!(
        screen.contains("Kayenta judge: no range data yet"),
        "{screen}"
    );
    // A steady Deployment promoted long ago is not judged at all.
    let auth = s
        .rollouts
        .all()
        .find(|r| r.key.namespace == "casino-staging" && r.key.name == "auth")
        .unwrap()
        .key
        .clone();
    assert!(s.rollouts.select_key(&auth));
    let (screen, _) = draw(&mut s, 120, 36);
    assert!(screen.contains("not in flight: not judged"), "{screen}");
    assert!(line_with(&screen, "Metrics", "casino-staging/auth").contains("auth"));
}

#[test]
fn metrics_panel_marks_stale_values() {
    let mut s = firing();
    let cmds = update(&mut s, Event::Tick(secs(20)));
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Command::QueryMetrics(q) => Some(q.id),
            _ => None,
        })
        .unwrap();
    update(
        &mut s,
        Event::Metrics {
            id,
            result: Err("Prometheus unreachable: connection refused".into()),
        },
    );
    let (screen, term) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("metrics_stale_120x36", screen);
    let status = line_with(
        &screen,
        "Prometheus unreachable: connection refused",
        "retrying in",
    );
    assert!(
        status.contains("⚠") && status.contains("values are stale"),
        "{status}"
    );
    let err = line_with(&screen, "5xx ", "8.00%");
    assert!(err.contains("✖ breach +700% (stale)"), "{err}");
    for metric in ["req/s ", "p95 ", "p99 "] {
        assert!(line_with(&screen, metric, "(stale)").contains(metric));
    }
    // Stale values are dimmed as well as marked.
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let y = screen.lines().position(|l| l == err).unwrap() as u16;
    let x = err[..err.find("8.00%").unwrap()].chars().count() as u16;
    assert_eq!(
        term.backend().buffer()[(x, y)].fg,
        theme.style(Role::ChromeDim).fg.unwrap()
    );
    // The alerts keep firing while the source is down.
    assert!(screen.lines().next().unwrap().contains("2 alerts"));
}

#[test]
fn alerts_screen_lists_firing_alerts_newest_first() {
    let mut s = state();
    // payments regresses from the start; bonus' p99 grows +30 % (a warning, for a
    // non-critical service) and stays; jackpot's p95 breaches twice, then recovers for
    // three intervals and clears into the history.
    let at = |i: i64| secs(10 * i);
    for i in 0..5 {
        let values = move |name: &str| {
            Some(match name {
                "casino-prod/payments" => payments_regressing(),
                "casino-prod/bonus" if i >= 2 => {
                    [side(20.0, 0.01, 0.1, 0.26), side(180.0, 0.01, 0.1, 0.2)]
                }
                "casino-prod/jackpot" if i < 2 => {
                    [side(20.0, 0.01, 0.15, 0.2), side(180.0, 0.01, 0.1, 0.2)]
                }
                _ => healthy(),
            })
        };
        interval(&mut s, at(i), values, None);
    }
    update(&mut s, Event::Tick(secs(45)));
    press(&mut s, "2");
    // The second alert is selected and acknowledged.
    press(&mut s, "jA");
    let (screen, term) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("alerts_120x36", screen);
    assert!(
        screen.contains("Alerts 3 active · 2 critical · 2 not acknowledged"),
        "{screen}"
    );
    let err = line_with(&screen, "casino-prod/payments", "5xx");
    for part in [
        "✖ critical",
        "8.00%",
        "1.00%",
        "+700%",
        "> +10%",
        "canary vs stable",
        "35s",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    let p99 = line_with(&screen, "casino-prod/payments", "p99");
    assert!(p99.contains("+200%") && p99.contains("> +20%"), "{p99}");
    let bonus = line_with(&screen, "casino-prod/bonus", "p99");
    assert!(
        bonus.contains("⚠ warning") && bonus.contains("+30%"),
        "{bonus}"
    );
    // Newest first: bonus fired at 30 s, payments at 10 s.
    let pos = |needle: &str| screen.find(needle).unwrap();
    assert!(pos("casino-prod/bonus") < pos("casino-prod/payments"));
    // History: jackpot's p95 cleared at 40 s after firing at 10 s.
    assert!(screen.contains("History 1 cleared"), "{screen}");
    let cleared = line_with(&screen, "casino-prod/jackpot", "p95");
    for part in ["5s ago", "critical", "150ms", "+50%", "30s"] {
        assert!(cleared.contains(part), "{part}: {cleared}");
    }
    // The selected (second) row is highlighted and acknowledged.
    let selected = s.metrics.alerts.active[1].clone();
    assert!(selected.acknowledged);
    let row = line_with(
        &screen,
        &format!(
            "{}/{}",
            selected.key.rollout.namespace, selected.key.rollout.name
        ),
        &format!("{} ", selected.key.metric.label()),
    );
    assert!(row.trim_end().ends_with("ack│"), "{row}");
    let y = screen.lines().position(|l| l == row).unwrap() as u16;
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let bg = theme.style(Role::ChromeSelection).bg.unwrap();
    assert_eq!(term.backend().buffer()[(60, y)].bg, bg);
    assert_ne!(term.backend().buffer()[(60, y - 1)].bg, bg);
    // The footer offers the alerts keys; the header counts the alerts.
    let footer = screen.lines().nth(35).unwrap();
    assert!(footer.contains("A acknowledge"), "{footer}");
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("✖ 3 alerts (2 critical)")
    );

    let (screen, _) = draw(&mut s, 80, 24);
    insta::assert_snapshot!("alerts_80x24", screen);
    assert!(screen.lines().all(|l| l.chars().count() <= 80));
    let err = line_with(&screen, "payments", "5xx");
    assert!(err.contains("✖ critical") && err.contains("+700%"), "{err}");
    assert!(
        !screen.contains("COMPARED"),
        "narrow drops the comparison column"
    );
}

#[test]
fn alerts_screen_when_nothing_fires() {
    let mut s = state();
    interval(&mut s, t0(), |_| Some(healthy()), None);
    press(&mut s, "2");
    let (screen, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("alerts_empty_120x36", screen);
    assert!(
        screen.contains("✔ no active alerts — every rollout in flight is within its thresholds"),
        "{screen}"
    );
    assert!(screen.contains("History 0 cleared") && screen.contains("no cleared alerts yet"));
    assert!(
        !screen.lines().next().unwrap().contains("alert"),
        "no count in the header"
    );

    // Metrics off: the screen says how to turn them on.
    let mut off = state();
    off.set_metrics(MetricsSettings::default());
    press(&mut off, "2");
    let (screen, _) = draw(&mut off, 80, 24);
    assert!(
        screen.contains("metrics off: set [prometheus] url in the config"),
        "{screen}"
    );
}

#[test]
fn metrics_off_leaves_the_overview_unchanged() {
    let mut on = state();
    let mut off = state();
    off.set_metrics(MetricsSettings::default());
    let (with_off, _) = draw(&mut off, 120, 36);
    assert!(!with_off.contains("Metrics ·"));
    // Enabled but short terminal: no panel either.
    let (short, _) = draw(&mut on, 120, 29);
    assert!(!short.contains("Metrics ·"), "{short}");
    let (tall, _) = draw(&mut on, 120, 36);
    assert!(tall.contains("Metrics · casino-prod/payments"), "{tall}");
    assert!(tall.contains("querying http://127.0.0.1:9090…"), "{tall}");
}

#[test]
fn ascii_mode_draws_the_panel_and_the_alerts_in_ascii() {
    let mut s = firing();
    s.ascii = true;
    let (screen, _) = draw(&mut s, 120, 36);
    assert!(screen.is_ascii(), "{screen}");
    let err = line_with(&screen, "5xx ", "8.00%");
    for part in ["x8.00", "> +10% & >=0.5pp", "x breach +700%", "#"] {
        assert!(err.contains(part), "{part}: {err}");
    }
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("x 2 alerts (2 critical)")
    );
    press(&mut s, "2");
    let (screen, _) = draw(&mut s, 120, 36);
    assert!(screen.is_ascii(), "{screen}");
    assert!(line_with(&screen, "payments", "5xx").contains("x critical"));
}
