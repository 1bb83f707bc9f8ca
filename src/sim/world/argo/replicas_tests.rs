use super::*;

fn rs(spec: i64, available: i64) -> Option<Counts> {
    Some(Counts {
        spec,
        created: spec,
        available,
    })
}

fn basic(weight: i64, new: Option<Counts>, stable: Option<Counts>) -> Basic {
    Basic {
        replicas: 5,
        weight,
        max_weight: 100,
        max_surge: 2,
        max_unavailable: 1,
        new,
        stable,
        stable_is_new: false,
        others: 0,
    }
}

#[test]
fn weights_become_the_closest_replica_counts() {
    assert_eq!(approximate(5, 20, 100, 2), (1, 4));
    assert_eq!(approximate(4, 25, 100, 1), (1, 3));
    assert_eq!(approximate(10, 5, 100, 3), (1, 10));
    assert_eq!(approximate(5, 100, 100, 2), (5, 0));
    assert_eq!(approximate(5, 0, 100, 2), (0, 5));
    assert_eq!(approximate(1, 50, 100, 0), (1, 0));
    assert_eq!(approximate(0, 50, 100, 1), (0, 0));
    assert_eq!(weight_to_replicas(5, 30, 100), 2);
}

#[test]
fn a_basic_canary_moves_within_surge_and_unavailability() {
    // setWeight 20 of 5: stable gives up one pod first (maxUnavailable 1)...
    assert_eq!(basic(20, rs(0, 0), rs(5, 5)).counts(), (1, 4));
    // ...then the canary gets its pod.
    assert_eq!(basic(20, rs(0, 0), rs(4, 4)).counts(), (1, 4));
    // 60 %: 3 canary, 2 stable, in steps that keep 4 available.
    assert_eq!(basic(60, rs(2, 2), rs(3, 3)).counts(), (3, 2));
    assert_eq!(basic(60, rs(3, 2), rs(2, 2)).counts(), (3, 2));
    // Fully weighted: everything to the canary, stable drained.
    assert_eq!(basic(100, rs(4, 4), rs(1, 1)).counts(), (5, 0));
    // Aborted (weight 0): the canary drains while stable grows back.
    assert_eq!(basic(0, rs(3, 3), rs(2, 2)).counts(), (2, 4));
    // No stable set (first deploy): the new set gets everything at once.
    assert_eq!(basic(20, rs(0, 0), None).counts(), (5, 0));
    // Old sets still running: no scale-down decisions, only surge.
    let mut with_old = basic(20, rs(0, 0), rs(5, 5));
    with_old.others = 2;
    assert_eq!(with_old.counts(), (0, 5));
}
