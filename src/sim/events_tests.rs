use serde_json::{Value, json};

use super::{core_to_events_v1, events_v1_to_core};

/// A kubelet event as `GET /api/v1/namespaces/shop/events` returns it on a real cluster.
fn kubelet_core_event() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": "checkout-7d4b9c-x2x7q.17c1f8a5b3e0d2a1",
            "namespace": "shop",
            "uid": "0b1e6c0e-54a4-4a7b-9f57-3f4f1b8f2c11",
            "resourceVersion": "48211",
            "creationTimestamp": "2024-05-01T10:00:00Z"
        },
        "involvedObject": {
            "apiVersion": "v1",
            "kind": "Pod",
            "name": "checkout-7d4b9c-x2x7q",
            "namespace": "shop",
            "uid": "5f0e4c1a-3a55-4d8e-a1a8-2b0f5e6c7d8e",
            "resourceVersion": "48190",
            "fieldPath": "spec.containers{checkout}"
        },
        "reason": "BackOff",
        "message": "Back-off restarting failed container checkout in pod checkout-7d4b9c-x2x7q",
        "source": {"component": "kubelet", "host": "node-a"},
        "firstTimestamp": "2024-05-01T10:00:00Z",
        "lastTimestamp": "2024-05-01T10:04:30Z",
        "count": 7,
        "type": "Warning",
        "eventTime": null,
        "reportingComponent": "kubelet",
        "reportingInstance": "node-a"
    })
}

/// A scheduler-style event written through events.k8s.io/v1 (series, action, related).
fn scheduler_v1_event() -> Value {
    json!({
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {
            "name": "checkout-7d4b9c-x2x7q.17c1f8a5b3e0aaaa",
            "namespace": "shop",
            "uid": "9a7c1e2d-0000-4b7b-8a8a-111122223333",
            "resourceVersion": "48001",
            "creationTimestamp": "2024-05-01T09:59:58Z"
        },
        "eventTime": "2024-05-01T09:59:58.123456Z",
        "series": {"count": 3, "lastObservedTime": "2024-05-01T10:02:00.000001Z"},
        "reportingController": "default-scheduler",
        "reportingInstance": "default-scheduler-control-plane",
        "action": "Scheduling",
        "reason": "FailedScheduling",
        "regarding": {
            "apiVersion": "v1",
            "kind": "Pod",
            "name": "checkout-7d4b9c-x2x7q",
            "namespace": "shop",
            "uid": "5f0e4c1a-3a55-4d8e-a1a8-2b0f5e6c7d8e"
        },
        "related": {"apiVersion": "v1", "kind": "Node", "name": "node-a"},
        "note": "0/3 nodes are available: 3 Insufficient cpu.",
        "type": "Warning",
        "deprecatedSource": {},
        "deprecatedFirstTimestamp": null,
        "deprecatedLastTimestamp": null
    })
}

#[test]
fn core_to_v1_maps_every_field() {
    let core = kubelet_core_event();
    let v1 = core_to_events_v1(&core);
    assert_eq!(v1["apiVersion"], "events.k8s.io/v1");
    assert_eq!(v1["kind"], "Event");
    assert_eq!(v1["metadata"], core["metadata"]);
    assert_eq!(v1["regarding"], core["involvedObject"]);
    assert_eq!(v1["note"], core["message"]);
    assert_eq!(v1["reason"], "BackOff");
    assert_eq!(v1["type"], "Warning");
    assert_eq!(v1["reportingController"], "kubelet");
    assert_eq!(v1["reportingInstance"], "node-a");
    assert_eq!(
        v1["deprecatedSource"],
        json!({"component": "kubelet", "host": "node-a"})
    );
    assert_eq!(v1["deprecatedFirstTimestamp"], "2024-05-01T10:00:00Z");
    assert_eq!(v1["deprecatedLastTimestamp"], "2024-05-01T10:04:30Z");
    assert_eq!(v1["deprecatedCount"], 7);
    // eventTime has no omitempty in events.k8s.io/v1: a zero time is encoded as null.
    assert_eq!(v1.get("eventTime"), Some(&Value::Null));
    for core_only in [
        "involvedObject",
        "message",
        "source",
        "firstTimestamp",
        "count",
    ] {
        assert!(v1.get(core_only).is_none(), "{core_only} leaked into v1");
    }
    assert!(v1.get("series").is_none());
    assert!(v1.get("related").is_none());
}

#[test]
fn v1_to_core_maps_every_field() {
    let v1 = scheduler_v1_event();
    let core = events_v1_to_core(&v1);
    assert_eq!(core["apiVersion"], "v1");
    assert_eq!(core["kind"], "Event");
    assert_eq!(core["metadata"], v1["metadata"]);
    assert_eq!(core["involvedObject"], v1["regarding"]);
    assert_eq!(core["related"], v1["related"]);
    assert_eq!(
        core["message"],
        "0/3 nodes are available: 3 Insufficient cpu."
    );
    assert_eq!(core["reason"], "FailedScheduling");
    assert_eq!(core["action"], "Scheduling");
    assert_eq!(core["reportingComponent"], "default-scheduler");
    assert_eq!(core["reportingInstance"], "default-scheduler-control-plane");
    assert_eq!(core["eventTime"], "2024-05-01T09:59:58.123456Z");
    assert_eq!(
        core["series"],
        json!({"count": 3, "lastObservedTime": "2024-05-01T10:02:00.000001Z"})
    );
    assert_eq!(core["source"], json!({}));
    assert_eq!(core.get("firstTimestamp"), Some(&Value::Null));
    assert_eq!(core.get("lastTimestamp"), Some(&Value::Null));
    assert!(core.get("count").is_none());
    for v1_only in [
        "regarding",
        "note",
        "reportingController",
        "deprecatedSource",
    ] {
        assert!(core.get(v1_only).is_none(), "{v1_only} leaked into core");
    }
}

#[test]
fn core_round_trips_through_v1() {
    let core = kubelet_core_event();
    assert_eq!(events_v1_to_core(&core_to_events_v1(&core)), core);
}

#[test]
fn v1_round_trips_through_core() {
    let v1 = scheduler_v1_event();
    assert_eq!(core_to_events_v1(&events_v1_to_core(&v1)), v1);
}

#[test]
fn new_style_core_event_round_trips() {
    // What the scheduler's events.k8s.io client leaves in core/v1 storage.
    let core = events_v1_to_core(&scheduler_v1_event());
    assert_eq!(core["reportingComponent"], "default-scheduler");
    assert_eq!(events_v1_to_core(&core_to_events_v1(&core)), core);
}

#[test]
fn sparse_events_get_the_always_encoded_fields() {
    let core =
        events_v1_to_core(&json!({"metadata": {"name": "e"}, "note": "hi", "deprecatedCount": 0}));
    assert_eq!(
        core,
        json!({
            "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
            "involvedObject": {}, "message": "hi", "source": {},
            "firstTimestamp": null, "lastTimestamp": null, "eventTime": null,
            "reportingComponent": "", "reportingInstance": ""
        })
    );
    let v1 = core_to_events_v1(&json!({"reason": "", "reportingComponent": "", "count": 0}));
    assert_eq!(
        v1,
        json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {},
            "eventTime": null, "regarding": {}, "deprecatedSource": {},
            "deprecatedFirstTimestamp": null, "deprecatedLastTimestamp": null
        })
    );
}
