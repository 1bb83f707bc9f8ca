//! API faults injected through `POST /sim/v1/faults`, so clients' error paths can be tested.
//!
//! | kind | body | effect |
//! |---|---|---|
//! | `api-down` | `{"duration":"8s"}` | Kubernetes paths answer 503, open watches drop; the control API stays up |
//! | `watch-drop` | | every open watch stream ends now (clients resume from their resourceVersion) |
//! | `api-500` | `{"duration":"5s"}` | Kubernetes paths answer 500 |
//! | `api-slow` | `{"delay":"2s","duration":"10s"}` | Kubernetes answers are delayed |
//! | `forbidden` | `{"identity":"sim-operator","resource":"rollouts","duration":"10s"}` | 403 for that identity and/or resource |
//! | `throttle` | `{"retry_after":1,"duration":"5s"}` | 429 with Retry-After |
//! | `gone` | | the next watch that resumes from a resourceVersion gets 410 |
//! | `no-status` | `{"resource":"rollouts","duration":"10s"}` | `…/rollouts/{name}/status` answers 404 NotFound "the server could not find the requested resource", as for a CRD without the status subresource |
//! | `conflict` | `{"resource":"rollouts","duration":"10s"}` | PATCH and PUT on that resource (main or subresource) answer 409 Conflict "the object has been modified" |
//! | `errors` | `{"target":"casino-prod/payments","track":"canary","factor":8,"start":"0s","duration":"60s"}` | the track's 5xx ratio × factor |
//! | `latency` | same fields | the track's latency × factor |
//!
//! Without `duration` a fault lasts until `DELETE /sim/v1/faults`. Without `resource`,
//! `forbidden`, `no-status` and `conflict` apply to every resource. RBAC is checked before
//! `no-status` and `conflict` (a real API server authorizes before it routes or writes).

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    pub kind: String,
    pub duration: Option<String>,
    pub delay: Option<String>,
    pub identity: Option<String>,
    pub resource: Option<String>,
    pub retry_after: Option<u64>,
    /// Traffic faults: `namespace/rollout`.
    pub target: Option<String>,
    /// Traffic faults: `stable` or `canary` (default both).
    pub track: Option<String>,
    /// Traffic faults: what errors or latency are multiplied by.
    pub factor: Option<f64>,
    /// Traffic faults: how long from now until the fault starts (default at once).
    pub start: Option<String>,
}

impl FaultRequest {
    /// A traffic fault (`errors`, `latency`) on the traffic model, with times from `now`
    /// (wall-clock seconds); `None` for API faults.
    pub fn traffic(
        &self,
        now: f64,
    ) -> Option<Result<crate::sim::traffic::model::TrafficFault, String>> {
        use crate::sim::traffic::model::{FaultKind, TrafficFault};
        use crate::sim::traffic::series::Track;
        let kind = match self.kind.as_str() {
            "errors" => FaultKind::Errors as fn(f64) -> FaultKind,
            "latency" => FaultKind::Latency,
            _ => return None,
        };
        Some((|| {
            let target = self
                .target
                .as_deref()
                .ok_or("a traffic fault needs a target, e.g. \"casino-prod/payments\"")?;
            let (ns, rollout) = target
                .split_once('/')
                .ok_or_else(|| format!("target {target:?} is not namespace/rollout"))?;
            let factor = self
                .factor
                .filter(|f| f.is_finite() && *f > 0.0)
                .ok_or("a traffic fault needs a positive factor")?;
            let track = match self.track.as_deref() {
                None => None,
                Some("stable") => Some(Track::Stable),
                Some("canary") => Some(Track::Canary),
                Some(other) => return Err(format!("track {other:?} is neither stable nor canary")),
            };
            let start =
                parse_duration("start", self.start.as_deref())?.map_or(0.0, |d| d.as_secs_f64());
            let from = now + start;
            let until = parse_duration("duration", self.duration.as_deref())?
                .map_or(f64::INFINITY, |d| from + d.as_secs_f64());
            Ok(TrafficFault {
                namespace: ns.to_string(),
                rollout: rollout.to_string(),
                track,
                kind: kind(factor),
                from,
                until,
            })
        })())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    ApiDown,
    Api500,
    ApiSlow(Duration),
    Forbidden {
        identity: Option<String>,
        resource: Option<String>,
    },
    Throttle(u64),
    /// The resource has no status subresource.
    NoStatus {
        resource: Option<String>,
    },
    /// Writes to the resource conflict.
    Conflict {
        resource: Option<String>,
    },
}

/// One Kubernetes request, as the faults see it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Call<'a> {
    pub identity: &'a str,
    /// `GET`, `PATCH`, …
    pub method: &'a str,
    /// The resource's plural (`rollouts`).
    pub resource: &'a str,
    /// `status` in `…/rollouts/x/status`; empty for the main resource.
    pub subresource: &'a str,
}

#[derive(Debug, Default)]
pub struct Faults {
    active: Vec<(Fault, Option<Instant>)>,
    /// The next watch resuming from a resourceVersion answers 410.
    pub gone_once: bool,
}

/// What the request path should do, given the faults in force.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Proceed {
        delay: Option<Duration>,
    },
    Unavailable,
    InternalError,
    Forbidden,
    Throttled(u64),
    /// 404 NotFound: no such subresource.
    NoStatus,
    /// 409 Conflict.
    Conflict,
}

fn parse_duration(field: &str, text: Option<&str>) -> Result<Option<Duration>, String> {
    text.map(|t| {
        humantime::parse_duration(t).map_err(|e| format!("{field}: invalid duration {t:?}: {e}"))
    })
    .transpose()
}

impl Faults {
    /// Adds a fault; `watch-drop` is returned as `Ok(true)` for the caller to act on.
    pub fn add(&mut self, req: &FaultRequest, now: Instant) -> Result<bool, String> {
        let until = parse_duration("duration", req.duration.as_deref())?.map(|d| now + d);
        let fault = match req.kind.as_str() {
            "api-down" => Fault::ApiDown,
            "api-500" => Fault::Api500,
            "api-slow" => Fault::ApiSlow(
                parse_duration("delay", req.delay.as_deref())?
                    .ok_or("api-slow needs a delay, e.g. {\"delay\":\"2s\"}")?,
            ),
            "forbidden" => Fault::Forbidden {
                identity: req.identity.clone(),
                resource: req.resource.clone(),
            },
            "throttle" => Fault::Throttle(req.retry_after.unwrap_or(1)),
            "no-status" => Fault::NoStatus {
                resource: req.resource.clone(),
            },
            "conflict" => Fault::Conflict {
                resource: req.resource.clone(),
            },
            "watch-drop" => return Ok(true),
            "gone" => {
                self.gone_once = true;
                return Ok(false);
            }
            other => {
                return Err(format!(
                    "unknown fault kind {other:?}; kinds: api-down, watch-drop, api-500, \
                     api-slow, forbidden, throttle, gone, no-status, conflict, errors, latency"
                ));
            }
        };
        self.active.push((fault, until));
        Ok(false)
    }

    pub fn clear(&mut self) {
        self.active.clear();
        self.gone_once = false;
    }

    fn live(&mut self, now: Instant) -> impl Iterator<Item = &Fault> {
        self.active
            .retain(|(_, until)| until.is_none_or(|u| u > now));
        self.active.iter().map(|(f, _)| f)
    }

    pub fn api_down(&mut self, now: Instant) -> bool {
        self.live(now).any(|f| *f == Fault::ApiDown)
    }

    /// The effect on one Kubernetes request.
    pub fn verdict(&mut self, now: Instant, call: &Call<'_>) -> Verdict {
        let mut delay = None;
        let on = |r: &Option<String>| r.as_deref().is_none_or(|r| r == call.resource);
        for f in self.live(now) {
            match f {
                Fault::ApiDown => return Verdict::Unavailable,
                Fault::Api500 => return Verdict::InternalError,
                Fault::Throttle(s) => return Verdict::Throttled(*s),
                Fault::Forbidden {
                    identity: i,
                    resource: r,
                } => {
                    let id_match = i.as_deref().is_none_or(|i| i == call.identity);
                    if id_match && on(r) {
                        return Verdict::Forbidden;
                    }
                }
                Fault::NoStatus { resource: r } if on(r) && call.subresource == "status" => {
                    return Verdict::NoStatus;
                }
                Fault::Conflict { resource: r }
                    if on(r) && matches!(call.method, "PATCH" | "PUT") =>
                {
                    return Verdict::Conflict;
                }
                Fault::NoStatus { .. } | Fault::Conflict { .. } => {}
                Fault::ApiSlow(d) => delay = Some(*d),
            }
        }
        Verdict::Proceed { delay }
    }

    pub fn describe(&mut self, now: Instant) -> Value {
        let list: Vec<Value> = self
            .active
            .iter()
            .filter(|(_, u)| u.is_none_or(|u| u > now))
            .map(|(f, u)| {
                json!({
                    "fault": format!("{f:?}"),
                    "remaining_ms": u.map(|u| u.saturating_duration_since(now).as_millis() as u64),
                })
            })
            .collect();
        json!({"active": list, "gone_once": self.gone_once})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(kind: &str) -> FaultRequest {
        FaultRequest {
            kind: kind.into(),
            ..FaultRequest::default()
        }
    }

    fn call<'a>(identity: &'a str, method: &'a str, resource: &'a str, sub: &'a str) -> Call<'a> {
        Call {
            identity,
            method,
            resource,
            subresource: sub,
        }
    }

    const GO: Verdict = Verdict::Proceed { delay: None };

    #[test]
    fn no_status_hides_the_status_subresource_of_one_resource_for_a_while() {
        let t0 = Instant::now();
        let mut f = Faults::default();
        let mut no = req("no-status");
        no.resource = Some("rollouts".into());
        no.duration = Some("10s".into());
        assert_eq!(f.add(&no, t0), Ok(false));
        for method in ["GET", "PATCH", "PUT"] {
            assert_eq!(
                f.verdict(t0, &call("a", method, "rollouts", "status")),
                Verdict::NoStatus,
                "{method}"
            );
        }
        assert_eq!(f.verdict(t0, &call("a", "PATCH", "rollouts", "")), GO);
        assert_eq!(f.verdict(t0, &call("a", "PATCH", "rollouts", "scale")), GO);
        assert_eq!(
            f.verdict(t0, &call("a", "PATCH", "deployments", "status")),
            GO
        );
        let later = t0 + Duration::from_secs(11);
        assert_eq!(
            f.verdict(later, &call("a", "PATCH", "rollouts", "status")),
            GO
        );
    }

    #[test]
    fn conflict_answers_writes_only_until_cleared() {
        let t0 = Instant::now();
        let mut f = Faults::default();
        let mut c = req("conflict");
        c.resource = Some("rollouts".into());
        f.add(&c, t0).unwrap();
        for (method, sub) in [("PATCH", ""), ("PATCH", "status"), ("PUT", "")] {
            assert_eq!(
                f.verdict(t0, &call("a", method, "rollouts", sub)),
                Verdict::Conflict,
                "{method} {sub}"
            );
        }
        for method in ["GET", "POST", "DELETE"] {
            assert_eq!(
                f.verdict(t0, &call("a", method, "rollouts", "")),
                GO,
                "{method}"
            );
        }
        assert_eq!(f.verdict(t0, &call("a", "PATCH", "analysisruns", "")), GO);
        let far = t0 + Duration::from_secs(3600);
        assert_eq!(
            f.verdict(far, &call("a", "PATCH", "rollouts", "")),
            Verdict::Conflict
        );
        assert!(
            f.describe(t0)["active"][0]["fault"]
                .as_str()
                .unwrap()
                .contains("Conflict")
        );
        f.clear();
        assert_eq!(f.verdict(t0, &call("a", "PATCH", "rollouts", "")), GO);
    }

    #[test]
    fn faults_apply_and_expire() {
        let t0 = Instant::now();
        let mut f = Faults::default();
        let mut down = req("api-down");
        down.duration = Some("8s".into());
        assert_eq!(f.add(&down, t0), Ok(false));
        assert_eq!(
            f.verdict(t0, &call("a", "GET", "rollouts", "")),
            Verdict::Unavailable
        );
        assert_eq!(
            f.verdict(
                t0 + Duration::from_secs(9),
                &call("a", "GET", "rollouts", "")
            ),
            Verdict::Proceed { delay: None }
        );
        let mut forb = req("forbidden");
        forb.identity = Some("sim-operator".into());
        forb.resource = Some("rollouts".into());
        f.add(&forb, t0).unwrap();
        assert_eq!(
            f.verdict(t0, &call("sim-operator", "GET", "rollouts", "")),
            Verdict::Forbidden
        );
        assert_eq!(
            f.verdict(t0, &call("sim-viewer", "GET", "rollouts", "")),
            Verdict::Proceed { delay: None }
        );
        assert_eq!(f.add(&req("watch-drop"), t0), Ok(true));
        assert!(
            f.add(&req("explode"), t0)
                .unwrap_err()
                .contains("unknown fault")
        );
        assert!(f.add(&req("api-slow"), t0).is_err());
        f.clear();
        assert_eq!(
            f.verdict(t0, &call("sim-operator", "GET", "rollouts", "")),
            Verdict::Proceed { delay: None }
        );
    }
}
