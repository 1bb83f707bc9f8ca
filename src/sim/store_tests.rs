use super::*;
use crate::sim::admit::{self, Mode};

fn def(custom: bool, status: bool) -> ResourceDef {
    ResourceDef {
        group: "apps".into(),
        version: "v1".into(),
        plural: "things".into(),
        singular: "thing".into(),
        kind: "Thing".into(),
        list_kind: "ThingList".into(),
        namespaced: true,
        short_names: vec![],
        categories: vec![],
        verbs: vec![],
        status_subresource: status,
        scale_subresource: false,
        printer_columns: vec![],
        schema: None,
        custom,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

#[test]
fn create_sets_system_fields_and_drops_status_with_the_subresource() {
    let d = def(false, true);
    let mut s = Store::new(100);
    let o = admit::create(
        &mut s,
        &d,
        "ns",
        json!({"metadata":{"name":"a"},"spec":{"x":1},"status":{"y":2}}),
        now(),
        Mode::Api,
    )
    .unwrap();
    assert_eq!(o["metadata"]["namespace"], "ns");
    assert_eq!(o["metadata"]["generation"], 1);
    assert!(o.get("status").is_none());
    assert_eq!(o["apiVersion"], "apps/v1");
    assert!(!o["metadata"]["uid"].as_str().unwrap().is_empty());
    let e = admit::create(
        &mut s,
        &d,
        "ns",
        json!({"metadata":{"name":"a"}}),
        now(),
        Mode::Api,
    )
    .unwrap_err();
    assert_eq!(e.code, 409);
    let e = admit::create(
        &mut s,
        &d,
        "ns",
        json!({"metadata":{"name":"Bad_Name"}}),
        now(),
        Mode::Api,
    )
    .unwrap_err();
    assert_eq!(e.code, 422);
}

#[test]
fn main_and_status_writes_touch_only_their_part_and_generation_follows_spec() {
    let d = def(false, true);
    let mut s = Store::new(100);
    let o = admit::create(
        &mut s,
        &d,
        "ns",
        json!({"metadata":{"name":"a"},"spec":{"x":1}}),
        now(),
        Mode::Api,
    )
    .unwrap();
    let mut st = o.clone();
    st["status"] = json!({"phase": "Ready"});
    st["spec"]["x"] = json!(99);
    let o2 = admit::replace(&mut s, &d, "ns", "a", st, Part::Status, false).unwrap();
    assert_eq!(o2["status"]["phase"], "Ready");
    assert_eq!(o2["spec"]["x"], 1, "a status write leaves spec alone");
    assert_eq!(o2["metadata"]["generation"], 1);
    let mut main = o2.clone();
    main["spec"]["x"] = json!(2);
    main["status"] = json!({"phase": "Hacked"});
    let o3 = admit::replace(&mut s, &d, "ns", "a", main, Part::Main, false).unwrap();
    assert_eq!(
        o3["status"]["phase"], "Ready",
        "a main write leaves status alone"
    );
    assert_eq!(o3["metadata"]["generation"], 2);
    // A stale resourceVersion conflicts; a no-op write keeps the version.
    let e = admit::replace(&mut s, &d, "ns", "a", o2.clone(), Part::Main, false).unwrap_err();
    assert_eq!(e.code, 409);
    let same = admit::replace(&mut s, &d, "ns", "a", o3.clone(), Part::Main, false).unwrap();
    assert_eq!(
        same["metadata"]["resourceVersion"],
        o3["metadata"]["resourceVersion"]
    );
}

#[test]
fn history_resumes_and_compacts() {
    let d = def(false, false);
    let mut s = Store::new(16);
    let first = s.resource_version();
    for i in 0..10 {
        admit::create(
            &mut s,
            &d,
            "ns",
            json!({"metadata":{"name":format!("o{i}")}}),
            now(),
            Mode::Api,
        )
        .unwrap();
    }
    let (backlog, _) = s.subscribe(&res_key(&d), first).unwrap();
    assert_eq!(backlog.len(), 10);
    for i in 10..40 {
        admit::create(
            &mut s,
            &d,
            "ns",
            json!({"metadata":{"name":format!("o{i}")}}),
            now(),
            Mode::Api,
        )
        .unwrap();
    }
    let e = s.subscribe(&res_key(&d), first).unwrap_err();
    assert_eq!(e.code, 410);
    let (backlog, _) = s.subscribe(&res_key(&d), s.resource_version() - 3).unwrap();
    assert_eq!(backlog.len(), 3);
}

#[test]
fn controllers_see_only_unfrozen_objects_as_labels_change() {
    let d = def(false, false);
    let mut s = Store::new(100);
    let frozen = json!({"metadata":{"name":"f","labels":{"sim.shipdeck.io/frozen":"true"}}});
    for (ns, obj) in [
        ("a", frozen.clone()),
        ("a", json!({"metadata":{"name":"live"}})),
        ("b", json!({"metadata":{"name":"other"}})),
    ] {
        admit::create(&mut s, &d, ns, obj, now(), Mode::Api).unwrap();
    }
    let names = |s: &Store, ns: Option<&str>| -> Vec<String> {
        s.list_active(&d, ns)
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&s, None), ["live", "other"]);
    assert_eq!(names(&s, Some("a")), ["live"]);
    assert_eq!(s.list(&d, None).len(), 3, "a list still shows everything");
    // Thawing makes an object active; freezing and deleting take it out.
    let mut thawed = s.get(&d, "a", "f").unwrap();
    thawed["metadata"]["labels"] = json!({});
    s.commit(
        &d,
        obj_key(&d, "a", "f"),
        thawed,
        None,
        ChangeKind::Modified,
    );
    assert_eq!(names(&s, Some("a")), ["f", "live"]);
    let mut refrozen = s.get(&d, "a", "live").unwrap();
    refrozen["metadata"]["labels"] = json!({"sim.shipdeck.io/frozen": "true"});
    s.commit(
        &d,
        obj_key(&d, "a", "live"),
        refrozen,
        None,
        ChangeKind::Modified,
    );
    s.delete(&d, "b", "other").unwrap();
    assert_eq!(names(&s, None), ["f"]);
}
