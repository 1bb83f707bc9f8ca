//! `scale`: N Argo Rollouts across ten namespaces, recorded with a status (most Healthy, some
//! paused for approval, a few degraded) and frozen, so the controllers leave them alone.
//! For benchmarks of everything that reads many rollouts.

use serde_json::{Value, json};

use super::objects::{canary_rollout, image, namespace};

pub const NAMESPACES: usize = 10;

pub fn objects(n: usize) -> Vec<Value> {
    let mut o: Vec<Value> = (0..NAMESPACES)
        .map(|i| namespace(&format!("scale-{i}")))
        .collect();
    let steps = json!([{"setWeight": 20}, {"pause": {}}, {"setWeight": 100}]);
    for i in 0..n {
        let ns = format!("scale-{}", i % NAMESPACES);
        let name = format!("svc-{i:05}");
        let mut ro = canary_rollout(
            &ns,
            &name,
            &image(&name, "1.0.0"),
            3,
            steps.clone(),
            i % 97 == 0,
        );
        ro["metadata"]["labels"]["sim.shipdeck.io/frozen"] = json!("true");
        ro["status"] = status(i);
        o.push(ro);
    }
    o
}

fn status(i: usize) -> Value {
    let hash = format!("h{i:05}");
    let mut st = json!({
        "phase": "Healthy",
        "message": "",
        "observedGeneration": "1",
        "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
        "currentPodHash": hash, "stableRS": hash,
        "currentStepIndex": 3,
        "selector": "app=x",
        "canary": {},
        "blueGreen": {},
    });
    if i % 50 == 7 {
        st["phase"] = json!("Paused");
        st["message"] = json!("CanaryPauseStep");
        st["currentPodHash"] = json!(format!("n{i:05}"));
        st["currentStepIndex"] = json!(1);
        st["controllerPause"] = json!(true);
        st["pauseConditions"] =
            json!([{"reason": "CanaryPauseStep", "startTime": "2026-11-26T03:00:00Z"}]);
    } else if i % 100 == 13 {
        st["phase"] = json!("Degraded");
        st["message"] = json!("RolloutAborted: Rollout aborted update to revision 2");
        st["abort"] = json!(true);
        st["currentPodHash"] = json!(format!("n{i:05}"));
        st["currentStepIndex"] = json!(0);
    }
    st
}
