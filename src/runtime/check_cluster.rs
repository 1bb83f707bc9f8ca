//! The checks that ask the API server: which CRDs are installed (discovery, as the
//! overview finds them), SelfSubjectAccessReview for every need of the actions, and the Argo
//! rollouts in flight (for the Prometheus templates).

use std::future::Future;

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};

use super::{CALL_TIMEOUT, Check};
use crate::adapters::kube::convert::{ConvertCtx, rollout_row};
use crate::adapters::kube::rbac;
use crate::domain::metrics::MetricTarget;
use crate::domain::metrics::target::target_for;
use crate::domain::permissions::{
    ALL_NEEDS, CREATE_EVENTS, CREATE_SERVICES_PROXY, Need, PATCH_ANALYSISRUNS, PATCH_CANARIES,
    PATCH_DEPLOYMENTS, PATCH_ROLLOUTS, PATCH_ROLLOUTS_STATUS,
};
use crate::domain::scope::NamespaceScope;

/// A failed request: the HTTP status when the server answered, and the message.
struct Failure {
    code: Option<u16>,
    message: String,
}

/// `f`, given at most [`CALL_TIMEOUT`].
async fn timed<T>(f: impl Future<Output = Result<T, kube::Error>>) -> Result<T, Failure> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(kube::Error::Api(s))) => Err(Failure {
            code: Some(s.code),
            message: format!("{} ({})", s.message, s.code),
        }),
        Ok(Err(e)) => Err(Failure {
            code: None,
            message: e.to_string(),
        }),
        Err(_) => Err(Failure {
            code: None,
            message: format!("no answer within {}s", CALL_TIMEOUT.as_secs()),
        }),
    }
}

/// The namespaces to ask in: each of the list, or `""` (cluster-wide) for `-A`.
fn places(scope: &NamespaceScope) -> Vec<String> {
    match scope {
        NamespaceScope::All => vec![String::new()],
        NamespaceScope::Some(list) => list.clone(),
    }
}

fn place(ns: &str) -> String {
    if ns.is_empty() {
        "cluster-wide".to_string()
    } else {
        format!("in {ns}")
    }
}

/// What shipdeck reads, by product: its API group and the resources it needs.
const PRODUCTS: [(&str, &str, &[&str]); 2] = [
    (
        "Argo Rollouts",
        "argoproj.io",
        &["rollouts", "analysisruns"],
    ),
    ("Flagger", "flagger.app", &["canaries"]),
];

/// Which of Argo Rollouts and Flagger the API server serves. Neither is a failure only when
/// Deployments cannot be listed either (nothing would show).
pub async fn crds(client: &kube::Client, scope: &NamespaceScope) -> Check {
    let groups = match timed(client.list_api_groups()).await {
        Ok(g) => g,
        Err(f) => return Check::fail("crds", format!("discovery failed: {}", f.message)),
    };
    let mut parts = Vec::new();
    let mut any = false;
    for (product, group, wanted) in PRODUCTS {
        let Some(g) = groups.groups.iter().find(|g| g.name == group) else {
            let names: Vec<String> = wanted.iter().map(|r| format!("{r}.{group}")).collect();
            parts.push(format!("{product} not installed (no {})", names.join(", ")));
            continue;
        };
        let version = g
            .preferred_version
            .as_ref()
            .or(g.versions.first())
            .map(|v| v.group_version.clone())
            .unwrap_or_default();
        let served: Vec<String> = match timed(client.list_api_group_resources(&version)).await {
            Ok(list) => list.resources.into_iter().map(|r| r.name).collect(),
            Err(f) => return Check::fail("crds", format!("discovery of {version}: {}", f.message)),
        };
        let (have, missing): (Vec<&str>, Vec<&str>) =
            wanted.iter().partition(|r| served.iter().any(|s| s == *r));
        let full = |list: &[&str]| {
            list.iter()
                .map(|r| format!("{r}.{group}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // The first resource is the one the overview lists (rollouts, canaries).
        any |= wanted.first().is_some_and(|main| have.contains(main));
        parts.push(match (have.is_empty(), missing.is_empty()) {
            (_, true) => format!("{product} installed ({})", full(&have)),
            (true, false) => format!("{product} not installed (no {})", full(&missing)),
            (false, false) => format!(
                "{product} partly installed ({}; missing {})",
                full(&have),
                full(&missing)
            ),
        });
    }
    let summary = parts.join("; ");
    if any {
        return Check::pass("crds", summary);
    }
    // Neither: the overview can still show Deployments, if it may list them.
    let mut refused = Vec::new();
    for ns in places(scope) {
        let api: Api<Deployment> = if ns.is_empty() {
            Api::all(client.clone())
        } else {
            Api::namespaced(client.clone(), &ns)
        };
        match timed(api.list(&ListParams::default().limit(1))).await {
            Ok(_) => return Check::pass("crds", format!("{summary}; only Deployments will show")),
            Err(f) => refused.push(format!("{}: {}", place(&ns), f.message)),
        }
    }
    Check::fail(
        "crds",
        format!(
            "{summary}, and Deployments cannot be listed ({}): nothing to show",
            refused.join("; ")
        ),
    )
}

/// What a denied need refuses.
fn refused(need: Need) -> &'static str {
    const TABLE: [(Need, &str); 7] = [
        (
            PATCH_ROLLOUTS,
            "approve, promote, abort, retry, pause, resume, restart, undo and second-approval \
             requests on Argo rollouts will be refused",
        ),
        (
            PATCH_ROLLOUTS_STATUS,
            "approve, promote, abort and retry will be refused",
        ),
        (
            PATCH_ANALYSISRUNS,
            "terminating an analysis will be refused",
        ),
        (
            CREATE_EVENTS,
            "actions still run but leave no Event on the object (the audit notes it)",
        ),
        (
            PATCH_DEPLOYMENTS,
            "pause, resume, restart and undo of Deployments will be refused",
        ),
        (
            CREATE_SERVICES_PROXY,
            "Flagger approve and rollback (its load tester's gates) will be refused",
        ),
        (
            PATCH_CANARIES,
            "pause, resume and second-approval requests on Flagger canaries will be refused",
        ),
    ];
    TABLE
        .iter()
        .find(|(n, _)| *n == need)
        .map_or("the actions that need it will be refused", |(_, s)| s)
}

/// One line per need of [`ALL_NEEDS`] per namespace in scope (cluster-wide for `-A`).
pub async fn rbac(client: &kube::Client, scope: &NamespaceScope) -> Vec<Check> {
    let mut out = Vec::new();
    for ns in places(scope) {
        let at = place(&ns);
        let answer = tokio::time::timeout(CALL_TIMEOUT, rbac::check(client, &ns, &ALL_NEEDS)).await;
        match answer {
            Ok(Ok(answers)) => out.extend(answers.into_iter().map(|(need, allowed)| {
                let what = format!("{} {at}", need.label());
                if allowed {
                    Check::pass("rbac", what)
                } else {
                    Check::fail("rbac", format!("{what}: denied — {}", refused(need)))
                }
            })),
            Ok(Err(e)) => out.push(Check::fail("rbac", e)),
            Err(_) => out.push(Check::fail(
                "rbac",
                format!(
                    "SelfSubjectAccessReview {at}: no answer within {}s",
                    CALL_TIMEOUT.as_secs()
                ),
            )),
        }
    }
    out
}

/// The Argo rollouts in flight (`status.currentPodHash` and `status.stableRS` both set and
/// different) in scope, as metric targets. None when Argo Rollouts is not installed.
pub async fn in_flight(
    client: &kube::Client,
    scope: &NamespaceScope,
) -> Result<Vec<MetricTarget>, String> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
        "rollouts",
    );
    let mut out = Vec::new();
    for ns in places(scope) {
        let api: Api<DynamicObject> = if ns.is_empty() {
            Api::all_with(client.clone(), &ar)
        } else {
            Api::namespaced_with(client.clone(), &ns, &ar)
        };
        let list = match timed(api.list(&ListParams::default())).await {
            Ok(l) => l,
            Err(f) if f.code == Some(404) => continue,
            Err(f) => {
                return Err(format!(
                    "cannot list rollouts {}: {}",
                    place(&ns),
                    f.message
                ));
            }
        };
        for obj in list.items {
            let json = serde_json::to_value(obj).unwrap_or_default();
            let row = rollout_row(&json, &ConvertCtx::default());
            // A first rollout (no stable version yet) has nothing to compare: not in flight.
            let moving = row.argo.as_ref().is_some_and(|a| {
                a.stable_rs.is_some()
                    && a.current_pod_hash.is_some()
                    && a.current_pod_hash != a.stable_rs
            });
            if moving {
                out.push(target_for(&row, None));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_need_says_what_a_denial_refuses() {
        for need in ALL_NEEDS {
            assert!(
                !refused(need).starts_with("the actions that need it"),
                "{}",
                need.label()
            );
        }
        assert_eq!(
            refused(PATCH_ROLLOUTS_STATUS),
            "approve, promote, abort and retry will be refused"
        );
    }
}
