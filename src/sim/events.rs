//! core/v1 Event <-> events.k8s.io/v1 Event (contract stub; implementation in progress).
use serde_json::Value;

pub fn core_to_events_v1(core: &Value) -> Value {
    core.clone()
}

pub fn events_v1_to_core(ev: &Value) -> Value {
    ev.clone()
}
