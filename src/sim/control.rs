//! The control API under `/sim/v1/`: the request log, faults, the clock and releases.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::faults::FaultRequest;
use super::server::{Req, Shared, json_response};
use super::status::ApiError;

pub fn control_api(sim: &Arc<Shared>, req: &Req<'_>, rest: &str) -> Response {
    match (req.method.as_str(), rest) {
        ("GET", "requests") => {
            let since = req.param("since").and_then(|s| s.parse().ok()).unwrap_or(0);
            let records = sim.log.lock().map(|l| l.since(since)).unwrap_or_default();
            json_response(StatusCode::OK, &json!(records))
        }
        ("DELETE", "requests") => {
            if let Ok(mut l) = sim.log.lock() {
                l.clear();
            }
            json_response(StatusCode::OK, &json!({"cleared": true}))
        }
        ("POST", "faults") => {
            let parsed: Result<FaultRequest, _> = serde_json::from_slice(&req.body);
            let fault = match parsed {
                Ok(f) => f,
                Err(e) => {
                    return ApiError::bad_request(format!("fault: {e}")).into_response();
                }
            };
            if let Some(traffic) = fault.traffic(super::world::metrics::wall_now()) {
                return match (traffic, sim.world.lock()) {
                    (Ok(tf), Ok(mut world)) => {
                        world.metrics.traffic.add_fault(tf);
                        json_response(StatusCode::OK, &json!({"applied": fault.kind}))
                    }
                    (Err(msg), _) => ApiError::bad_request(msg).into_response(),
                    (_, Err(_)) => ApiError::internal("world lock poisoned").into_response(),
                };
            }
            let added = sim.faults.lock().map(|mut f| f.add(&fault, Instant::now()));
            match added {
                Ok(Ok(drop_now)) => {
                    if drop_now || fault.kind == "api-down" {
                        sim.drop_all_watches();
                    }
                    json_response(StatusCode::OK, &json!({"applied": fault.kind}))
                }
                Ok(Err(msg)) => ApiError::bad_request(msg).into_response(),
                Err(_) => ApiError::internal("fault state poisoned").into_response(),
            }
        }
        ("GET", "faults") => {
            let v = sim
                .faults
                .lock()
                .map(|mut f| f.describe(Instant::now()))
                .unwrap_or(Value::Null);
            json_response(StatusCode::OK, &v)
        }
        ("POST", what @ ("clock" | "releases")) => {
            let body: Value = match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(e) => return ApiError::bad_request(format!("{what}: {e}")).into_response(),
            };
            match super::world::control(sim, what, &body) {
                Ok(v) => json_response(StatusCode::OK, &v),
                Err(e) => ApiError::bad_request(e).into_response(),
            }
        }
        ("GET", "clock") => match super::world::control(sim, "clock", &json!({})) {
            Ok(v) => json_response(StatusCode::OK, &v),
            Err(e) => ApiError::internal(e).into_response(),
        },
        ("DELETE", "faults") => {
            if let Ok(mut f) = sim.faults.lock() {
                f.clear();
            }
            json_response(StatusCode::OK, &json!({"cleared": true}))
        }
        _ => (
            StatusCode::NOT_FOUND,
            Body::from("unknown control endpoint; see /sim/v1/requests and /sim/v1/faults\n"),
        )
            .into_response(),
    }
}
