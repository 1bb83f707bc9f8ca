//! The facts an Argo Rollouts action depends on, read from the Rollout the operator looked
//! at (PROTOCOLS.md's promote decision table and its "fully promoted" rule).

use serde_json::Value;

use super::model::Rollout;
use super::{ConvertError, parse};
use crate::domain::action_request::Seen;
use crate::domain::argo_requests::RolloutFacts;

/// The annotation of a Rollout's current revision.
const REVISION: &str = "rollout.argoproj.io/revision";

pub fn rollout_facts(obj: &Value) -> Result<RolloutFacts, ConvertError> {
    facts_of(&parse(obj)?)
}

/// What the operator sees of the Rollout `obj`: resourceVersion, generation, revision and
/// the facts (the executor's re-read compares two of these).
pub fn seen(obj: &Value) -> Result<Seen, ConvertError> {
    seen_of(&parse(obj)?)
}

pub fn seen_of(ro: &Rollout) -> Result<Seen, ConvertError> {
    Ok(Seen {
        resource_version: ro.metadata.resource_version.clone().unwrap_or_default(),
        generation: ro.metadata.generation.unwrap_or(0),
        revision: ro
            .metadata
            .annotations
            .get(REVISION)
            .and_then(|r| r.parse().ok()),
        facts: facts_of(ro)?,
        phase: None,
    })
}

pub fn facts_of(ro: &Rollout) -> Result<RolloutFacts, ConvertError> {
    let name = ro.metadata.name.clone().ok_or(ConvertError::NoName)?;
    let (spec, status) = (&ro.spec, &ro.status);
    let canary = spec.strategy.canary.as_ref();
    let steps: Vec<_> = canary.map(|c| c.steps.iter().collect()).unwrap_or_default();
    let index = status
        .current_step_index
        .and_then(|i| u32::try_from(i).ok());
    let current_step = index
        .and_then(|i| steps.get(i as usize))
        .map(|s| super::argo::step(s).label());
    let nonempty = |s: &Option<String>| s.clone().filter(|h| !h.is_empty());
    Ok(RolloutFacts {
        namespace: ro.metadata.namespace.clone().unwrap_or_default(),
        name,
        canary: canary.is_some(),
        spec_paused: spec.paused,
        pause_conditions: !status.pause_conditions.is_empty(),
        controller_pause: status.controller_pause,
        current_step_index: index,
        steps: u32::try_from(steps.len()).unwrap_or(u32::MAX),
        step_analysis_inconclusive: status
            .canary
            .current_step_analysis_run_status
            .as_ref()
            .is_some_and(|a| a.status == "Inconclusive"),
        current_step,
        current_pod_hash: nonempty(&status.current_pod_hash),
        stable_rs: nonempty(&status.stable_rs),
        aborted: status.abort,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::argo_requests::promote;

    fn rollout(status: Value, paused: bool) -> Value {
        json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "payments", "namespace": "casino-prod"},
            "spec": {"paused": paused, "strategy": {"canary": {"steps": [
                {"setWeight": 10}, {"pause": {"duration": "30s"}}, {"setWeight": 30},
                {"analysis": {"templates": [{"templateName": "success-rate"}]}}, {"setWeight": 100}
            ]}}},
            "status": status
        })
    }

    #[test]
    fn facts_follow_the_status_and_drive_the_promote_branch() {
        let obj = rollout(
            json!({"currentPodHash": "new", "stableRS": "old", "currentStepIndex": 3,
                   "controllerPause": true,
                   "pauseConditions": [{"reason": "InconclusiveAnalysisRun", "startTime": "2026-11-26T03:00:00Z"}],
                   "canary": {"currentStepAnalysisRunStatus": {"name": "payments-new-3", "status": "Inconclusive"}}}),
            true,
        );
        let f = rollout_facts(&obj).unwrap();
        assert_eq!(
            (f.namespace.as_str(), f.name.as_str()),
            ("casino-prod", "payments")
        );
        assert!(f.canary && f.spec_paused && f.pause_conditions && f.controller_pause);
        assert!(f.step_analysis_inconclusive);
        assert_eq!((f.current_step_index, f.steps), (Some(3), 5));
        assert!(
            f.current_step
                .as_deref()
                .is_some_and(|s| s.contains("analysis")),
            "{f:?}"
        );
        // Branch a of the decision table.
        assert_eq!(
            promote(&f).requests[0].body,
            json!({"status": {"pauseConditions": null, "controllerPause": false, "currentStepIndex": 4}})
        );
    }

    #[test]
    fn an_unreadable_rollout_is_an_error_not_a_guess() {
        assert!(rollout_facts(&json!({"kind": "Rollout", "metadata": {}})).is_err());
        let f = rollout_facts(&rollout(json!({}), false)).unwrap();
        assert_eq!(
            (f.current_pod_hash, f.stable_rs, f.current_step_index),
            (None, None, None)
        );
    }
}
