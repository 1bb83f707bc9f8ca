//! SelfSubjectAccessReview for each verb the actions need, asked concurrently.

use serde_json::{Map, Value, json};

use super::actions::send;
use crate::domain::permissions::Need;

const REVIEWS: &str = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

/// Asks the API server whether we may do each of `needs` in `namespace` (`""`: all).
/// The answers come back in the order of `needs`; any failed review is an error.
pub async fn check(
    client: &kube::Client,
    namespace: &str,
    needs: &[Need],
) -> Result<Vec<(Need, bool)>, String> {
    let asks = needs.iter().map(|need| ask(client, namespace, *need));
    futures::future::join_all(asks).await.into_iter().collect()
}

async fn ask(client: &kube::Client, namespace: &str, need: Need) -> Result<(Need, bool), String> {
    let body = review(namespace, need);
    let scope = if namespace.is_empty() {
        "cluster-wide".to_string()
    } else {
        format!("in {namespace}")
    };
    let answer = send::send(
        client,
        "POST",
        REVIEWS,
        Some("application/json"),
        Some(&body),
    )
    .await
    .map_err(|f| format!("cannot check \"{}\" {scope}: {f}", need.label()))?;
    let allowed = answer
        .pointer("/status/allowed")
        .and_then(Value::as_bool)
        .ok_or_else(|| {
            format!(
                "cannot check \"{}\" {scope}: the review came back without status.allowed",
                need.label()
            )
        })?;
    Ok((need, allowed))
}

/// The review's body: namespace and subresource only when set.
fn review(namespace: &str, need: Need) -> Value {
    let mut attrs = Map::new();
    if !namespace.is_empty() {
        attrs.insert("namespace".into(), json!(namespace));
    }
    attrs.insert("verb".into(), json!(need.verb));
    attrs.insert("group".into(), json!(need.group));
    attrs.insert("resource".into(), json!(need.resource));
    if !need.subresource.is_empty() {
        attrs.insert("subresource".into(), json!(need.subresource));
    }
    json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": attrs},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::permissions::{CREATE_EVENTS, PATCH_ROLLOUTS_STATUS};

    #[test]
    fn reviews_carry_only_what_is_set() {
        assert_eq!(
            review("prod", PATCH_ROLLOUTS_STATUS)["spec"]["resourceAttributes"],
            json!({"namespace": "prod", "verb": "patch", "group": "argoproj.io",
                   "resource": "rollouts", "subresource": "status"})
        );
        assert_eq!(
            review("", CREATE_EVENTS)["spec"]["resourceAttributes"],
            json!({"verb": "create", "group": "", "resource": "events"})
        );
    }
}
