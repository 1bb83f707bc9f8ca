//! The overview of the casino world: the simulated world run on a deterministic sim clock to
//! t = 66 s, its objects converted exactly as the watchers convert them, rendered at 120×36
//! and 80×24; a filtered view; stale and forbidden sources. Each snapshot also asserts its
//! key facts in plain text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/draw.rs"]
mod draw;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use draw::draw;
use shipdeck::adapters::kube::rows::{CANARIES, DEPLOYMENTS, Objects, ROLLOUTS};
use shipdeck::domain::rollout::RolloutRow;
use shipdeck::domain::scope::NamespaceScope;
use shipdeck::sim::admit::{self, Mode};
use shipdeck::sim::crds::Catalog;
use shipdeck::sim::store::Store;
use shipdeck::sim::{scenario, world::World};
use shipdeck::state::{AppState, Event, Session, SessionInfo, SourceState, update};
use shipdeck::theme::{ColorDepth, Role, Theme};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

/// The casino world at `secs` of sim time, as overview rows.
fn casino_rows(secs: u64) -> Vec<RolloutRow> {
    let catalog = Catalog::get();
    let mut store = Store::new(100_000);
    let scene = scenario::build("casino").unwrap();
    let ns_def = catalog.find("", "v1", "namespaces").unwrap();
    for obj in scene.objects {
        if obj["kind"] == "Namespace" {
            admit::ensure_namespace(
                &mut store,
                ns_def,
                obj["metadata"]["name"].as_str().unwrap(),
                Utc::now(),
            );
        } else {
            let def = catalog
                .find_kind(
                    obj["apiVersion"].as_str().unwrap(),
                    obj["kind"].as_str().unwrap(),
                )
                .unwrap();
            let ns = obj["metadata"]["namespace"].as_str().unwrap().to_string();
            admit::create(&mut store, def, &ns, obj, Utc::now(), Mode::Api).unwrap();
        }
    }
    let mut world = World::new(1.0, 7, true);
    // Traffic (and so Flagger's checks) on the stepped clock: the same rows however fast
    // this machine steps the world.
    world.metrics.use_stepped_time();
    world.story = scene.story;
    // Fixed sim-time steps, the clock stopped at `secs`: the wall clock adds nothing, so a
    // slow machine renders the same moment of the story.
    world.run_to(&mut store, catalog, Duration::from_secs(secs));
    assert!(world.errors.is_empty(), "{:#?}", world.errors);
    let mut o = Objects::default();
    for (source, group, plural) in [
        (ROLLOUTS, "argoproj.io", "rollouts"),
        (CANARIES, "flagger.app", "canaries"),
        (DEPLOYMENTS, "apps", "deployments"),
    ] {
        let def = catalog
            .defs()
            .iter()
            .find(|d| d.group == group && d.plural == plural)
            .unwrap();
        o.replace(source, None, store.list(def, None));
    }
    let rs_def = catalog.find("apps", "v1", "replicasets").unwrap();
    for (key, _) in o.rollouts_missing_stable_sets() {
        let rs = store.get(rs_def, &key.0, &key.1).unwrap();
        o.put_stable_set(key, rs);
    }
    let mut rows = o.all_rows();
    // Wall-clock times vary from run to run: pin them.
    for r in &mut rows {
        r.since = Some(now() - chrono::Duration::seconds(200));
        if let Some(p) = &mut r.pause {
            p.since = Some(now() - chrono::Duration::seconds(11));
        }
    }
    rows
}

fn state(rows: Vec<RolloutRow>) -> AppState {
    let session = Session::new(
        SessionInfo {
            context: "sim-operator".into(),
            cluster_url: "https://127.0.0.1:6443".into(),
            namespaces: NamespaceScope::All,
            context_read_only: false,
            kube_user: "sim-operator".into(),
        },
        vec![],
        false,
    );
    AppState::with_rows(session, rows, now())
}

fn line_with<'a>(screen: &'a str, a: &str, b: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(a) && l.contains(b))
        .unwrap_or_else(|| panic!("no line with {a:?} and {b:?}:\n{screen}"))
}

#[test]
fn the_casino_world_at_66_seconds() {
    let rows = casino_rows(66);
    let mut s = state(rows);
    let (screen, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("casino_120x36", screen);
    let ge = line_with(&screen, "casino-prod", "game-engine");
    for part in ["‖ Paused", "5/7", "50%", "1.8.3 → 1.9.0 (minor)"] {
        assert!(ge.contains(part), "{part}: {ge}");
    }
    let lobby = line_with(&screen, "casino-prod", "lobby");
    assert!(
        lobby.contains("bluegreen") && lobby.contains("1.7.2 → 2.0.0 (major)"),
        "{lobby}"
    );
    assert!(
        line_with(&screen, "casino-prod", "payments").contains("3/7"),
        "payments in its second pause"
    );
    assert!(line_with(&screen, "casino-prod", "bonus").contains("flagger"));
    assert!(line_with(&screen, "casino-prod", "notifications").contains("⚠ latest"));
    let staging = line_with(&screen, "casino-staging", "game-engine");
    assert!(
        staging.contains("✔ Healthy") && staging.contains("7/7") && staging.contains("100%"),
        "{staging}"
    );
    assert!(
        !screen.contains("bonus-primary"),
        "a canary's deployments are part of its row"
    );
    assert!(screen.contains("need attention"));

    let (narrow, _) = draw(&mut s, 80, 24);
    insta::assert_snapshot!("casino_80x24", narrow);
    assert!(narrow.lines().all(|l| l.chars().count() <= 80));
    assert!(line_with(&narrow, "casino-prod/game-engine", "5/7").contains("‖ Paused"));
}

#[test]
fn a_filtered_casino() {
    let mut s = state(casino_rows(66));
    s.rollouts.set_filter("status:paused ns:casino-prod");
    let (screen, _) = draw(&mut s, 120, 36);
    insta::assert_snapshot!("casino_filtered_120x36", screen);
    let total = s.rollouts.total();
    assert!(
        screen.contains(&format!("Rollouts {} of {total}", s.rollouts.visible_len())),
        "{screen}"
    );
    assert!(
        s.rollouts
            .visible()
            .all(|r| r.key.namespace == "casino-prod" && r.phase.label() == "Paused")
    );
    assert!(s.rollouts.visible_len() >= 3);
}

#[test]
fn stale_and_forbidden_sources_are_shown_and_their_rows_dimmed() {
    let mut s = state(casino_rows(66));
    let generation = s.session.generation;
    let since = now() - chrono::Duration::seconds(12);
    update(
        &mut s,
        Event::Source {
            generation,
            name: "rollouts",
            state: SourceState::Stale { since, retries: 3 },
        },
    );
    update(
        &mut s,
        Event::Source {
            generation,
            name: "canaries",
            state: SourceState::Forbidden("list canaries".into()),
        },
    );
    let (screen, term) = draw(&mut s, 150, 36);
    insta::assert_snapshot!("casino_stale_150x36", screen);
    let header = screen.lines().nth(1).unwrap();
    assert!(header.contains("stale 12s, reconnecting (3)"), "{header}");
    assert!(header.contains("forbidden: list canaries"), "{header}");
    assert!(screen.contains("rows may be stale"));
    // The last-known rows stay, dimmed; deployment rows (a live source) are not.
    let theme = Theme::embedded("default", ColorDepth::TrueColor).unwrap();
    let buf = term.backend().buffer();
    let y_of = |a: &str, b: &str| {
        screen
            .lines()
            .position(|l| l.contains(a) && l.contains(b))
            .unwrap() as u16
    };
    let dim = theme.style(Role::ChromeDim).fg.unwrap();
    assert_eq!(buf[(40, y_of("casino-staging", "payments"))].fg, dim);
    assert_ne!(buf[(40, y_of("casino-prod", "wallet"))].fg, dim);
}
