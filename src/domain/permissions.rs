//! What the actions need from RBAC (PROTOCOLS.md), and what SelfSubjectAccessReview said
//! per namespace. Pure: the adapter asks, the state keeps the answers.

use std::collections::BTreeMap;

use super::actions::Action;
use super::rollout::ControllerKind;

/// One verb on one resource (with its subresource).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Need {
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
    pub subresource: &'static str,
}

impl Need {
    /// `patch rollouts/status`, as the dimmed reason says it.
    pub fn label(&self) -> String {
        if self.subresource.is_empty() {
            format!("{} {}", self.verb, self.resource)
        } else {
            format!("{} {}/{}", self.verb, self.resource, self.subresource)
        }
    }
}

pub const PATCH_ROLLOUTS: Need = Need {
    verb: "patch",
    group: "argoproj.io",
    resource: "rollouts",
    subresource: "",
};
pub const PATCH_ROLLOUTS_STATUS: Need = Need {
    verb: "patch",
    group: "argoproj.io",
    resource: "rollouts",
    subresource: "status",
};
pub const PATCH_ANALYSISRUNS: Need = Need {
    verb: "patch",
    group: "argoproj.io",
    resource: "analysisruns",
    subresource: "",
};
pub const CREATE_EVENTS: Need = Need {
    verb: "create",
    group: "",
    resource: "events",
    subresource: "",
};

pub const CREATE_SERVICES_PROXY: Need = Need {
    verb: "create",
    group: "",
    resource: "services",
    subresource: "proxy",
};
pub const PATCH_CANARIES: Need = Need {
    verb: "patch",
    group: "flagger.app",
    resource: "canaries",
    subresource: "",
};
pub const PATCH_DEPLOYMENTS: Need = Need {
    verb: "patch",
    group: "apps",
    resource: "deployments",
    subresource: "",
};

/// Everything the Argo actions need, in the order they are checked.
pub const ARGO_NEEDS: [Need; 4] = [
    PATCH_ROLLOUTS,
    PATCH_ROLLOUTS_STATUS,
    PATCH_ANALYSISRUNS,
    CREATE_EVENTS,
];

/// Everything any action needs: Argo's, Deployments' and Flagger's gates.
pub const ALL_NEEDS: [Need; 7] = [
    PATCH_ROLLOUTS,
    PATCH_ROLLOUTS_STATUS,
    PATCH_ANALYSISRUNS,
    CREATE_EVENTS,
    PATCH_DEPLOYMENTS,
    CREATE_SERVICES_PROXY,
    PATCH_CANARIES,
];

/// What an action on an object of `kind` cannot do without. (The Event is bookkeeping:
/// without `create events` the action still runs and the audit notes the missing Event.)
pub fn needs(kind: ControllerKind, action: Action) -> &'static [Need] {
    match kind {
        ControllerKind::Deployment => return &[PATCH_DEPLOYMENTS],
        ControllerKind::Flagger
            if matches!(
                action,
                Action::Pause | Action::Resume | Action::RequestApproval
            ) =>
        {
            return &[PATCH_CANARIES];
        }
        ControllerKind::Flagger => return &[CREATE_SERVICES_PROXY],
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => {}
    }
    match action {
        Action::Approve | Action::PromoteFull | Action::Abort | Action::Retry => {
            &[PATCH_ROLLOUTS_STATUS, PATCH_ROLLOUTS]
        }
        Action::Pause
        | Action::Resume
        | Action::Restart
        | Action::Undo
        | Action::RequestApproval => &[PATCH_ROLLOUTS],
        Action::Terminate => &[PATCH_ANALYSISRUNS],
        Action::Rollback | Action::CloseGate => &[CREATE_SERVICES_PROXY],
    }
}

/// The answers of SelfSubjectAccessReview, per namespace (`""`: cluster-wide).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    answers: BTreeMap<String, BTreeMap<Need, bool>>,
}

impl Permissions {
    pub fn record(&mut self, namespace: &str, answers: &[(Need, bool)]) {
        let ns = self.answers.entry(namespace.to_string()).or_default();
        for (need, allowed) in answers {
            ns.insert(*need, *allowed);
        }
    }

    pub fn clear(&mut self) {
        self.answers.clear();
    }

    /// Whether `namespace` (or cluster-wide) has an answer yet.
    pub fn checked(&self, namespace: &str) -> bool {
        self.answers.contains_key(namespace)
    }

    /// `Some(false)` when denied in `namespace` (and not granted cluster-wide), `None` when
    /// nobody has asked yet.
    pub fn allowed(&self, namespace: &str, need: Need) -> Option<bool> {
        let ns = self.answers.get(namespace).and_then(|m| m.get(&need));
        let all = self.answers.get("").and_then(|m| m.get(&need));
        match (ns, all) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), _) | (None, Some(false)) => Some(false),
            (None, None) => None,
        }
    }

    /// `no permission (patch rollouts/status)` when RBAC says no to an action's need.
    pub fn refusal(&self, namespace: &str, kind: ControllerKind, action: Action) -> Option<String> {
        needs(kind, action)
            .iter()
            .find(|n| self.allowed(namespace, **n) == Some(false))
            .map(|n| format!("no permission ({})", n.label()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespace_answer_or_a_cluster_wide_grant_decides() {
        let mut p = Permissions::default();
        assert_eq!(
            p.refusal("prod", ControllerKind::ArgoCanary, Action::Abort),
            None,
            "unknown: allowed to try"
        );
        p.record(
            "",
            &[(PATCH_ROLLOUTS_STATUS, false), (PATCH_ROLLOUTS, true)],
        );
        assert_eq!(
            p.refusal("prod", ControllerKind::ArgoCanary, Action::Abort)
                .as_deref(),
            Some("no permission (patch rollouts/status)")
        );
        assert_eq!(
            p.refusal("prod", ControllerKind::ArgoCanary, Action::Pause),
            None
        );
        p.record("prod", &[(PATCH_ROLLOUTS_STATUS, true)]);
        assert_eq!(
            p.refusal("prod", ControllerKind::ArgoCanary, Action::Abort),
            None
        );
        assert_eq!(
            p.refusal("staging", ControllerKind::ArgoCanary, Action::Abort)
                .as_deref(),
            Some("no permission (patch rollouts/status)")
        );
        assert_eq!(
            Permissions::default().allowed("x", CREATE_EVENTS),
            None,
            "nothing asked yet"
        );
        p.record("staging", &[(PATCH_ANALYSISRUNS, false)]);
        assert_eq!(
            p.refusal("staging", ControllerKind::ArgoCanary, Action::Terminate)
                .as_deref(),
            Some("no permission (patch analysisruns)")
        );
        assert!(p.checked("staging") && !p.checked("dev"));
    }
}
