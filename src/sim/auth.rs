//! Identities (bearer tokens) and what each may do, answered the way RBAC would.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use serde_json::{Value, json};

/// What an identity may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rights {
    /// Every verb on every resource.
    All,
    /// get, list and watch on everything; no mutation.
    Viewer,
    /// Like viewer, but no list/watch on analysisruns and canaries.
    Restricted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub token: String,
    pub rights: Rights,
}

/// The four identities of the simulator, each with a fresh random token.
pub fn identities() -> Vec<Identity> {
    [
        ("sim-operator", Rights::All),
        ("sim-operator-2", Rights::All),
        ("sim-viewer", Rights::Viewer),
        ("sim-restricted", Rights::Restricted),
    ]
    .into_iter()
    .map(|(name, rights)| Identity {
        name: name.to_string(),
        token: format!("{name}-{}", random_hex()),
        rights,
    })
    .collect()
}

/// 32 hex digits from the standard library's per-process random hasher keys.
pub fn random_hex() -> String {
    let a = RandomState::new().build_hasher().finish();
    let mut h = RandomState::new().build_hasher();
    h.write_u64(a);
    format!("{a:016x}{:016x}", h.finish())
}

/// A random UUID-shaped string for `metadata.uid`.
pub fn random_uid() -> String {
    let h = random_hex();
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

const READ_VERBS: [&str; 3] = ["get", "list", "watch"];

/// Whether `rights` allow `verb` on `group`/`resource` (`resource` may carry a
/// subresource: `rollouts/status`).
pub fn allowed(rights: Rights, verb: &str, group: &str, resource: &str) -> bool {
    let base = resource.split('/').next().unwrap_or(resource);
    // Everyone may ask who they are and what they may do.
    if matches!(base, "selfsubjectreviews" | "selfsubjectaccessreviews") && verb == "create" {
        return true;
    }
    match rights {
        Rights::All => true,
        Rights::Viewer => READ_VERBS.contains(&verb),
        Rights::Restricted => {
            let hidden = (group == "argoproj.io" && base == "analysisruns")
                || (group == "flagger.app" && base == "canaries");
            READ_VERBS.contains(&verb) && !(hidden && matches!(verb, "list" | "watch"))
        }
    }
}

/// The answer to a `SelfSubjectReview`.
pub fn self_subject_review(id: &Identity, request: &Value) -> Value {
    let api_version = request
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("authentication.k8s.io/v1");
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": api_version,
        "metadata": {"creationTimestamp": null},
        "status": {"userInfo": {
            "username": id.name,
            "uid": format!("uid-{}", id.name),
            "groups": ["system:authenticated", "shipdeck:sim"],
        }},
    })
}

/// The answer to a `SelfSubjectAccessReview`.
pub fn self_subject_access_review(id: &Identity, request: &Value) -> Value {
    let mut answer = request.clone();
    let spec = request.get("spec").cloned().unwrap_or(Value::Null);
    let allowed_now = if let Some(ra) = spec.get("resourceAttributes") {
        let s = |k: &str| ra.get(k).and_then(Value::as_str).unwrap_or("");
        let resource = if s("subresource").is_empty() {
            s("resource").to_string()
        } else {
            format!("{}/{}", s("resource"), s("subresource"))
        };
        let verb = if s("verb") == "*" {
            "delete"
        } else {
            s("verb")
        };
        let group = if s("group") == "*" { "" } else { s("group") };
        allowed(id.rights, verb, group, &resource)
    } else {
        // Non-resource URLs (discovery, /version, /healthz): readable by everyone.
        let verb = spec
            .pointer("/nonResourceAttributes/verb")
            .and_then(Value::as_str)
            .unwrap_or("get");
        verb == "get" || id.rights == Rights::All
    };
    let reason = if allowed_now {
        format!("shipdeck sim: {} may do this", id.name)
    } else {
        String::new()
    };
    answer["status"] = json!({"allowed": allowed_now, "reason": reason});
    if answer.get("metadata").is_none() {
        answer["metadata"] = json!({"creationTimestamp": null});
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_follow_the_identity_table() {
        assert!(allowed(
            Rights::All,
            "patch",
            "argoproj.io",
            "rollouts/status"
        ));
        assert!(allowed(Rights::Viewer, "watch", "argoproj.io", "rollouts"));
        assert!(!allowed(Rights::Viewer, "patch", "argoproj.io", "rollouts"));
        assert!(!allowed(Rights::Viewer, "create", "", "services/proxy"));
        assert!(allowed(
            Rights::Restricted,
            "get",
            "argoproj.io",
            "analysisruns"
        ));
        assert!(!allowed(
            Rights::Restricted,
            "list",
            "argoproj.io",
            "analysisruns"
        ));
        assert!(!allowed(
            Rights::Restricted,
            "watch",
            "flagger.app",
            "canaries"
        ));
        assert!(allowed(
            Rights::Restricted,
            "list",
            "argoproj.io",
            "rollouts"
        ));
        assert!(allowed(
            Rights::Viewer,
            "create",
            "authentication.k8s.io",
            "selfsubjectreviews"
        ));
    }

    #[test]
    fn tokens_and_uids_are_fresh() {
        let a = identities();
        let b = identities();
        assert_ne!(a[0].token, b[0].token);
        assert!(a[0].token.starts_with("sim-operator-"));
        let uid = random_uid();
        assert_eq!(uid.len(), 36, "{uid}");
        assert_ne!(uid, random_uid());
    }

    #[test]
    fn access_reviews_answer_from_the_rules() {
        let ids = identities();
        let viewer = &ids[2];
        let req = json!({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
            "spec":{"resourceAttributes":{"namespace":"x","verb":"patch","group":"argoproj.io","resource":"rollouts"}}});
        assert_eq!(
            self_subject_access_review(viewer, &req)["status"]["allowed"],
            false
        );
        assert_eq!(
            self_subject_access_review(&ids[0], &req)["status"]["allowed"],
            true
        );
        let r = self_subject_review(viewer, &json!({"apiVersion":"authentication.k8s.io/v1"}));
        assert_eq!(r["status"]["userInfo"]["username"], "sim-viewer");
    }
}
