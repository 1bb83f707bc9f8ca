//! `u` / `:undo [revision]` on a Deployment, as `kubectl rollout undo`: the Deployment
//! re-read, the ReplicaSets of its selector listed, the target revision and the JSON patch
//! picked (`deployment_requests::undo`) before the dialog shows them.

use serde_json::Value;

use super::object_path;
use super::send::{self, describe};
use crate::adapters::kube::convert::seen;
use crate::domain::action_request::{self, ActionRequest};
use crate::domain::actions::Action;
use crate::domain::deployment_requests;
use crate::domain::rollout::ControllerKind;

/// Fills in a Deployment undo: what the operator sees (`seen`), the plan (empty when the
/// template already is the target's), the target revision and `revision 2 → 1`. `Err` in
/// words for the operator: unreadable, paused, no earlier revision, no such revision.
pub async fn prepare_deployment_undo(
    client: &kube::Client,
    mut req: ActionRequest,
) -> Result<ActionRequest, String> {
    let path = object_path(&req.key);
    let obj = send::get(client, &path)
        .await
        .map_err(|f| describe("GET", &path, &f))?;
    req.seen = seen::of(ControllerKind::Deployment, &obj)
        .map_err(|e| format!("cannot read {}: {e}", req.object()))?;
    let list_path = replica_sets_path(&req.key.namespace, &obj);
    let list = send::get(client, &list_path).await.map_err(|f| {
        format!(
            "cannot list the ReplicaSets of {}: {}",
            req.object(),
            describe("GET", &list_path, &f)
        )
    })?;
    let items = list
        .get("items")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let (target, plan) =
        deployment_requests::undo(&obj, items, req.undo_to).map_err(|e| e.to_string())?;
    tracing::debug!(object = %req.object(), target, skipped = plan.is_none(), "deployment undo prepared");
    req.plan = plan.unwrap_or_default();
    req.undo_to = Some(target);
    req.change = action_request::change_text(Action::Undo, &req.seen, req.undo_to);
    Ok(req)
}

/// The namespace's ReplicaSets, narrowed by the Deployment's `spec.selector.matchLabels`
/// (as kubectl lists them: `?labelSelector=app%3Dauth`).
fn replica_sets_path(namespace: &str, deployment: &Value) -> String {
    let path = format!("/apis/apps/v1/namespaces/{namespace}/replicasets");
    let selector: Vec<String> = deployment
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                .collect()
        })
        .unwrap_or_default();
    if selector.is_empty() {
        return path;
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("labelSelector", &selector.join(","))
        .finish();
    format!("{path}?{query}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_list_is_narrowed_by_the_selector_as_kubectl_does() {
        let d = json!({"spec": {"selector": {"matchLabels": {"app": "auth", "tier": "web"}}}});
        assert_eq!(
            replica_sets_path("casino-prod", &d),
            "/apis/apps/v1/namespaces/casino-prod/replicasets?labelSelector=app%3Dauth%2Ctier%3Dweb"
        );
        assert_eq!(
            replica_sets_path("casino-prod", &json!({})),
            "/apis/apps/v1/namespaces/casino-prod/replicasets"
        );
    }
}
