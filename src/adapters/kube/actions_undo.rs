//! `u` / `:undo`: the undo's plan, prepared before the dialog shows it: the Rollout
//! re-read, its ReplicaSets listed (by ownerReference), the target revision picked.

use serde_json::Value;

use super::send::{self, describe};
use super::{REVISION, object_path};
use crate::adapters::kube::convert::argo_facts;
use crate::domain::action_request::{self, ActionRequest};
use crate::domain::actions::Action;
use crate::domain::argo_requests;
use crate::domain::rollout::{ControllerKind, RolloutKey};

/// Fills in an undo's plan: lists the Rollout's ReplicaSets, picks the target revision (a
/// Deployment's: [`super::undo_deploy::prepare_deployment_undo`]).
pub async fn prepare_undo(
    client: &kube::Client,
    mut req: ActionRequest,
) -> Result<ActionRequest, String> {
    if req.key.kind == ControllerKind::Deployment {
        return super::undo_deploy::prepare_deployment_undo(client, req).await;
    }
    let path = object_path(&req.key);
    let rollout = send::get(client, &path)
        .await
        .map_err(|f| describe("GET", &path, &f))?;
    if let Some(w) = rollout
        .pointer("/spec/workloadRef")
        .filter(|w| w.is_object())
    {
        let kind = w
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("Deployment");
        let name = w.get("name").and_then(Value::as_str).unwrap_or("?");
        return Err(format!("the template lives in {kind} {name}"));
    }
    req.seen =
        argo_facts::seen(&rollout).map_err(|e| format!("cannot read {}: {e}", req.object()))?;
    let owned = owned_templates(client, &rollout, &req.key).await?;
    let target = argo_requests::undo_target(&owned, req.undo_to).map_err(|e| e.to_string())?;
    let template = rollout.pointer("/spec/template").unwrap_or(&Value::Null);
    let plan = argo_requests::undo(&req.seen.facts, template, &owned, Some(target))
        .map_err(|e| e.to_string())?;
    tracing::debug!(object = %req.object(), target, skipped = plan.is_none(), "undo prepared");
    req.plan = plan.unwrap_or_default();
    req.undo_to = Some(target);
    req.change = action_request::change_text(Action::Undo, &req.seen, req.undo_to);
    Ok(req)
}

/// The rollout's ReplicaSets as (revision, pod template).
async fn owned_templates(
    client: &kube::Client,
    rollout: &Value,
    key: &RolloutKey,
) -> Result<Vec<(u64, Value)>, String> {
    let mut path = format!("/apis/apps/v1/namespaces/{}/replicasets", key.namespace);
    let selector: Vec<String> = rollout
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                .collect()
        })
        .unwrap_or_default();
    if !selector.is_empty() {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("labelSelector", &selector.join(","))
            .finish();
        path = format!("{path}?{query}");
    }
    let list = send::get(client, &path).await.map_err(|f| {
        format!(
            "cannot list the ReplicaSets of {}/{}: {}",
            key.namespace,
            key.name,
            describe("GET", &path, &f)
        )
    })?;
    let uid = rollout
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let items = list.get("items").and_then(Value::as_array);
    Ok(items
        .into_iter()
        .flatten()
        .filter(|rs| owned_by(rs, &key.name, uid))
        .filter_map(|rs| {
            let rev = rs
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(REVISION))
                .and_then(Value::as_str)?
                .parse()
                .ok()?;
            Some((rev, rs.pointer("/spec/template")?.clone()))
        })
        .collect())
}

/// An ownerReference `kind: Rollout, name` (and the rollout's uid when both have one).
fn owned_by(rs: &Value, name: &str, uid: &str) -> bool {
    let refs = rs
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array);
    refs.into_iter().flatten().any(|o| {
        let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
        s("kind") == "Rollout"
            && s("name") == name
            && (uid.is_empty() || s("uid").is_empty() || s("uid") == uid)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ownership_needs_the_rollout_by_kind_name_and_uid() {
        let rs = |kind: &str, name: &str, uid: &str| json!({"metadata": {"ownerReferences": [{"kind": kind, "name": name, "uid": uid}]}});
        assert!(owned_by(&rs("Rollout", "pay", "u1"), "pay", "u1"));
        assert!(owned_by(&rs("Rollout", "pay", "u1"), "pay", ""));
        assert!(!owned_by(&rs("Rollout", "pay", "u2"), "pay", "u1"));
        assert!(!owned_by(&rs("Deployment", "pay", "u1"), "pay", "u1"));
        assert!(!owned_by(&rs("Rollout", "lobby", "u1"), "pay", "u1"));
        assert!(!owned_by(&json!({"metadata": {}}), "pay", ""));
    }
}
