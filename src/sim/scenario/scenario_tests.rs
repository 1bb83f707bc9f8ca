use super::*;
use crate::sim::traffic::series::Track;
use crate::sim::world::testkit::Kit;

#[test]
fn every_scenario_object_is_accepted_by_admission() {
    for name in NAMES {
        let s = build(name).unwrap();
        let mut k = Kit::new();
        for obj in s.objects {
            if obj["kind"] == "Namespace" {
                let def = k.catalog.find("", "v1", "namespaces").unwrap();
                let ns = obj["metadata"]["name"].as_str().unwrap();
                crate::sim::admit::ensure_namespace(&mut k.store, def, ns, chrono::Utc::now());
            } else {
                k.apply(obj);
            }
        }
    }
    assert!(build("atlantis").is_none());
    let casino = build("casino").unwrap();
    assert_eq!(casino.story.len(), 6);
    assert!(build("steady").unwrap().story.is_empty());
}

#[test]
fn the_flags_configmap_holds_the_four_flags() {
    let cm = objects::flags_configmap("casino-prod");
    let text = cm["data"]["flags.flagd.json"].as_str().unwrap();
    let v: Value = serde_json::from_str(text).unwrap();
    for (flag, default) in [
        ("new-slot-ui", "off"),
        ("jackpot-banner", "on"),
        ("platform-read-only", "off"),
        ("bonus-wheel", "classic"),
    ] {
        assert_eq!(v["flags"][flag]["defaultVariant"], default, "{flag}");
    }
    assert!(v["flags"]["bonus-wheel"]["targeting"].is_object());
}

/// The casino story on a deterministic sim clock: the states of PRODUCT.md's table at
/// their times, and no controller write refused by admission.
#[test]
fn the_casino_story_reaches_the_states_of_the_product_table() {
    use std::time::Duration;
    let s = build("casino").unwrap();
    let mut k = Kit::new();
    for obj in s.objects {
        if obj["kind"] == "Namespace" {
            let def = k.catalog.find("", "v1", "namespaces").unwrap();
            crate::sim::admit::ensure_namespace(
                &mut k.store,
                def,
                obj["metadata"]["name"].as_str().unwrap(),
                chrono::Utc::now(),
            );
        } else {
            k.apply(obj);
        }
    }
    k.world.story = s.story;
    let (ro, prod, stg) = ("argoproj.io/v1alpha1", "casino-prod", "casino-staging");
    let step = Duration::from_millis(500);
    // Before the first release everything settles Healthy on the old versions.
    k.run(Duration::from_secs(4), step);
    for name in ["game-engine", "payments", "lobby"] {
        assert_eq!(
            k.get(ro, "Rollout", prod, name)["status"]["phase"],
            "Healthy",
            "{name}"
        );
        assert_eq!(
            k.get(ro, "Rollout", stg, name)["status"]["phase"],
            "Healthy",
            "staging {name}"
        );
    }
    let image_of = |k: &Kit, kind: &str, name: &str| {
        let av = if kind == "Rollout" { ro } else { "apps/v1" };
        k.get(av, kind, prod, name)["spec"]["template"]["spec"]["containers"][0]["image"].clone()
    };
    assert_eq!(
        image_of(&k, "Rollout", "game-engine"),
        super::image("game-engine", "1.8.3")
    );
    // lobby: preview ready and waiting for promotion soon after its release at 15 s.
    let lobby_waits = |k: &Kit| {
        k.get(ro, "Rollout", prod, "lobby")["status"]["pauseConditions"][0]["reason"]
            == "BlueGreenPause"
    };
    assert!(
        k.run_until(Duration::from_secs(40), step, lobby_waits),
        "lobby never waited for promotion"
    );
    // game-engine: reaches 50 % at about 60 s and waits for approval.
    let ge_waits = |k: &Kit| {
        let st = &k.get(ro, "Rollout", prod, "game-engine")["status"];
        st["pauseConditions"][0]["reason"] == "CanaryPauseStep" && st["currentStepIndex"] == 5
    };
    assert!(
        k.run_until(Duration::from_secs(50), step, ge_waits),
        "game-engine never paused at 50 %"
    );
    let t = k.world.clock.now().as_secs();
    assert!(
        (45..=75).contains(&t),
        "game-engine waited at t={t}s, the story says ≈60 s"
    );
    assert_eq!(
        k.get(ro, "Rollout", prod, "game-engine")["status"]["phase"],
        "Paused"
    );
    // auth rolled its patch release; payments' canary is regressing from 60 s.
    assert!(k.run_until(Duration::from_secs(20), step, |k| image_of(
        k,
        "Deployment",
        "auth"
    ) == super::image(
        "auth", "2.4.2"
    ) && k.get(
        "apps/v1",
        "Deployment",
        prod,
        "auth"
    )["status"]["updatedReplicas"]
        == 3));
    // The regression is a traffic fault on the canary track only: 5xx x8, latency x3.
    let traffic = &k.world.metrics.traffic;
    let now = crate::sim::world::metrics::wall_now();
    let base = traffic.profile(prod, "payments").unwrap();
    let rates = |track| traffic.rates_at(prod, "payments", track, now).unwrap();
    let (_, canary_err, canary_lat) = rates(Track::Canary);
    assert!(
        (canary_err - (8.0 * base.error_ratio).min(1.0)).abs() < 1e-12 && canary_lat == 3.0,
        "the regression shows in traffic: {canary_err} {canary_lat} vs {base:?}"
    );
    let (_, stable_err, stable_lat) = rates(Track::Stable);
    assert_eq!((stable_err, stable_lat), (base.error_ratio, 1.0));
    // bonus (Flagger) progresses and waits at WaitingPromotion.
    let bonus_waits = |k: &Kit| {
        k.get("flagger.app/v1beta1", "Canary", prod, "bonus")["status"]["phase"]
            == "WaitingPromotion"
    };
    assert!(
        k.run_until(Duration::from_secs(150), step, bonus_waits),
        "bonus never waited for promotion"
    );
    // The indefinite pause still holds; staging never moved.
    assert_eq!(
        k.get(ro, "Rollout", prod, "game-engine")["status"]["currentStepIndex"],
        5
    );
    assert_eq!(
        k.get(ro, "Rollout", stg, "game-engine")["status"]["phase"],
        "Healthy"
    );
    k.assert_no_refused_writes();
}
